"""The phone conversation, one implementation for every telephony provider.

What is said comes from `call_script` (the same steps the editor previews); this module only
decides which step comes next, stores each answer the moment it arrives and returns the next
`Turn`, which the call's provider renders in its carrier's markup. A call's step only moves
forward: a request that does not belong to the step the call is at (retried, late or replayed)
hears the current step again and changes nothing, and an ended call's step never changes.
"""

import re
from dataclasses import dataclass
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from surveys.models import (
    Answer,
    AnsweredBy,
    CallAttempt,
    ConsentChannel,
    ConsentKind,
    Question,
    QuestionKind,
    QuestionOption,
    Response,
    SurveyVersion,
)
from surveys.models.calls import FINAL_CALL_STATUSES
from surveys.phone_numbers import phone_decrypt, phone_takes_sms
from surveys.script import (
    INTRO_DIGIT_ANSWER,
    INTRO_DIGIT_DECLINE,
    INTRO_DIGIT_LINK,
    INTRO_DIGIT_OPT_OUT,
    CallScript,
    call_script,
    machine_message,
)
from surveys.services.call_steps import (
    answer_record,
    call_attempt_intro_start,
    call_attempt_reprompt,
    call_attempt_step_set,
    response_begin,
    response_complete_by_phone,
)
from surveys.services.consent import consent_record
from surveys.services.dispositions import ResponseAnswers, survey_questions_of
from surveys.services.privacy import contact_opt_out
from surveys.services.quotas import (
    NO_SCREENING,
    Screening,
    answer_screens_out,
    contact_group_full,
    contact_screening,
    response_screen_out,
    screened_out_text,
)
from surveys.services.sms import SmsChannelProblem, campaign_sms_channel, sms_link_enqueue
from surveys.telephony.base import CallerInput, Listen, Turn

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
    return call_script(
        attempt.contact.campaign.survey_version, language=attempt.language, offers_link=_offers_link(attempt)
    )


def _offers_link(attempt: CallAttempt) -> bool:
    """Whether the call offers the survey's link by text message: the campaign sends one (SMS
    follow-up), the number called takes text messages, the site's SMS set-up can deliver the
    campaign's and the person's group is not full, so the promise can be kept. Only the introduction
    offers it: the quotas are asked only there, not on every question's step."""
    campaign = attempt.contact.campaign
    if not campaign.sms_follow_up or attempt.phone is None or attempt.phone.phone_encrypted is None:
        return False
    if not phone_takes_sms(phone_decrypt(attempt.phone.phone_encrypted)):
        return False
    if attempt.current_step not in ("", "intro"):
        return True
    try:
        campaign_sms_channel(campaign)
    except SmsChannelProblem:
        return False
    return not contact_group_full(campaign=campaign, contact=attempt.contact)


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


def _goodbye(attempt: CallAttempt, text: str = "") -> Turn:
    return Turn(attempt.language, (text,) if text else ())


def _spoken_number(text: str, language: str) -> int | None:
    found = re.search(r"-?\d+", text)
    if found:
        return int(found.group())
    words = SPOKEN_DIGITS.get(language, {})
    for word in re.findall(r"\w+", text.lower()):
        if word in words:
            return words[word]
    return None


def _intro_turn(attempt: CallAttempt, script: CallScript, prefix: str = "") -> Turn:
    says = f"{prefix} {script.steps[0].says}".strip()
    return Turn(attempt.language, (says,), Listen(ivr_url("ivr-intro", attempt)))


def _question_turn(attempt: CallAttempt, script: CallScript, question: Question, prefix: str = "") -> Turn:
    step = next(step for step in script.steps if step.key == f"q{question.position}")
    listen = Listen(ivr_url("ivr-answer", attempt, position=question.position), one_key=question.has_options)
    return Turn(attempt.language, (f"{prefix} {step.says}".strip(),), listen)


def _closing_turn(attempt: CallAttempt, script: CallScript) -> Turn:
    return _goodbye(attempt, script.steps[-1].says)


def _call_over(attempt: CallAttempt) -> bool:
    """The call has ended, or a machine or a fax answered it: nothing is said or stored any more,
    whatever request comes (a late or replayed one included)."""
    return attempt.status in FINAL_CALL_STATUSES or attempt.answered_by in (AnsweredBy.MACHINE, AnsweredBy.FAX)


