"""Responses with their interview codes stored, and the check that what every response stores agrees
with what the report computes."""

from uuid import UUID

from django.db.models import QuerySet

from surveys.models import Answer, QuestionKind, Response, ResponseMode, ResponseStatus
from surveys.services.dispositions import (
    COMPLETE,
    SurveyQuestion,
    campaign_dispositions,
    interview_code,
    response_interview_code_refresh,
    responses_answers,
    survey_questions,
)


def assert_stored_interview_codes_agree(campaign) -> None:
    """Each response's stored code is `interview_code`'s, and the stored completes are the dispositions'."""
    questions = survey_questions(version_id=campaign.survey_version_id)
    responses = responses_answers(Response.objects.filter(campaign=campaign), "interview_code")
    assert responses
    for pseudonym, response in responses.items():
        assert response.values[1] == interview_code(questions, response), pseudonym
    stored = {pseudonym for pseudonym, response in responses.items() if response.values[1] == COMPLETE}
    assert stored == campaign_dispositions(campaign=campaign).completes


def response_answering(contact, positions, *, status: str = ResponseStatus.PARTIAL, mode: str = ResponseMode.WEB):
    """The contact's response with the questions at `positions` answered (the first option, a number
    or a few words), its interview code stored as the call and the web survey store it."""
    campaign = contact.campaign
    response = Response.objects.create(
        pseudonym=contact.pseudonym,
        campaign=campaign,
        survey_version=campaign.survey_version,
        status=status,
        mode=mode,
    )
    for question in campaign.survey_version.questions.filter(position__in=positions).prefetch_related("options"):
        options = list(question.options.all())
        if options:
            value = {"option": options[0]}
        elif question.kind == QuestionKind.NUMBER:
            value = {"number_value": question.min_value or 1}
        else:
            value = {"transcript": "Lisää pyöräteitä."}
        Answer.objects.create(response=response, question=question, **value)
    response_interview_code_refresh(response_id=response.pk)
    response.refresh_from_db()
    return response


def interview_codes_refresh(*, responses: QuerySet[Response]) -> int:
    """Store the `interview_code` of every response of `responses`, as the call and the web survey
    store each (for responses a test wrote straight to the database). Returns how many changed."""
    by_code: dict[str, list[UUID]] = {}
    questions: dict[int, list[SurveyQuestion]] = {}
    for pseudonym, response in responses_answers(responses, "campaign__survey_version_id", "interview_code").items():
        version_id, stored = response.values[1:]
        if version_id not in questions:
            questions[version_id] = survey_questions(version_id=version_id)
        code = interview_code(questions[version_id], response)
        if code != stored:
            by_code.setdefault(code, []).append(pseudonym)
    return sum(
        Response.objects.filter(pseudonym__in=pseudonyms).update(interview_code=code)
        for code, pseudonyms in by_code.items()
    )
