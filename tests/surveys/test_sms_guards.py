"""What stops a survey link's text message: the campaign's telephony (a simulated campaign never texts
a real phone, a real one never goes through the simulator), Finnish operators' rule on name senders,
the budget cap, a full quota group, and a pause (the message waits for the resume); and the number
it goes to (the one that asked for it, or the last one called)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from surveys.ivr import ivr_start
from surveys.jobs import send_survey_link
from surveys.messaging.simulator import SimulatorSmsProvider
from surveys.models import (
    CallStatus,
    Campaign,
    CampaignStatus,
    ContactNumber,
    ContactStatus,
    SmsMessage,
    SmsStatus,
    SurveyLink,
)
from surveys.phone_numbers import phone_encrypt, phone_hash
from surveys.script import INTRO_DIGIT_LINK
from surveys.selectors import campaign_spend
from surveys.services.launch import sms_problems
from surveys.services.sms import SmsOutcome, sms_link_send
from tests.surveys.calls import NOON, queued_attempt, running_campaign
from tests.surveys.quota_fixtures import YOUNG, add_contact, complete, quota_campaign
from tests.surveys.telephony_fakes import twilio_error
from tests.surveys.test_ivr import finnish, start
from tests.surveys.test_ivr_quotas import call, says
from tests.surveys.test_sms_follow_up import LINK_OFFER

pytestmark = pytest.mark.django_db

NUMBER_SENDER = "+35893101691"
SECOND_MOBILE = "+358457123456"


@pytest.fixture
def real_campaign(make_campaign, settings):
    """A campaign whose calls reach real people, texting through Twilio from the municipality's number."""
    settings.SMS_PROVIDER, settings.SMS_SENDER = "twilio", NUMBER_SENDER
    return running_campaign(make_campaign, slug="oikea", telephony_provider="twilio", sms_follow_up=True)


def second_number(contact, phone: str = SECOND_MOBILE, **fields) -> ContactNumber:
    return ContactNumber.objects.create(
        contact=contact,
        campaign=contact.campaign,
        position=2,
        phone_encrypted=phone_encrypt(phone),
        phone_hash=phone_hash(phone),
        **fields,
    )


# The campaign's telephony decides the SMS provider


def test_a_simulated_campaign_never_texts_through_twilio(make_campaign, fake_twilio, settings):
    settings.SMS_PROVIDER, settings.SMS_SENDER = "twilio", NUMBER_SENDER
    campaign = running_campaign(make_campaign, slug="simu", sms_follow_up=True)
    assert campaign.is_simulated
    SimulatorSmsProvider.outbox.clear()

    result = sms_link_send(contact=campaign.contacts.get(), now=NOON)

    assert result.outcome == SmsOutcome.SENT
    assert fake_twilio.requests == []
    assert SmsMessage.objects.get().provider == "simulator"
    assert len(SimulatorSmsProvider.outbox) == 1
    assert sms_problems(campaign=campaign) == []


def test_a_simulated_campaign_sends_nothing_where_the_site_offers_no_sms_simulator(make_campaign, settings):
    settings.SMS_PROVIDER, settings.SMS_SENDER = "twilio", NUMBER_SENDER
    settings.SMS_PROVIDERS = {"twilio": "surveys.messaging.twilio.TwilioSmsProvider"}
    campaign = running_campaign(make_campaign, slug="simu", sms_follow_up=True)

    result = sms_link_send(contact=campaign.contacts.get(), now=NOON)

    assert result.outcome == SmsOutcome.NOT_CONFIGURED
    assert "vain tekstiviestisimulaattorin kautta" in result.reason
    assert not SmsMessage.objects.exists()
    assert len(sms_problems(campaign=campaign)) == 1


def test_a_real_campaign_never_texts_through_the_simulator(make_campaign, settings):
    settings.SMS_PROVIDER = "simulator"
    campaign = running_campaign(make_campaign, slug="oikea", telephony_provider="twilio", sms_follow_up=True)

    result = sms_link_send(contact=campaign.contacts.get(), now=NOON)

    assert result.outcome == SmsOutcome.NOT_CONFIGURED
    assert "ei lähetä viestejä kenellekään, vaikka puhelut tavoittavat oikeita ihmisiä" in result.reason
    assert not SmsMessage.objects.exists()


