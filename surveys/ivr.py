"""The phone conversation as TwiML, one implementation for every telephony provider.

What is said comes from `call_script` (the same steps the editor previews); this module only
decides which step comes next, stores each answer the moment it arrives and renders the step.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from surveys.languages import SPEECH_LANGUAGES
from surveys.models import (
    Answer,
    CallAttempt,
    CallStatus,
    ConsentKind,
    Question,
    QuestionKind,
    QuestionOption,
    Response,
    ResponseStatus,
    SurveyVersion,
)
from surveys.models.calls import ACTIVE_CALL_STATUSES
from surveys.script import INTRO_DIGIT_ANSWER, INTRO_DIGIT_DECLINE, INTRO_DIGIT_OPT_OUT, CallScript, call_script
from surveys.services.consent import consent_record
from surveys.services.privacy import contact_opt_out

GATHER_TIMEOUT_SECONDS = 6
MAX_REPROMPTS = 1
SKIP_KEY = "*"
SPOKEN_DIGITS = {
    "fi": {
        "nolla": 0,
        "yksi": 1,
        "kaksi": 2,
        "kolme": 3,
        "neljä": 4,
        "viisi": 5,
        "kuusi": 6,
        "seitsemän": 7,
        "kahdeksan": 8,
        "yhdeksän": 9,
        "kyllä": 1,
        "ei": 2,
    },
    "sv": {
        "noll": 0,
        "ett": 1,
        "en": 1,
        "två": 2,
        "tre": 3,
        "fyra": 4,
        "fem": 5,
        "sex": 6,
        "sju": 7,
        "åtta": 8,
        "nio": 9,
        "ja": 1,
        "nej": 2,
    },
    "en": {
        "zero": 0,
        "one": 1,
        "two": 2,
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
        "yes": 1,
        "no": 2,
    },
}


def ivr_url(name: str, attempt: CallAttempt, **kwargs) -> str:
    return settings.PUBLIC_BASE_URL + reverse(f"telephony:{name}", kwargs={"attempt_id": attempt.pk, **kwargs})


def _script(attempt: CallAttempt) -> CallScript:
    return call_script(attempt.contact.campaign.survey_version, language=attempt.language)


@dataclass(frozen=True)
class _Questions:
    """A version's questions with their options, in order: what the steps of a call move through."""

    in_order: tuple[Question, ...]

    def at(self, position: int) -> Question | None:
        return next((question for question in self.in_order if question.position == position), None)

    def first(self) -> Question | None:
        return self.in_order[0] if self.in_order else None

    def after(self, question: Question, option: QuestionOption | None) -> Question | None:
        """The next question to ask: where the chosen option's skip rule points, else the next one."""
        if option is not None and option.skip_to_id is not None:
            return next(candidate for candidate in self.in_order if candidate.pk == option.skip_to_id)
        return next((candidate for candidate in self.in_order if candidate.position > question.position), None)


def _questions(attempt: CallAttempt) -> _Questions:
    version = attempt.contact.campaign.survey_version
    if version.is_frozen:
        return _frozen_questions(version, version.frozen_at)
    return _questions_load(version)


# A frozen version never changes: each web process loads its questions once, not on every answer.
@lru_cache(maxsize=32)
def _frozen_questions(version: SurveyVersion, frozen_at) -> _Questions:
    return _questions_load(version)


def _questions_load(version: SurveyVersion) -> _Questions:
    return _Questions(tuple(version.questions.prefetch_related("options").order_by("position")))


def _say(node, attempt: CallAttempt, text: str) -> None:
    node.say(text, voice=settings.TWILIO_VOICES.get(attempt.language), language=SPEECH_LANGUAGES[attempt.language])


def _gather(response: VoiceResponse, attempt: CallAttempt, text: str, *, action: str, question: Question | None):
    options = {
        "input": "dtmf speech",
        "action": action,
        "method": "POST",
        "language": SPEECH_LANGUAGES[attempt.language],
        "timeout": GATHER_TIMEOUT_SECONDS,
        "speech_timeout": "auto",
        "action_on_empty_result": True,
    }
    if question is None or question.has_options:
        options["num_digits"] = 1
    else:
        options["finish_on_key"] = "#"
    gather = response.gather(**options)
    _say(gather, attempt, text)


