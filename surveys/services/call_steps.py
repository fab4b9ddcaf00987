"""What the steps of a phone call store (`surveys.ivr` decides the steps): the attempt's step, the
respondent's response and each answer the moment it arrives. Each runs inside the step's transaction,
on the attempt the step has locked."""

from collections.abc import Sequence

from django.utils import timezone

from surveys.models import (
    Answer,
    CallAttempt,
    CallStatus,
    Question,
    Response,
    ResponseMode,
    ResponseStatus,
)
from surveys.models.calls import ACTIVE_CALL_STATUSES
from surveys.services.dispositions import (
    ResponseAnswers,
    SurveyQuestion,
    interview_code,
    response_interview_code_refresh,
)


def call_attempt_intro_start(*, attempt: CallAttempt) -> None:
    """The call was answered and its introduction starts."""
    attempt.current_step = "intro"
    attempt.answered_at = attempt.answered_at or timezone.now()
    if attempt.status in ACTIVE_CALL_STATUSES:
        attempt.status = CallStatus.IN_PROGRESS
    attempt.save(update_fields=["current_step", "answered_at", "status"])


def call_attempt_reprompt(*, attempt: CallAttempt) -> None:
    """The caller's input was not understood: the step is said once more."""
    attempt.reprompts += 1
    attempt.save(update_fields=["reprompts"])


def call_attempt_step_set(*, attempt: CallAttempt, step: str) -> None:
    attempt.current_step = step
    attempt.reprompts = 0
    attempt.save(update_fields=["current_step", "reprompts"])


def response_begin(*, attempt: CallAttempt, asked_first: list[int]) -> None:
    """The person's response, once whichever of their calls they consent in: one INSERT ... ON CONFLICT
    DO NOTHING (get_or_create took a SELECT, a savepoint and the INSERT). A response begun earlier keeps
    its own quota questions asked first."""
    contact = attempt.contact
    campaign = contact.campaign
    response = Response(
        pseudonym=contact.pseudonym,
        campaign=campaign,
        survey_version=campaign.survey_version,
        language=attempt.language,
        asked_first=asked_first,
    )
    Response.objects.bulk_create([response], ignore_conflicts=True)


def answer_record(
    *,
    response_id: int,
    question: Question,
    value: dict,
    answers: ResponseAnswers,
    questions: Sequence[SurveyQuestion],
    stored_code: str,
) -> None:
    """The first answer stays when the carrier repeats the request: one INSERT ... ON CONFLICT DO NOTHING.
    The response's interview code follows (the answer may make it a complete, AAPOR I), worked out from
    `answers` before this one and the survey's `questions`, both read with the call's step: stored
    only when it changes from `stored_code`, which most answers do not (no more statements for them)."""
    Answer.objects.bulk_create([Answer(response_id=response_id, question=question, **value)], ignore_conflicts=True)
    if question.pk not in answers.skips:
        option = value.get("option")
        answers.answer_add(
            question.pk, option_id=option.pk if option else None, skip_to=option.skip_to_id if option else None
        )
    code = interview_code(questions, answers)
    if code != stored_code:
        Response.objects.filter(pk=response_id).update(interview_code=code)


def response_complete_by_phone(*, pseudonym) -> None:
    """A response begun on the web and completed on the call is the phone's: a response's mode is the
    mode that completed it. Its interview code is read again, as finishing can change it (a response
    whose questions were all optional and passed over is complete: `dispositions.interview_code`)."""
    response_id = Response.objects.filter(pseudonym=pseudonym).values_list("pk", flat=True).first()
    completed = Response.objects.filter(pk=response_id, status=ResponseStatus.PARTIAL).update(
        status=ResponseStatus.COMPLETE, finished_at=timezone.now(), mode=ResponseMode.PHONE
    )
    if completed:
        response_interview_code_refresh(response_id=response_id)
