"""Numbers of the simulator carrier that are no mobile phone (`synthetic_population.line_kind`): a
fax or data line answers every call with its tone, the answering machine detection says so and the
portal hangs up; a landline takes calls but no text message, and the operator reports it undelivered.
Each played through the real dialer, webhook views and SMS provider by `simulate_campaign`."""

from datetime import date

import pytest

from surveys import synthetic_population
from surveys.models import (
    AnsweredBy,
    CallAttempt,
    CallStatus,
    CampaignStatus,
    ContactNumber,
    Response,
    SmsMessage,
    SmsStatus,
)
from surveys.services.dispositions import NOT_ELIGIBLE, campaign_dispositions
from surveys.telephony.simulator import AMD_SECONDS
from tests.surveys.calls import add_questions
from tests.surveys.test_simulation_sms import simulate

pytestmark = pytest.mark.django_db(transaction=True)
CONTACTS = 8


@pytest.fixture
def running(make_campaign, rq_queues):
    def make(**fields):
        # One calling day and one call per number: what happens to each number shows at once.
        campaign = make_campaign(
            "linjat", max_attempts=1, end_date=date(2025, 12, 8), max_concurrent_calls=10, calls_per_second=2, **fields
        )
        add_questions(campaign)
        campaign.status = CampaignStatus.RUNNING
        campaign.save(update_fields=["status"])
        return campaign

    return make


def test_a_fax_line_is_told_apart_hung_up_on_and_not_eligible(running, monkeypatch):
    monkeypatch.setattr(synthetic_population, "FAX_SHARE", 1.0)
    campaign = running()

    summary = simulate(campaign, CONTACTS)

    answered = CallAttempt.objects.filter(contact__campaign=campaign).exclude(answered_at=None)
    assert summary["calls"] == CONTACTS and answered.count() >= CONTACTS - 1  # a number may be out of use
    assert set(answered.values_list("status", "answered_by", "duration_seconds")) == {
        (CallStatus.FAX, AnsweredBy.FAX, AMD_SECONDS)
    }
    assert set(
        ContactNumber.objects.filter(contact__attempts__in=answered).values_list("carrier_refused", flat=True)
    ) == {True}
    assert summary["complete"] == 0 and not Response.objects.filter(campaign=campaign).exists()
    assert campaign_dispositions(campaign=campaign)[NOT_ELIGIBLE] == CONTACTS


def test_a_text_message_to_a_landline_is_undelivered_and_brings_no_visit(running, monkeypatch):
    monkeypatch.setattr(synthetic_population, "FAX_SHARE", 0.0)
    monkeypatch.setattr(synthetic_population, "LANDLINE_SHARE", 1.0)
    campaign = running(sms_follow_up=True)

    summary = simulate(campaign, CONTACTS)

    messages = SmsMessage.objects.filter(contact__campaign=campaign)
    assert summary["sms_sent"] == messages.count() > 0
    assert set(messages.values_list("status", "error_code")) == {(SmsStatus.UNDELIVERED, 30006)}
    assert summary["completes_by_mode"]["web"] == 0
    assert not Response.objects.filter(campaign=campaign, mode="web").exists()
