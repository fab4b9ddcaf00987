"""AAPOR dispositions derived from the attempts, consent events and responses of each number."""

import pytest

from surveys.models import CallStatus, ConsentKind, Response, ResponseStatus
from surveys.services.consent import consent_record
from surveys.services.dispositions import campaign_dispositions, contact_disposition
from tests.surveys.calls import queued_attempt, running_campaign

S = CallStatus


@pytest.mark.parametrize(
    ("statuses", "reached", "response", "consent", "code"),
    [
        ([S.COMPLETED], True, "complete", set(), "I"),
        ([S.COMPLETED], True, "partial", {ConsentKind.CONSENTED}, "P"),
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
