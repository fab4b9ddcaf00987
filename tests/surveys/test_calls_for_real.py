"""A call as a real carrier plays it, through the Twilio provider and the fake Twilio: answering
machines and fax lines picked up (async AMD), callbacks late or numbered out of order, a replayed
request, the price stated after the call, and the launch gate asking the carrier before calling."""

import time
import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal
from email.utils import format_datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kuntaportaali.job_lock import job_lock
from kuntaportaali.roles import Role
from surveys.jobs import CALL_PRICES_LOCK, fetch_call_prices
from surveys.models import (
    CallAttempt,
    CallStatus,
    Campaign,
    CampaignStatus,
    ConsentEvent,
    ContactNumber,
    SmsLinkRequest,
)
from surveys.services import launch as launch_services
from surveys.services.campaigns import campaign_pause_for_carrier, campaign_transition, carrier_problems
from surveys.services.dialing import attempt_place, call_prices_fetch
from surveys.telephony import ProviderError
from tests.surveys.calls import NOON, queued_attempt, running_campaign
from tests.surveys.telephony_fakes import TWILIO_TOKEN, signed_post, twilio_error


@pytest.fixture
def campaign(make_campaign):
    return running_campaign(make_campaign, telephony_provider="twilio")


@pytest.fixture
def call(fake_twilio, campaign):
    """A call placed through the fake Twilio: its attempt, dialing."""
    attempt = queued_attempt(campaign.contacts.get())
    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "placed"
    attempt.refresh_from_db()
    return attempt


class Carrier:
    """The carrier's side of one call: signed requests to the portal in Twilio's parameters."""

    def __init__(self, client, attempt):
        self.client, self.attempt, self.sequence = client, attempt, 0
        self.clock = NOON

    def status(self, call_status: str = "", **params):
        self.clock += timedelta(seconds=5)
        params = {
            "CallSid": self.attempt.provider_call_id,
            "Timestamp": format_datetime(self.clock, usegmt=False),
        } | params
        if call_status:
            params |= {"CallStatus": call_status, "SequenceNumber": str(self.sequence)}
            self.sequence += 1
        response = signed_post(self.client, f"/telephony/status/{self.attempt.pk}/", params, token=TWILIO_TOKEN)
        assert response.status_code == 204
        return response

    def amd(self, answered_by: str):
        return self.status(AnsweredBy=answered_by, MachineDetectionDuration="2800")

    def ivr(self, step: str, **params) -> ET.Element:
        response = signed_post(
            self.client,
            f"/telephony/ivr/{self.attempt.pk}/{step}/",
            {"CallSid": self.attempt.provider_call_id} | params,
            token=TWILIO_TOKEN,
        )
        assert response.status_code == 200
        return ET.fromstring(response.content)  # noqa: S314 - our own TwiML

    def answered(self) -> ET.Element:
        """Picked up: Twilio reports it and fetches the call's URL at once, before any AMD verdict."""
        self.status("ringing")
        self.status("in-progress")
        return self.ivr("start")


def attempt_now(attempt) -> CallAttempt:
    return CallAttempt.objects.get(pk=attempt.pk)


def test_an_answering_machine_is_hung_up_at_the_verdict_and_is_a_non_contact(client, fake_twilio, call):
    carrier = Carrier(client, call)
    intro = carrier.answered()
    assert intro.find("Gather/Say") is not None  # the introduction starts before the verdict

    carrier.amd("machine_start")

    assert fake_twilio.calls_updated() == [{"sid": call.provider_call_id, "Status": "completed"}]
    # Should the hang-up be lost, the IVR's next step ends the call and says nothing to the machine.
    late = carrier.ivr("intro", Digits="")
    assert (late.find("Hangup") is not None, late.find("Say"), late.find("Gather")) == (True, None, None)
    carrier.status("completed", CallDuration="4")

    attempt = attempt_now(call)
    assert (attempt.status, attempt.answered_by, attempt.duration_seconds) == (CallStatus.MACHINE, "machine", 4)
    assert not ConsentEvent.objects.exists()
    # Tried again, as after an unanswered call.
    retry = CallAttempt.objects.get(contact=call.contact, number=2)
    assert (retry.status, retry.phone_id) == (CallStatus.PENDING, call.phone_id)
    assert retry.scheduled_for >= NOON + timedelta(minutes=call.contact.campaign.min_gap_minutes)


