"""The SMS path against Twilio as it really behaves: its REST refusals (through the real SDK against the
local fake Twilio server), its signed webhooks (the SDK's own validator signs them) with the parameters
Twilio sends, and what the portal stores of what Twilio means."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.jobs import mail_carrier_problem
from surveys.messaging.segments import sms_segments
from surveys.messaging.simulator import SimulatorSmsProvider
from surveys.models import (
    Campaign,
    CampaignStatus,
    CampaignStatusChange,
    ConsentEvent,
    ContactStatus,
    DoNotCall,
    SmsMessage,
    SmsStatus,
)
from surveys.phone_numbers import phone_hash
from surveys.services.privacy import contacts_purge_expired
from surveys.services.sms import SmsOutcome, sms_link_send
from surveys.services.survey_links import LinkClosed, survey_link_open
from tests.conftest import make_user
from tests.surveys.calls import HELSINKI, NOON, running_campaign
from tests.surveys.telephony_fakes import TWILIO_ACCOUNT, TWILIO_TOKEN, signed_post, twilio_error

pytestmark = pytest.mark.django_db

NUMBER_SENDER = "+35893101691"
RESIDENT = "+358401234567"


@pytest.fixture
def twilio_site(settings):
    settings.SMS_PROVIDER, settings.SMS_SENDER = "twilio", NUMBER_SENDER
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.PUBLIC_BASE_URL = "https://kunta.example"


@pytest.fixture
def real_campaign(make_campaign, twilio_site) -> Campaign:
    return running_campaign(make_campaign, slug="oikea", telephony_provider="twilio", sms_follow_up=True)


@pytest.fixture
def messaged(real_campaign) -> SmsMessage:
    """The campaign's contact, sent the link through Twilio, its call finished."""
    contact = real_campaign.contacts.get()
    contact.status = ContactStatus.FINISHED
    contact.save(update_fields=["status"])
    return SmsMessage.objects.create(
        contact=contact,
        phone=contact.numbers.get(),
        provider="twilio",
        provider_message_id="SM" + "a" * 32,
        status=SmsStatus.DELIVERED,
        sender=NUMBER_SENDER,
        language="fi",
    )


def inbound(client, body: str, *, sender: str = RESIDENT, **extra):
    """A message a resident sent to the municipality's number, as Twilio posts it."""
    params = {
        "ToCountry": "FI",
        "SmsMessageSid": "SM" + "b" * 32,
        "NumMedia": "0",
        "SmsSid": "SM" + "b" * 32,
        "SmsStatus": "received",
        "Body": body,
        "To": NUMBER_SENDER,
        "NumSegments": "1",
        "MessageSid": "SM" + "b" * 32,
        "AccountSid": TWILIO_ACCOUNT,
        "From": sender,
        "FromCountry": "FI",
        "ApiVersion": "2010-04-01",
    } | extra
    response = signed_post(client, reverse("telephony:sms-inbound"), params, token=TWILIO_TOKEN)
    assert response.status_code == 200
    return response


def opted_out(message: SmsMessage) -> bool:
    message.contact.refresh_from_db()
    listed = DoNotCall.objects.filter(phone_hash=phone_hash(RESIDENT), source="sms").exists()
    return listed and message.contact.status == ContactStatus.OPTED_OUT


# --- Replies -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    # Twilio's own opt-out keywords: after any of them Twilio refuses every message to the number (21610).
    ["STOPALL", "Unsubscribe", "cancel", "END", "quit", "REVOKE", "optout", " Stop. "],
)
def test_each_of_twilios_opt_out_keywords_opts_the_resident_out(client, messaged, body):
    inbound(client, body)

    assert opted_out(messaged)
    assert list(ConsentEvent.objects.values_list("kind", "channel", "contact_ref")) == [
        ("opted_out", "sms", messaged.contact.pseudonym)
    ]


def test_a_word_twilios_advanced_opt_out_took_as_stop_opts_the_resident_out(client, messaged):
    """A Messaging Service's Advanced Opt-Out may have keywords of its own: Twilio says which it matched."""
    inbound(client, "Peru", OptOutType="STOP")

    assert opted_out(messaged)


@pytest.mark.parametrize("body", ["Älä soita", "älä soita enää!", "Älkää soittako minulle", "Stopp", "STOPP 🙏"])
def test_a_finnish_or_swedish_request_to_stop_opts_the_resident_out(client, messaged, body):
    inbound(client, body)

    assert opted_out(messaged)


