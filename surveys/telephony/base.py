"""The one small interface every telephony provider implements."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest


class ProviderError(Exception):
    """The carrier refused or failed a request; the message says what it answered. `number_refused` tells
    that the carrier refused the number itself (invalid, unreachable), not the request or the account."""

    def __init__(
        self, message: str, *, status: int | None = None, code: int | None = None, number_refused: bool = False
    ):
        self.status = status
        self.code = code
        self.number_refused = number_refused
        super().__init__(message)


@dataclass(frozen=True)
class StatusUpdate:
    """One status callback, in the provider-neutral words of CallStatus."""

    call_id: str
    status: str
    duration_seconds: int | None = None
    answered_by: str = ""
    timestamp: datetime | None = None


class TelephonyProvider(ABC):
    name: str

    @abstractmethod
    def place_call(self, attempt, *, url: str, status_callback: str) -> str:
        """Start dialing the attempt's number; return the provider's id of the call."""
        ...

    @abstractmethod
    def cancel(self, call_id: str) -> None:
        """Stop a call that has not been answered yet."""
        ...

    @abstractmethod
    def validate_request(self, request: HttpRequest) -> bool:
        """True when the webhook request really comes from the provider."""
        ...

    @abstractmethod
    def parse_status(self, params) -> StatusUpdate:
        """The status callback's form parameters as a StatusUpdate."""
        ...