def _goodbye(attempt: CallAttempt, text: str) -> str:
    response = VoiceResponse()
    _say(response, attempt, text)
    response.hangup()
    return str(response)


def _spoken_number(text: str, language: str) -> int | None:
    found = re.search(r"-?\d+", text)
    if found:
        return int(found.group())
    words = SPOKEN_DIGITS.get(language, {})
    for word in re.findall(r"\w+", text.lower()):
        if word in words:
            return words[word]
    return None


def _intro_twiml(attempt: CallAttempt, script: CallScript, prefix: str = "") -> str:
    response = VoiceResponse()
    text = f"{prefix} {script.steps[0].says}".strip()
    _gather(response, attempt, text, action=ivr_url("ivr-intro", attempt), question=None)
    return str(response)


def _question_twiml(attempt: CallAttempt, script: CallScript, question: Question, prefix: str = "") -> str:
    step = next(step for step in script.steps if step.key == f"q{question.position}")
    response = VoiceResponse()
    text = f"{prefix} {step.says}".strip()
    _gather(
        response, attempt, text, action=ivr_url("ivr-answer", attempt, position=question.position), question=question
    )
    return str(response)


def _closing_twiml(attempt: CallAttempt, script: CallScript) -> str:
    return _goodbye(attempt, script.steps[-1].says)


def _with_language(function):
    def wrapper(*, attempt: CallAttempt, **kwargs) -> str:
        with translation.override(attempt.language):
            return function(attempt=attempt, **kwargs)

    return wrapper


# What the steps of a call read of the attempt, its contact and survey. Every step of every call
# reads them, so only these columns are fetched; anything else is loaded when used, which for a
# started campaign (its version frozen, script and questions kept in memory) nothing is.
STEP_FIELDS = (
    "status",
    "current_step",
    "reprompts",
    "language",
    "answered_at",
    "contact__pseudonym",
    "contact__campaign__survey_version__frozen_at",
    "contact__campaign__survey_version__survey__organiser",
)


def _locked(attempt: CallAttempt, *, with_response: bool = False) -> CallAttempt:
    """The attempt, locked so the steps of one call take turns; the rows it refers to are read, not
    locked, so the other calls of the campaign (and its dial tick) do not wait for this one.
    `with_response` reads the id of the respondent's response (`response_pk`) in the same query."""
    attempts = (
        CallAttempt.objects.select_for_update(of=("self",))
        .select_related("contact__campaign__survey_version__survey")
        .only(*STEP_FIELDS)
    )
    if with_response:
        responses = Response.objects.filter(pseudonym=OuterRef("contact__pseudonym"))
        attempts = attempts.annotate(response_pk=Subquery(responses.values("pk")[:1]))
    return attempts.get(pk=attempt.pk)


@_with_language
@transaction.atomic
def ivr_start(*, attempt: CallAttempt) -> str:
    """The call was answered: play the introduction and record that the person was informed."""
    attempt = _locked(attempt)
    script = _script(attempt)
    if attempt.current_step == "":
        consent_record(
            kind=ConsentKind.INFORMED,
            channel="call",
            campaign=attempt.contact.campaign,
            contact_ref=attempt.contact.pseudonym,
            intro_hash=script.intro_hash,
        )
        attempt.current_step = "intro"
        attempt.answered_at = attempt.answered_at or timezone.now()
        if attempt.status in ACTIVE_CALL_STATUSES:
            attempt.status = CallStatus.IN_PROGRESS
        attempt.save(update_fields=["current_step", "answered_at", "status"])
    return _intro_twiml(attempt, script)