@pytest.mark.parametrize("body", ["Ring inte", "ring inte mer!", "Ring mig inte", "Ring inte till mig"])
def test_a_swedish_dont_call_opts_the_resident_out_as_the_finnish_one_does(client, messaged, body):
    """ "Ring (mig) inte" is the Swedish "Älä soita": a Swedish speaker's request counts alike."""
    inbound(client, body)

    assert opted_out(messaged)


@pytest.mark.parametrize(
    "body", ["START", "unstop", "HELP", "Älä lopeta", "Ring mig imorgon", "End of story, I answered already"]
)
def test_an_opt_in_help_or_other_text_opts_no_one_out(client, messaged, body):
    inbound(client, body)

    assert not DoNotCall.objects.exists()
    assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "extra"), [("START", {}), ("unstop", {}), ("Yes", {}), ("Aloita", {"OptOutType": "START"})]
)
def test_an_opt_in_after_stop_keeps_the_number_off_and_is_logged_and_answered(client, messaged, body, extra):
    """Twilio's STOP confirmation says "Reply START to resubscribe", and Twilio delivers messages again
    after it; the portal's opt-out stays (an objection is not undone by a keyword whose meaning Twilio set),
    the consent log shows the resident asked, and the answer says what holds."""
    inbound(client, "STOP")

    response = inbound(client, body, **extra)

    assert opted_out(messaged)
    events = ConsentEvent.objects.order_by("pk").values_list("kind", "channel", "campaign_id", "contact_ref")
    assert list(events)[1:] == [("opt_in_no", "sms", messaged.contact.campaign_id, messaged.contact.pseudonym)]
    assert "Numerosi pysyy kunnan kyselyjen kieltolistalla" in response.content.decode()


def test_an_opt_in_from_a_number_on_the_registry_that_was_never_messaged_is_logged_without_a_contact(
    client, twilio_site, db
):
    inbound(client, "LOPETA", sender="+358501112223")

    inbound(client, "START", sender="+358501112223")

    assert DoNotCall.objects.filter(phone_hash=phone_hash("+358501112223")).exists()
    assert list(ConsentEvent.objects.order_by("pk").values_list("kind", "campaign_id", "contact_ref")) == [
        ("opted_out", None, None),
        ("opt_in_no", None, None),
    ]


def test_a_stop_from_a_number_messaged_in_two_campaigns_is_answered_in_the_language_of_the_last_message(
    client, messaged, make_campaign
):
    """The resident answers the message they got last: its language is theirs, whatever the first one's was."""
    SmsMessage.objects.filter(pk=messaged.pk).update(language="sv")
    later = running_campaign(make_campaign, slug="toinen", telephony_provider="twilio").contacts.get()
    SmsMessage.objects.create(
        contact=later,
        phone=later.numbers.get(),
        provider="twilio",
        provider_message_id="SM" + "c" * 32,
        status=SmsStatus.DELIVERED,
        sender=NUMBER_SENDER,
        language="fi",
    )

    response = inbound(client, "LOPETA")

    assert "Kunnan kyselyt eivät enää soita numeroosi" in response.content.decode()
    later.refresh_from_db()
    assert opted_out(messaged) and later.status == ContactStatus.OPTED_OUT


# --- Sending -----------------------------------------------------------------------------------------


def test_a_link_names_no_day_after_the_campaigns_numbers_and_links_are_purged(make_campaign):
    """Numbers kept 3 days after the last calling day (19.12.): the purge of 23.12. deletes the link, so
    its message must not promise the usual 14 days (24.12.) - it names 22.12., and the link opens until then."""
    contact = running_campaign(make_campaign, slug="lyhyt", number_retention_days=3).contacts.get()
    SimulatorSmsProvider.outbox.clear()

    sms_link_send(contact=contact, now=NOON)

    body = SimulatorSmsProvider.outbox[-1].body
    assert "Vastaa 22.12.2025 mennessä omalla linkilläsi:" in body
    token = re.search(r"/vastaa/([\w-]+)/", body)[1]
    assert survey_link_open(token=token, now=datetime(2025, 12, 22, 23, 59, tzinfo=HELSINKI)).contact == contact
    assert contacts_purge_expired(today=date(2025, 12, 23)).removed["survey_links"] == 1


