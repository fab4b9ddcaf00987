"""Twilio Programmable Voice through the official SDK.

TWILIO_API_BASE_URL points the SDK at another host (a local fake Twilio server in the tests)
through its pluggable HTTP client; unset, the SDK talks to Twilio itself. The client and the
reading of Twilio's errors serve Twilio Messaging too (`surveys.messaging.twilio`).
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from surveys.phone_numbers import phone_decrypt

from . import twiml
from .base import CallOptions, CallPrice, ErrorKind, ProviderError, StatusUpdate, TelephonyProvider, Turn

logger = logging.getLogger(__name__)

STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
# Twilio's error codes by what they mean for the dialer (its error dictionary). Errors about the
# number called itself: invalid, cannot be reached, not a valid or not a dialable phone number.
NUMBER_ERRORS = frozenset({13223, 13224, 13225, 13226, 21211, 21214, 21216, 21217, 21401})
# The account and its set-up: authentication, a suspended account, a caller number it may not
# use, a region it has no permission to call.
ACCOUNT_ERRORS = frozenset({13227, 20003, 20005, 20404, 21210, 21212, 21215})
# Too many requests, or Twilio's own fault.
TEMPORARY_ERRORS = frozenset({20429, 20500, 20503})
ACTIVE_ACCOUNT = "active"
# The SDK waits for ever by default: a call job, a webhook or the launch gate must not.
REQUEST_TIMEOUT_SECONDS = 10
# The calls to a number from the caller number looked through for one Twilio placed despite an error
# answer: a number gets a few calls a campaign.
CALLS_LOOKED_UP = 20


class RebasedHttpClient(TwilioHttpClient):
    """Sends every SDK request to `base_url` instead of *.twilio.com, keeping path and query."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base = urlsplit(base_url)

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        url = urlunsplit((self.base.scheme, self.base.netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


def twilio_client(*, to_do: str) -> Client:
    """The SDK's client, through the rebased HTTP client when TWILIO_API_BASE_URL is set. `to_do`
    names what needs it, for the error when the credentials are missing."""
    if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
        raise ImproperlyConfigured(f"TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set to {to_do} through Twilio.")
    base_url = settings.TWILIO_API_BASE_URL
    http_client = (
        RebasedHttpClient(base_url, timeout=REQUEST_TIMEOUT_SECONDS)
        if base_url
        else TwilioHttpClient(timeout=REQUEST_TIMEOUT_SECONDS)
    )
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


@contextmanager
def twilio_errors(what: str, error_kind: Callable[..., ErrorKind]):
    """Twilio's refusals and unreachability as ProviderError; `error_kind(code=, http_status=)` tells
    what a refusal means."""
    try:
        yield
    except TwilioRestException as error:
        raise ProviderError(
            f"Twilio refused {what} (HTTP {error.status}, code {error.code}): {error.msg}",
            kind=error_kind(code=error.code, http_status=error.status),
            code=error.code,
            status=error.status,
        ) from None
    except requests.ConnectionError as error:
        if _not_connected(error):
            raise ProviderError(f"Twilio could not be reached: {error}", kind=ErrorKind.TEMPORARY) from None
        # The connection broke after the request had gone ("Connection aborted"): Twilio may have acted on it.
        raise ProviderError(f"Twilio did not answer: {error}", kind=ErrorKind.UNKNOWN) from None
    except (TwilioException, requests.RequestException) as error:
        # Sent, but no answer came (a read timeout): Twilio may have acted on it.
        raise ProviderError(f"Twilio did not answer: {error}", kind=ErrorKind.UNKNOWN) from None


def _not_connected(error: requests.ConnectionError) -> bool:
    """Whether no connection was made, so the request never went: refused, a name not resolved, or a
    connect timeout (urllib3's NewConnectionError and NameResolutionError are ConnectTimeoutErrors)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    cause = error.args[0] if error.args else None
    return isinstance(getattr(cause, "reason", cause), urllib3.exceptions.ConnectTimeoutError)


def twilio_error_kind(
    *, code: int | None, http_status: int | None, number_errors: frozenset[int], account_errors: frozenset[int]
) -> ErrorKind:
    """What a Twilio error means, given the codes that are about the number and about the account;
    `http_status` is that of a REST answer (None for a code a callback reported)."""
    if code in number_errors:
        return ErrorKind.NUMBER
    if code in account_errors:
        return ErrorKind.ACCOUNT
    if http_status is not None and http_status >= 500:
        # Failed or lost on Twilio's side, perhaps after it had placed the call or taken the message.
        return ErrorKind.UNKNOWN
    if code in TEMPORARY_ERRORS:
        return ErrorKind.TEMPORARY
    if http_status is None:
        return ErrorKind.UNKNOWN
    if http_status == 429:
        return ErrorKind.TEMPORARY
    # Any other refused request would be refused again for every number: someone must look.
    return ErrorKind.ACCOUNT


class TwilioProvider(twiml.TwimlDialect, TelephonyProvider):
    name = "twilio"
    label = "Twilio"
    finds_placed_calls = True

    def __init__(self):
        self._client = None

    @property
    def client(self) -> Client:
        # Built when first needed: checking a webhook's signature needs only the auth token.
        if self._client is None:
            self._client = twilio_client(to_do="call")
        return self._client

    def _errors(self, what: str):
        return twilio_errors(what, self.error_kind)

    def place_call(self, attempt, options: CallOptions) -> str:
        with self._errors("the call"):
            call = self.client.calls.create(
                to=phone_decrypt(attempt.phone.phone_encrypted),
                from_=attempt.contact.campaign.caller_number,
                url=options.answer_url,
                method="POST",
                status_callback=options.status_url,
                status_callback_event=STATUS_EVENTS,
                status_callback_method="POST",
                machine_detection="DetectMessageEnd" if options.wait_for_greeting_end else "Enable",
                async_amd="true",
                async_amd_status_callback=options.status_url,
                async_amd_status_callback_method="POST",
                timeout=options.ring_seconds or settings.TWILIO_RING_TIMEOUT,
                **({"time_limit": options.time_limit_seconds} if options.time_limit_seconds else {}),
            )
        return call.sid

    def _update(self, call_id: str, what: str, **changes) -> None:
        with self._errors(what):
            self.client.calls(call_id).update(**changes)

    def cancel(self, call_id: str) -> None:
        self._update(call_id, "to cancel the call", status="canceled")

    def hang_up(self, call_id: str) -> None:
        self._update(call_id, "to end the call", status="completed")

    def redirect(self, call_id: str, turn: Turn) -> None:
        self._update(call_id, "to redirect the call", twiml=twiml.twiml_render(turn))

    def auth_token(self) -> str:
        return settings.TWILIO_AUTH_TOKEN

    def shared_key_secret(self) -> str:
        return settings.TWILIO_WEBHOOK_SHARED_KEY_SECRET

    def error_kind(self, *, code: int | None, http_status: int | None) -> ErrorKind:
        return twilio_error_kind(
            code=code, http_status=http_status, number_errors=NUMBER_ERRORS, account_errors=ACCOUNT_ERRORS
        )

    def placed_call_id(self, attempt, *, since: datetime) -> str | None:
        # Not filtered by StartTime: a call still queued or ringing has none yet.
        with self._errors("the list of calls"):
            listed = self.client.calls.list(
                to=phone_decrypt(attempt.phone.phone_encrypted),
                from_=attempt.contact.campaign.caller_number,
                limit=CALLS_LOOKED_UP,
            )
        placed = [call.sid for call in listed if call.date_created and call.date_created >= since]
        # Listed newest first: the first one placed since is the one whose answer was lost.
        return placed[-1] if placed else None

    def call_status(self, call_id: str) -> StatusUpdate:
        with self._errors("the call's status"):
            call = self.client.calls(call_id).fetch()
        return twiml.call_resource_read(call)

    def call_price(self, call_id: str) -> CallPrice | None:
        with self._errors("the call's price"):
            call = self.client.calls(call_id).fetch()
        if call.price in (None, ""):
            return None
        try:
            # Twilio states a charge as a negative amount.
            amount = abs(Decimal(str(call.price)))
        except InvalidOperation:
            return None
        return CallPrice(amount=amount, unit=(call.price_unit or "").upper())

    def launch_problems(self, *, caller_number: str) -> list[str]:
        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            return [_("Twilio's credentials are not set: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")]
        try:
            with self._errors("the check of the account"):
                account = self.client.api.v2010.accounts(settings.TWILIO_ACCOUNT_SID).fetch()
                if account.status != ACTIVE_ACCOUNT:
                    return [_("The Twilio account is %(status)s, not active.") % {"status": account.status}]
                owned = self.client.incoming_phone_numbers.list(phone_number=caller_number, limit=1)
                verified = owned or self.client.outgoing_caller_ids.list(phone_number=caller_number, limit=1)
        except ProviderError as error:
            if error.kind in (ErrorKind.TEMPORARY, ErrorKind.UNKNOWN):
                # Unreachable or no answer: the connection's details help whoever reads the log, not the page.
                logger.warning("Twilio's account and caller number could not be checked: %s", error)
                return [
                    _(
                        "Twilio could not be reached just now to check the account and the caller number. Try "
                        "again in a moment."
                    )
                ]
            return [_("Calls cannot be placed through Twilio: %(error)s") % {"error": error}]
        if not verified:
            return [
                _(
                    "The caller number %(number)s is neither a number of the Twilio account nor a verified "
                    "caller id of it: Twilio would refuse every call."
                )
                % {"number": caller_number}
            ]
        return []
