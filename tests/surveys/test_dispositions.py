"""AAPOR dispositions derived from the attempts, consent events and responses of each number."""

import pytest

from surveys.models import Answer, CallStatus, ConsentKind, ContactStatus, Response, ResponseStatus
from surveys.services.consent import consent_record
from surveys.services.dispositions import campaign_dispositions, contact_disposition
from tests.surveys.calls import queued_attempt, running_campaign

S = CallStatus


@pytest.mark.parametrize(
    ("statuses", "reached", "response", "consent", "code"),
    [
        ([S.COMPLETED], True, "complete", set(), "I"),
        ([S.COMPLETED], True, None, {ConsentKind.DECLINED}, "R"),
        ([S.COMPLETED], True, None, set(), "R"),
        ([], False, None, {ConsentKind.OPTED_OUT}, "R"),
        ([S.FAILED, S.FAILED], False, None, set(), "NE"),
        ([S.NO_ANSWER, S.MACHINE, S.BUSY], False, None, set(), "NC"),
        ([S.NO_ANSWER, S.BUSY, S.NO_ANSWER], False, None, set(), "UH"),
        ([], False, None, set(), "UH"),
    ],
)
def test_disposition_of_one_number(statuses, reached, response, consent, code):
    assert contact_disposition(statuses=statuses, reached=reached, response=response, consent=consent) == code


@pytest.mark.parametrize(("answered_share", "code"), [(0.5, "P"), (0.75, "P"), (0.25, "R"), (0.0, "R")])
def test_a_partial_response_is_a_partial_interview_from_half_of_the_questions_on(answered_share, code):
    # AAPOR: below the survey's partial threshold (here 50 % of the questions) a partial is a break-off (R).
    disposition = contact_disposition(
        statuses=[S.COMPLETED],
        reached=True,
        response="partial",
        consent={ConsentKind.CONSENTED},
        answered_share=answered_share,
    )
    assert disposition == code


def test_campaign_dispositions_and_rr1(make_campaign):
    campaign = running_campaign(make_campaign, numbers=("0401234567", "0501234567", "0451234567", "0441234567"))
    complete, refused, unreachable, disconnected = campaign.contacts.order_by("pk")
    queued_attempt(complete, status=S.COMPLETED, current_step="closing")
    Response.objects.create(
        pseudonym=complete.pseudonym,
        campaign=campaign,
        survey_version=campaign.survey_version,
        status=ResponseStatus.COMPLETE,
    )
    queued_attempt(refused, status=S.COMPLETED, current_step="declined")
    consent_record(kind=ConsentKind.DECLINED, channel="call", campaign=campaign, contact_ref=refused.pseudonym)
    queued_attempt(unreachable, status=S.NO_ANSWER)
    queued_attempt(disconnected, status=S.FAILED)

    result = campaign_dispositions(campaign=campaign)

    assert (result["I"], result["R"], result["UH"], result["NE"]) == (1, 1, 1, 1)
    assert result.rr1 == pytest.approx(1 / 3)


def test_campaign_dispositions_count_every_code_and_list_the_interviews(make_campaign):
    campaign = running_campaign(make_campaign, numbers=("0401234567", "0501234567", "0451234567"))
    partial, hung_up, opted_out = campaign.contacts.order_by("pk")
    queued_attempt(partial, status=S.COMPLETED, current_step="q3")
    response = Response.objects.create(
        pseudonym=partial.pseudonym, campaign=campaign, survey_version=campaign.survey_version
    )
    questions = list(campaign.survey_version.questions.order_by("position"))
    for question in questions[:2]:  # 2 of 4 questions: a partial interview
        Answer.objects.create(response=response, question=question, number_value=1)
    queued_attempt(hung_up, status=S.COMPLETED)  # picked up, hung up before the introduction
    opted_out.status = ContactStatus.OPTED_OUT  # on the web, before any call
    opted_out.save(update_fields=["status"])

    result = campaign_dispositions(campaign=campaign)

    assert dict(result.counts) == {"I": 0, "P": 1, "R": 1, "NC": 1, "O": 0, "UH": 0, "UO": 0, "NE": 0}
    assert result.interviews == {partial.pseudonym}