def test_the_link_opens_all_through_the_last_day_its_message_names(make_campaign, settings):
    """ "Svara senast 24.12.2025" - "answer by 24 December": the link sent at noon must not close at noon."""
    contact = running_campaign(make_campaign, slug="viestit").contacts.get()
    SimulatorSmsProvider.outbox.clear()

    sms_link_send(contact=contact, now=NOON)

    body = SimulatorSmsProvider.outbox[-1].body
    last_day = (NOON + timedelta(days=settings.SMS_LINK_VALID_DAYS)).date()
    assert f"Vastaa {last_day:%-d.%-m.%Y} mennessä omalla linkilläsi:" in body
    token = re.search(r"/vastaa/([\w-]+)/", body)[1]
    evening = datetime.combine(last_day, time(23, 59), tzinfo=HELSINKI)
    assert survey_link_open(token=token, now=evening).contact == contact
    with pytest.raises(LinkClosed):
        survey_link_open(token=token, now=datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=HELSINKI))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "answer", ["error", "timeout"], ids=["a 500 after taking it", "no answer in time after taking it"]
)
def test_a_status_report_that_came_before_twilios_failed_answer_keeps_the_message_delivered_and_sent_once(
    make_campaign, twilio_site, fake_twilio, monkeypatch, answer
):
    """Twilio took the message and reported it delivered (its status callback can come before the REST
    answer), but the answer to the request was an error or never came: the message went, once."""
    contact = running_campaign(make_campaign, slug="kilpa", telephony_provider="twilio").contacts.get()
    sid = "SM" + "d" * 32
    answers = {"error": twilio_error(500, 20500, "Internal Server Error"), "timeout": None}
    if answer == "timeout":
        monkeypatch.setattr("surveys.telephony.twilio.REQUEST_TIMEOUT_SECONDS", 0.5)
        fake_twilio.delay_seconds = 1.5
    taking = fake_twilio.answer

    def takes_and_reports(method, path, form, query):
        """Twilio's side: the message is created and its delivery reported (from the server's thread,
        over its own database connection) before the REST answer goes."""
        callback = form["StatusCallback"][0].removeprefix("https://kunta.example")
        params = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": TWILIO_ACCOUNT, "To": RESIDENT}
        try:
            assert signed_post(Client(), callback, params, token=TWILIO_TOKEN).status_code == 204
        finally:
            connection.close()
        return answers[answer] or taking(method, path, form, query)

    fake_twilio.answer = takes_and_reports

    sms_link_send(contact=contact, now=NOON)

    message = SmsMessage.objects.get()
    assert (message.status, message.provider_message_id) == (SmsStatus.DELIVERED, sid)
    fake_twilio.answer = taking
    assert sms_link_send(contact=contact, now=NOON + timedelta(minutes=5)).outcome == SmsOutcome.ALREADY_SENT
    assert len(fake_twilio.requests) == 1


def test_a_region_twilio_may_not_text_pauses_the_campaign_and_the_message_waits(
    real_campaign, fake_twilio, django_capture_on_commit_callbacks
):
    """21408: the account has no permission to text Finnish numbers - every message would fail alike."""
    fake_twilio.errors = [
        twilio_error(
            400,
            21408,
            "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: "
            "+358401234567.",
        )
    ]
    contact = real_campaign.contacts.get()

    with django_capture_on_commit_callbacks(execute=True):
        result = sms_link_send(contact=contact, now=NOON)

    assert result.outcome == SmsOutcome.NOT_SENT
    message = SmsMessage.objects.get()
    assert (message.status, message.error_code) == (SmsStatus.NOT_SENT, 21408)
    real_campaign.refresh_from_db()
    assert (real_campaign.status, real_campaign.carrier_problem_code) == (CampaignStatus.PAUSED, 21408)


def test_managers_are_told_the_sms_provider_refused_a_text_message_not_that_calls_were_refused(
    real_campaign, fake_twilio, client, django_capture_on_commit_callbacks, mailoutbox
):
    fake_twilio.errors = [twilio_error(400, 21408, "Permission to send an SMS has not been enabled for the region")]
    with django_capture_on_commit_callbacks(execute=True):
        sms_link_send(contact=real_campaign.contacts.get(), now=NOON)

    assert mail_carrier_problem(real_campaign.pk) == "sent"
    [mail] = mailoutbox
    assert "Tekstiviestipalvelu hylkäsi kampanjan Kampanja oikea tekstiviestin" in mail.body
    assert "puhelut" not in mail.body
    client.force_login(make_user("viesti-manager", Role.SURVEY_MANAGER))
    page = client.get(reverse("surveys:campaign", kwargs={"slug": real_campaign.slug})).content.decode()
    assert "tekstiviestipalvelu hylkäsi kampanjan tekstiviestin" in page
    assert "operaattori hylkäsi puhelut" not in page


