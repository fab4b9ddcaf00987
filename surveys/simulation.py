"""A synthetic resident population answering the simulator carrier's calls, on a virtual clock.

Each contact gets a resident (age group, language, how likely they pick up by hour, consent and
finish, keypad or speech, and a true opinion per question). Calls go through the real dialer,
the call jobs' service, and the real webhook views with signed requests, like Twilio sends them -
now and then a status callback twice or `completed` before `answered`.
"""

import random
import re
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit

import django_rq
from django.conf import settings
from django.test import Client
from django.utils import timezone

from surveys.calling_window import HELSINKI, next_open_moment
from surveys.models import (
    CallAttempt,
    CallStatus,
    Campaign,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactStatus,
    Question,
    QuestionKind,
    Response,
    ResponseStatus,
)
from surveys.services.dialing import DIALER_QUEUE, TICK_SECONDS, attempt_place, dial_tick
from surveys.services.dispositions import campaign_dispositions
from surveys.telephony.simulator import SimulatorProvider

AGE_GROUPS = {"18-29": 0.15, "30-64": 0.50, "65+": 0.35}
# Calibrated on the pilot: 2.6 calls per number, 65 % of calls answered (people hanging up at once on
# a robot and answering machines included), 14.6 % of numbers complete, 65+ half the respondents.
# FINISH is the chance to consent and answer every question, per age group.
ENGAGE = 0.14  # share of calls in which a person stays to hear the introduction
FINISH = {"18-29": 0.12, "30-64": 0.27, "65+": 0.55}
PICK_UP = 0.8
MACHINE_SHARE = 0.2
DISCONNECTED = 0.01
BUSY = 0.02
KEYPAD = 0.8
INVALID = 0.03
SILENT = 0.02
DUPLICATE_CALLBACK = 0.03
OUT_OF_ORDER = 0.03
WORDS_PER_SECOND = 2.5
OPEN_ANSWERS = ["Lisää pyöräteitä", "Kirjaston aukioloajat", "Terveyspalvelut lähemmäs", "Puistoja"]


@dataclass
class Resident:
    age_group: str
    evening_person: bool
    disconnected: bool
    consents: bool
    finishes: bool
    keypad: bool
    rng: random.Random
    opinions: dict[int, int] = field(default_factory=dict)

    def pick_up_share(self, moment: datetime) -> float:
        hour = moment.astimezone(HELSINKI).hour
        if self.age_group == "65+":
            return 1.0
        return 1.2 if (hour >= 16) == self.evening_person else 0.85


@dataclass
class SimulationResult:
    numbers: int = 0
    calls: int = 0
    answered: int = 0
    consented: int = 0
    complete: int = 0
    rr1: float = 0.0

    def as_dict(self) -> dict:
        return {
            "numbers": self.numbers,
            "calls": self.calls,
            "answered": self.answered,
            "consented": self.consented,
            "complete": self.complete,
            "rr1": round(self.rr1, 4),
        }

    def summary_line(self) -> str:
        return " ".join(f"{name}={value}" for name, value in self.as_dict().items())


class Population:
    def __init__(self, seed: int):
        self.seed = seed
        self.residents: dict[int, Resident] = {}

    def resident(self, contact: Contact) -> Resident:
        if contact.pk not in self.residents:
            rng = random.Random(f"{self.seed}:{contact.pseudonym}")  # noqa: S311 - a simulation, not a secret
            group = _age_group(contact, rng)
            finishes_share = FINISH[group] / 0.75
            self.residents[contact.pk] = Resident(
                age_group=group,
                evening_person=rng.random() < 0.6,
                disconnected=rng.random() < DISCONNECTED,
                consents=rng.random() < 0.75,
                finishes=rng.random() < finishes_share,
                keypad=rng.random() < KEYPAD,
                rng=rng,
            )
        return self.residents[contact.pk]


def _age_group(contact: Contact, rng: random.Random) -> str:
    if contact.birth_year:
        age = timezone.localdate().year - contact.birth_year
        return "18-29" if age < 30 else "30-64" if age < 65 else "65+"
    return rng.choices(list(AGE_GROUPS), weights=list(AGE_GROUPS.values()))[0]


