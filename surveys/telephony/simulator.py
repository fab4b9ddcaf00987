"""The embedded default carrier: a fake that accepts calls and hands them to the simulation.

Its webhook requests are signed like Twilio's (the same RequestValidator scheme) with a key
derived from SECRET_KEY, so the same views and the same signature check serve both. The calls it
accepts wait in `SimulatorProvider.placed` while a simulation (`surveys.simulation`) runs in this
process, which then plays them; without one, a call is accepted and goes nowhere.
"""

import hashlib
import uuid
from collections import deque

from django.conf import settings
from django.http import HttpRequest
from twilio.request_validator import RequestValidator

from .base import StatusUpdate, TelephonyProvider
from .twilio import TwilioProvider, public_url


def simulator_auth_token() -> str:
    return hashlib.sha256(f"simulator:{settings.SECRET_KEY}".encode()).hexdigest()


class SimulatorProvider(TelephonyProvider):
    name = "simulator"
    # (attempt id, call id, answer URL, status callback URL) of the calls a running simulation has yet to play.
    placed: deque | None = None

    def place_call(self, attempt, *, url: str, status_callback: str) -> str:
        call_id = f"SIM{uuid.uuid4().hex}"
        if SimulatorProvider.placed is not None:
            SimulatorProvider.placed.append((attempt.pk, call_id, url, status_callback))
        return call_id

    def cancel(self, call_id: str) -> None:
        for entry in list(SimulatorProvider.placed or []):
            if entry[1] == call_id:
                SimulatorProvider.placed.remove(entry)

    def validate_request(self, request: HttpRequest) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        return bool(signature) and RequestValidator(simulator_auth_token()).validate(
            public_url(request), request.POST.dict(), signature
        )

    def sign(self, url: str, params: dict) -> str:
        return RequestValidator(simulator_auth_token()).compute_signature(url, params)

    def parse_status(self, params) -> StatusUpdate:
        return TwilioProvider.parse_status(self, params)
