"""The survey on the web, opened from a contact's personal link: the same version, introduction,
consent and skip rules as the call, one question a screen.

A person completes once, whichever mode: the response is the contact's one response (by pseudonym),
continued on the web where a call left it, and complete answers end both modes. A response completed
on the web stops the contact's calls still to come; `contact_completed` and `completed_response`
are what the dialer and the text messages ask before they call or send: a person who answered enough
to be a complete in the report (AAPOR I) but left before the end is not called or messaged again
either, though their page stays open for the rest.

Quotas screen as the call does (`surveys.services.quotas`): a person whose group, known from the
contact list or answered on a call, is full is let go as they choose to answer; the quota questions
the contact list does not answer are asked first, as on the call (decided once, as the person first
consents in either mode), and are not asked again in their place; an answer to one that puts the
person in a full group ends the survey there, screened out, and so does a group filling before the
last of them is answered. One left without an answer (optional, skipped) leaves the group unknown,
as on the call: the complete counts in no group of that dimension.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from surveys.errors import SurveyError
from surveys.models import (
    Answer,
    CallAttempt,
    CallStatus,
    ConsentChannel,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactStatus,
    Question,
    Response,
    ResponseMode,
    ResponseStatus,
)
from surveys.question_path import QuestionPath
from surveys.script import INTRO_DIGIT_ANSWER, INTRO_DIGIT_DECLINE, INTRO_DIGIT_OPT_OUT, WebIntroduction

from .consent import consent_record
from .dialing import contact_on_registry
from .dispositions import SURVEY_DONE, response_interview_code_refresh
from .privacy import contact_opt_out
from .quotas import answer_screens_out, contact_group_full, contact_screening, response_screen_out

# What an answer row holds besides its question: a web answer replaces all of it.
ANSWER_VALUES = {"digits": "", "option": None, "number_value": None, "transcript": "", "confidence": None}


class WebSurveyState(StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    OPTED_OUT = "opted_out"
    SCREENED_OUT = "screened_out"


class NotStarted(SurveyError):
    """No answer may be given before the person has chosen to answer at the introduction."""


class NotReachable(SurveyError):
    """The question is not on the respondent's way now (skipped, or after an unanswered required one)."""


class AlreadyComplete(SurveyError):
    """The person's response is closed: completed in either mode, or screened out by a quota."""


def completed_response(contact_ref: str = "pseudonym") -> Exists:
    """Whether the contact whose pseudonym `contact_ref` names is done with the survey, in either mode
    (`dispositions.SURVEY_DONE`)."""
    return Exists(Response.objects.filter(SURVEY_DONE, pseudonym=OuterRef(contact_ref)))


def contact_completed(*, contact: Contact) -> bool:
    """Whether the person is done with the survey, by phone or on the web: heard its closing words, or
    answered enough to be a complete (AAPOR I). Then nobody calls or messages them again."""
    return Response.objects.filter(SURVEY_DONE, pseudonym=contact.pseudonym).exists()


def web_survey_state(*, contact: Contact) -> WebSurveyState:
    status = Response.objects.filter(pseudonym=contact.pseudonym).values_list("status", flat=True).first()
    if status == ResponseStatus.COMPLETE:
        return WebSurveyState.COMPLETE
    if status == ResponseStatus.SCREENED_OUT:
        return WebSurveyState.SCREENED_OUT
    opted_out = (
        contact.status == ContactStatus.OPTED_OUT
        or Contact.objects.filter(pk=contact.pk).filter(contact_on_registry()).exists()
    )
    return WebSurveyState.OPTED_OUT if opted_out else WebSurveyState.OPEN