def test_a_number_that_told_twilio_stop_is_opted_out_when_twilio_refuses_it(real_campaign, fake_twilio):
    """21610: the resident replied STOP to the municipality's number (perhaps while the portal was down):
    Twilio will deliver nothing to them, and the portal's message promised that STOP ends the calls too."""
    fake_twilio.errors = [twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")]
    contact = real_campaign.contacts.get()

    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.FAILED

    message = SmsMessage.objects.get()
    assert (message.status, message.error_code) == (SmsStatus.FAILED, 21610)
    assert DoNotCall.objects.filter(phone_hash=phone_hash(RESIDENT), source="sms").exists()
    contact.refresh_from_db()
    assert contact.status == ContactStatus.OPTED_OUT
    assert list(ConsentEvent.objects.values_list("kind", "channel", "contact_ref")) == [
        ("opted_out", "sms", contact.pseudonym)
    ]


def test_a_status_report_of_a_message_failed_for_an_unsubscribed_recipient_opts_the_resident_out(client, messaged):
    SmsMessage.objects.filter(pk=messaged.pk).update(status=SmsStatus.QUEUED)
    path = reverse("telephony:sms-status", kwargs={"message_id": messaged.pk})
    params = {
        "MessageSid": messaged.provider_message_id,
        "SmsSid": messaged.provider_message_id,
        "AccountSid": TWILIO_ACCOUNT,
        "From": NUMBER_SENDER,
        "To": RESIDENT,
        "MessageStatus": "failed",
        "SmsStatus": "failed",
        "ErrorCode": "21610",
        "ApiVersion": "2010-04-01",
    }

    assert signed_post(client, path, params, token=TWILIO_TOKEN).status_code == 204

    messaged.refresh_from_db()
    assert (messaged.status, messaged.error_code) == (SmsStatus.FAILED, 21610)
    assert opted_out(messaged)


def test_a_message_the_operators_filtered_pauses_the_campaign_and_says_it_was_not_delivered(
    client, messaged, django_capture_on_commit_callbacks, mailoutbox
):
    """30007: an operator filtered the message out, as Finnish operators do to every message of a sender
    ID not authorized with Traficom. Twilio reports it only in the status callback (the send was accepted,
    and each part is billed), so every later message of the campaign would be billed and filtered alike."""
    SmsMessage.objects.filter(pk=messaged.pk).update(status=SmsStatus.SENT)
    path = reverse("telephony:sms-status", kwargs={"message_id": messaged.pk})
    params = {
        "MessageSid": messaged.provider_message_id,
        "AccountSid": TWILIO_ACCOUNT,
        "From": NUMBER_SENDER,
        "To": RESIDENT,
        "MessageStatus": "undelivered",
        "ErrorCode": "30007",
        "ApiVersion": "2010-04-01",
    }

    with django_capture_on_commit_callbacks(execute=True):
        assert signed_post(client, path, params, token=TWILIO_TOKEN).status_code == 204
        assert signed_post(client, path, params, token=TWILIO_TOKEN).status_code == 204  # Twilio repeats it

    messaged.refresh_from_db()
    assert (messaged.status, messaged.error_code) == (SmsStatus.UNDELIVERED, 30007)
    campaign = messaged.contact.campaign
    campaign.refresh_from_db()
    assert (campaign.status, campaign.carrier_problem_code) == (CampaignStatus.PAUSED, 30007)
    assert campaign.carrier_problem_in_messages
    assert campaign.carrier_problem == "Status report: undelivered, error 30007"
    assert CampaignStatusChange.objects.filter(campaign=campaign, to_status=CampaignStatus.PAUSED).count() == 1
    assert mail_carrier_problem(campaign.pk) == "sent"
    assert len(mailoutbox) == 1
    client.force_login(make_user("suodatettu-manager", Role.SURVEY_MANAGER))
    page = " ".join(client.get(reverse("surveys:campaign", kwargs={"slug": campaign.slug})).text.split())
    assert "tekstiviestipalvelu hylkäsi kampanjan tekstiviestin" in page
    assert "<code>Status report: undelivered, error 30007</code>" in page
    assert "viestiä, jonka se otti vastaan ja ilmoitti jääneen toimittamatta, ei lähetetä" in page


def test_a_late_report_of_a_message_filtered_before_the_resume_does_not_pause_the_campaign_again(client, messaged):
    """The managers fixed the sender's authorization and resumed: a report that comes after, of a message
    sent before (reports come minutes late), tells of the set-up they fixed, not of the one now in use."""
    sent_at = datetime(2026, 3, 2, 11, 0, tzinfo=HELSINKI)
    SmsMessage.objects.filter(pk=messaged.pk).update(status=SmsStatus.SENT, sent_at=sent_at)
    campaign = messaged.contact.campaign
    resume = CampaignStatusChange.objects.create(
        campaign=campaign, from_status=CampaignStatus.PAUSED, to_status=CampaignStatus.RUNNING
    )
    CampaignStatusChange.objects.filter(pk=resume.pk).update(changed_at=sent_at + timedelta(minutes=5))
    params = {"MessageSid": messaged.provider_message_id, "MessageStatus": "undelivered", "ErrorCode": "30007"}

    path = reverse("telephony:sms-status", kwargs={"message_id": messaged.pk})
    assert signed_post(client, path, params, token=TWILIO_TOKEN).status_code == 204

    messaged.refresh_from_db()
    assert (messaged.status, messaged.error_code) == (SmsStatus.UNDELIVERED, 30007)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.carrier_problem, campaign.carrier_problem_code) == (
        CampaignStatus.RUNNING,
        "",
        None,
    )


