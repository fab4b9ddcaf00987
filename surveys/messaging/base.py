"""The one small interface every SMS provider implements.

A provider is what the portal needs of an SMS service, in the portal's own words: send one text
and say the provider's id of it; tell its webhook requests from forged ones; read a status report
(`MessageStatusUpdate`, in SmsStatus's words) and a reply a resident sent (`InboundMessage`); and
answer a reply in the provider's markup. Refusals are `ProviderError`s with an `ErrorKind`, as the
telephony providers raise them; `ErrorKind.UNKNOWN` when the provider may have taken the message all
the same, which a provider that `finds_sent_messages` can then be asked about. The sending service
(`surveys.services.sms`) decides what to send, when and to whom; no provider knows a contact or a
campaign.

Adding a provider (a Finnish SMS gateway) is one subclass of `SmsProvider` and its tests, named in
SMS_PROVIDERS.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest

from surveys.telephony.base import ErrorKind, ProviderError


@dataclass(frozen=True)
class MessageStatusUpdate:
    """One status report of a sent message; `status` is an SmsStatus value, or "" for a word of the
    provider's that changes nothing (a reply being received, say)."""

    message_id: str
    status: str = ""
    error_code: int | None = None
    # The error says the number opted out of the sender's messages (replied STOP to it).
    opted_out: bool = False
    # The error is of the account or its set-up (an operator filtered the message of a sender it does
    # not accept, say): every message of the campaign would fare alike.
    account_refused: bool = False


@dataclass(frozen=True)
class InboundMessage:
    """A text a resident sent to the sender number: who sent it (the number as the provider gives it) and what.
    `opted_out`: the provider itself took it as an opt-out (one of its opt-out keywords), after which it
    delivers nothing more to the number; `opted_in`: it took it as an opt-in (Twilio's START), after which
    it delivers messages to the number again - the portal's do-not-call registry stays as it is."""

    sender: str
    body: str
    opted_out: bool = False
    opted_in: bool = False


class SmsProvider(ABC):
    name: str
    # What people see for it (the name stays in settings, logs and the database).
    label: str
    # Whether its messages reach real phones; the simulator's reach no one.
    reaches_people: bool = True
    # Its error codes that say the number opted out of the sender's messages (replied STOP to it).
    opt_out_error_codes: frozenset[int] = frozenset()
    # Whether it can tell, by `sent_message_id`, whether it took a message whose sending got no certain
    # answer; one that cannot never has such a message sent again.
    finds_sent_messages: bool = False

    @abstractmethod
    def send(self, *, to: str, sender: str, body: str, status_callback: str) -> str:
        """Send `body` from `sender` (an authorized number or name) to the E.164 number `to`, with
        status reports to `status_callback`; return the provider's id of the message. Raises
        ProviderError."""

    def sent_message_id(self, *, to: str, sender: str, since: datetime) -> str | None:
        """The provider's id of a message it took from `sender` to `to` at `since` or later, None when it
        took none; only for a provider that `finds_sent_messages`. Raises ProviderError."""
        raise ProviderError(f"{self.name} keeps no record of the messages it took to look up.", kind=ErrorKind.UNKNOWN)

    @abstractmethod
    def validate_request(self, request: HttpRequest) -> bool:
        """True when the webhook request really comes from the provider."""

    @abstractmethod
    def parse_status(self, params) -> MessageStatusUpdate:
        """A status callback's parameters as a MessageStatusUpdate."""

    @abstractmethod
    def parse_inbound(self, params) -> InboundMessage:
        """An incoming message's parameters as an InboundMessage."""

    @abstractmethod
    def render_reply(self, text: str) -> tuple[str, str]:
        """The answer to an incoming message, sending `text` back (nothing when empty): (body, content type)."""
