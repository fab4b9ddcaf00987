"""Text messages: the SMS with a contact's survey link (through the simulator and through Twilio's real
SDK against the local fake Twilio server), what the provider reports of it, and residents' replies."""

import hashlib
import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from surveys.calling_window import next_open_moment
from surveys.jobs import send_survey_link
from surveys.messaging.base import InboundMessage, MessageStatusUpdate
from surveys.messaging.segments import sms_segments
from surveys.messaging.simulator import SimulatorSmsProvider
from surveys.messaging.twilio import TwilioSmsProvider
from surveys.models import (
    Campaign,
    CampaignStatus,
    ConsentEvent,
    ContactNumber,
    ContactStatus,
    DoNotCall,
    ResponseMode,
    ResponseStatus,
    SmsMessage,
    SmsStatus,
    SurveyLink,
)
from surveys.phone_numbers import phone_encrypt, phone_hash
from surveys.services.privacy import contacts_purge_expired, opt_out_register
from surveys.services.sms import (
    SENDING_STALE_AFTER,
    STOP_REPLIES,
    SmsOutcome,
    SmsSendResult,
    sms_link_enqueue,
    sms_link_send,
    sms_reply_receive,
    sms_status_receive,
)
from surveys.services.survey_links import survey_link_open
from tests.surveys.calls import HELSINKI, NOON, running_campaign
from tests.surveys.interview_codes import response_answering
from tests.surveys.telephony_fakes import TWILIO_ACCOUNT, twilio_error


@pytest.fixture
def contact(make_campaign):
    return running_campaign(make_campaign, slug="viestit").contacts.get()


# A municipality's authorized Finnish number: through Twilio, an international interface, operators
# deliver no messages from a name sender.
NUMBER_SENDER = "+35893101691"


@pytest.fixture
def twilio_contact(make_campaign, settings):
    """A contact of a campaign that calls real people, messaged through Twilio from a number."""
    settings.SMS_PROVIDER, settings.SMS_SENDER = "twilio", NUMBER_SENDER
    return running_campaign(make_campaign, slug="viestit", telephony_provider="twilio").contacts.get()


@pytest.fixture
def message(contact) -> SmsMessage:
    return SmsMessage.objects.create(
        contact=contact,
        phone=contact.numbers.get(),
        provider="simulator",
        provider_message_id="SMSIM1",
        status=SmsStatus.QUEUED,
        sender="Kuntakysely",
        language="sv",
    )


def report(message: SmsMessage, status: str, **fields) -> SmsMessage:
    sms_status_receive(message_id=message.pk, update=MessageStatusUpdate("SMSIM1", status, **fields), now=NOON)
    message.refresh_from_db()
    return message


def test_a_message_moves_forward_with_its_reports(message):
    assert report(message, SmsStatus.SENT).status == SmsStatus.SENT
    assert report(message, SmsStatus.DELIVERED).status == SmsStatus.DELIVERED
    assert message.status_at == NOON


def test_a_late_report_changes_nothing(message):
    report(message, SmsStatus.DELIVERED)

    assert report(message, SmsStatus.SENT).status == SmsStatus.DELIVERED
    assert report(message, SmsStatus.QUEUED).status == SmsStatus.DELIVERED


def test_a_final_status_stays(message):
    report(message, SmsStatus.UNDELIVERED, error_code=30003)

    assert report(message, SmsStatus.DELIVERED).status == SmsStatus.UNDELIVERED
    assert message.error_code == 30003


def test_a_report_of_another_message_changes_nothing(message):
    sms_status_receive(message_id=message.pk, update=MessageStatusUpdate("SMSIM2", SmsStatus.DELIVERED))

    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED


def test_a_report_arriving_before_the_providers_answer_was_stored_names_the_message(message):
    SmsMessage.objects.filter(pk=message.pk).update(provider_message_id=None, status=SmsStatus.PENDING)

    message = report(message, SmsStatus.SENT)

    assert (message.status, message.provider_message_id) == (SmsStatus.SENT, "SMSIM1")