def _current_turn(attempt: CallAttempt) -> Turn:
    """The step the call is at, said again: the answer to a request that does not belong to it (a
    retried or replayed one), which therefore changes nothing."""
    if attempt.current_step == "intro":
        return _intro_turn(attempt, _script(attempt))
    if attempt.current_step.startswith("q"):
        question = _questions(attempt).at(int(attempt.current_step[1:]))
        if question is not None:
            return _question_turn(attempt, _script(attempt), question)
    return _goodbye(attempt)


# What the steps of a call read of the attempt, its contact and survey. Every step of every call
# reads them, so only these columns are fetched; anything else is loaded when used, which for a
# started campaign (its version frozen, script and questions kept in memory) nothing is.
STEP_FIELDS = (
    "status",
    "current_step",
    "reprompts",
    "language",
    "answered_at",
    "answered_by",
    "contact__pseudonym",
    "contact__birth_year",
    "contact__postal_code",
    "contact__campaign__quotas_enabled",
    "contact__campaign__start_date",
    "contact__campaign__sms_follow_up",
    "phone__phone_encrypted",
    "contact__campaign__survey_version__frozen_at",
    "contact__campaign__survey_version__survey__organiser",
    "contact__campaign__survey_version__survey__organiser_sv",
    "contact__campaign__survey_version__survey__organiser_en",
)


def _locked(attempt_id: int, *, provider: str, with_response: bool) -> CallAttempt:
    """The attempt, locked so the steps of one call take turns; the rows it refers to are read, not
    locked, so the other calls of the campaign (and its dial tick) do not wait for this one. Only an
    attempt `provider` placed is found (CallAttempt.DoesNotExist otherwise). `with_response` reads
    the id of the respondent's response (`response_pk`) in the same query."""
    attempts = (
        CallAttempt.objects.select_for_update(of=("self",))
        .select_related("contact__campaign__survey_version__survey", "phone")
        .only(*STEP_FIELDS)
    )
    if not with_response:
        return attempts.get(pk=attempt_id, provider=provider)
    # One subquery for the response and its answers so far, from which its interview code is worked
    # out as an answer arrives (`answer_record`): each subquery of a step is built again on every request.
    answers = (
        Answer.objects.filter(response=OuterRef("pk"))
        .order_by()
        .values(json=JSONObject(question="question_id", option="option_id", skip_to="option__skip_to"))
    )
    response = Response.objects.filter(pseudonym=OuterRef("contact__pseudonym")).values(
        json=JSONObject(
            pk="pk",
            asked_first="asked_first",
            status="status",
            interview_code="interview_code",
            answers=ArraySubquery(answers),
        )
    )
    attempt = attempts.annotate(response_read=Subquery(response[:1], output_field=JSONField())).get(
        pk=attempt_id, provider=provider
    )
    read = attempt.response_read or {}
    attempt.response_pk, attempt.response_asked_first = read.get("pk"), read.get("asked_first")
    attempt.response_status, attempt.response_interview_code = read.get("status"), read.get("interview_code")
    attempt.response_answers = read.get("answers") or []
    return attempt


def _call_step(*, with_response: bool = False):
    """A step of a call, called with the attempt's id and the provider whose request it answers:
    one transaction, on the attempt locked (only one that provider placed is found), in the call's
    language."""

    def decorator(step):
        @wraps(step)
        def wrapper(*, attempt_id: int, provider: str, **kwargs) -> Turn:
            with transaction.atomic():
                attempt = _locked(attempt_id, provider=provider, with_response=with_response)
                with translation.override(attempt.language):
                    return step(attempt=attempt, **kwargs)

        return wrapper

    return decorator


@_call_step()
def ivr_start(*, attempt: CallAttempt) -> Turn:
    """The call was answered: play the introduction. Whether a person or a machine answered is not
    known yet (the detection's verdict comes a few seconds later), so nothing is recorded about a
    person until one answers the introduction."""
    if _call_over(attempt):
        return _goodbye(attempt)
    if attempt.current_step != "":
        return _current_turn(attempt)
    call_attempt_intro_start(attempt=attempt)
    return _intro_turn(attempt, _script(attempt))