def test_a_report_that_comes_before_the_sending_is_stored_of_a_message_held_over_a_resume_still_pauses(
    client, messaged
):
    """A message held back while the campaign was paused (made before the resume) is sent after it, and
    its report can come before the sending's time is stored: it tells of the set-up in use now."""
    created = datetime(2026, 3, 2, 11, 0, tzinfo=HELSINKI)
    SmsMessage.objects.filter(pk=messaged.pk).update(status=SmsStatus.PENDING, sent_at=None, created_at=created)
    campaign = messaged.contact.campaign
    resume = CampaignStatusChange.objects.create(
        campaign=campaign, from_status=CampaignStatus.PAUSED, to_status=CampaignStatus.RUNNING
    )
    CampaignStatusChange.objects.filter(pk=resume.pk).update(changed_at=created + timedelta(minutes=5))
    params = {"MessageSid": messaged.provider_message_id, "MessageStatus": "undelivered", "ErrorCode": "30007"}

    path = reverse("telephony:sms-status", kwargs={"message_id": messaged.pk})
    assert signed_post(client, path, params, token=TWILIO_TOKEN).status_code == 204

    campaign.refresh_from_db()
    assert (campaign.status, campaign.carrier_problem_code) == (CampaignStatus.PAUSED, 30007)


@pytest.mark.parametrize("status", [CampaignStatus.COMPLETED, CampaignStatus.CANCELLED])
def test_a_late_report_of_a_filtered_message_leaves_an_ended_campaign_as_it_was(client, messaged, status):
    """Reports come minutes after the message: one after the campaign ended must not put "calling was
    paused" on its page."""
    SmsMessage.objects.filter(pk=messaged.pk).update(status=SmsStatus.SENT)
    Campaign.objects.filter(pk=messaged.contact.campaign_id).update(status=status)
    params = {"MessageSid": messaged.provider_message_id, "MessageStatus": "undelivered", "ErrorCode": "30007"}

    path = reverse("telephony:sms-status", kwargs={"message_id": messaged.pk})
    assert signed_post(client, path, params, token=TWILIO_TOKEN).status_code == 204

    messaged.refresh_from_db()
    assert (messaged.status, messaged.error_code) == (SmsStatus.UNDELIVERED, 30007)
    campaign = Campaign.objects.get(pk=messaged.contact.campaign_id)
    assert (campaign.status, campaign.carrier_problem, campaign.carrier_problem_code) == (status, "", None)


# --- Parts -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        # A character of the GSM extension table (escape + character) is never split between parts: the
        # euro sign that would start on the 153rd septet goes whole to the next part.
        ("a" * 152 + "€" + "a" * 151, 2),
        ("a" * 152 + "€" + "a" * 152, 3),
        # Nor is a character outside the Basic Multilingual Plane (a surrogate pair) in UCS-2.
        ("ł" * 66 + "🙂" + "ł" * 65, 2),
        ("ł" * 66 + "🙂" + "ł" * 66, 3),
    ],
)
def test_a_character_is_never_split_between_two_parts(text, segments):
    assert sms_segments(text) == segments