def test_a_name_sender_through_twilio_is_refused_by_the_launch_gate_and_the_sending(real_campaign, settings):
    settings.SMS_SENDER = "Kuntakysely"

    [problem] = sms_problems(campaign=real_campaign)
    result = sms_link_send(contact=real_campaign.contacts.get(), now=NOON)

    assert "is a name, and SMS provider twilio is an international interface" in problem
    assert result.outcome == SmsOutcome.NOT_CONFIGURED
    assert not SmsMessage.objects.exists()


def test_a_number_sender_through_twilio_passes_the_launch_gate(real_campaign):
    assert sms_problems(campaign=real_campaign) == []


# The budget cap


def test_a_message_that_would_pass_the_budget_cap_is_not_sent(make_campaign):
    campaign = running_campaign(make_campaign, slug="budjetti", numbers=("0401234567", "0401234568"))
    first, second = campaign.contacts.order_by("pk")
    queued_attempt(first, status=CallStatus.NO_ANSWER, cost=Decimal("1.00"))
    Campaign.objects.filter(pk=campaign.pk).update(budget_cap=Decimal("1.00"), sms_follow_up=True)

    result = sms_link_send(contact=second, now=NOON)

    assert result.outcome == SmsOutcome.OVER_BUDGET
    assert result.retry_at is None
    assert not SmsMessage.objects.exists()
    assert not SurveyLink.objects.exists()
    assert campaign_spend(campaign) == Decimal("1.00")


def test_a_message_inside_the_budget_cap_is_sent(make_campaign):
    campaign = running_campaign(make_campaign, slug="budjetti", sms_follow_up=True)
    Campaign.objects.filter(pk=campaign.pk).update(budget_cap=Decimal("1.00"))

    assert sms_link_send(contact=campaign.contacts.get(), now=NOON).outcome == SmsOutcome.SENT


# Quotas


def fill_young(campaign) -> None:
    for _done in range(2):
        done = add_contact(campaign, birth_year=YOUNG, postal_code="01900")
        done.status = ContactStatus.FINISHED
        done.save()
        complete(done)


def test_no_link_to_a_contact_whose_known_group_is_full(make_campaign):
    campaign = quota_campaign(make_campaign, sms_follow_up=True)  # 18-29: 2
    fill_young(campaign)
    young = add_contact(campaign, birth_year=YOUNG, postal_code="01900")
    young.status = ContactStatus.FINISHED
    young.save()

    assert sms_link_send(contact=young, now=NOON).outcome == SmsOutcome.QUOTA_FULL
    assert not SmsMessage.objects.filter(contact=young).exists()


def test_a_link_to_a_contact_whose_group_has_room(make_campaign):
    campaign = quota_campaign(make_campaign, sms_follow_up=True)
    fill_young(campaign)
    older = add_contact(campaign, birth_year=1980, postal_code="01900")

    assert sms_link_send(contact=older, now=NOON).outcome == SmsOutcome.SENT


# A paused campaign's message waits; a cancelled one's is dropped


def test_a_paused_campaigns_link_job_runs_again_and_sends_after_the_resume(make_campaign, rq_queues):
    campaign = running_campaign(make_campaign, slug="tauko", sms_follow_up=True)
    contact = campaign.contacts.get()
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.PAUSED)

    assert send_survey_link(contact.pk) == "campaign_not_running"

    assert len(rq_queues["dialer"].scheduled_job_registry.get_job_ids()) == 1
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    result = sms_link_send(contact=contact, now=NOON)
    assert result.outcome == SmsOutcome.SENT


@pytest.mark.parametrize("status", [CampaignStatus.CANCELLED, CampaignStatus.COMPLETED])
def test_an_ended_campaigns_link_job_is_dropped(make_campaign, rq_queues, status):
    campaign = running_campaign(make_campaign, slug="loppu", sms_follow_up=True)
    Campaign.objects.filter(pk=campaign.pk).update(status=status)

    assert send_survey_link(campaign.contacts.get().pk) == "campaign_not_running"

    assert rq_queues["dialer"].scheduled_job_registry.get_job_ids() == []