@pytest.mark.parametrize("body", ["STOP", "stop", " Lopeta. ", "LOPETA kiitos", "Sluta", "sluta!"])
def test_a_stop_reply_opts_the_messaged_contact_out_on_the_sms_channel(message, contact, body):
    contact.status = ContactStatus.FINISHED  # the message came after the last call
    contact.save(update_fields=["status"])

    reply = sms_reply_receive(inbound=InboundMessage(sender="+358401234567", body=body))

    assert DoNotCall.objects.filter(phone_hash=phone_hash("+358401234567"), source="sms").exists()
    assert list(ConsentEvent.objects.values_list("kind", "channel", "campaign", "contact_ref")) == [
        ("opted_out", "sms", contact.campaign_id, contact.pseudonym)
    ]
    contact.refresh_from_db()
    assert contact.status == ContactStatus.OPTED_OUT
    # In the language of the message it answers.
    assert reply == "Kommunens enkäter ringer inte längre till ditt nummer och skickar inga meddelanden till det."


def test_a_stop_from_a_number_never_messaged_still_goes_on_the_registry(db):
    reply = sms_reply_receive(inbound=InboundMessage(sender="+358 50 765 4321", body="stop"))

    assert reply
    assert DoNotCall.objects.filter(phone_hash=phone_hash("+358507654321"), source="sms").exists()
    assert list(ConsentEvent.objects.values_list("kind", "channel", "contact_ref")) == [("opted_out", "sms", None)]


@pytest.mark.parametrize(
    ("sender", "body"),
    [
        ("+358401234567", "Kiitos, vastasin jo"),
        ("+358401234567", "Älä lopeta"),
        ("+358401234567", ""),
        ("Operaattori", "STOP"),
    ],
)
def test_any_other_message_is_neither_stored_nor_answered(message, sender, body):
    assert sms_reply_receive(inbound=InboundMessage(sender=sender, body=body)) == ""

    assert not DoNotCall.objects.exists()
    assert not ConsentEvent.objects.exists()


# --- Sending the survey link ------------------------------------------------------------------------


def sent_link(body: str) -> str:
    """The survey link's token in a message's text."""
    return re.search(r"/(?:answer|vastaa|svara)/([\w-]+)/", body)[1]


def test_the_link_is_sent_once_inside_the_calling_window(contact, settings):
    settings.PUBLIC_BASE_URL = "https://kunta.example"
    outbox = SimulatorSmsProvider.outbox
    outbox.clear()

    result = sms_link_send(contact=contact, now=NOON)

    assert result == SmsSendResult(SmsOutcome.SENT)
    [sent] = outbox
    message = SmsMessage.objects.get(contact=contact)
    assert (message.status, message.provider, message.provider_message_id) == ("queued", "simulator", sent.message_id)
    assert (message.sender, message.language, message.sent_at, message.phone) == (
        "Kuntakysely",
        "fi",
        NOON,
        contact.numbers.get(),
    )
    assert message.segments == sms_segments(sent.body)
    assert message.cost == message.segments * settings.SMS_PRICE_PER_SEGMENT
    assert (sent.to, sent.sender) == ("+358401234567", "Kuntakysely")
    assert sent.status_callback == f"https://kunta.example/telephony/sms/status/{message.pk}/"
    token = sent_link(sent.body)
    assert f"\nhttps://kunta.example/fi/vastaa/{token}/\n" in sent.body
    assert "\nhttps://kunta.example/fi/kyselyt/viestit/\n" in sent.body
    assert sent.body.startswith("Esimerkkilän kunta kysyy asukkailta: Kuntastrategiakysely\n")
    link = survey_link_open(token=token, now=NOON)
    # Open all through the 14th day, the last day its message names.
    assert (link.contact, link.expires_at) == (contact, datetime(2025, 12, 24, 23, 59, 59, 999999, tzinfo=HELSINKI))

    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.ALREADY_SENT
    assert len(outbox) == 1


def test_only_the_hash_of_the_links_token_is_stored(contact):
    SimulatorSmsProvider.outbox.clear()

    sms_link_send(contact=contact, now=NOON)

    token = sent_link(SimulatorSmsProvider.outbox[-1].body)
    assert SurveyLink.objects.get().token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not SurveyLink.objects.filter(token_hash__contains=token).exists()


