"""What every response stores as its interview code agrees with what the report computes."""

from surveys.models import Response
from surveys.services.dispositions import (
    COMPLETE,
    campaign_dispositions,
    interview_code,
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
