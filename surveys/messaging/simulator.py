"""The demo's SMS provider: no message leaves the portal. Each one is kept in this process's outbox
(the simulation reads it to play the residents who get it) and its webhook requests are signed like
Twilio's with the simulator carrier's key, so the same views and checks serve both."""

import uuid
from collections import deque
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from surveys.telephony.simulator import simulator_auth_token

from .base import SmsProvider
from .twilio import TwilioMessagingDialect

OUTBOX_SIZE = 10_000


@dataclass(frozen=True)
class SimulatedMessage:
    message_id: str
    to: str
    sender: str
    body: str
    status_callback: str


class SimulatorSmsProvider(TwilioMessagingDialect, SmsProvider):
    name = "simulator"
    label = _("Simulator (no real messages)")
    reaches_people = False
    # The messages "sent" in this process, oldest first (the oldest dropped past OUTBOX_SIZE).
    outbox: deque[SimulatedMessage] = deque(maxlen=OUTBOX_SIZE)

    def auth_token(self) -> str:
        return simulator_auth_token()

    def send(self, *, to: str, sender: str, body: str, status_callback: str) -> str:
        message = SimulatedMessage(f"SMSIM{uuid.uuid4().hex}", to, sender, body, status_callback)
        SimulatorSmsProvider.outbox.append(message)
        return message.message_id