@pytest.mark.parametrize(
    ("moment", "opens"),
    [
        (NOON.replace(hour=20, minute=30), NOON.replace(day=11, hour=10)),
        (NOON.replace(day=13), NOON.replace(day=15, hour=10)),  # a Saturday: Monday morning
    ],
)
def test_outside_the_calling_window_nothing_is_sent_until_it_opens(contact, moment, opens):
    result = sms_link_send(contact=contact, now=moment)

    assert result == SmsSendResult(SmsOutcome.OUTSIDE_WINDOW, opens)
    assert not SmsMessage.objects.exists()
    assert not SurveyLink.objects.exists()


def test_a_campaign_that_is_not_calling_sends_nothing(contact):
    Campaign.objects.filter(pk=contact.campaign_id).update(status=CampaignStatus.PAUSED)

    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.NOT_RUNNING
    assert not SmsMessage.objects.exists()


def test_an_opted_out_number_gets_nothing(contact):
    opt_out_register(raw_number="040 123 4567", source="web")

    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.OPTED_OUT
    assert not SmsMessage.objects.exists()


def test_a_contact_who_completed_by_phone_gets_nothing(contact):
    response_answering(contact, [1, 2, 3, 4], status=ResponseStatus.COMPLETE, mode=ResponseMode.PHONE)

    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.COMPLETED


def test_a_contact_who_hung_up_after_answering_enough_to_be_a_complete_gets_nothing(contact):
    # The report counts them (AAPOR I): a link to the last question would cost and buy nothing.
    response_answering(contact, [1, 2, 3], mode=ResponseMode.PHONE)

    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.COMPLETED
    assert not SmsMessage.objects.exists()


def test_the_message_goes_to_the_contacts_mobile_number_and_a_landline_gets_none(make_campaign):
    campaign = running_campaign(make_campaign, slug="numerot", numbers=("09 310 1691",))
    landline_only = campaign.contacts.get()
    assert sms_link_send(contact=landline_only, now=NOON).outcome == SmsOutcome.NO_MOBILE_NUMBER

    second = ContactNumber.objects.create(
        contact=landline_only,
        campaign=campaign,
        position=2,
        phone_encrypted=phone_encrypt("+358457123456"),
        phone_hash=phone_hash("+358457123456"),
    )
    SimulatorSmsProvider.outbox.clear()

    assert sms_link_send(contact=landline_only, now=NOON).outcome == SmsOutcome.SENT
    assert SimulatorSmsProvider.outbox[-1].to == "+358457123456"
    assert SmsMessage.objects.get().phone == second


def test_a_number_sender_asks_for_a_stop_reply_in_the_messages_language(contact, settings):
    settings.SMS_SENDER = "+358 40 765 4321"
    contact.language = "sv"
    contact.save(update_fields=["language"])
    version = contact.campaign.survey_version
    version.offers_sv, version.title_sv = True, "Kommunenkät"
    version.save()

    sms_link_send(contact=contact, now=NOON)

    body = SimulatorSmsProvider.outbox[-1].body
    assert "/sv/" in body and "SLUTA" in body
    assert SimulatorSmsProvider.outbox[-1].sender == "+358407654321"


def test_a_name_sender_names_the_answer_pages_opt_out_and_asks_for_no_reply(contact):
    sms_link_send(contact=contact, now=NOON)

    body = SimulatorSmsProvider.outbox[-1].body
    assert body.endswith("\nVoit kieltää soitot ja viestit vastaussivulla.")
    assert not any(word in body for word in ("LOPETA", "SLUTA", "STOP", "Reply"))


def test_typographic_punctuation_of_a_title_keeps_the_message_in_the_gsm_alphabet(contact):
    version = contact.campaign.survey_version
    version.title_fi = "Kunta 2030 – mikä on “tärkeää”?"
    version.save()

    sms_link_send(contact=contact, now=NOON)

    body = SimulatorSmsProvider.outbox[-1].body
    assert 'Kunta 2030 - mikä on "tärkeää"?' in body
    # Parts of 153 characters of the GSM alphabet, not of 67 of UCS-2.
    assert SmsMessage.objects.get().segments == math.ceil(len(body) / 153)


