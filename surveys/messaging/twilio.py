"""Twilio Messaging through the official SDK, with the voice provider's client (and its rebased HTTP
client for a local fake Twilio server) and signature check; and Twilio's messaging dialect, which
the simulator speaks too."""

import re
from abc import ABC, abstractmethod
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from twilio.twiml.messaging_response import MessagingResponse

from surveys.models import SmsStatus
from surveys.telephony.base import ErrorKind
from surveys.telephony.twilio import twilio_client, twilio_error_kind, twilio_errors
from surveys.telephony.twiml import signature_valid

from .base import InboundMessage, MessageStatusUpdate, SmsProvider

TWILIO_MESSAGE_STATUSES = {
    "accepted": SmsStatus.QUEUED,
    "scheduled": SmsStatus.QUEUED,
    "queued": SmsStatus.QUEUED,
    "sending": SmsStatus.QUEUED,
    "sent": SmsStatus.SENT,
    "delivered": SmsStatus.DELIVERED,
    "read": SmsStatus.DELIVERED,
    "undelivered": SmsStatus.UNDELIVERED,
    "failed": SmsStatus.FAILED,
    "canceled": SmsStatus.FAILED,
}
# Twilio's error codes (its error dictionary) about the number messaged: invalid, not a mobile
# number, unreachable by SMS, or it has replied STOP to the sender.
NUMBER_ERRORS = frozenset({21211, 21214, 21217, 21401, 21610, 21612, 21614, 30003, 30005, 30006})
# The account and its set-up: authentication, a suspended account, a sender it may not use (not
# its number, not able to send SMS, or not authorized, which Finnish operators filter out), or no
# permission to text the region of the number (21408: its geographic permissions, which refuse every
# Finnish number alike).
ACCOUNT_ERRORS = frozenset({20003, 20005, 20404, 21212, 21408, 21606, 21659, 21660, 30007})


# The messages to a number from the sender looked through for one Twilio took despite an error answer:
# a contact gets one message, a number a few at most.
MESSAGES_LOOKED_UP = 20


# Twilio's own opt-out keywords: a message that is one of them (any case) makes Twilio refuse every
# later message to the number from the sender (error 21610) until it sends START. A Messaging Service's
# Advanced Opt-Out may add keywords of its own; Twilio then names the match in OptOutType.
TWILIO_OPT_OUT_KEYWORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
TWILIO_OPT_OUT_TYPE = "STOP"
# Its opt-in keywords, which undo its own opt-out (Advanced Opt-Out may add more, named as OptOutType START).
TWILIO_OPT_IN_KEYWORDS = frozenset({"start", "yes", "unstop"})
TWILIO_OPT_IN_TYPE = "START"
# "Attempt to send to unsubscribed recipient": the number has sent the sender an opt-out keyword.
UNSUBSCRIBED_RECIPIENT = 21610


def _twilio_keyword(params, *, keywords: frozenset[str], opt_out_type: str) -> bool:
    if params.get("OptOutType", "").strip().upper() == opt_out_type:
        return True
    # The message is the keyword alone: spaces and punctuation around it are no words.
    return re.sub(r"^[\W_]+|[\W_]+$", "", params.get("Body", "")).casefold() in keywords


def _twilio_opted_out(params) -> bool:
    return _twilio_keyword(params, keywords=TWILIO_OPT_OUT_KEYWORDS, opt_out_type=TWILIO_OPT_OUT_TYPE)


def _twilio_opted_in(params) -> bool:
    return _twilio_keyword(params, keywords=TWILIO_OPT_IN_KEYWORDS, opt_out_type=TWILIO_OPT_IN_TYPE)


def _integer(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class TwilioMessagingDialect(ABC):
    """What a provider speaking Twilio's messaging dialect reads and answers: an `SmsProvider` mixin
    whose `auth_token` signs the webhook requests."""

    opt_out_error_codes = frozenset({UNSUBSCRIBED_RECIPIENT})

    @abstractmethod
    def auth_token(self) -> str:
        """The secret the provider signs its webhook requests with."""

    def shared_key_secret(self) -> str:
        """The secret of the SharedKey the provider signs with instead when the request says so; none here."""
        return ""

    def validate_request(self, request: HttpRequest) -> bool:
        return signature_valid(request, self.auth_token(), shared_key_secret=self.shared_key_secret())

    def parse_status(self, params) -> MessageStatusUpdate:
        error_code = _integer(params.get("ErrorCode"))
        return MessageStatusUpdate(
            message_id=params.get("MessageSid", ""),
            status=TWILIO_MESSAGE_STATUSES.get(params.get("MessageStatus", ""), ""),
            error_code=error_code,
            opted_out=error_code in self.opt_out_error_codes,
            account_refused=error_code in ACCOUNT_ERRORS,
        )

    def parse_inbound(self, params) -> InboundMessage:
        return InboundMessage(
            sender=params.get("From", ""),
            body=params.get("Body", ""),
            opted_out=_twilio_opted_out(params),
            opted_in=_twilio_opted_in(params),
        )

    def render_reply(self, text: str) -> tuple[str, str]:
        reply = MessagingResponse()
        if text:
            reply.message(text)
        return str(reply), "text/xml; charset=utf-8"


class TwilioSmsProvider(TwilioMessagingDialect, SmsProvider):
    name = "twilio"
    label = "Twilio"
    finds_sent_messages = True

    def auth_token(self) -> str:
        return settings.TWILIO_AUTH_TOKEN

    def shared_key_secret(self) -> str:
        return settings.TWILIO_WEBHOOK_SHARED_KEY_SECRET

    def error_kind(self, *, code: int | None, http_status: int | None) -> ErrorKind:
        return twilio_error_kind(
            code=code, http_status=http_status, number_errors=NUMBER_ERRORS, account_errors=ACCOUNT_ERRORS
        )

    def sent_message_id(self, *, to: str, sender: str, since: datetime) -> str | None:
        # Not filtered by DateSent: a message Twilio still holds queued has no date_sent yet.
        with twilio_errors("the list of messages", self.error_kind):
            listed = twilio_client(to_do="look up messages").messages.list(
                to=to, from_=sender, limit=MESSAGES_LOOKED_UP
            )
        taken = [message.sid for message in listed if message.date_created and message.date_created >= since]
        # Listed newest first: the first one taken since is the one whose answer was lost.
        return taken[-1] if taken else None

    def send(self, *, to: str, sender: str, body: str, status_callback: str) -> str:
        with twilio_errors("the message", self.error_kind):
            # Links stay as they are (Twilio shortens none unless asked): the portal's own domain is
            # what residents may trust.
            message = twilio_client(to_do="send messages").messages.create(
                to=to, from_=sender, body=body, status_callback=status_callback
            )
        return message.sid