def web_declined_last(*, contact: Contact) -> bool:
    """Whether the person's last choice at the introduction was to decline this time."""
    last = (
        ConsentEvent.objects.filter(
            contact_ref=contact.pseudonym, kind__in=[ConsentKind.CONSENTED, ConsentKind.DECLINED]
        )
        .order_by("-occurred_at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )
    return last == ConsentKind.DECLINED


@transaction.atomic
def web_consent(*, contact: Contact, choice: int, introduction: WebIntroduction) -> Response | None:
    """The person read the introduction and chose (by the call's digit for the same choice): to answer
    (their response, the one a call may have begun, is returned), to decline this time, or never to be
    contacted again. Recorded as the call records it, on the web channel."""
    campaign = contact.campaign
    events = {"channel": ConsentChannel.WEB, "campaign": campaign, "contact_ref": contact.pseudonym}
    consent_record(kind=ConsentKind.INFORMED, intro_hash=introduction.intro_hash, **events)
    if choice == INTRO_DIGIT_ANSWER:
        consent_record(kind=ConsentKind.CONSENTED, **events)
        # The quota questions asked first are decided here once: a response begun on a call keeps its own.
        response, _created = Response.objects.get_or_create(
            pseudonym=contact.pseudonym,
            defaults={
                "campaign": campaign,
                "survey_version": campaign.survey_version,
                "language": introduction.language,
                "mode": ResponseMode.WEB,
                "asked_first": contact_screening(campaign=campaign, contact=contact).asked_first,
            },
        )
        if contact_group_full(campaign=campaign, contact=contact):
            response_screen_out(contact=contact, now=timezone.now())
            response.refresh_from_db()
        return response
    if choice == INTRO_DIGIT_DECLINE:
        consent_record(kind=ConsentKind.DECLINED, **events)
    elif choice == INTRO_DIGIT_OPT_OUT:
        contact_opt_out(contact=contact, source=ConsentChannel.WEB)
    else:
        raise ValueError(f"Unknown choice {choice!r}.")
    return None


def _answers(response: Response) -> dict[int, Answer]:
    return {answer.question_id: answer for answer in response.answers.all()}


def _question_on_the_way(response: Response, position: int) -> tuple[QuestionPath, dict[int, Answer], Question]:
    """The response's path, its answers so far and the question at `position`; raises AlreadyComplete
    or NotReachable when that question may not be asked now."""
    if response.status != ResponseStatus.PARTIAL:
        raise AlreadyComplete()
    path = QuestionPath.of(response.survey_version, asked_first=response.asked_first)
    answers = _answers(response)
    if not path.reachable(position, answers):
        raise NotReachable()
    return path, answers, path.at(position)


@dataclass(frozen=True)
class WebQuestion:
    question: Question
    answer: Answer | None  # given to it so far
    previous: Question | None  # asked before it
    number: int  # as the respondent is asked it (the quota questions asked first come first)
    total: int  # questions in the survey


def web_question(*, contact: Contact, position: int) -> WebQuestion:
    """The question at `position` as it may be asked now. Raises NotStarted, AlreadyComplete or
    NotReachable (the question to ask instead is `web_resume`'s)."""
    response = Response.objects.filter(pseudonym=contact.pseudonym).first()
    if response is None:
        raise NotStarted()
    path, answers, question = _question_on_the_way(response, position)
    return WebQuestion(
        question, answers.get(question.pk), path.before(position, answers), path.number(position), len(path)
    )


def web_resume(*, contact: Contact, now: datetime | None = None) -> int | None:
    """The position of the question to ask next; None when the response is complete (a response
    whose every question on the way has been answered, by a call that ended before its closing
    words, is completed now)."""
    with transaction.atomic():
        response = _response_locked(contact)
        if response.status != ResponseStatus.PARTIAL:
            return None
        path = QuestionPath.of(response.survey_version, asked_first=response.asked_first)
        answers = _answers(response)
        question = path.resume(answers)
        if question is None:
            _complete(response, path, answers, contact=contact, now=now or timezone.now())
            return None
        return question.position


def _response_locked(contact: Contact) -> Response:
    response = Response.objects.select_for_update().filter(pseudonym=contact.pseudonym).first()
    if response is None:
        raise NotStarted()
    return response


def web_answer(*, contact: Contact, position: int, value: Mapping | None, now: datetime | None = None) -> int | None:
    """Store the answer to the question at `position` (`value`: the Answer fields it sets; None for
    an optional question left empty, which removes an earlier answer to it) and return the position
    of the next question on the way, or None when the survey is done: the response is then complete."""
    with transaction.atomic():
        response = _response_locked(contact)
        path, answers, question = _question_on_the_way(response, position)
        if value is None:
            if question.required:
                raise SurveyError.of("answer_required")
            Answer.objects.filter(response=response, question=question).delete()
            answers.pop(question.pk, None)
        else:
            answers[question.pk], _created = Answer.objects.update_or_create(
                response=response, question=question, defaults=ANSWER_VALUES | dict(value)
            )
        response.mode = ResponseMode.WEB
        response.save(update_fields=["mode"])
        # Before the quotas are read below: this answer may have made the person a complete.
        response_interview_code_refresh(response_id=response.pk)
        chosen = answers.get(question.pk)
        if question.demographic and answer_screens_out(
            campaign=contact.campaign,
            contact=contact,
            question=question,
            option_id=chosen.option_id if chosen else None,
        ):
            response_screen_out(contact=contact, now=now or timezone.now())
            return None
        following = path.following(position, answers)
        last_asked_first = path.asked_first and position == path.asked_first[-1]
        if last_asked_first and contact_group_full(campaign=contact.campaign, contact=contact):
            # The person's group filled while they answered the quota questions.
            response_screen_out(contact=contact, now=now or timezone.now())
            return None
        if following is None:
            _complete(response, path, answers, contact=contact, now=now or timezone.now())
            return None
        return following.position


def _complete(
    response: Response, path: QuestionPath, answers: Mapping[int, Answer], *, contact: Contact, now: datetime
) -> None:
    """The response is complete: answers to questions its skip rules left off the way (given before
    an earlier answer changed) go, as the call never asks them; the contact's calls still to come stop."""
    on_the_way = [question.pk for question, _answer in path.walk(answers)]
    Answer.objects.filter(response=response).exclude(question_id__in=on_the_way).delete()
    response.status = ResponseStatus.COMPLETE
    response.finished_at = now
    response.save(update_fields=["status", "finished_at"])
    response_interview_code_refresh(response_id=response.pk)
    # A contact between calls is finished; one whose call is under way is the dialer's to finish
    # (it asks `contact_completed` before it calls again).
    CallAttempt.objects.filter(contact=contact, status=CallStatus.PENDING).update(
        status=CallStatus.CANCELED, ended_at=now
    )
    Contact.objects.filter(pk=contact.pk, status=ContactStatus.PENDING).update(status=ContactStatus.FINISHED)
