"""Text messages to contacts: the SMS with their link to the web survey, what its provider reports of
it, and the replies residents send to the sender number (STOP opts out)."""

import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from surveys.messaging.base import InboundMessage, MessageStatusUpdate
from surveys.models import ConsentChannel, SmsMessage
from surveys.models.messages import SMS_STATUS_ORDER
from surveys.phone_numbers import InvalidPhoneNumber, phone_hash, phone_normalise

from .privacy import contact_opt_out, opt_out_register

# A reply whose first word is one of these, in any case, opts the number out (English, Finnish, Swedish).
STOP_WORDS = frozenset({"stop", "lopeta", "sluta"})


def sms_status_receive(*, message_id: int, update: MessageStatusUpdate, now: datetime | None = None) -> None:
    """Apply a status report of the message. A message only moves forward: a report arriving late
    or twice changes nothing, and a final status (delivered, undelivered, failed) stays."""
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or not update.status:
            return
        if message.provider_message_id not in (None, update.message_id):
            return
        if SMS_STATUS_ORDER[update.status] <= SMS_STATUS_ORDER[message.status]:
            return
        message.status = update.status
        message.status_at = now or timezone.now()
        message.error_code = update.error_code if update.error_code is not None else message.error_code
        # The report may come before the provider's answer to the sending was stored.
        message.provider_message_id = update.message_id or message.provider_message_id
        message.save(update_fields=["status", "status_at", "error_code", "provider_message_id"])


def sms_reply_receive(*, inbound: InboundMessage) -> str:
    """A reply to the sender number. STOP, LOPETA or SLUTA (any case, as its first word) puts the
    number on the do-not-call registry, and the contacts messaged at it are opted out on the SMS
    channel; returns the confirmation to send back. Any other reply is neither stored nor answered ("")."""
    words = re.findall(r"\w+", inbound.body.casefold())
    if not words or words[0] not in STOP_WORDS:
        return ""
    try:
        number = phone_normalise(inbound.sender)
    except InvalidPhoneNumber:
        return ""
    messaged = list(SmsMessage.objects.filter(phone__phone_hash=phone_hash(number)).select_related("contact"))
    with transaction.atomic():
        for message in messaged:
            contact_opt_out(contact=message.contact, source=ConsentChannel.SMS)
        if not messaged:
            opt_out_register(raw_number=number, source=ConsentChannel.SMS)
    with translation.override(messaged[0].language if messaged else "fi"):
        return _("Your number will not be called or sent messages by the municipality's surveys again.")