@_with_language
@transaction.atomic
def ivr_intro_answer(*, attempt: CallAttempt, digits: str, speech: str) -> str:
    attempt = _locked(attempt)
    script = _script(attempt)
    contact = attempt.contact
    campaign = contact.campaign
    choice = _spoken_number(digits or speech, attempt.language) if (digits or speech) else None
    if choice == INTRO_DIGIT_ANSWER:
        if attempt.current_step == "intro":
            consent_record(kind=ConsentKind.CONSENTED, channel="call", campaign=campaign, contact_ref=contact.pseudonym)
            Response.objects.get_or_create(
                pseudonym=contact.pseudonym,
                defaults={
                    "campaign": campaign,
                    "survey_version": campaign.survey_version,
                    "language": attempt.language,
                },
            )
        return _ask(attempt, script, _questions(attempt).first())
    if choice == INTRO_DIGIT_DECLINE:
        if attempt.current_step == "intro":
            consent_record(kind=ConsentKind.DECLINED, channel="call", campaign=campaign, contact_ref=contact.pseudonym)
            _set_step(attempt, "declined")
        return _goodbye(attempt, _("Thank you. We will not ask you anything this time. Goodbye."))
    if choice == INTRO_DIGIT_OPT_OUT:
        if attempt.current_step == "intro":
            contact_opt_out(contact=contact, source="call")
            _set_step(attempt, "opted_out")
        return _goodbye(attempt, _("Your number will not be called again. Goodbye."))
    if attempt.reprompts < MAX_REPROMPTS:
        attempt.reprompts += 1
        attempt.save(update_fields=["reprompts"])
        return _intro_twiml(attempt, script, prefix=_("Sorry, I did not get that."))
    _set_step(attempt, "no_choice")
    return _goodbye(attempt, _("We did not get an answer. Goodbye."))


@_with_language
@transaction.atomic
def ivr_answer(*, attempt: CallAttempt, position: int, digits: str, speech: str, confidence: float | None) -> str:
    """Store the answer to the question at `position` at once, then ask the next one."""
    attempt = _locked(attempt, with_response=True)
    script = _script(attempt)
    questions = _questions(attempt)
    question = questions.at(position)
    if attempt.response_pk is None or question is None:
        return _goodbye(attempt, _("We did not get an answer. Goodbye."))
    if digits == SKIP_KEY and not question.required:
        return _ask(attempt, script, questions.after(question, None))
    answer = _parse_answer(question, digits=digits, speech=speech, language=attempt.language)
    if answer is None:
        if attempt.reprompts < MAX_REPROMPTS:
            attempt.reprompts += 1
            attempt.save(update_fields=["reprompts"])
            return _question_twiml(attempt, script, question, prefix=_("Sorry, I did not get that."))
        return _ask(attempt, script, questions.after(question, None))
    answer.update(confidence=confidence if speech and not digits else None)
    # The first answer stays when the carrier repeats the request: one INSERT ... ON CONFLICT DO NOTHING.
    Answer.objects.bulk_create(
        [Answer(response_id=attempt.response_pk, question=question, **answer)], ignore_conflicts=True
    )
    return _ask(attempt, script, questions.after(question, answer.get("option")))


def _parse_answer(question: Question, *, digits: str, speech: str, language: str) -> dict | None:
    if question.kind == QuestionKind.OPEN:
        return {"transcript": speech.strip()} if speech.strip() else None
    value = _spoken_number(digits or speech, language) if (digits or speech) else None
    if value is None:
        return None
    transcript = speech.strip() if not digits else ""
    if question.kind == QuestionKind.NUMBER:
        too_small = question.min_value is not None and value < question.min_value
        too_large = question.max_value is not None and value > question.max_value
        if too_small or too_large:
            return None
        return {"digits": digits, "number_value": value, "transcript": transcript}
    option = next((option for option in question.options.all() if option.digit == value), None)
    if option is None:
        return None
    return {"digits": digits or str(value), "option": option, "transcript": transcript}


def _set_step(attempt: CallAttempt, step: str) -> None:
    attempt.current_step = step
    attempt.reprompts = 0
    attempt.save(update_fields=["current_step", "reprompts"])


def _ask(attempt: CallAttempt, script: CallScript, question: Question | None) -> str:
    if question is None:
        Response.objects.filter(pseudonym=attempt.contact.pseudonym, status=ResponseStatus.PARTIAL).update(
            status=ResponseStatus.COMPLETE, finished_at=timezone.now()
        )
        _set_step(attempt, "closing")
        return _closing_twiml(attempt, script)
    if attempt.current_step != f"q{question.position}":
        _set_step(attempt, f"q{question.position}")
    return _question_twiml(attempt, script, question)
