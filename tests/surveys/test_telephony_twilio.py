"""The Twilio provider: the real SDK over real HTTP against a local fake Twilio REST server."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from twilio.request_validator import RequestValidator

from surveys.models import CallAttempt, CallStatus, Campaign, CampaignStatus, Contact, ContactStatus
from surveys.phone_numbers import phone_decrypt
from surveys.services.contacts import contacts_import
from surveys.services.dialing import attempt_place
from surveys.telephony import ProviderError, provider_get
from surveys.telephony.twilio import TwilioProvider
from tests.surveys.calls import NOON, queued_attempt, running_campaign
from tests.surveys.telephony_fakes import FakeTwilio

ACCOUNT = "AC" + "1" * 32
TOKEN = "twilio-test-auth-token"


@pytest.fixture
def fake_twilio():
    with (
        FakeTwilio() as fake,
        override_settings(
            TWILIO_ACCOUNT_SID=ACCOUNT,
            TWILIO_AUTH_TOKEN=TOKEN,
            TWILIO_API_BASE_URL=fake.base_url,
            TWILIO_RING_TIMEOUT=25,
            PUBLIC_BASE_URL="https://kunta.example",
        ),
    ):
        yield fake


@pytest.fixture
def attempt(make_campaign):
    campaign = running_campaign(make_campaign, telephony_provider="twilio")
    return queued_attempt(campaign.contacts.get())


def test_registry_maps_names_to_provider_classes(fake_twilio):
    assert isinstance(provider_get("twilio"), TwilioProvider)
    with pytest.raises(ImproperlyConfigured, match="Unknown telephony provider 'fax'"):
        provider_get("fax")


@override_settings(TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="")
def test_twilio_without_credentials_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        provider_get("twilio")


def test_call_is_created_with_the_campaigns_number_and_callbacks(fake_twilio, attempt):
    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "placed"

    [request] = fake_twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
    form = request["form"]
    assert form["To"] == ["+358401234567"]
    assert form["From"] == ["+358191234567"]
    assert form["Url"] == [f"https://kunta.example/telephony/ivr/{attempt.pk}/start/"]
    assert form["StatusCallback"] == [f"https://kunta.example/telephony/status/{attempt.pk}/"]
    assert form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert form["StatusCallbackMethod"] == ["POST"]
    assert form["MachineDetection"] == ["Enable"]
    assert form["AsyncAmd"] == ["true"]
    assert form["AsyncAmdStatusCallback"] == [f"https://kunta.example/telephony/status/{attempt.pk}/"]
    assert form["Timeout"] == ["25"]
    attempt.refresh_from_db()
    assert (attempt.status, attempt.provider_call_id, attempt.placed_at) == (CallStatus.DIALING, "CA" + "0" * 32, NOON)


def test_a_redelivered_call_job_never_dials_twice(fake_twilio, attempt):
    attempt_place(attempt_id=attempt.pk, now=NOON)

    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "skipped"

    assert len(fake_twilio.requests) == 1


def test_twilio_refusal_fails_the_attempt_with_twilios_reason_and_no_retry(fake_twilio, attempt):
    fake_twilio.reply = (400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})

    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "failed"
    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "skipped"

    attempt.refresh_from_db()
    assert attempt.status == CallStatus.FAILED
    assert (
        attempt.error
        == "Twilio refused the call (HTTP 400, code 21211): Unable to create record: Invalid 'To' Phone Number"
    )
    assert attempt.provider_call_id is None
    assert len(fake_twilio.requests) == 1
    assert attempt.contact.status == ContactStatus.FINISHED
    assert CallAttempt.objects.count() == 1


def test_twilio_server_error_fails_the_attempt_and_schedules_a_retry(fake_twilio, attempt):
    fake_twilio.reply = (503, {"code": 20503, "message": "Service Unavailable", "status": 503})

    attempt_place(attempt_id=attempt.pk, now=NOON)

    attempt.refresh_from_db()
    assert attempt.status == CallStatus.FAILED
    assert "HTTP 503" in attempt.error
    retry = CallAttempt.objects.get(number=2)
    assert retry.status == CallStatus.PENDING
    assert retry.scheduled_for > NOON
    assert len(fake_twilio.requests) == 1


def test_provider_error_names_the_http_status(fake_twilio, attempt):
    fake_twilio.reply = (401, {"code": 20003, "message": "Authenticate", "status": 401})

    with pytest.raises(ProviderError, match=r"HTTP 401, code 20003\): Unable to create record: Authenticate") as caught:
        provider_get("twilio").place_call(attempt, url="https://kunta.example/a", status_callback="https://b")

    assert caught.value.status == 401


def test_cancel_posts_status_canceled(fake_twilio):
    fake_twilio.reply = (200, {"sid": "CA" + "2" * 32, "status": "canceled"})

    provider_get("twilio").cancel("CA" + "2" * 32)

    [request] = fake_twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{'CA' + '2' * 32}.json"
    assert request["form"]["Status"] == ["canceled"]


def test_request_signature_is_checked_against_the_public_url(fake_twilio):
    params = {"CallSid": "CA1", "Digits": "1"}
    good = RequestValidator(TOKEN).compute_signature("https://kunta.example/telephony/ivr/1/intro/?x=1", params)
    provider = provider_get("twilio")

    def request(signature):
        headers = {"X-Twilio-Signature": signature} if signature else {}
        return RequestFactory().post("/telephony/ivr/1/intro/?x=1", params, headers=headers)

    assert provider.validate_request(request(good)) is True
    assert provider.validate_request(request("forged")) is False
    assert provider.validate_request(request(None)) is False


def test_status_parameters_become_a_status_update(fake_twilio):
    provider = provider_get("twilio")

    completed = provider.parse_status({"CallSid": "CA9", "CallStatus": "completed", "CallDuration": "61"})
    machine = provider.parse_status({"CallSid": "CA9", "CallStatus": "in-progress", "AnsweredBy": "machine_start"})

    assert (completed.status, completed.duration_seconds) == (CallStatus.COMPLETED, 61)
    assert (machine.status, machine.answered_by) == (CallStatus.MACHINE, "machine_start")


def test_a_refused_request_that_is_not_about_the_number_leaves_the_persons_numbers_alone(fake_twilio, make_campaign):
    campaign = make_campaign("kaksi", telephony_provider="twilio")
    contacts_import(campaign=campaign, file=b"Puhelin 1;Puhelin 2\n040 123 4567;09 123 4567\n", filename="x.csv")
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    contact = campaign.contacts.get()
    fake_twilio.reply = (400, {"code": 21212, "message": "Invalid 'From' Phone Number", "status": 400})

    assert attempt_place(attempt_id=queued_attempt(contact).pk, now=NOON) == "failed"

    assert not contact.numbers.filter(carrier_refused=True).exists()
    assert CallAttempt.objects.count() == 1


def test_a_number_twilio_refuses_is_not_called_again_but_the_persons_other_number_is(fake_twilio, make_campaign):
    campaign = make_campaign("kaksi", telephony_provider="twilio")
    contacts_import(campaign=campaign, file=b"Puhelin 1;Puhelin 2\n040 123 4567;09 123 4567\n", filename="x.csv")
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    contact = campaign.contacts.get()
    fake_twilio.reply = (400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})

    assert attempt_place(attempt_id=queued_attempt(contact).pk, now=NOON) == "failed"

    retry = CallAttempt.objects.get(number=2)
    assert phone_decrypt(retry.phone.phone_encrypted) == "+35891234567"
    assert contact.numbers.get(position=1).carrier_refused
    assert Contact.objects.get(pk=contact.pk).status == ContactStatus.PENDING
