"""The Twilio provider: the real SDK over real HTTP against a local fake Twilio REST server."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from django_rq import get_worker
from rq import SimpleWorker
from twilio.request_validator import RequestValidator

from surveys.messaging import sms_provider_get
from surveys.models import CallAttempt, CallStatus, Campaign, CampaignStatus, Contact, ContactStatus
from surveys.phone_numbers import phone_decrypt
from surveys.script import call_script
from surveys.services.contacts import contacts_import
from surveys.services.dialing import STALE_DIALING_AFTER, attempt_place, attempts_recover_stale, dial_tick
from surveys.telephony import ProviderError, provider_get
from surveys.telephony.base import CallOptions, ErrorKind
from surveys.telephony.twilio import TwilioProvider
from tests.surveys.calls import NOON, queued_attempt, running_campaign
from tests.surveys.telephony_fakes import TWILIO_ACCOUNT, TWILIO_TOKEN, twilio_error


@pytest.fixture
def attempt(make_campaign):
    campaign = running_campaign(make_campaign, telephony_provider="twilio")
    return queued_attempt(campaign.contacts.get())


def test_registry_maps_names_to_provider_classes(fake_twilio):
    assert isinstance(provider_get("twilio"), TwilioProvider)
    with pytest.raises(ImproperlyConfigured, match="Unknown telephony provider 'fax'"):
        provider_get("fax")


@override_settings(TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="")
def test_a_call_without_twilio_credentials_pauses_the_campaign_and_spends_no_attempt(
    attempt, mailoutbox, django_capture_on_commit_callbacks, rq_queues
):
    with django_capture_on_commit_callbacks(execute=True):
        assert attempt_place(attempt_id=attempt.pk, now=NOON) == "paused"

    attempt.refresh_from_db()
    assert (attempt.status, attempt.placed_at, attempt.number) == (CallStatus.PENDING, None, 1)
    campaign = Campaign.objects.get(pk=attempt.contact.campaign_id)
    assert campaign.status == CampaignStatus.PAUSED
    assert "TWILIO_ACCOUNT_SID" in campaign.carrier_problem
    get_worker("email", worker_class=SimpleWorker).work(burst=True)  # the mail is a worker's job
    [mail] = mailoutbox
    assert "TWILIO_ACCOUNT_SID" in mail.body


def test_call_is_created_with_the_campaigns_number_and_callbacks(fake_twilio, attempt):
    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "placed"

    [request] = fake_twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Calls.json"
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
    assert (attempt.status, attempt.provider_call_id, attempt.placed_at) == (CallStatus.DIALING, f"CA{1:032x}", NOON)


def test_a_call_has_a_time_limit_sized_from_the_survey_not_the_carriers_four_hours(fake_twilio, attempt):
    campaign = attempt.contact.campaign
    minutes = call_script(campaign.survey_version, language="fi").estimated_minutes

    attempt_place(attempt_id=attempt.pk, now=NOON)

    assert fake_twilio.requests[0]["form"]["TimeLimit"] == [str((3 * minutes + 5) * 60)]
    assert (3 * minutes + 5) * 60 < 4 * 3600


def test_a_campaign_that_leaves_messages_waits_for_the_end_of_the_greeting(fake_twilio, attempt):
    Campaign.objects.filter(pk=attempt.contact.campaign_id).update(leave_machine_message=True)

    attempt_place(attempt_id=attempt.pk, now=NOON)

    assert fake_twilio.requests[0]["form"]["MachineDetection"] == ["DetectMessageEnd"]


def test_a_redelivered_call_job_never_dials_twice(fake_twilio, attempt):
    attempt_place(attempt_id=attempt.pk, now=NOON)

    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "skipped"

    assert len(fake_twilio.requests) == 1


def test_twilio_refusal_of_the_number_fails_the_attempt_with_the_number_masked(fake_twilio, attempt, caplog):
    fake_twilio.reply = twilio_error(400, 21211, "Invalid 'To' Phone Number: +358401234567")

    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "failed"
    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "skipped"

    attempt.refresh_from_db()
    assert attempt.status == CallStatus.FAILED
    assert attempt.error_code == 21211
    assert attempt.error.startswith("Twilio refused the call (HTTP 400, code 21211): Unable to create record: Invalid")
    assert "401234567" not in attempt.error
    assert "401234567" not in caplog.text
    assert attempt.provider_call_id is None
    assert len(fake_twilio.requests) == 1
    assert attempt.contact.status == ContactStatus.FINISHED
    assert CallAttempt.objects.count() == 1


@pytest.mark.parametrize("error", [twilio_error(429, 20429, "Too Many Requests")])
def test_a_rate_limit_postpones_the_call_without_spending_an_attempt(fake_twilio, attempt, error):
    fake_twilio.errors = [error]

    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "postponed"

    attempt.refresh_from_db()
    assert (attempt.status, attempt.number, attempt.error_code) == (CallStatus.PENDING, 1, error[1]["code"])
    assert attempt.scheduled_for == NOON + timedelta(minutes=2)
    assert attempt.placed_at is None
    assert CallAttempt.objects.count() == 1
    assert Contact.objects.get(pk=attempt.contact_id).status == ContactStatus.PENDING
    assert Campaign.objects.get(pk=attempt.contact.campaign_id).status == CampaignStatus.RUNNING

    # Once the carrier is back, the same attempt is placed.
    CallAttempt.objects.filter(pk=attempt.pk).update(status=CallStatus.QUEUED)
    assert attempt_place(attempt_id=attempt.pk, now=NOON + timedelta(minutes=2)) == "placed"


def call_requests(fake_twilio) -> list[str]:
    return [request["method"] for request in fake_twilio.requests if request["path"].endswith("/Calls.json")]


@pytest.mark.parametrize("error", [twilio_error(503, 20503, "Service Unavailable"), twilio_error(502, 20500, "Bad")])
def test_a_call_twilio_placed_but_answered_5xx_is_found_by_the_sweep_and_never_dialled_twice(
    fake_twilio, attempt, rq_queues, error
):
    """Twilio's edge answered 5xx after Twilio had placed the call: the resident's phone was ringing, and
    the attempt, taken as not placed, was dialled again two minutes later - a second call."""
    fake_twilio.answers_lost = [error]

    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "unknown"
    attempts_recover_stale(now=NOON + STALE_DIALING_AFTER + timedelta(seconds=1))
    dial_tick(campaign=attempt.contact.campaign, now=NOON + STALE_DIALING_AFTER + timedelta(seconds=2))

    attempt.refresh_from_db()
    assert (attempt.status, attempt.provider_call_id) == (CallStatus.DIALING, fake_twilio.calls[0]["sid"])
    assert call_requests(fake_twilio) == ["POST", "GET"]
    assert CallAttempt.objects.count() == 1


def test_a_call_twilio_answered_5xx_without_placing_it_is_placed_again_without_spending_an_attempt(
    fake_twilio, attempt, rq_queues
):
    fake_twilio.errors = [twilio_error(503, 20503, "Service Unavailable")]

    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "unknown"
    swept_at = NOON + STALE_DIALING_AFTER + timedelta(seconds=1)
    assert attempts_recover_stale(now=swept_at).closed == 0

    attempt.refresh_from_db()
    assert (attempt.status, attempt.number, attempt.placed_at, attempt.scheduled_for) == (
        CallStatus.PENDING,
        1,
        None,
        swept_at,
    )
    assert CallAttempt.objects.count() == 1
    assert Contact.objects.get(pk=attempt.contact_id).status == ContactStatus.PENDING
    CallAttempt.objects.filter(pk=attempt.pk).update(status=CallStatus.QUEUED)
    assert attempt_place(attempt_id=attempt.pk, now=swept_at) == "placed"
    assert call_requests(fake_twilio) == ["POST", "GET", "POST"]
    assert len(fake_twilio.calls) == 1


ACCOUNT_ERRORS = [
    twilio_error(400, 21215, "Account not authorized to call +358401234567. Perhaps you need to enable permissions"),
    twilio_error(401, 20003, "Authenticate"),
    twilio_error(400, 21212, "Invalid 'From' Phone Number"),
]


@pytest.mark.parametrize("error", ACCOUNT_ERRORS)
def test_an_account_error_pauses_the_campaign_and_tells_its_managers(
    fake_twilio, attempt, error, mailoutbox, django_capture_on_commit_callbacks, rq_queues
):
    fake_twilio.errors = [error]

    with django_capture_on_commit_callbacks(execute=True):
        assert attempt_place(attempt_id=attempt.pk, now=NOON) == "paused"

    attempt.refresh_from_db()
    assert (attempt.status, attempt.number, attempt.placed_at) == (CallStatus.PENDING, 1, None)
    assert not attempt.contact.numbers.filter(carrier_refused=True).exists()
    campaign = Campaign.objects.get(pk=attempt.contact.campaign_id)
    assert campaign.status == CampaignStatus.PAUSED
    assert campaign.carrier_problem_code == error[1]["code"]
    assert f"code {error[1]['code']}" in campaign.carrier_problem
    assert "401234567" not in campaign.carrier_problem
    change = campaign.status_changes.last()
    assert (change.to_status, change.changed_by) == (CampaignStatus.PAUSED, None)
    get_worker("email", worker_class=SimpleWorker).work(burst=True)  # the mail is a worker's job
    [mail] = mailoutbox
    assert mail.to == [campaign.created_by.email]
    assert campaign.name in mail.subject
    assert f"code {error[1]['code']}" in mail.body
    assert f"/staff/surveys/campaigns/{campaign.slug}/" in mail.body


def test_provider_error_names_the_http_status_and_the_code(fake_twilio, attempt):
    fake_twilio.reply = twilio_error(401, 20003, "Authenticate")
    options = CallOptions(answer_url="https://kunta.example/a", status_url="https://b")

    with pytest.raises(ProviderError, match=r"HTTP 401, code 20003\): Unable to create record: Authenticate") as caught:
        provider_get("twilio").place_call(attempt, options)

    assert (caught.value.status, caught.value.code, caught.value.kind) == (401, 20003, ErrorKind.ACCOUNT)


def test_cancel_posts_status_canceled(fake_twilio):
    provider_get("twilio").cancel("CA" + "2" * 32)

    [request] = fake_twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Calls/{'CA' + '2' * 32}.json"
    assert request["form"]["Status"] == ["canceled"]


def test_request_signature_is_checked_against_the_public_url(fake_twilio):
    params = {"CallSid": "CA1", "Digits": "1"}
    good = RequestValidator(TWILIO_TOKEN).compute_signature("https://kunta.example/telephony/ivr/1/intro/?x=1", params)
    provider = provider_get("twilio")

    def request(signature):
        headers = {"X-Twilio-Signature": signature} if signature else {}
        return RequestFactory().post("/telephony/ivr/1/intro/?x=1", params, headers=headers)

    assert provider.validate_request(request(good)) is True
    assert provider.validate_request(request("forged")) is False
    assert provider.validate_request(request(None)) is False


def test_a_parameter_sent_more_than_once_is_checked_with_every_value(fake_twilio):
    """Twilio adds parameters without notice and asks that every one received be passed to its validator,
    which signs each value of a repeated one: keeping only the last value refused the request."""
    body = "CallSid=CA1&Digits=1&AddedLater=b&AddedLater=a"
    request = RequestFactory().post("/telephony/ivr/1/intro/", body, content_type="application/x-www-form-urlencoded")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        "https://kunta.example/telephony/ivr/1/intro/", request.POST
    )
    request.META["HTTP_X_TWILIO_SIGNATURE"] = signature

    assert provider_get("twilio").validate_request(request) is True


@pytest.mark.parametrize("secret", ["shared-key-secret", ""], ids=["set", "not set"])
@pytest.mark.parametrize("provider", [lambda: provider_get("twilio"), lambda: sms_provider_get("twilio")])
def test_a_webhook_twilio_signs_with_a_shared_key_is_checked_with_its_secret(
    fake_twilio, settings, caplog, provider, secret
):
    """A Webhook Rule of the account makes Twilio sign with a SharedKey and the algorithm it names in
    X-Twilio-Webhooks-Signature-Settings, instead of the auth token: without the key's secret every
    webhook (a STOP reply, a call's status) would be refused as forged - said in the log, not guessed."""
    settings.TWILIO_WEBHOOK_SHARED_KEY_SECRET = secret
    params = {"CallSid": "CA1", "Digits": "1"}
    signature = RequestValidator("shared-key-secret").compute_signature(
        "https://kunta.example/telephony/ivr/1/intro/", params, "HMAC_SHA256"
    )
    headers = {
        "X-Twilio-Signature": signature,
        "X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_01,algorithm=HMAC_SHA256",
    }
    request = RequestFactory().post("/telephony/ivr/1/intro/", params, headers=headers)

    assert provider().validate_request(request) is bool(secret)
    assert ("TWILIO_WEBHOOK_SHARED_KEY_SECRET is not set" in caplog.text) is not bool(secret)


def test_status_parameters_become_a_status_update(fake_twilio):
    provider = provider_get("twilio")

    completed = provider.parse_status(
        {"CallSid": "CA9", "CallStatus": "completed", "CallDuration": "61", "SequenceNumber": "3"}
    )
    failed = provider.parse_status({"CallSid": "CA9", "CallStatus": "failed", "ErrorCode": "13224"})
    verdicts = [
        provider.parse_status({"CallSid": "CA9", "AnsweredBy": verdict}).answered_by
        for verdict in ("human", "machine_start", "machine_end_beep", "machine_end_silence", "fax", "unknown")
    ]

    assert (completed.status, completed.duration_seconds, completed.sequence) == (CallStatus.COMPLETED, 61, 3)
    assert (failed.status, failed.error_code) == (CallStatus.FAILED, 13224)
    assert verdicts == ["human", "machine", "machine", "machine", "fax", "unknown"]


def test_a_refused_request_that_is_not_about_the_number_leaves_the_persons_numbers_alone(fake_twilio, make_campaign):
    campaign = make_campaign("kaksi", telephony_provider="twilio")
    contacts_import(campaign=campaign, file=b"Puhelin 1;Puhelin 2\n040 123 4567;09 123 4567\n", filename="x.csv")
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    contact = campaign.contacts.get()
    fake_twilio.reply = twilio_error(400, 21212, "Invalid 'From' Phone Number")

    assert attempt_place(attempt_id=queued_attempt(contact).pk, now=NOON) == "paused"

    assert not contact.numbers.filter(carrier_refused=True).exists()
    assert CallAttempt.objects.count() == 1


def test_a_number_twilio_refuses_is_not_called_again_but_the_persons_other_number_is(fake_twilio, make_campaign):
    campaign = make_campaign("kaksi", telephony_provider="twilio")
    contacts_import(campaign=campaign, file=b"Puhelin 1;Puhelin 2\n040 123 4567;09 123 4567\n", filename="x.csv")
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    contact = campaign.contacts.get()
    fake_twilio.reply = twilio_error(400, 21211, "Invalid 'To' Phone Number")

    assert attempt_place(attempt_id=queued_attempt(contact).pk, now=NOON) == "failed"

    retry = CallAttempt.objects.get(number=2)
    assert phone_decrypt(retry.phone.phone_encrypted) == "+35891234567"
    assert contact.numbers.get(position=1).carrier_refused
    assert Contact.objects.get(pk=contact.pk).status == ContactStatus.PENDING
