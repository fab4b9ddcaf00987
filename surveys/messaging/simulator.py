"""The demo's SMS provider: no message leaves the portal. Each one is kept in this process's outbox
and its webhook requests are signed like Twilio's with the simulator carrier's key, so the same
views and checks serve both.

A message carries the resident's personal link, whose token the portal does not keep (only its
SHA-256): the provider takes the link from the text as it sends it, as a phone would show it, so
that a simulation can play the resident who opens it (`virtual_messages`).
"""

import re
import uuid
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
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
    # The personal link to the survey: the first address of the text (`sms_link_text`).
    link: str


class SimulatorSmsProvider(TwilioMessagingDialect, SmsProvider):
    name = "simulator"
    label = _("Simulator (no real messages)")
    reaches_people = False
    # The messages "sent" in this process, oldest first (the oldest dropped past OUTBOX_SIZE).
    outbox: deque[SimulatedMessage] = deque(maxlen=OUTBOX_SIZE)
    # The messages a virtual-clock simulation running in this process is to deliver; None when there is none.
    virtual_messages: deque[SimulatedMessage] | None = None

    def auth_token(self) -> str:
        return simulator_auth_token()

    def send(self, *, to: str, sender: str, body: str, status_callback: str) -> str:
        message = SimulatedMessage(f"SMSIM{uuid.uuid4().hex}", to, sender, body, status_callback, _first_link(body))
        SimulatorSmsProvider.outbox.append(message)
        if SimulatorSmsProvider.virtual_messages is not None:
            SimulatorSmsProvider.virtual_messages.append(message)
        return message.message_id


def _first_link(body: str) -> str:
    found = re.search(re.escape(settings.PUBLIC_BASE_URL) + r"/\S+", body)
    return found.group() if found else ""


@contextmanager
def virtual_messages():
    """While open, the messages sent through the simulator in this process also wait in the yielded
    queue for a simulation to deliver them on its virtual clock."""
    SimulatorSmsProvider.virtual_messages = deque()
    try:
        yield SimulatorSmsProvider.virtual_messages
    finally:
        SimulatorSmsProvider.virtual_messages = None