def _stamp(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


class Carrier:
    """Plays each call the simulator provider accepted: statuses and the resident's side of the IVR."""

    def __init__(self, population: Population):
        self.population = population
        base = urlsplit(settings.PUBLIC_BASE_URL)
        self.secure = base.scheme == "https"
        self.client = Client(HTTP_HOST=base.netloc)
        self.provider = SimulatorProvider()

    def post(self, url: str, params: dict):
        path = url.removeprefix(settings.PUBLIC_BASE_URL)
        signature = self.provider.sign(settings.PUBLIC_BASE_URL + path, params)
        return self.client.post(path, params, secure=self.secure, headers={"X-Twilio-Signature": signature})

    def play(self, attempt_id: int, call_id: str, url: str, status_url: str, now: datetime) -> None:
        attempt = CallAttempt.objects.select_related("contact").get(pk=attempt_id)
        resident = self.population.resident(attempt.contact)
        rng = resident.rng
        # Twilio's Timestamp: here the virtual clock, which the status callbacks are applied at.
        status = {"CallSid": call_id, "Timestamp": _stamp(now)}
        self.post(status_url, status | {"CallStatus": "ringing"})
        if resident.disconnected:
            return self._final(status_url, status | {"CallStatus": "failed", "CallDuration": "0"}, rng)
        roll = rng.random()
        picked_up = min(PICK_UP * resident.pick_up_share(now), 0.95)
        if roll >= picked_up:
            outcome = "busy" if roll < picked_up + BUSY else "no-answer"
            return self._final(status_url, status | {"CallStatus": outcome, "CallDuration": "0"}, rng)
        engage = ENGAGE / (PICK_UP * (1 - MACHINE_SHARE))
        answered = status | {"CallStatus": "in-progress"}
        if rng.random() < MACHINE_SHARE:
            machine = answered | {"AnsweredBy": "machine_start"}
            self.post(status_url, machine)
            ended = {"Timestamp": _stamp(now + timedelta(seconds=25))}
            return self._final(status_url, machine | ended | {"CallStatus": "completed", "CallDuration": "25"}, rng)
        late = rng.random() < OUT_OF_ORDER
        if not late:
            self.post(status_url, answered)
        seconds = 3 if rng.random() >= engage else self._converse(url, resident)
        ended = {"Timestamp": _stamp(now + timedelta(seconds=seconds))}
        self._final(status_url, status | ended | {"CallStatus": "completed", "CallDuration": str(seconds)}, rng)
        if late:
            self.post(status_url, answered)
        return None

    def _final(self, status_url: str, params: dict, rng: random.Random) -> None:
        self.post(status_url, params)
        if rng.random() < DUPLICATE_CALLBACK:
            self.post(status_url, params)

    def _converse(self, url: str, resident: Resident) -> int:
        rng = resident.rng
        seconds = 0.0
        twiml = ET.fromstring(self.post(url, {}).content)  # noqa: S314 - the TwiML our own views rendered
        for _turn in range(100):
            spoken = " ".join(say.text or "" for say in twiml.iter("Say"))
            seconds += len(spoken.split()) / WORDS_PER_SECOND
            gather = twiml.find("Gather")
            if gather is None:
                break
            action = gather.get("action")
            position = re.search(r"/q/(\d+)/$", action)
            if position is None:
                params = self._intro_choice(resident)
            elif not resident.finishes and rng.random() < 0.5:
                break  # hangs up mid-survey: the answers given stay as a partial
            else:
                params = self._answer(resident, int(position.group(1)), action)
            seconds += 4
            twiml = ET.fromstring(self.post(action, params).content)  # noqa: S314
        return max(1, round(seconds))

    def _intro_choice(self, resident: Resident) -> dict:
        rng = resident.rng
        if rng.random() < SILENT:
            return {"Digits": ""}
        if resident.consents:
            return {"Digits": "1"}
        return {"Digits": "9" if rng.random() < 0.1 else "2"}

    def _answer(self, resident: Resident, position: int, action: str) -> dict:
        rng = resident.rng
        if rng.random() < SILENT:
            return {"Digits": ""}
        if rng.random() < INVALID:
            return {"Digits": "8"}
        question = _question(action, position)
        if question.kind == QuestionKind.OPEN:
            return {"SpeechResult": rng.choice(OPEN_ANSWERS), "Confidence": f"{rng.uniform(0.6, 0.95):.2f}"}
        if question.kind == QuestionKind.NUMBER:
            low, high = question.min_value or 0, question.max_value or 100
            value = resident.opinions.setdefault(position, rng.randint(low, high))
        else:
            digits = [option.digit for option in question.options.all()]
            if question.demographic == "age_group" and len(digits) == len(AGE_GROUPS):
                value = digits[list(AGE_GROUPS).index(resident.age_group)]
            else:
                value = resident.opinions.setdefault(position, rng.choice(digits))
        if resident.keypad:
            return {"Digits": str(value)}
        return {"SpeechResult": str(value), "Confidence": f"{rng.uniform(0.6, 0.95):.2f}"}


_QUESTIONS: dict[tuple[int, int], Question] = {}


def _question(action: str, position: int) -> Question:
    attempt_id = int(re.search(r"/ivr/(\d+)/", action).group(1))
    version_id = CallAttempt.objects.values_list("contact__campaign__survey_version", flat=True).get(pk=attempt_id)
    key = (version_id, position)
    if key not in _QUESTIONS:
        _QUESTIONS[key] = Question.objects.prefetch_related("options").get(version_id=version_id, position=position)
    return _QUESTIONS[key]


def _run_call_jobs(campaign: Campaign, now: datetime) -> None:
    """Run the queued call jobs of this campaign at the virtual moment (the worker's part)."""
    queue = django_rq.get_queue(DIALER_QUEUE)
    for job in queue.get_jobs():
        if job.func_name == "surveys.jobs.place_call":
            queue.remove(job)
            attempt_place(attempt_id=job.args[0], now=now)


def simulate(campaign: Campaign, *, seed: int = 1) -> SimulationResult:
    """Run the running campaign from its first calling day to its end on the virtual clock."""
    population = Population(seed)
    carrier = Carrier(population)
    clock = next_open_moment(campaign, datetime.combine(campaign.start_date, time(0), tzinfo=HELSINKI))
    SimulatorProvider.placed = placed = deque()
    try:
        while clock is not None:
            campaign.refresh_from_db()
            queued = dial_tick(campaign=campaign, now=clock)
            _run_call_jobs(campaign, clock)
            while placed:
                carrier.play(*placed.popleft(), now=clock)
            if queued:
                clock = next_open_moment(campaign, clock + timedelta(seconds=TICK_SECONDS))
                continue
            clock = _next_work(campaign, clock)
    finally:
        SimulatorProvider.placed = None
    return simulation_result(campaign)


def _next_work(campaign: Campaign, clock: datetime) -> datetime | None:
    contacts = Contact.objects.filter(campaign=campaign, status=ContactStatus.PENDING)
    if contacts.filter(attempts__isnull=True).exists():
        return next_open_moment(campaign, clock + timedelta(seconds=TICK_SECONDS))
    due = (
        CallAttempt.objects.filter(contact__in=contacts, status=CallStatus.PENDING)
        .order_by("scheduled_for")
        .values_list("scheduled_for", flat=True)
        .first()
    )
    if due is None:
        return None
    return next_open_moment(campaign, max(due, clock + timedelta(seconds=TICK_SECONDS)))


def simulation_result(campaign: Campaign) -> SimulationResult:
    attempts = CallAttempt.objects.filter(contact__campaign=campaign)
    return SimulationResult(
        numbers=Contact.objects.filter(campaign=campaign).count(),
        calls=attempts.exclude(placed_at=None).count(),
        answered=attempts.exclude(answered_at=None).count(),
        consented=ConsentEvent.objects.filter(campaign=campaign, kind=ConsentKind.CONSENTED)
        .values("contact_ref")
        .distinct()
        .count(),
        complete=Response.objects.filter(campaign=campaign, status=ResponseStatus.COMPLETE).count(),
        rr1=campaign_dispositions(campaign=campaign).rr1,
    )


def synthetic_contacts_add(*, campaign: Campaign, count: int, seed: int) -> int:
    """Add `count` synthetic residents' numbers to the campaign (numbers on the registry left out)."""
    from surveys.models import DoNotCall
    from surveys.phone_numbers import phone_encrypt, phone_hash

    rng = random.Random(f"contacts:{seed}:{campaign.pk}")  # noqa: S311 - a simulation, not a secret
    this_year = timezone.localdate().year
    ages = {"18-29": (18, 29), "30-64": (30, 64), "65+": (65, 90)}
    taken = set(Contact.objects.filter(campaign=campaign).values_list("phone_hash", flat=True))
    blocked = set(DoNotCall.objects.values_list("phone_hash", flat=True))
    contacts = []
    while len(contacts) < count:
        number = f"+35850{rng.randrange(10**7):07d}"
        number_hash = phone_hash(number)
        if number_hash in taken or number_hash in blocked:
            continue
        taken.add(number_hash)
        group = rng.choices(list(AGE_GROUPS), weights=list(AGE_GROUPS.values()))[0]
        contacts.append(
            Contact(
                campaign=campaign,
                phone_encrypted=phone_encrypt(number),
                phone_hash=number_hash,
                birth_year=this_year - rng.randint(*ages[group]),
                postal_code=rng.choice(["01900", "01860", "01840", "01800"]),
                language="sv" if rng.random() < 0.05 else "fi",
            )
        )
    Contact.objects.bulk_create(contacts, batch_size=1000)
    return len(contacts)