# A municipality's portal, as residents would be sent to it: longer than the demo's address.
REAL_SITE = "https://kuntaportaali.esimerkkila.fi"
DEMO_TITLES = {
    "fi": "Kaupunkistrategia 2030 – mikä sinulle on tärkeää?",
    "sv": "Stadsstrategi 2030 – vad är viktigt för dig?",
    "en": "City strategy 2030 – what matters to you?",
}


def survey_titled(contact, titles: dict[str, str], organiser: str = "Esimerkkilän kaupunki") -> None:
    version = contact.campaign.survey_version
    version.title_fi, version.title_sv, version.title_en = titles["fi"], titles["sv"], titles["en"]
    version.offers_sv = version.offers_en = True
    version.save()
    survey = version.survey
    survey.organiser = organiser
    survey.save()


@pytest.mark.parametrize("sender", ["Kuntakysely", "+358 40 765 4321"])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_message_takes_two_parts_on_a_real_sites_address(contact, settings, sender, language):
    """Every part is billed: the demo survey's message fits two of 153 characters in every language,
    from a name or a number, with the portal's real address in both of its links."""
    settings.PUBLIC_BASE_URL, settings.SMS_SENDER = REAL_SITE, sender
    survey_titled(contact, DEMO_TITLES)
    contact.language = language
    contact.save(update_fields=["language"])

    sms_link_send(contact=contact, now=NOON)

    body = SimulatorSmsProvider.outbox[-1].body
    message = SmsMessage.objects.get()
    assert (message.segments, message.cost) == (2, 2 * settings.SMS_PRICE_PER_SEGMENT)
    assert message.segments == sms_segments(body)
    assert body.startswith("Esimerkkilän kaupunki ")
    token = sent_link(body)
    lines = body.split("\n")
    assert f"{REAL_SITE}/{language}/" in lines[2] and lines[2].endswith(f"/{token}/")
    assert lines[4].startswith(f"{REAL_SITE}/{language}/") and lines[4].endswith("/viestit/")
    assert "24.12.2025" in lines[1] or "24/12/2025" in lines[1]
    assert (STOP_REPLIES[language] in lines[5]) == sender.startswith("+")


def test_a_short_title_is_named_in_the_message(contact, settings):
    settings.PUBLIC_BASE_URL = REAL_SITE
    survey_titled(contact, {"fi": "Kirjaston aukioloajat", "sv": "", "en": ""})

    sms_link_send(contact=contact, now=NOON)

    body = SimulatorSmsProvider.outbox[-1].body
    assert body.startswith("Esimerkkilän kaupunki kysyy asukkailta: Kirjaston aukioloajat\n")
    assert SmsMessage.objects.get().segments == 2


def test_a_swedish_message_names_the_organiser_in_swedish(contact, settings):
    settings.PUBLIC_BASE_URL = REAL_SITE
    survey_titled(contact, {"fi": "Kirjaston aukioloajat", "sv": "Bibliotekets öppettider", "en": ""})
    survey = contact.campaign.survey_version.survey
    survey.organiser_sv = "Exempelby stad"
    survey.save()
    contact.language = "sv"
    contact.save(update_fields=["language"])

    sms_link_send(contact=contact, now=NOON)

    body = SimulatorSmsProvider.outbox[-1].body
    assert body.startswith("Exempelby stad frågar invånarna: Bibliotekets öppettider\n")


def test_a_title_that_would_make_a_third_part_is_left_to_the_survey_page(contact, settings):
    settings.PUBLIC_BASE_URL = REAL_SITE
    survey_titled(contact, DEMO_TITLES)

    sms_link_send(contact=contact, now=NOON)

    body = SimulatorSmsProvider.outbox[-1].body
    assert "Kaupunkistrategia" not in body
    assert body.startswith("Esimerkkilän kaupunki kysyy asukkaiden mielipidettä.\n")
    assert f"\n{REAL_SITE}/fi/kyselyt/viestit/\n" in body
    assert SmsMessage.objects.get().segments == 2


