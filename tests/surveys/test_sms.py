"""Text messages: what the provider reports of a sent message, and the replies residents send."""

import pytest

from surveys.messaging.base import InboundMessage, MessageStatusUpdate
from surveys.models import ConsentEvent, ContactStatus, DoNotCall, SmsMessage, SmsStatus
from surveys.phone_numbers import phone_hash
from surveys.services.sms import sms_reply_receive, sms_status_receive
from tests.surveys.calls import NOON, running_campaign


@pytest.fixture
def contact(make_campaign):
    return running_campaign(make_campaign, slug="viestit").contacts.get()


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
    # In the language of the message it answers (Swedish; the text is not yet translated).
    assert reply == "Your number will not be called or sent messages by the municipality's surveys again."


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
