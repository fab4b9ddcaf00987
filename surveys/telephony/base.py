"""The one small interface every telephony provider implements.

A provider is what the portal needs of a carrier, in the portal's own words: place, end and
redirect a call; tell its webhook requests from forged ones; read what they say (a status, a
caller's key presses or words); say what the caller hears next (`Turn`) in the carrier's markup;
and tell what an error means (`ErrorKind`). The IVR (`surveys.ivr`) decides the conversation and
the dialer (`surveys.services.dialing`) what an outcome means; neither knows a carrier's words.

Adding a carrier (a Finnish operator's SIP trunk, Vonage) is one subclass of `TelephonyProvider`
and its tests, named in TELEPHONY_PROVIDERS.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from django.http import HttpRequest


class ErrorKind(StrEnum):
    """What a carrier's error says, which decides what the dialer does about it."""

    # The number itself is invalid or cannot be reached: it is not dialled again (AAPOR 4.3).
    NUMBER = "number"
    # An outage or a rate limit says nothing about the number: the call is tried again later
    # without spending one of its attempts.
    TEMPORARY = "temporary"
    # The account, its permissions or its set-up (credentials, the caller number, the regions it
    # may call): every call would fail alike, so the campaign is paused until someone fixes it.
    ACCOUNT = "account"
    # What failed is not known: no answer came to a request that may have reached the carrier
    # (whether the call was placed is not known, so it is neither placed again nor taken as
    # failed), or a failed call came with a code of no known meaning (an attempt spent, as ever).
    UNKNOWN = "unknown"


class ProviderError(Exception):
    """The carrier refused or failed a request. The message is the carrier's own words with phone
    numbers masked (it is logged and stored); `code` the carrier's error code."""

    def __init__(self, message: str, *, kind: ErrorKind, code: int | None = None, status: int | None = None):
        from kuntaportaali.redaction import phone_numbers_mask

        self.kind = kind
        self.code = code
        self.status = status
        super().__init__(phone_numbers_mask(message))


@dataclass(frozen=True)
class StatusUpdate:
    """One status or answering machine callback, in the provider-neutral words of CallStatus and
    AnsweredBy. `sequence` orders the callbacks of one call when the carrier numbers them."""

    call_id: str
    status: str = ""
    duration_seconds: int | None = None
    answered_by: str = ""
    timestamp: datetime | None = None
    sequence: int | None = None
    error_code: int | None = None


@dataclass(frozen=True)
class CallerInput:
    """What the caller answered at a prompt: keys pressed, or words and the recogniser's confidence."""

    digits: str = ""
    speech: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class Listen:
    """Wait for the caller's answer after the prompt: one key (`one_key`) or keys until `#`, or
    words, then post them to `action`."""

    action: str
    one_key: bool = True


@dataclass(frozen=True)
class Turn:
    """What the caller hears next: sentences in `language`, then either an answer is awaited
    (`listen`) or the call ends."""

    language: str
    says: tuple[str, ...] = ()
    listen: Listen | None = None

    @property
    def hangs_up(self) -> bool:
        return self.listen is None


@dataclass(frozen=True)
class CallPrice:
    """What the carrier billed for a call, as a positive amount in `unit` (ISO 4217)."""

    amount: Decimal
    unit: str


@dataclass(frozen=True)
class CallOptions:
    """How a call is placed: its answering machine handling and where the carrier reports."""

    answer_url: str
    status_url: str
    # Wait for the end of an answering machine's greeting (to leave a message after the beep)
    # instead of telling a machine from a person as soon as possible.
    wait_for_greeting_end: bool = False
    # The carrier ends the call after this many seconds whatever happens on it (None: its default).
    time_limit_seconds: int | None = None
    # How long the number rings before the carrier gives up (None: TWILIO_RING_TIMEOUT).
    ring_seconds: int | None = None


class TelephonyProvider(ABC):
    name: str
    # What people see for it (the name stays in settings, logs and the database).
    label: str
    # Whether the calls reach real people; the simulator's answers come from synthetic residents.
    reaches_people: bool = True
    # Whether it can tell, by `placed_call_id`, whether it placed a call whose request got no certain answer;
    # for one that cannot, such a call is never placed again.
    finds_placed_calls: bool = False

    @abstractmethod
    def place_call(self, attempt, options: CallOptions) -> str:
        """Start dialing the attempt's number; return the carrier's id of the call.
        Raises ProviderError."""

    def placed_call_id(self, attempt, *, since: datetime) -> str | None:
        """The carrier's id of a call it placed for the attempt (to its number, from its campaign's caller
        number) at `since` or later, None when it placed none; only for a provider that
        `finds_placed_calls`. Raises ProviderError."""
        raise ProviderError(f"{self.name} keeps no record of the calls it placed to look up.", kind=ErrorKind.UNKNOWN)

    def call_status(self, call_id: str) -> StatusUpdate | None:
        """The call as the carrier has it on record now, for a call whose final status callback never came;
        None from a carrier that keeps no record to ask. Raises ProviderError."""
        return None

    @abstractmethod
    def cancel(self, call_id: str) -> None:
        """Stop a call that has not been answered yet."""

    @abstractmethod
    def hang_up(self, call_id: str) -> None:
        """End an answered call now (an answering machine or a fax picked up)."""

    @abstractmethod
    def redirect(self, call_id: str, turn: Turn) -> None:
        """Replace what an answered call is doing with `turn` (a message after the beep)."""

    @abstractmethod
    def validate_request(self, request: HttpRequest) -> bool:
        """True when the webhook request really comes from the carrier."""

    @abstractmethod
    def parse_status(self, params) -> StatusUpdate:
        """A status or answering machine callback's parameters as a StatusUpdate."""

    @abstractmethod
    def parse_input(self, params) -> CallerInput:
        """What the caller answered, from the parameters of a prompt's action request."""

    @abstractmethod
    def render(self, turn: Turn) -> tuple[str, str]:
        """The turn in the carrier's markup: (body, content type)."""

    @abstractmethod
    def error_kind(self, *, code: int | None, http_status: int | None) -> ErrorKind:
        """What a carrier error code (or, without one, the HTTP status of its answer) means."""

    @abstractmethod
    def call_price(self, call_id: str) -> CallPrice | None:
        """What the carrier billed for a finished call; None while it has not said yet."""

    @abstractmethod
    def launch_problems(self, *, caller_number: str) -> list[str]:
        """Why calls could not be placed now (credentials, the account, the caller number), each
        a sentence for whoever starts the campaign; empty when calls can be placed."""