def test_a_message_too_long_for_two_parts_even_without_its_title_keeps_it_and_is_billed_whole(contact, settings):
    settings.PUBLIC_BASE_URL = "https://www.esimerkkilan-kaupunki.fi/asukkaille/osallistu-ja-vaikuta/kuntaportaali"
    survey_titled(contact, DEMO_TITLES, organiser="Esimerkkilän kaupungin konsernihallinto")

    sms_link_send(contact=contact, now=NOON)

    body = SimulatorSmsProvider.outbox[-1].body
    # Leaving the title out would not save a part.
    assert body.startswith("Esimerkkilän kaupungin konsernihallinto kysyy asukkailta: Kaupunkistrategia 2030 - ")
    message = SmsMessage.objects.get()
    assert message.segments == sms_segments(body) == 3
    assert message.cost == 3 * settings.SMS_PRICE_PER_SEGMENT


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("ä" * 306, 2),
        ("ä" * 307, 3),
        ("€" * 80, 1),
        ("€" * 81, 2),
        ("ł" * 70, 1),
        ("ł" * 71, 2),
        ("ł" * 134, 2),
    ],
)
def test_a_message_is_billed_in_parts_of_its_alphabet(text, segments):
    assert sms_segments(text) == segments


@pytest.mark.parametrize(
    "change", [{"SMS_PROVIDERS": {}}, {"SMS_SENDER": "Kuntaportaali"}, {"SMS_SENDER": "+44 20 7946 0958"}]
)
def test_a_site_without_a_provider_or_a_deliverable_sender_sends_nothing(contact, settings, change):
    for name, value in change.items():
        setattr(settings, name, value)

    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.NOT_CONFIGURED
    assert not SmsMessage.objects.exists()


def test_through_twilio_the_message_is_created_with_its_status_callback(twilio_contact, fake_twilio, settings):
    contact = twilio_contact

    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.SENT

    [request] = fake_twilio.requests
    message = SmsMessage.objects.get()
    assert request["path"] == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Messages.json"
    assert request["form"]["To"] == ["+358401234567"]
    assert request["form"]["From"] == [NUMBER_SENDER]
    assert request["form"]["StatusCallback"] == [f"https://kunta.example/telephony/sms/status/{message.pk}/"]
    assert f"https://kunta.example/fi/vastaa/{sent_link(request['form']['Body'][0])}/" in request["form"]["Body"][0]
    assert (message.provider, message.provider_message_id, message.status) == ("twilio", f"SM{1:032x}", "queued")


def test_a_number_twilio_refuses_is_never_messaged_again(twilio_contact, fake_twilio, settings):
    contact = twilio_contact
    fake_twilio.reply = twilio_error(400, 21614, "'To' number +358401234567 is not a valid mobile number")

    assert sms_link_send(contact=contact, now=NOON) == SmsSendResult(SmsOutcome.FAILED)
    fake_twilio.reply = None
    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.ALREADY_SENT

    message = SmsMessage.objects.get()
    assert (message.status, message.error_code) == (SmsStatus.FAILED, 21614)
    assert "401234567" not in message.error
    assert len(fake_twilio.requests) == 1


def test_a_message_twilio_could_not_take_is_sent_later_once(twilio_contact, fake_twilio, settings):
    contact = twilio_contact
    fake_twilio.errors = [twilio_error(429, 20429, "Too Many Requests")]

    result = sms_link_send(contact=contact, now=NOON)

    assert result == SmsSendResult(SmsOutcome.NOT_SENT, NOON + timedelta(minutes=2))
    assert SmsMessage.objects.get().status == SmsStatus.NOT_SENT
    assert sms_link_send(contact=contact, now=result.retry_at).outcome == SmsOutcome.SENT
    assert sms_link_send(contact=contact, now=result.retry_at).outcome == SmsOutcome.ALREADY_SENT
    message = SmsMessage.objects.get()
    assert (message.status, message.error, message.error_code) == (SmsStatus.QUEUED, "", None)
    assert len(fake_twilio.requests) == 2


def message_requests(fake_twilio) -> list[str]:
    return [request["method"] for request in fake_twilio.requests if request["path"].endswith("/Messages.json")]


