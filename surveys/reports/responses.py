"""The anonymous answers of a campaign, one row per response, for survey managers only.

A row is known only by its sequential number in the order the responses started. It never carries
the phone number or the pseudonym, which would link the answers back to a contact. It is coarsened
so that a row does not point at a person: the day a response was finished (or, for a call that ended
before its closing words, the day of its last answer), never the time, and a
response whose background answers (the demographic questions and the language it was given in) are
shared by fewer than `RESULTS_MIN_GROUP_SIZE` responses has them, and its weight, which follows from
them, blanked (k-anonymity).

A row's status is the response's outcome as the results count it (`dispositions.interview_code`):
complete (I) or partial (P) by the share of the questions that applied answered, a break-off (R), or
screened out (NE) - not the stored status of the call, which says only whether it reached the closing.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from surveys.models import Answer, Campaign, QuestionKind, QuestionOption, Response
from surveys.services.disclosure import rare_combinations
from surveys.services.dispositions import interview_code, responses_answers, survey_questions


@dataclass(frozen=True)
class AnonymousResponse:
    number: int
    language: str
    status: str  # the AAPOR outcome of the response: "I", "P", "R" (a break-off) or "NE" (screened out)
    finished_on: date | None
    weight: float | None
    answers: dict[int, str | int | None]  # question position -> the answer (a number for scales and numbers)
    background_hidden: bool = False  # the language, the demographic answers and the weight are blanked


@dataclass(frozen=True)
class AnonymousAnswers:
    questions: list[tuple[int, str, str]]  # (position, text, kind)
    responses: list[AnonymousResponse]
    background_positions: tuple[int, ...] = ()  # the demographic questions


def anonymous_answers(
    *, campaign: Campaign, language: str, weights: dict[int, float], minimum: int
) -> AnonymousAnswers:
    """Every response with its answers in the survey's question order, in five queries however many there are."""
    questions = list(campaign.survey_version.questions.order_by("position"))
    background = tuple(question.position for question in questions if question.demographic)
    options = {
        option.pk: (option.digit, option.localized("label", language))
        for option in QuestionOption.objects.filter(question__version=campaign.survey_version)
    }
    answers: dict[int, dict[int, str | int | None]] = {}
    last_answered: dict[int, datetime] = {}
    rows = Answer.objects.filter(response__campaign=campaign).values_list(
        "response_id", "question__position", "question__kind", "option_id", "number_value", "transcript", "answered_at"
    )
    for response_id, position, kind, option_id, number_value, transcript, answered_at in rows.iterator(chunk_size=5000):
        answers.setdefault(response_id, {})[position] = _answer_value(
            kind, option=options.get(option_id), number_value=number_value, transcript=transcript
        )
        last_answered[response_id] = max(answered_at, last_answered.get(response_id, answered_at))
    survey = survey_questions(version_id=campaign.survey_version_id)
    # Each response's row and its outcome, from one read of the responses; in the order they were started.
    found = responses_answers(Response.objects.filter(campaign=campaign), "started_at", "pk", "language", "finished_at")
    responses = []
    for response in sorted(found.values(), key=lambda response: response.values[1:3]):  # started_at, pk
        _status, _started_at, pk, response_language, finished_at = response.values
        # A call that ended before its closing words finished nothing, but its answers count (complete
        # or partial by the share answered): the response ended with its last answer.
        ended_at = finished_at or last_answered.get(pk)
        responses.append((pk, response_language, interview_code(survey, response), ended_at))
    combinations = [
        (response_language, *[answers.get(pk, {}).get(position) for position in background])
        for pk, response_language, _status, _finished_at in responses
    ]
    rare = rare_combinations(combinations, minimum=minimum)
    return AnonymousAnswers(
        questions=[(question.position, question.localized("text", language), question.kind) for question in questions],
        responses=[
            AnonymousResponse(
                number=number,
                language=response_language,
                status=status,
                finished_on=timezone.localdate(finished_at) if finished_at else None,
                weight=weights.get(pk),
                answers=answers.get(pk, {}),
                background_hidden=hidden,
            )
            for number, ((pk, response_language, status, finished_at), hidden) in enumerate(
                zip(responses, rare, strict=True), start=1
            )
        ],
        background_positions=background,
    )


def _answer_value(kind: str, *, option: tuple[int, str] | None, number_value: int | None, transcript: str):
    """A scale answer is its point (a number to compute with), a choice its option's label."""
    if kind == QuestionKind.OPEN:
        return transcript
    if kind == QuestionKind.NUMBER:
        return number_value
    if option is None:
        return None
    digit, label = option
    return digit if kind == QuestionKind.SCALE else label
