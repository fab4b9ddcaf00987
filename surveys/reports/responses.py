"""The anonymous answers of a campaign for the Excel workbook: one row per response.

A row is known only by its sequential number in the order the responses started. It never carries
the phone number or the pseudonym, which would link the answers back to a contact.
"""

from dataclasses import dataclass
from datetime import datetime

from surveys.models import Answer, Campaign, QuestionKind, QuestionOption, Response


@dataclass(frozen=True)
class AnonymousResponse:
    number: int
    language: str
    status: str
    finished_at: datetime | None
    weight: float | None
    answers: dict[int, str | int | None]  # question position -> the answer (a number for scales and numbers)


@dataclass(frozen=True)
class AnonymousAnswers:
    questions: list[tuple[int, str, str]]  # (position, text, kind)
    responses: list[AnonymousResponse]


def anonymous_answers(*, campaign: Campaign, language: str, weights: dict[int, float]) -> AnonymousAnswers:
    """Every response with its answers in the survey's question order, in three queries."""
    questions = list(campaign.survey_version.questions.order_by("position"))
    options = {
        option.pk: (option.digit, option.localized("label", language))
        for option in QuestionOption.objects.filter(question__version=campaign.survey_version)
    }
    answers: dict[int, dict[int, str | int | None]] = {}
    rows = Answer.objects.filter(response__campaign=campaign).values_list(
        "response_id", "question__position", "question__kind", "option_id", "number_value", "transcript"
    )
    for response_id, position, kind, option_id, number_value, transcript in rows.iterator(chunk_size=5000):
        answers.setdefault(response_id, {})[position] = _answer_value(
            kind, option=options.get(option_id), number_value=number_value, transcript=transcript
        )
    responses = Response.objects.filter(campaign=campaign).order_by("started_at", "pk")
    return AnonymousAnswers(
        questions=[(question.position, question.localized("text", language), question.kind) for question in questions],
        responses=[
            AnonymousResponse(
                number=number,
                language=response_language,
                status=status,
                finished_at=finished_at,
                weight=weights.get(pk),
                answers=answers.get(pk, {}),
            )
            for number, (pk, response_language, status, finished_at) in enumerate(
                responses.values_list("pk", "language", "status", "finished_at"), start=1
            )
        ],
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