def test_a_message_twilio_took_but_answered_503_is_found_and_never_sent_twice(twilio_contact, fake_twilio):
    """Twilio's edge answered 503 after its messaging had taken the message: the resident has it."""
    contact = twilio_contact
    fake_twilio.answers_lost = [twilio_error(503, 20503, "Service Unavailable")]

    result = sms_link_send(contact=contact, now=NOON)

    assert result == SmsSendResult(SmsOutcome.UNCONFIRMED, NOON + timedelta(minutes=2))
    assert SmsMessage.objects.get().status == SmsStatus.UNCONFIRMED
    assert sms_link_send(contact=contact, now=result.retry_at).outcome == SmsOutcome.ALREADY_SENT
    assert message_requests(fake_twilio) == ["POST", "GET"]
    [listed] = [request["query"] for request in fake_twilio.requests if request["method"] == "GET"]
    assert (listed["To"], listed["From"]) == (["+358401234567"], [NUMBER_SENDER])
    message = SmsMessage.objects.get()
    assert (message.status, message.provider_message_id) == (SmsStatus.QUEUED, fake_twilio.messages[0]["sid"])
    link = sent_link(fake_twilio.messages[0]["body"])
    assert survey_link_open(token=link, now=NOON).contact == contact, "the link the resident got still opens"


def test_a_message_whose_connection_closed_before_twilio_answered_is_looked_up_not_sent_again(
    twilio_contact, fake_twilio
):
    """Twilio took the message, then the connection closed before its answer ("Connection aborted"): the
    request had gone, unlike a connection refused, yet it was taken as not sent and sent again."""
    fake_twilio.answers_lost = [None]

    result = sms_link_send(contact=twilio_contact, now=NOON)

    assert result.outcome == SmsOutcome.UNCONFIRMED
    assert sms_link_send(contact=twilio_contact, now=result.retry_at).outcome == SmsOutcome.ALREADY_SENT
    assert message_requests(fake_twilio) == ["POST", "GET"]


def test_a_message_twilio_answered_503_without_taking_is_sent_once_it_is_not_found(twilio_contact, fake_twilio):
    contact = twilio_contact
    fake_twilio.errors = [twilio_error(503, 20503, "Service Unavailable")]

    result = sms_link_send(contact=contact, now=NOON)

    assert result.outcome == SmsOutcome.UNCONFIRMED
    assert sms_link_send(contact=contact, now=result.retry_at).outcome == SmsOutcome.SENT
    assert sms_link_send(contact=contact, now=result.retry_at).outcome == SmsOutcome.ALREADY_SENT
    assert message_requests(fake_twilio) == ["POST", "GET", "POST"]
    assert len(fake_twilio.messages) == 1
    message = SmsMessage.objects.get()
    assert (message.status, message.provider_message_id) == (SmsStatus.QUEUED, fake_twilio.messages[0]["sid"])


def test_a_message_whose_answer_did_not_come_is_looked_up_not_sent_again(
    twilio_contact, fake_twilio, settings, monkeypatch
):
    """Twilio took the request but its answer did not come in time: the message may have gone."""
    contact = twilio_contact
    monkeypatch.setattr("surveys.telephony.twilio.REQUEST_TIMEOUT_SECONDS", 0.2)
    fake_twilio.delay_seconds = 1.0

    result = sms_link_send(contact=contact, now=NOON)

    assert result.outcome == SmsOutcome.UNCONFIRMED
    fake_twilio.delay_seconds = 0
    assert sms_link_send(contact=contact, now=result.retry_at).outcome == SmsOutcome.ALREADY_SENT
    assert message_requests(fake_twilio) == ["POST", "GET"]
    assert SmsMessage.objects.get().provider_message_id == fake_twilio.messages[0]["sid"]


def test_the_job_sends_the_link_and_waits_for_the_window_when_it_is_closed(make_campaign, rq_queues):
    today = timezone.localdate()
    campaign = running_campaign(
        make_campaign, slug="huomenna", start_date=today + timedelta(days=1), end_date=today + timedelta(days=5)
    )
    # Open at every hour of every day from tomorrow on, whatever day the suite runs.
    Campaign.objects.filter(pk=campaign.pk).update(is_demo_window=True, weekdays=list(range(7)), exclude_holidays=False)
    campaign.refresh_from_db()
    contact = campaign.contacts.get()

    assert send_survey_link(contact.pk) == "outside_window"

    scheduled = rq_queues["dialer"].scheduled_job_registry
    [job_id] = scheduled.get_job_ids()
    assert scheduled.get_scheduled_time(job_id) == next_open_moment(campaign, timezone.now()).astimezone(UTC)
    Campaign.objects.filter(pk=campaign.pk).update(start_date=today)
    assert send_survey_link(contact.pk) == "sent"
    assert send_survey_link(contact.pk) == "already_sent"