@_call_step()
def ivr_intro_answer(*, attempt: CallAttempt, answer: CallerInput) -> Turn:
    """The introduction has been played to its end, or interrupted by a key or a word. A person
    who chooses, or stays silent twice once the detection has found a person, heard it: recorded
    as they leave the introduction, once a call (a machine's call is ended before it gets here)."""
    if _call_over(attempt):
        return _goodbye(attempt)
    if attempt.current_step != "intro":
        return _current_turn(attempt)
    script = _script(attempt)
    contact = attempt.contact
    campaign = contact.campaign
    person = attempt.answered_by in (AnsweredBy.HUMAN, AnsweredBy.UNKNOWN)
    # Before the detection's verdict, an answering machine's greeting may be taken for words:
    # only a key press shows a person then.
    said = answer.digits or (answer.speech if person else "")
    choice = _spoken_number(said, attempt.language) if said else None
    # Only the choices the introduction offered (the link only where it was offered) are choices.
    if choice not in {digit for digit, _label in script.steps[0].keypad}:
        choice = None
    if choice is not None:
        _informed(attempt, script)
    if choice == INTRO_DIGIT_ANSWER:
        consent_record(
            kind=ConsentKind.CONSENTED, channel=ConsentChannel.CALL, campaign=campaign, contact_ref=contact.pseudonym
        )
        # The quota questions asked first are decided here once: a response begun earlier keeps its own.
        screening = _screening(attempt)
        response_begin(attempt=attempt, asked_first=screening.asked_first)
        if screening.full_dimension:
            return _screen_out(attempt, screening.full_dimension)
        asked_first = Response.objects.filter(pseudonym=contact.pseudonym).values_list("asked_first", flat=True)[0]
        questions = _questions(attempt)
        first = questions.at(asked_first[0]) if asked_first else questions.first()
        return _ask(attempt, script, first)
    if choice == INTRO_DIGIT_DECLINE:
        consent_record(
            kind=ConsentKind.DECLINED, channel=ConsentChannel.CALL, campaign=campaign, contact_ref=contact.pseudonym
        )
        call_attempt_step_set(attempt=attempt, step="declined")
        return _goodbye(attempt, _("Thank you. We will not ask you anything this time. Goodbye."))
    if choice == INTRO_DIGIT_OPT_OUT:
        contact_opt_out(contact=contact, source=ConsentChannel.CALL)
        call_attempt_step_set(attempt=attempt, step="opted_out")
        return _goodbye(attempt, _("Your number will not be called again. Goodbye."))
    if choice == INTRO_DIGIT_LINK:
        # Not a refusal: whether the person answers is up to the web now. The message goes at once
        # (the sending service keeps to the calling window), and this call was the last one.
        consent_record(
            kind=ConsentKind.WEB_LINK, channel=ConsentChannel.CALL, campaign=campaign, contact_ref=contact.pseudonym
        )
        call_attempt_step_set(attempt=attempt, step="link_requested")
        sms_link_enqueue(contact=contact, phone_id=attempt.phone_id)
        return _goodbye(
            attempt, _("Thank you. We will send you a link to the survey by text message shortly. Goodbye.")
        )
    if attempt.reprompts < MAX_REPROMPTS:
        call_attempt_reprompt(attempt=attempt)
        return _intro_turn(attempt, script, prefix=_("Sorry, I did not get that."))
    if person:
        _informed(attempt, script)
    call_attempt_step_set(attempt=attempt, step="no_choice")
    return _goodbye(attempt, _("We did not get an answer. Goodbye."))


def _informed(attempt: CallAttempt, script: CallScript) -> None:
    """A person heard the introduction: recorded once a call, as the call leaves its introduction."""
    consent_record(
        kind=ConsentKind.INFORMED,
        channel=ConsentChannel.CALL,
        campaign=attempt.contact.campaign,
        contact_ref=attempt.contact.pseudonym,
        intro_hash=script.intro_hash,
    )


@_call_step(with_response=True)
def ivr_answer(*, attempt: CallAttempt, position: int, answer: CallerInput) -> Turn:
    """Store the answer to the question at `position` at once, then ask the next one."""
    if _call_over(attempt):
        return _goodbye(attempt)
    if attempt.current_step != f"q{position}":
        return _current_turn(attempt)
    script = _script(attempt)
    questions = _questions(attempt)
    question = questions.at(position)
    if attempt.response_pk is None or question is None:
        return _goodbye(attempt, _("We did not get an answer. Goodbye."))
    if answer.digits == SKIP_KEY and not question.required:
        return _ask_next(attempt, script, questions, question, None)
    value = _parse_answer(question, digits=answer.digits, speech=answer.speech, language=attempt.language)
    if value is None:
        if attempt.reprompts < MAX_REPROMPTS:
            call_attempt_reprompt(attempt=attempt)
            return _question_turn(attempt, script, question, prefix=_("Sorry, I did not get that."))
        return _ask_next(attempt, script, questions, question, None)
    value.update(confidence=answer.confidence if answer.speech and not answer.digits else None)
    answer_record(
        response_id=attempt.response_pk,
        question=question,
        value=value,
        answers=_response_answers(attempt),
        questions=survey_questions_of(questions.in_order),
        stored_code=attempt.response_interview_code,
    )
    option = value.get("option")
    campaign = attempt.contact.campaign
    if question.demographic and answer_screens_out(
        campaign=campaign, contact=attempt.contact, question=question, option_id=option.pk if option else None
    ):
        return _screen_out(attempt, question.demographic)
    return _ask_next(attempt, script, questions, question, option)


