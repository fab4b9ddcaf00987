"""Twilio's dialect: TwiML for a `Turn`, and its webhook parameters in the portal's words.

Spoken by the Twilio provider and by the simulator, which stands in for Twilio in the demo and
the tests (its carrier reads the TwiML it is given as Twilio would).
"""

import logging
from abc import ABC, abstractmethod
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.http import HttpRequest
from twilio.request_validator import SIGNATURE_SETTINGS_HEADER, RequestValidator, get_signature_algorithm
from twilio.twiml.voice_response import VoiceResponse

from surveys.languages import SPEECH_LANGUAGES
from surveys.models import AnsweredBy, CallStatus

from .base import CallerInput, StatusUpdate, Turn

logger = logging.getLogger(__name__)

GATHER_TIMEOUT_SECONDS = 6
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
# Twilio's answering machine detection verdicts: machine_start (as soon as a machine is heard) or
# machine_end_beep / _silence / _other (at the end of its greeting, with DetectMessageEnd).
TWILIO_ANSWERED_BY = {"human": AnsweredBy.HUMAN, "fax": AnsweredBy.FAX, "unknown": AnsweredBy.UNKNOWN}


def twiml_render(turn: Turn) -> str:
    response = VoiceResponse()
    node = response
    if turn.listen is not None:
        options = {
            "input": "dtmf speech",
            "action": turn.listen.action,
            "method": "POST",
            "language": SPEECH_LANGUAGES[turn.language],
            "timeout": GATHER_TIMEOUT_SECONDS,
            "speech_timeout": "auto",
            "action_on_empty_result": True,
        }
        if turn.listen.one_key:
            options["num_digits"] = 1
        else:
            options["finish_on_key"] = "#"
        node = response.gather(**options)
    for text in turn.says:
        node.say(text, voice=settings.TWILIO_VOICES.get(turn.language), language=SPEECH_LANGUAGES[turn.language])
    if turn.listen is None:
        response.hangup()
    return str(response)


def answered_by_read(value: str) -> str:
    if value.startswith("machine"):
        return AnsweredBy.MACHINE
    return TWILIO_ANSWERED_BY.get(value, AnsweredBy.UNKNOWN if value else "")


def _integer(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def status_read(params) -> StatusUpdate:
    timestamp = params.get("Timestamp")
    return StatusUpdate(
        call_id=params.get("CallSid", ""),
        status=TWILIO_STATUSES.get(params.get("CallStatus", ""), ""),
        duration_seconds=_integer(params.get("CallDuration")),
        answered_by=answered_by_read(params.get("AnsweredBy", "")),
        timestamp=parsedate_to_datetime(timestamp) if timestamp else None,
        sequence=_integer(params.get("SequenceNumber")),
        error_code=_integer(params.get("ErrorCode")),
    )


def call_resource_read(call) -> StatusUpdate:
    """A call fetched from Twilio's REST API (its Call resource), in the words of a status callback."""
    return StatusUpdate(
        call_id=call.sid,
        status=TWILIO_STATUSES.get(call.status or "", ""),
        duration_seconds=_integer(call.duration),
        answered_by=answered_by_read(call.answered_by or ""),
        timestamp=call.end_time,
    )


def input_read(params) -> CallerInput:
    try:
        confidence = float(params["Confidence"])
    except (KeyError, ValueError):
        confidence = None
    return CallerInput(digits=params.get("Digits", ""), speech=params.get("SpeechResult", ""), confidence=confidence)


def public_url(request: HttpRequest) -> str:
    """The address the carrier called: behind a proxy, only PUBLIC_BASE_URL knows it."""
    return settings.PUBLIC_BASE_URL + request.get_full_path()


def signature_valid(request: HttpRequest, auth_token: str, *, shared_key_secret: str = "") -> bool:
    """Twilio's X-Twilio-Signature over the public URL and the form parameters: with the auth token
    (HMAC-SHA1), or, when a Webhook Rule of the account has Twilio sign with a SharedKey (the request
    says so, and names the algorithm, in X-Twilio-Webhooks-Signature-Settings), with that key's secret."""
    signature = request.headers.get("X-Twilio-Signature", "")
    signing = request.headers.get(SIGNATURE_SETTINGS_HEADER, "")
    if signing and not shared_key_secret:
        logger.error(
            "A webhook request is signed with a Twilio SharedKey (%s) but TWILIO_WEBHOOK_SHARED_KEY_SECRET is not set: "
            "it is refused.",
            signing,
        )
        return False
    secret = shared_key_secret if signing else auth_token
    # The form itself, not a dict of it: every value of a repeated parameter is signed.
    return bool(signature and secret) and RequestValidator(secret).validate(
        public_url(request), request.POST, signature, get_signature_algorithm(signing)
    )


class TwimlDialect(ABC):
    """What a provider speaking Twilio's dialect says and reads: a `TelephonyProvider` mixin whose
    `auth_token` signs the webhook requests."""

    @abstractmethod
    def auth_token(self) -> str:
        """The secret the carrier signs its webhook requests with."""

    def shared_key_secret(self) -> str:
        """The secret of the SharedKey the carrier signs with instead when the request says so; none here."""
        return ""

    def validate_request(self, request: HttpRequest) -> bool:
        return signature_valid(request, self.auth_token(), shared_key_secret=self.shared_key_secret())

    def parse_status(self, params) -> StatusUpdate:
        return status_read(params)

    def parse_input(self, params) -> CallerInput:
        return input_read(params)

    def render(self, turn: Turn) -> tuple[str, str]:
        return twiml_render(turn), "text/xml; charset=utf-8"