def test_the_purge_removes_the_links_and_the_providers_message_ids(contact):
    sms_link_send(contact=contact, now=NOON)
    Campaign.objects.filter(pk=contact.campaign_id).update(status=CampaignStatus.COMPLETED)

    report = contacts_purge_expired(today=contact.campaign.end_date + timedelta(days=31))

    assert (report.removed["survey_links"], report.removed["sms_metadata"]) == (1, 1)
    message = SmsMessage.objects.get()
    assert (message.provider_message_id, message.sent_at, message.status) == (None, None, SmsStatus.QUEUED)
    assert not SurveyLink.objects.exists()


def test_the_link_is_enqueued_for_a_worker_only_when_the_transaction_commits(
    contact, rq_queues, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sms_link_enqueue(contact=contact)
        assert rq_queues["dialer"].count == 0

    [job] = rq_queues["dialer"].jobs
    assert (job.func_name, job.args) == ("surveys.jobs.send_survey_link", (contact.pk, None))


# Past the moment a message still being sent has lost its worker.
STALE = SENDING_STALE_AFTER + timedelta(seconds=1)


class WorkerKilled(BaseException):
    """What a SIGKILL leaves behind, in this process: nothing after it runs."""


def killed_sending(contact, monkeypatch, *, after_twilio_took_it: bool) -> None:
    """The link's job's worker killed at noon once the message was stored as being sent, before or after
    Twilio took it."""
    real_send = TwilioSmsProvider.send

    def send(self, **message):
        if after_twilio_took_it:
            real_send(self, **message)
        raise WorkerKilled

    monkeypatch.setattr(TwilioSmsProvider, "send", send)
    with pytest.raises(WorkerKilled):
        sms_link_send(contact=contact, now=NOON)
    monkeypatch.setattr(TwilioSmsProvider, "send", real_send)
    assert SmsMessage.objects.get().status == SmsStatus.PENDING


def test_a_link_whose_worker_was_killed_before_twilio_was_asked_is_sent_once_twilio_has_not_got_it(
    twilio_contact, fake_twilio, monkeypatch
):
    """The message, stored as being sent, stayed so for ever: the link's next job (the recovery queues it
    again) took it for sent, and the resident never got the link the campaign owed them."""
    killed_sending(twilio_contact, monkeypatch, after_twilio_took_it=False)

    assert sms_link_send(contact=twilio_contact, now=NOON + timedelta(minutes=4)).outcome == SmsOutcome.ALREADY_SENT
    assert sms_link_send(contact=twilio_contact, now=NOON + STALE).outcome == SmsOutcome.SENT
    assert sms_link_send(contact=twilio_contact, now=NOON + 2 * STALE).outcome == SmsOutcome.ALREADY_SENT

    assert message_requests(fake_twilio) == ["GET", "POST"]
    message = SmsMessage.objects.get()
    assert (message.status, message.provider_message_id) == (SmsStatus.QUEUED, fake_twilio.messages[0]["sid"])


def test_a_link_whose_worker_was_killed_after_twilio_took_it_is_found_and_never_sent_twice(
    twilio_contact, fake_twilio, monkeypatch
):
    killed_sending(twilio_contact, monkeypatch, after_twilio_took_it=True)

    assert sms_link_send(contact=twilio_contact, now=NOON + STALE).outcome == SmsOutcome.ALREADY_SENT

    assert message_requests(fake_twilio) == ["POST", "GET"]
    message = SmsMessage.objects.get()
    assert (message.status, message.provider_message_id, message.sent_at) == (
        SmsStatus.QUEUED,
        fake_twilio.messages[0]["sid"],
        NOON,
    )