def _response_answers(attempt: CallAttempt) -> ResponseAnswers:
    """The respondent's answers so far, as read with the attempt."""
    answers = ResponseAnswers((attempt.response_status,), {}, set())
    for each in attempt.response_answers:
        answers.answer_add(each["question"], option_id=each["option"], skip_to=each["skip_to"])
    return answers


def _screening(attempt: CallAttempt) -> Screening:
    """Whether the quotas let the person go at once, or which quota questions come first: those
    whose answer the contact list does not tell (`surveys.services.quotas`)."""
    campaign = attempt.contact.campaign
    return contact_screening(campaign=campaign, contact=attempt.contact) if campaign.quotas_enabled else NO_SCREENING


def _ask_next(
    attempt: CallAttempt, script: CallScript, questions: _Questions, question: Question, option: QuestionOption | None
) -> Turn:
    """Ask the question after `question` on the person's way (answered with `option`, or left without
    an answer). With quotas, the quota questions the response asks first come in their order (each
    once, answered or not), then the survey from its start, unless the person's group has filled
    meanwhile: then the person is screened out. A question asked first is not asked again in its
    place: the way goes on from its answer, or past it when it got none."""
    asked_first = attempt.response_asked_first or []
    if question.position not in asked_first:
        return _ask(attempt, script, _past_asked_first(attempt, questions, questions.after(question, option)))
    later = asked_first[asked_first.index(question.position) + 1 :]
    if later:
        return _ask(attempt, script, questions.at(later[0]))
    full_dimension = contact_group_full(campaign=attempt.contact.campaign, contact=attempt.contact)
    if full_dimension:
        return _screen_out(attempt, full_dimension)
    return _ask(attempt, script, _past_asked_first(attempt, questions, questions.first()))


def _past_asked_first(attempt: CallAttempt, questions: _Questions, following: Question | None) -> Question | None:
    """`following`, or the question its answer leads to when the response asked it first."""
    asked_first = attempt.response_asked_first or []
    if following is None or following.position not in asked_first:
        return following
    answered = dict(Answer.objects.filter(response_id=attempt.response_pk).values_list("question_id", "option_id"))
    while following is not None and following.position in asked_first:
        chosen = next((each for each in following.options.all() if each.pk == answered.get(following.pk)), None)
        following = questions.after(following, chosen)
    return following


def _screen_out(attempt: CallAttempt, dimension: str) -> Turn:
    """The person's group has its quota already: thanked and let go, recorded as screened out."""
    response_screen_out(contact=attempt.contact, now=timezone.now())
    call_attempt_step_set(attempt=attempt, step="screened_out")
    return _goodbye(attempt, screened_out_text(dimension))


def machine_message_turn(attempt: CallAttempt) -> Turn:
    """The short message a campaign leaves after an answering machine's beep."""
    return Turn(attempt.language, (machine_message(attempt.contact.campaign, language=attempt.language),))


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
        if too_small or too_large or not _storable_number(value):
            return None
        return {"digits": digits, "number_value": value, "transcript": transcript}
    option = next((option for option in question.options.all() if option.digit == value), None)
    if option is None:
        return None
    return {"digits": digits or str(value), "option": option, "transcript": transcript}


def _storable_number(value: int) -> bool:
    """Whether an answer can hold `value`: a question without limits still has its column's."""
    try:
        Answer._meta.get_field("number_value").run_validators(value)
    except ValidationError:
        return False
    return True


def _ask(attempt: CallAttempt, script: CallScript, question: Question | None) -> Turn:
    if question is None:
        response_complete_by_phone(pseudonym=attempt.contact.pseudonym)
        call_attempt_step_set(attempt=attempt, step="closing")
        return _closing_turn(attempt, script)
    if attempt.current_step != f"q{question.position}":
        call_attempt_step_set(attempt=attempt, step=f"q{question.position}")
    return _question_turn(attempt, script, question)
