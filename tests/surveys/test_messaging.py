"""The SMS providers: Twilio Messaging through the real SDK over real HTTP against the local fake
Twilio server, the demo's simulator, the registry of providers and the rules of the sender."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from surveys.messaging import sms_provider_get
from surveys.messaging.sender import InvalidSender, SmsSender, sms_sender_read
from surveys.messaging.simulator import SimulatorSmsProvider
from surveys.messaging.twilio import TwilioSmsProvider
from surveys.models import SmsStatus
from surveys.telephony import ProviderError
from surveys.telephony.base import ErrorKind
from surveys.telephony.simulator import SimulatorProvider
from tests.surveys.telephony_fakes import TWILIO_ACCOUNT, twilio_error

CALLBACK = "https://kunta.example/telephony/sms/status/7/"


def send(provider, **changes) -> str:
    values = {"to": "+358401234567", "sender": "Kuntakysely", "body": "Vastaa kyselyyn", "status_callback": CALLBACK}
    return provider.send(**values | changes)


def test_the_registry_gives_the_sites_provider_and_refuses_one_it_does_not_offer(settings):
    assert isinstance(sms_provider_get(), SimulatorSmsProvider)
    assert isinstance(sms_provider_get("twilio"), TwilioSmsProvider)
    settings.SMS_PROVIDERS = {}
    with pytest.raises(ImproperlyConfigured, match="No SMS provider 'simulator' is offered"):
        sms_provider_get()


def test_twilio_sends_the_message_through_the_sdk_with_its_status_callback(fake_twilio):
    message_id = send(TwilioSmsProvider())

    assert message_id == f"SM{1:032x}"
    [request] = fake_twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Messages.json"
    assert request["form"] == {
        "To": ["+358401234567"],
        "From": ["Kuntakysely"],
        "Body": ["Vastaa kyselyyn"],
        "StatusCallback": [CALLBACK],
    }


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (twilio_error(400, 21614, "'To' number +358401234567 is not a valid mobile number"), ErrorKind.NUMBER),
        (twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"), ErrorKind.NUMBER),
        (
            twilio_error(400, 21606, "The 'From' phone number provided is not a valid message-capable number"),
            ErrorKind.ACCOUNT,
        ),
        (twilio_error(401, 20003, "Authenticate"), ErrorKind.ACCOUNT),
        (twilio_error(429, 20429, "Too Many Requests"), ErrorKind.TEMPORARY),
        # Twilio may have taken the message before its answer failed: looked up before it is sent again.
        (twilio_error(503, 20503, "Service Unavailable"), ErrorKind.UNKNOWN),
        (twilio_error(500, 20500, "Internal Server Error"), ErrorKind.UNKNOWN),
    ],
)
def test_a_twilio_refusal_is_a_provider_error_of_its_kind_with_the_number_masked(fake_twilio, error, kind):
    fake_twilio.reply = error

    with pytest.raises(ProviderError) as raised:
        send(TwilioSmsProvider())

    assert (raised.value.kind, raised.value.code) == (kind, error[1]["code"])
    assert str(raised.value).startswith(f"Twilio refused the message (HTTP {error[0]}, code {error[1]['code']})")
    assert "401234567" not in str(raised.value)


def test_twilio_out_of_reach_is_a_temporary_error(fake_twilio, settings):
    # Its loop stopped first: a socket closed under it made the server's thread fail now and then.
    fake_twilio.server.shutdown()
    fake_twilio.server.server_close()
    settings.TWILIO_API_BASE_URL = fake_twilio.base_url

    with pytest.raises(ProviderError) as raised:
        send(TwilioSmsProvider())

    assert raised.value.kind == ErrorKind.TEMPORARY


@override_settings(TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="")
def test_twilio_without_credentials_says_which_settings_are_missing():
    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set to send"):
        send(TwilioSmsProvider())


@pytest.mark.parametrize(
    ("twilio_status", "status"),
    [
        ("accepted", SmsStatus.QUEUED),
        ("queued", SmsStatus.QUEUED),
        ("sending", SmsStatus.QUEUED),
        ("sent", SmsStatus.SENT),
        ("delivered", SmsStatus.DELIVERED),
        ("undelivered", SmsStatus.UNDELIVERED),
        ("failed", SmsStatus.FAILED),
        ("receiving", ""),
    ],
)
def test_twilios_message_statuses_in_the_portals_words(twilio_status, status):
    params = {"MessageSid": "SM1", "MessageStatus": twilio_status, "SmsStatus": twilio_status}

    update = TwilioSmsProvider().parse_status(params)

    assert (update.message_id, update.status, update.error_code) == ("SM1", status, None)


def test_an_undelivered_messages_error_code_is_read():
    update = TwilioSmsProvider().parse_status(
        {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30007"}
    )

    assert update.error_code == 30007


def test_a_reply_is_read_and_answered_in_twiml():
    provider = TwilioSmsProvider()

    inbound = provider.parse_inbound({"From": "+358401234567", "To": "+358191234567", "Body": "Lopeta"})

    assert (inbound.sender, inbound.body) == ("+358401234567", "Lopeta")
    assert provider.render_reply("Selvä.") == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Selvä.</Message></Response>',
        "text/xml; charset=utf-8",
    )
    assert provider.render_reply("")[0] == '<?xml version="1.0" encoding="UTF-8"?><Response />'


def test_the_simulator_sends_nothing_and_keeps_the_message_in_its_outbox():
    provider = SimulatorSmsProvider()

    message_id = send(provider, body="Linkki")

    assert provider.reaches_people is False
    assert message_id.startswith("SMSIM")
    assert SimulatorSmsProvider.outbox[-1].message_id == message_id
    assert (SimulatorSmsProvider.outbox[-1].body, SimulatorSmsProvider.outbox[-1].status_callback) == (
        "Linkki",
        CALLBACK,
    )


@pytest.mark.parametrize(
    ("raw", "sender"),
    [
        ("Kuntakysely", SmsSender("Kuntakysely", takes_replies=False)),
        ("Kunta 2026", SmsSender("Kunta 2026", takes_replies=False)),
        ("+358 40 123 4567", SmsSender("+358401234567", takes_replies=True)),
        ("040 123 4567", SmsSender("+358401234567", takes_replies=True)),
        ("09 310 1691", SmsSender("+35893101691", takes_replies=True)),
    ],
)
def test_the_sender_is_an_authorized_kind_of_finnish_sender(raw, sender):
    assert sms_sender_read(raw) == sender


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "SMS_SENDER is empty"),
        ("Kuntakyselyt", "neither a phone number nor a sender name of at most 11"),
        ("Kysely!", "neither a phone number nor a sender name"),
        ("+44 20 7946 0958", "is not a Finnish number"),
        ("12345", "neither a phone number nor a sender name"),
    ],
)
def test_a_sender_operators_would_not_deliver_from_is_refused_with_the_reason(raw, reason):
    with pytest.raises(InvalidSender, match=reason):
        sms_sender_read(raw)


def test_a_provider_that_keeps_no_record_says_so_when_asked_whether_it_took_a_message():
    provider = SimulatorSmsProvider()
    assert not provider.finds_sent_messages

    with pytest.raises(ProviderError) as error:
        provider.sent_message_id(to="+358401234567", sender="Esimerkkila", since=datetime(2026, 3, 2, tzinfo=UTC))

    assert error.value.kind == ErrorKind.UNKNOWN
    assert "keeps no record" in str(error.value)


def test_a_carrier_that_keeps_no_record_says_so_when_asked_whether_it_placed_a_call():
    provider = SimulatorProvider()
    assert not provider.finds_placed_calls

    with pytest.raises(ProviderError) as error:
        provider.placed_call_id(None, since=datetime(2026, 3, 2, tzinfo=UTC))

    assert error.value.kind == ErrorKind.UNKNOWN