def test_an_account_error_pauses_the_campaign_and_the_message_is_tried_again(
    real_campaign, fake_twilio, django_capture_on_commit_callbacks
):
    fake_twilio.errors = [twilio_error(401, 20003, "Authenticate")]
    contact = real_campaign.contacts.get()

    with django_capture_on_commit_callbacks(execute=True):
        result = sms_link_send(contact=contact, now=NOON)

    assert result.outcome == SmsOutcome.NOT_SENT
    assert result.retry_at == NOON + timedelta(minutes=2)
    real_campaign.refresh_from_db()
    assert real_campaign.status == CampaignStatus.PAUSED
    assert "20003" in real_campaign.carrier_problem or "Authenticate" in real_campaign.carrier_problem
    assert SmsMessage.objects.get().status == SmsStatus.NOT_SENT
    Campaign.objects.filter(pk=real_campaign.pk).update(status=CampaignStatus.RUNNING)
    assert sms_link_send(contact=contact, now=result.retry_at).outcome == SmsOutcome.SENT


# The number the message goes to


def test_the_link_goes_to_the_number_that_asked_for_it(make_campaign):
    campaign = running_campaign(make_campaign, slug="kaksi", sms_follow_up=True)
    contact = campaign.contacts.get()
    asked = second_number(contact)
    SimulatorSmsProvider.outbox.clear()

    sms_link_send(contact=contact, now=NOON, phone_id=asked.pk)

    assert SimulatorSmsProvider.outbox[-1].to == SECOND_MOBILE
    assert SmsMessage.objects.get().phone == asked


def test_the_link_never_goes_to_a_number_the_carrier_refused(make_campaign):
    campaign = running_campaign(make_campaign, slug="kaksi", sms_follow_up=True)
    contact = campaign.contacts.get()
    ContactNumber.objects.filter(contact=contact).update(carrier_refused=True)
    second_number(contact)
    SimulatorSmsProvider.outbox.clear()

    sms_link_send(contact=contact, now=NOON)

    assert SimulatorSmsProvider.outbox[-1].to == SECOND_MOBILE


def test_a_landline_that_asked_leaves_the_link_to_the_first_mobile_number(make_campaign):
    campaign = running_campaign(make_campaign, slug="kaksi", sms_follow_up=True)
    contact = campaign.contacts.get()
    landline = second_number(contact, "+35891234567")
    SimulatorSmsProvider.outbox.clear()

    sms_link_send(contact=contact, now=NOON, phone_id=landline.pk)

    assert SimulatorSmsProvider.outbox[-1].to == "+358401234567"


# The call's "send me a link" key is offered only where the message can go


def link_offered(client, contact) -> bool:
    attempt = call(contact)
    offer = finnish(LINK_OFFER) % {"link": INTRO_DIGIT_LINK}
    return offer in says(start(client, attempt))


def test_the_link_key_is_not_offered_to_a_person_whose_known_group_is_full(client, make_campaign):
    campaign = quota_campaign(make_campaign, sms_follow_up=True)
    fill_young(campaign)

    assert not link_offered(client, add_contact(campaign, birth_year=YOUNG, postal_code="01900"))
    assert link_offered(client, add_contact(campaign, birth_year=1980, postal_code="01900"))


def test_the_link_key_is_not_offered_when_operators_would_not_deliver_the_message(real_campaign, settings):
    offer = finnish(LINK_OFFER) % {"link": INTRO_DIGIT_LINK}
    contact = real_campaign.contacts.get()
    named = queued_attempt(contact, status=CallStatus.RINGING, provider="twilio", provider_call_id="CA1")
    numbered = queued_attempt(contact, number=2, status=CallStatus.RINGING, provider="twilio", provider_call_id="CA2")

    settings.SMS_SENDER = "Kuntakysely"
    assert offer not in " ".join(ivr_start(attempt_id=named.pk, provider="twilio").says)
    settings.SMS_SENDER = NUMBER_SENDER
    assert offer in " ".join(ivr_start(attempt_id=numbered.pk, provider="twilio").says)