def test_a_campaign_can_leave_one_short_message_after_the_beep(client, fake_twilio, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(leave_machine_message=True)
    attempt = queued_attempt(campaign.contacts.get())
    attempt_place(attempt_id=attempt.pk, now=NOON)
    attempt.refresh_from_db()
    carrier = Carrier(client, attempt)
    carrier.answered()

    with CaptureQueriesContext(connection) as captured:
        carrier.amd("machine_end_beep")

    # The verdict's callback reads the attempt once, with what the message needs (its language).
    reads = [query["sql"] for query in captured if query["sql"].startswith('SELECT "surveys_callattempt"')]
    assert len(reads) == 1
    [update] = fake_twilio.calls_updated()
    message = ET.fromstring(update["Twiml"])  # noqa: S314 - our own TwiML
    said = message.find("Say").text
    assert "Esimerkkilän kunta" in said
    assert "kunta.example/fi/kyselyt/soitot/" in said
    assert "019 1234567" in said or "019 123 4567" in said
    assert message.find("Hangup") is not None
    carrier.status("completed", CallDuration="31")
    attempt = attempt_now(attempt)
    assert (attempt.status, attempt.message_left) == (CallStatus.MACHINE, True)
    assert not ConsentEvent.objects.exists()


def test_a_fax_line_is_hung_up_and_never_called_again(client, fake_twilio, call):
    carrier = Carrier(client, call)
    carrier.answered()

    carrier.amd("fax")
    carrier.status("completed", CallDuration="3")

    assert fake_twilio.calls_updated() == [{"sid": call.provider_call_id, "Status": "completed"}]
    attempt = attempt_now(call)
    assert (attempt.status, attempt.answered_by) == (CallStatus.FAX, "fax")
    assert ContactNumber.objects.get(pk=call.phone_id).carrier_refused
    assert not CallAttempt.objects.filter(number=2).exists()


@pytest.mark.parametrize(
    ("verdict", "status", "called_again"),
    [("fax", CallStatus.FAX, False), ("machine_end_silence", CallStatus.MACHINE, True)],
)
def test_a_verdict_that_comes_after_the_calls_end_tells_what_the_call_was(
    client, fake_twilio, call, verdict, status, called_again
):
    """Async AMD posts its verdict apart from the status callbacks: the line can hang up first, and the
    verdict come after `completed`. A fax line is then retired as when the verdict comes first."""
    carrier = Carrier(client, call)
    carrier.answered()

    carrier.status("completed", CallDuration="3")
    carrier.amd(verdict)

    attempt = attempt_now(call)
    assert attempt.status == status
    assert ContactNumber.objects.get(pk=call.phone_id).carrier_refused is not called_again
    assert CallAttempt.objects.filter(number=2).exists() is called_again
    assert fake_twilio.calls_updated() == []  # the call had ended: nothing to hang up


def test_a_machines_verdict_after_the_end_of_the_last_call_still_brings_the_sms_follow_up(
    client, fake_twilio, make_campaign
):
    campaign = running_campaign(
        make_campaign, "viimeinen", telephony_provider="twilio", sms_follow_up=True, max_attempts=1
    )
    attempt = queued_attempt(campaign.contacts.get())
    attempt_place(attempt_id=attempt.pk, now=NOON)
    carrier = Carrier(client, attempt_now(attempt))
    carrier.answered()

    carrier.status("completed", CallDuration="3")
    assert not SmsLinkRequest.objects.exists()
    carrier.amd("machine_start")

    assert attempt_now(attempt).status == CallStatus.MACHINE
    requested = list(SmsLinkRequest.objects.values_list("contact_id", "phone_id"))
    assert requested == [(attempt.contact_id, attempt.phone_id)]


def test_when_the_detection_cannot_tell_the_call_goes_on_as_with_a_person(client, fake_twilio, call):
    carrier = Carrier(client, call)
    carrier.answered()

    carrier.amd("unknown")
    first_question = carrier.ivr("intro", Digits="1")

    assert fake_twilio.calls_updated() == []
    assert first_question.find("Gather").get("action").endswith(f"/telephony/ivr/{call.pk}/q/1/")
    assert attempt_now(call).answered_by == "unknown"


def test_a_person_is_asked_the_questions(client, fake_twilio, call):
    carrier = Carrier(client, call)
    carrier.answered()

    carrier.amd("human")
    first_question = carrier.ivr("intro", Digits="1")

    assert fake_twilio.calls_updated() == []
    assert first_question.find("Gather") is not None
    assert set(ConsentEvent.objects.values_list("kind", flat=True)) == {"informed", "consented"}


def test_a_status_numbered_before_a_final_one_changes_nothing(client, fake_twilio, call):
    carrier = Carrier(client, call)
    carrier.status("ringing")  # 0
    carrier.sequence = 2
    carrier.status("busy")  # 2
    carrier.sequence = 1
    carrier.status("in-progress")  # 1, arriving last

    attempt = attempt_now(call)
    assert (attempt.status, attempt.answered_at, attempt.status_sequence) == (CallStatus.BUSY, None, 2)
    assert attempt.ended_at is not None


def test_an_in_progress_callback_after_a_final_one_never_sets_an_answer_after_the_end(client, fake_twilio, call):
    carrier = Carrier(client, call)
    carrier.status("no-answer")
    signed_post(
        client,
        f"/telephony/status/{call.pk}/",
        {"CallSid": call.provider_call_id, "CallStatus": "in-progress"},
        token=TWILIO_TOKEN,
    )

    attempt = attempt_now(call)
    assert (attempt.status, attempt.answered_at) == (CallStatus.NO_ANSWER, None)


def test_a_replayed_request_never_moves_a_call_back(client, fake_twilio, call):
    carrier = Carrier(client, call)
    carrier.answered()
    carrier.ivr("intro", Digits="1")
    carrier.ivr("q/1", Digits="2")

    # The signed intro request again, with Twilio's idempotency token of a retry or without one.
    again = carrier.ivr("intro", Digits="1")
    assert again.find("Gather").get("action").endswith("/q/2/")
    assert attempt_now(call).current_step == "q2"

    carrier.ivr("q/2", Digits="2")
    carrier.ivr("q/3", Digits="5")
    carrier.ivr("q/4", Digits="*")
    carrier.status("completed", CallDuration="95")
    assert attempt_now(call).current_step == "closing"

    replayed = carrier.ivr("intro", Digits="1")
    assert (replayed.find("Gather"), replayed.find("Hangup") is not None) == (None, True)
    assert attempt_now(call).current_step == "closing"
    assert ConsentEvent.objects.filter(kind="consented").count() == 1


def test_the_price_twilio_states_after_the_call_is_kept_apart_from_the_estimate(client, fake_twilio, call):
    carrier = Carrier(client, call)
    carrier.answered()
    carrier.ivr("intro", Digits="2")
    carrier.status("completed", CallDuration="75")
    ended = attempt_now(call).ended_at

    # Not asked before a minute has passed; Twilio has no price yet at first.
    assert call_prices_fetch(now=ended + timedelta(seconds=30)) == 0
    assert call_prices_fetch(now=ended + timedelta(minutes=2)) == 0
    fake_twilio.prices[call.provider_call_id] = "-0.03400"
    assert call_prices_fetch(now=ended + timedelta(minutes=3)) == 1

    attempt = attempt_now(call)
    assert (attempt.price, attempt.price_unit) == (Decimal("0.03400"), "USD")
    assert attempt.cost == 2 * call.contact.campaign.price_per_minute  # the estimate stays
    assert call_prices_fetch(now=ended + timedelta(minutes=4)) == 0


def test_a_price_round_while_another_is_going_on_asks_twilio_nothing(fake_twilio, call):
    """Two cron schedulers (or a round slower than the minute) asked Twilio for the same prices at once."""
    ended = timezone.now() - timedelta(minutes=5)
    CallAttempt.objects.filter(pk=call.pk).update(status=CallStatus.COMPLETED, duration_seconds=75, ended_at=ended)
    asked = len(fake_twilio.requests)

    with job_lock(CALL_PRICES_LOCK, seconds=60, queue="reports") as held:
        assert held
        assert fetch_call_prices() == "skipped: another round is going on"
    assert len(fake_twilio.requests) == asked

    assert fetch_call_prices() == "prices=0"
    assert len(fake_twilio.requests) == asked + 1


def test_a_failed_call_keeps_twilios_error_code_and_the_number_error_makes_it_not_eligible(client, fake_twilio, call):
    Carrier(client, call).status("failed", ErrorCode="13224")

    attempt = attempt_now(call)
    assert (attempt.status, attempt.error_code) == (CallStatus.FAILED, 13224)


def test_a_call_failed_for_the_account_is_placed_again_and_pauses_the_campaign(
    client, fake_twilio, call, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Carrier(client, call).status("failed", ErrorCode="13227")

    attempt = attempt_now(call)
    assert (attempt.status, attempt.number, attempt.error_code) == (CallStatus.PENDING, 1, 13227)
    assert Campaign.objects.get(pk=call.contact.campaign_id).status == CampaignStatus.PAUSED


def test_the_launch_gate_asks_twilio_for_the_account_and_the_caller_number(fake_twilio, campaign):
    assert carrier_problems(campaign=campaign) == []

    fake_twilio.owned_numbers = set()
    [problem] = carrier_problems(campaign=campaign)
    assert "+358191234567" in problem
    fake_twilio.verified_caller_ids = {"+358191234567"}
    assert carrier_problems(campaign=campaign) == []

    fake_twilio.account_status = "suspended"
    assert carrier_problems(campaign=campaign) == ["Twilio-tilin tila on suspended, ei aktiivinen."]

    fake_twilio.errors = [twilio_error(401, 20003, "Authenticate")]
    [problem] = carrier_problems(campaign=campaign)
    assert "code 20003" in problem


def test_an_unreachable_twilio_is_said_in_the_pages_language_not_as_the_connection_error(
    fake_twilio, campaign, settings
):
    """The page showed "Twilio could not be reached: HTTPSConnectionPool(host=..., port=...)" in English."""
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens: refused at once

    assert carrier_problems(campaign=campaign) == [
        "Twiliota ei juuri nyt tavoitettu tilin ja soittajan numeron tarkistamiseksi. Yritä hetken päästä uudelleen."
    ]


def test_the_campaign_page_asks_twilio_once_in_a_while_not_at_every_view(client_as, fake_twilio, make_campaign):
    """Each view of a draft campaign asked Twilio for the account and the caller number (up to 10 s each
    when Twilio does not answer); a start still asks afresh."""
    campaign = make_campaign(slug="luonnos", telephony_provider="twilio")
    client = client_as(Role.SURVEY_MANAGER)
    page = reverse("surveys:campaign", kwargs={"slug": campaign.slug})

    for _view in range(3):
        assert client.get(page).status_code == 200
    asked = [request["path"] for request in fake_twilio.requests]
    fake_twilio.account_status = "suspended"
    client.get(page)

    assert len(asked) == 2  # the account, and the caller number among the account's numbers
    assert len(fake_twilio.requests) == 2
    assert carrier_problems(campaign=campaign) == ["Twilio-tilin tila on suspended, ei aktiivinen."]


def test_a_problem_is_looked_at_again_sooner_than_an_account_in_order(
    client_as, fake_twilio, make_campaign, monkeypatch
):
    """The page says to try again in a moment when Twilio could not be reached: a problem is kept for
    CARRIER_PROBLEM_SECONDS only (here one second, as Redis expires it), all well for five minutes."""
    monkeypatch.setattr(launch_services, "CARRIER_PROBLEM_SECONDS", 1)
    campaign = make_campaign(slug="luonnos", telephony_provider="twilio")
    client = client_as(Role.SURVEY_MANAGER)
    page = reverse("surveys:campaign", kwargs={"slug": campaign.slug})
    fake_twilio.account_status = "suspended"

    client.get(page)
    time.sleep(1.1)
    fake_twilio.account_status = "active"
    html = client.get(page).content.decode()

    assert len(fake_twilio.requests) == 3  # the suspended account, then the account and the number
    assert "suspended" not in html


@override_settings(TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="")
def test_the_launch_gate_refuses_a_twilio_campaign_without_credentials(campaign):
    [problem] = carrier_problems(campaign=campaign)

    assert "TWILIO_ACCOUNT_SID" in problem


def test_a_paused_campaign_resumes_only_once_the_carrier_takes_calls_again(fake_twilio, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.PAUSED, carrier_problem="code 21215")
    fake_twilio.account_status = "suspended"

    with pytest.raises(Exception, match="suspended"):
        campaign_transition(campaign=campaign, to=CampaignStatus.RUNNING, by=campaign.created_by)

    fake_twilio.account_status = "active"
    resumed = campaign_transition(campaign=campaign, to=CampaignStatus.RUNNING, by=campaign.created_by)
    assert (resumed.status, resumed.carrier_problem) == (CampaignStatus.RUNNING, "")


def test_the_campaign_page_says_why_calling_paused_and_shows_both_costs(client_as, fake_twilio, call):
    CallAttempt.objects.filter(pk=call.pk).update(
        status=CallStatus.COMPLETED,
        duration_seconds=70,
        billed_minutes=2,
        cost=Decimal("0.18"),
        price=Decimal("0.034"),
        price_unit="USD",
    )
    campaign = call.contact.campaign
    campaign_pause_for_carrier(
        campaign=campaign,
        error=ProviderError(
            "Twilio refused the call (HTTP 400, code 21215): Account not authorized", kind="account", code=21215
        ),
    )

    page = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign", kwargs={"slug": campaign.slug})).text

    assert 'role="alert"' in page
    assert "<code>Twilio refused the call (HTTP 400, code 21215): Account not authorized</code>" in page
    assert "arvio 0,18 EUR; operaattorin laskuttama 0,03 USD (1/1 puhelua hinnoiteltu)" in page
    assert "<td >portaali</td>" in page


def test_a_number_error_in_a_failed_callback_retires_the_number(client, fake_twilio, call):
    Carrier(client, call).status("failed", ErrorCode="13224")

    assert ContactNumber.objects.get(pk=call.phone_id).carrier_refused
    # The person's only number does not work: nothing left to call.
    assert not CallAttempt.objects.filter(contact=call.contact, number=2).exists()


def test_a_failed_callback_with_a_code_of_no_known_meaning_spends_the_attempt_as_ever(client, fake_twilio, call):
    Carrier(client, call).status("failed", ErrorCode="64999")

    attempt = attempt_now(call)
    assert (attempt.status, attempt.error_code) == (CallStatus.FAILED, 64999)
    assert not ContactNumber.objects.get(pk=call.phone_id).carrier_refused
    assert CallAttempt.objects.get(contact=call.contact, number=2).status == CallStatus.PENDING


def test_a_temporary_failure_in_a_callback_places_the_same_attempt_again_and_late_callbacks_of_that_call_are_ignored(
    client, fake_twilio, call
):
    carrier = Carrier(client, call)
    carrier.sequence = 1
    carrier.status("failed", ErrorCode="20500")
    attempt = attempt_now(call)
    assert (attempt.status, attempt.number, attempt.provider_call_id) == (CallStatus.PENDING, 1, None)

    carrier.sequence = 0
    carrier.status("initiated")  # the old call's first callback, late

    attempt = attempt_now(call)
    assert (attempt.status, attempt.provider_call_id, attempt.placed_at) == (CallStatus.PENDING, None, None)
    assert not CallAttempt.objects.filter(number=2).exists()


def test_a_call_twilio_did_not_answer_for_is_left_to_the_sweep_and_never_dialled_again(
    fake_twilio, campaign, monkeypatch
):
    monkeypatch.setattr("surveys.telephony.twilio.REQUEST_TIMEOUT_SECONDS", 0.2)
    fake_twilio.delay_seconds = 1.0
    attempt = queued_attempt(campaign.contacts.get())

    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "unknown"

    attempt = attempt_now(attempt)
    assert (attempt.status, attempt.provider_call_id) == (CallStatus.DIALING, None)
    assert "did not answer" in attempt.error


def test_a_repeated_machine_verdict_hangs_up_once(client, fake_twilio, call):
    carrier = Carrier(client, call)
    carrier.answered()

    carrier.amd("machine_start")
    carrier.amd("machine_start")

    assert len(fake_twilio.calls_updated()) == 1


def test_a_webhook_for_a_provider_the_site_no_longer_offers_is_refused_not_a_500(client, fake_twilio, call, settings):
    settings.TELEPHONY_PROVIDERS = {"simulator": "surveys.telephony.simulator.SimulatorProvider"}

    response = signed_post(
        client, f"/telephony/status/{call.pk}/", {"CallSid": call.provider_call_id}, token=TWILIO_TOKEN
    )

    assert response.status_code == 403


def test_prices_of_a_provider_the_site_no_longer_offers_are_skipped(client, fake_twilio, call, settings):
    carrier = Carrier(client, call)
    carrier.answered()
    carrier.status("completed", CallDuration="75")
    settings.TELEPHONY_PROVIDERS = {"simulator": "surveys.telephony.simulator.SimulatorProvider"}

    assert call_prices_fetch(now=attempt_now(call).ended_at + timedelta(minutes=3)) == 0
