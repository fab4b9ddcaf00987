"""Twilio Programmable Voice through the official SDK.

TWILIO_API_BASE_URL points the SDK at another host (a local fake Twilio server in the tests)
through its pluggable HTTP client; unset, the SDK talks to Twilio itself.
"""

import logging
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from surveys.models import CallStatus
from surveys.phone_numbers import phone_decrypt

from .base import ProviderError, StatusUpdate, TelephonyProvider

logger = logging.getLogger(__name__)

STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
TWILIO_STATUSES = {
    "queued": CallStatus.QUEUED,
    "initiated": CallStatus.DIALING,
    "ringing": CallStatus.RINGING,
    "in-progress": CallStatus.IN_PROGRESS,
    "answered": CallStatus.IN_PROGRESS,
    "completed": CallStatus.COMPLETED,
    "busy": CallStatus.BUSY,
    "no-answer": CallStatus.NO_ANSWER,
    "failed": CallStatus.FAILED,
    "canceled": CallStatus.CANCELED,
}


class RebasedHttpClient(TwilioHttpClient):
    """Sends every SDK request to `base_url` instead of *.twilio.com, keeping path and query."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base = urlsplit(base_url)

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        url = urlunsplit((self.base.scheme, self.base.netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


def public_url(request: HttpRequest) -> str:
    """The address the carrier called: behind a proxy, only PUBLIC_BASE_URL knows it."""
    return settings.PUBLIC_BASE_URL + request.get_full_path()


# Twilio's errors about the number called itself (not the account, the caller id or the request):
# invalid 'To' number, 'To' number cannot be reached, not a valid phone number.
NUMBER_REFUSED_CODES = frozenset({21211, 21214, 21217, 13224, 21401})


class TwilioProvider(TelephonyProvider):
    name = "twilio"

    def __init__(self):
        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise ImproperlyConfigured("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set to call through Twilio.")
        http_client = RebasedHttpClient(settings.TWILIO_API_BASE_URL) if settings.TWILIO_API_BASE_URL else None
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)

    def place_call(self, attempt, *, url: str, status_callback: str) -> str:
        try:
            call = self.client.calls.create(
                to=phone_decrypt(attempt.phone.phone_encrypted),
                from_=attempt.contact.campaign.caller_number,
                url=url,
                method="POST",
                status_callback=status_callback,
                status_callback_event=STATUS_EVENTS,
                status_callback_method="POST",
                machine_detection="Enable",
                async_amd="true",
                async_amd_status_callback=status_callback,
                async_amd_status_callback_method="POST",
                timeout=settings.TWILIO_RING_TIMEOUT,
            )
        except TwilioRestException as error:
            raise ProviderError(
                f"Twilio refused the call (HTTP {error.status}, code {error.code}): {error.msg}",
                status=error.status,
                code=error.code,
                number_refused=error.code in NUMBER_REFUSED_CODES,
            ) from None
        except TwilioException as error:
            raise ProviderError(f"Twilio could not be reached: {error}") from None
        return call.sid

    def cancel(self, call_id: str) -> None:
        try:
            self.client.calls(call_id).update(status="canceled")
        except TwilioRestException as error:
            raise ProviderError(
                f"Twilio did not cancel the call (HTTP {error.status}): {error.msg}", status=error.status
            ) from None

    def validate_request(self, request: HttpRequest) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            return False
        validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
        return validator.validate(public_url(request), request.POST.dict(), signature)

    def parse_status(self, params) -> StatusUpdate:
        answered_by = params.get("AnsweredBy", "")
        status = TWILIO_STATUSES.get(params.get("CallStatus", ""), "")
        if answered_by.startswith("machine") or answered_by == "fax":
            status = CallStatus.MACHINE if status in ("", CallStatus.IN_PROGRESS, CallStatus.COMPLETED) else status
        duration = params.get("CallDuration")
        timestamp = params.get("Timestamp")
        return StatusUpdate(
            call_id=params.get("CallSid", ""),
            status=status,
            duration_seconds=int(duration) if duration and duration.isdigit() else None,
            answered_by=answered_by,
            timestamp=parsedate_to_datetime(timestamp) if timestamp else None,
        )
