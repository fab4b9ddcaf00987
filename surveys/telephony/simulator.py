"""The embedded default carrier: a fake that accepts calls and plays them through the real webhooks.

Its webhook requests are signed like Twilio's (the same RequestValidator scheme) with a key
derived from SECRET_KEY, so the same views and the same signature check serve both. The
`Carrier` plays each call it accepted with a synthetic resident (`surveys.synthetic_population`)
at the other end, step by step: ringing; then no answer, busy, a number no longer in use,
voicemail, a fax line or a person; the person's side of the IVR; the final status - now and then twice, or
with `answered` arriving after `completed`, as Twilio may send them.

Two clocks drive the steps:
- a virtual one: while `surveys.simulation.simulate` runs in this process, the calls placed wait
  in its queue and it plays each at once at the simulated moment;
- the real one, in the worker (the demo): each step is an RQ job on the dialer queue that enqueues
  the next one to run after the step's realistic delay (ringing, speaking, thinking), so a call
  lasts as long as a real one would. SIMULATOR_LIVE_CALLS turns this off (the test settings do)
  and SIMULATOR_LIVE_SPEED makes these calls faster.
"""

import hashlib
import math
import random
import re
import uuid
import xml.etree.ElementTree as ET
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from urllib.parse import urlencode, urlsplit

import django_rq
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from twilio.request_validator import RequestValidator

from surveys.models import QuestionKind, SurveyVersion
from surveys.script import INTRO_DIGIT_LINK
from surveys.synthetic_population import (
    FAX,
    HANGS_UP_AT_INTRO,
    MOBILE,
    OPTS_OUT,
    ContactFacts,
    Resident,
    SurveyQuestions,
    line_kind,
    resident_build,
    survey_questions,
    true_answer,
)

from . import twiml
from .base import CallOptions, CallPrice, ErrorKind, TelephonyProvider, Turn

LIVE_SEED = 1  # the population of live calls; pass it to population_truth for the demo's truth
LIVE_CALL_QUEUE = "dialer"
RING_SECONDS = (1.0, 3.0)  # from dialing until the phone rings
PICK_UP_SECONDS = (3.0, 15.0)  # a person picks up after ringing this long
VOICEMAIL_SECONDS = (15.0, 25.0)  # voicemail answers after ringing this long
FAX_ANSWERS_SECONDS = (2.0, 6.0)  # a fax or data line answers after ringing this long
FAX_GIVES_UP_SECONDS = 30  # a fax line nobody hangs up on ends the call after its tone this long
AMD_SECONDS = 3.0  # answering machine detection takes this long after the answer
GREETING_SECONDS = 12.0  # a voicemail greeting lasts this long, up to the beep
VOICEMAIL_MESSAGE_SECONDS = 22  # a call the portal leaves on a machine goes on this long, then ends
# What the simulated carrier bills per started minute: not the campaign's estimate, as no real
# carrier's tariff is.
PRICE_PER_MINUTE = Decimal("0.0865")
PRICE_UNIT = "EUR"
BUSY_SECONDS = 4.0
HANG_UP_SECONDS = 3  # hears a robot and hangs up
THINK_SECONDS = 4.0  # answers this long after a prompt has been read
WORDS_PER_SECOND = 2.5
BUSY = 0.02  # of the calls nobody answers: busy
SILENT = 0.02  # says nothing at a prompt (the IVR asks again after its timeout)
INVALID = 0.03  # answers a question with a key that is no option
SKIPS_OPEN = 0.3  # skips an optional open question with the star key
DUPLICATE_CALLBACK = 0.03
OUT_OF_ORDER = 0.03  # `answered` arrives after `completed`
OPEN_ANSWERS = {
    "fi": ["Lisää pyöräteitä", "Kirjaston aukioloajat", "Terveyspalvelut lähemmäs", "Puistoja", "Katujen kunnossapito"],
    "sv": ["Fler cykelvägar", "Bibliotekets öppettider", "Hälsovård närmare", "Parker", "Bättre gatuunderhåll"],
    "en": ["More cycle paths", "Library opening hours", "Health services closer", "Parks", "Street maintenance"],
}
RINGING, VOICEMAIL, MACHINE_DETECTED, FAX_ANSWERED, FAX_TONE, ANSWERED, TALKING, ENDING = (
    "ringing",
    "voicemail",
    "machine",
    "fax answered",
    "fax",
    "answered",
    "talking",
    "ending",
)
FORM = "application/x-www-form-urlencoded"


def simulator_auth_token() -> str:
    return hashlib.sha256(f"simulator:{settings.SECRET_KEY}".encode()).hexdigest()


@dataclass
class SimulatedCall:
    """One call the carrier accepted and how far it has been played (a job argument between steps)."""

    attempt_id: int
    attempt_number: int
    call_id: str
    answer_url: str
    status_url: str
    wait_for_greeting_end: bool
    language: str
    contact: ContactFacts
    version_id: int
    year: int  # the campaign's, for the resident's age
    seed: int
    # The introduction offers the survey's link by text message (the campaign's SMS follow-up).
    offers_link: bool = False
    line: str = MOBILE  # what the number called is (synthetic_population.line_kind)
    stage: str = RINGING
    steps: int = 0
    talked: float = 0.0  # seconds since answered
    request: tuple[str, dict] | None = None  # the IVR request to make at the next step
    final: dict | None = None  # the final status callback's parameters
    late_answer: bool = False
    sequence: int = 0  # of the next status callback, numbered like Twilio's SequenceNumber
    late_sequence: int = 0  # the number of an `in-progress` callback sent late


class SimulatorProvider(twiml.TwimlDialect, TelephonyProvider):
    name = "simulator"
    label = _("Simulator (no real calls)")
    reaches_people = False
    # The queue of a virtual-clock simulation running in this process; None when there is none.
    virtual_calls: deque | None = None
    virtual_seed = LIVE_SEED
    # Calls the portal ended or redirected (to None, or to the turn it redirected to). The carrier
    # plays a call's steps in the process that posts its webhooks, so it finds them here.
    taken_over: dict[str, Turn | None] = {}

    def place_call(self, attempt, options: CallOptions) -> str:
        contact = attempt.contact
        simulated = SimulatorProvider.virtual_calls is not None
        seed = SimulatorProvider.virtual_seed if simulated else LIVE_SEED
        call = SimulatedCall(
            attempt_id=attempt.pk,
            attempt_number=attempt.number,
            call_id=f"SIM{uuid.uuid4().hex}",
            answer_url=options.answer_url,
            status_url=options.status_url,
            wait_for_greeting_end=options.wait_for_greeting_end,
            language=attempt.language,
            contact=ContactFacts(str(contact.pseudonym), contact.birth_year, contact.postal_code, contact.language),
            version_id=contact.campaign.survey_version_id,
            year=contact.campaign.start_date.year,
            seed=seed,
            offers_link=contact.campaign.sms_follow_up,
            line=line_kind(seed=seed, pseudonym=str(contact.pseudonym), position=attempt.phone.position)
            if attempt.phone_id
            else MOBILE,
        )
        if simulated:
            SimulatorProvider.virtual_calls.append(call)
        elif settings.SIMULATOR_LIVE_CALLS:
            live_step_enqueue(call, delay=_uniform(call, *RING_SECONDS))
        return call.call_id

    def cancel(self, call_id: str) -> None:
        for call in list(SimulatorProvider.virtual_calls or []):
            if call.call_id == call_id:
                SimulatorProvider.virtual_calls.remove(call)

    def hang_up(self, call_id: str) -> None:
        SimulatorProvider.taken_over[call_id] = None

    def redirect(self, call_id: str, turn: Turn) -> None:
        SimulatorProvider.taken_over[call_id] = turn

    def auth_token(self) -> str:
        return simulator_auth_token()

    def sign(self, url: str, params: dict) -> str:
        return RequestValidator(simulator_auth_token()).compute_signature(url, params)

    def error_kind(self, *, code: int | None, http_status: int | None) -> ErrorKind:
        # The simulated carrier refuses nothing; a call it reports failed reached a number no longer in use.
        return ErrorKind.NUMBER

    def call_price(self, call_id: str) -> CallPrice | None:
        from surveys.models import CallAttempt

        duration = CallAttempt.objects.filter(provider_call_id=call_id).values_list("duration_seconds", flat=True)
        seconds = duration.first()
        if seconds is None:
            return None
        return CallPrice(amount=math.ceil(seconds / 60) * PRICE_PER_MINUTE, unit=PRICE_UNIT)

    def launch_problems(self, *, caller_number: str) -> list[str]:
        return []


def virtual_calls_start(*, seed: int) -> deque:
    """From now on the calls placed through the simulator in this process wait in the returned
    queue, with the residents of `seed`, for a simulation to play them on its virtual clock."""
    SimulatorProvider.virtual_calls, SimulatorProvider.virtual_seed = deque(), seed
    return SimulatorProvider.virtual_calls


@contextmanager
def virtual_carrier(*, seed: int):
    """While open, calls placed through the simulator wait in the yielded queue for a simulation."""
    try:
        yield virtual_calls_start(seed=seed)
    finally:
        SimulatorProvider.virtual_calls, SimulatorProvider.virtual_seed = None, LIVE_SEED


def live_step_enqueue(call: SimulatedCall, *, delay: float) -> None:
    """The call's next step as an RQ job, due `delay` seconds from now (SIMULATOR_LIVE_SPEED times less)."""
    django_rq.get_queue(LIVE_CALL_QUEUE).enqueue_in(
        timedelta(seconds=delay / settings.SIMULATOR_LIVE_SPEED),
        "surveys.jobs.simulated_call_step",
        call,
        # One job per step: a step delivered twice schedules the next one only once.
        job_id=f"simulated-call-{call.call_id}-{call.steps}",
        result_ttl=0,
    )


def live_call_step(call: SimulatedCall) -> str:
    """Play the call's next step now and schedule the one after (the worker's side of a live call)."""
    delay = Carrier().step(call, now=timezone.now())
    if delay is None:
        return f"{call.call_id} ended"
    live_step_enqueue(call, delay=delay)
    return f"{call.call_id} {call.stage}"


def _uniform(call: SimulatedCall, low: float, high: float) -> float:
    return random_for(call, "delay").uniform(low, high)


def random_for(call: SimulatedCall, *parts) -> random.Random:
    """The randomness of one step of one call: the same seed plays the same call the same way."""
    key = ":".join(str(part) for part in (call.seed, call.contact.pseudonym, call.attempt_number, call.steps, *parts))
    return random.Random(key)  # noqa: S311 - a simulation, not a secret


def _stamp(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


class Carrier:
    """Plays the calls: status callbacks like Twilio's and the resident's side of the IVR, each a
    signed request to the real webhook views, in this process."""

    def __init__(self):
        base = urlsplit(settings.PUBLIC_BASE_URL)
        self.secure = base.scheme == "https"
        self.requests = RequestFactory(HTTP_HOST=base.netloc)
        self.provider = SimulatorProvider()
        self._surveys: dict[int, SurveyQuestions] = {}

    def post(self, url: str, params: dict) -> HttpResponse:
        """Twilio's request: the parameters form-encoded, signed over the full public URL. It goes
        straight to the view its path resolves to, which checks the signature: the portal's
        middleware has nothing to do for the carrier (no session, no CSRF token, no page language),
        so neither it nor the test client's bookkeeping is run for each of a simulation's requests."""
        path = url.removeprefix(settings.PUBLIC_BASE_URL)
        signature = self.provider.sign(settings.PUBLIC_BASE_URL + path, params)
        request = self.requests.post(
            path, urlencode(params), content_type=FORM, secure=self.secure, headers={"X-Twilio-Signature": signature}
        )
        view = resolve(path)
        return view.func(request, *view.args, **view.kwargs)

    def survey(self, version_id: int) -> SurveyQuestions:
        # A running campaign's version is frozen: its questions are read once.
        if version_id not in self._surveys:
            self._surveys[version_id] = survey_questions(SurveyVersion.objects.get(pk=version_id))
        return self._surveys[version_id]

    def play(self, call: SimulatedCall, *, start: datetime) -> None:
        """Play the whole call at once, its steps stamped on the virtual clock from `start`."""
        moment = start
        while (delay := self.step(call, now=moment)) is not None:
            moment += timedelta(seconds=delay)

    def step(self, call: SimulatedCall, *, now: datetime) -> float | None:
        """Play the call's next step at `now`; returns the seconds until the one after, None at the end."""
        resident = resident_build(call.contact, seed=call.seed, year=call.year)
        rng = random_for(call)
        call.steps += 1
        status = {"CallSid": call.call_id, "Timestamp": _stamp(now)}
        if call.stage == RINGING:
            if self._status_post(call, status | {"CallStatus": "ringing"}).status_code == 403:
                return None  # the attempt is gone (a test's or a purged campaign's): nobody to call
            return self._after_ringing(call, resident, rng, now)
        if call.stage in (VOICEMAIL, FAX_ANSWERED):
            # Twilio fetches the call's URL as soon as it is answered: the introduction starts
            # playing into the greeting (or the fax tone) while the answering machine detection listens.
            self._status_post(call, status | {"CallStatus": "in-progress"})
            self.post(call.answer_url, {"CallSid": call.call_id})
            if call.stage == FAX_ANSWERED:
                call.stage = FAX_TONE
                return AMD_SECONDS
            call.stage = MACHINE_DETECTED
            return GREETING_SECONDS if call.wait_for_greeting_end else AMD_SECONDS
        if call.stage == MACHINE_DETECTED:
            return self._machine_detected(call, status)
        if call.stage == FAX_TONE:
            return self._fax_detected(call, status)
        if call.stage == ANSWERED:
            call.late_answer = rng.random() < OUT_OF_ORDER
            if call.late_answer:
                call.late_sequence, call.sequence = call.sequence, call.sequence + 1
            else:
                self._status_post(call, status | {"CallStatus": "in-progress"})
            if rng.random() >= resident.listens:
                # Hears a robot and hangs up as the introduction begins, before the detection's verdict.
                self.post(call.answer_url, {"CallSid": call.call_id})
                call.stage, call.final = ENDING, {"CallStatus": "completed", "CallDuration": str(HANG_UP_SECONDS)}
                return HANG_UP_SECONDS
            self.post(call.status_url, status | {"AnsweredBy": "human"})
            call.stage, call.request = TALKING, (call.answer_url, {})
            return 0.0
        if call.stage == TALKING:
            return self._talk(call, resident, rng)
        final = status | call.final | {"SequenceNumber": str(call.sequence)}
        self.post(call.status_url, final)
        if rng.random() < DUPLICATE_CALLBACK:
            self.post(call.status_url, final)
        if call.late_answer:
            self.post(
                call.status_url, status | {"CallStatus": "in-progress", "SequenceNumber": str(call.late_sequence)}
            )
        return None

    def _status_post(self, call: SimulatedCall, params: dict) -> HttpResponse:
        """A status callback, numbered in the order of the call's events like Twilio's."""
        response = self.post(call.status_url, params | {"SequenceNumber": str(call.sequence)})
        call.sequence += 1
        return response

    def _machine_detected(self, call: SimulatedCall, status: dict) -> float:
        """The answering machine detection's verdict (async AMD: to the status callback), then what
        the portal made of it: hung up, a message left after the beep, or nothing (the IVR talks
        to the machine until it ends the recording)."""
        verdict = "machine_end_beep" if call.wait_for_greeting_end else "machine_start"
        self.post(call.status_url, status | {"AnsweredBy": verdict})
        listened = GREETING_SECONDS if call.wait_for_greeting_end else AMD_SECONDS
        call.stage = ENDING
        if call.call_id not in SimulatorProvider.taken_over:
            call.final = _completed(listened + VOICEMAIL_MESSAGE_SECONDS)
            return VOICEMAIL_MESSAGE_SECONDS
        turn = SimulatorProvider.taken_over.pop(call.call_id)
        said = 0.0 if turn is None else len(" ".join(turn.says).split()) / WORDS_PER_SECOND
        call.final = _completed(listened + said)
        return said

    def _fax_detected(self, call: SimulatedCall, status: dict) -> float:
        """A fax line answered (its call's URL fetched at once, as any answer's): the detection's verdict,
        then the portal hangs up, or the fax line gives up by itself."""
        self.post(call.status_url, status | {"AnsweredBy": "fax"})
        call.stage = ENDING
        hung_up = SimulatorProvider.taken_over.pop(call.call_id, False) is None
        call.final = _completed(AMD_SECONDS if hung_up else FAX_GIVES_UP_SECONDS)
        return 1.0 if hung_up else FAX_GIVES_UP_SECONDS - AMD_SECONDS

    def _after_ringing(self, call: SimulatedCall, resident: Resident, rng, now: datetime) -> float:
        call.stage = ENDING
        if resident.disconnected:
            call.final = {"CallStatus": "failed", "CallDuration": "0"}
            return 1.0
        if call.line == FAX:
            call.stage = FAX_ANSWERED
            return rng.uniform(*FAX_ANSWERS_SECONDS)
        picks_up = resident.picks_up(now)
        roll = rng.random()
        if roll >= picks_up:
            busy = roll < picks_up + BUSY * (1 - picks_up)
            call.final = {"CallStatus": "busy" if busy else "no-answer", "CallDuration": "0"}
            return BUSY_SECONDS if busy else float(settings.TWILIO_RING_TIMEOUT)
        if rng.random() < resident.behaviour.voicemail:
            call.stage = VOICEMAIL
            return rng.uniform(*VOICEMAIL_SECONDS)
        call.stage = ANSWERED
        return rng.uniform(*PICK_UP_SECONDS)

    def _talk(self, call: SimulatedCall, resident: Resident, rng) -> float:
        url, params = call.request
        response = self.post(url, {"CallSid": call.call_id} | params)
        twiml = ET.fromstring(response.content if response.status_code == 200 else "<Response/>")  # noqa: S314
        spoken = len(" ".join(say.text or "" for say in twiml.iter("Say")).split()) / WORDS_PER_SECOND
        gather = twiml.find("Gather")
        answer = None if gather is None else self._respond(call, resident, gather.get("action"), rng)
        if answer is None:
            # The IVR said goodbye, or the resident hangs up half-way through the prompt.
            heard = spoken if gather is None else spoken / 2
            call.talked += heard
            call.stage = ENDING
            call.final = {"CallStatus": "completed", "CallDuration": str(max(1, round(call.talked)))}
            return heard
        # Silence: the IVR waits for its Gather timeout before it asks again.
        waited = float(gather.get("timeout", THINK_SECONDS)) if not any(answer.values()) else THINK_SECONDS
        call.talked += spoken + waited
        call.request = (gather.get("action"), answer)
        return spoken + waited

    def _respond(self, call: SimulatedCall, resident: Resident, action: str, rng) -> dict | None:
        """The resident's reply to a prompt as Twilio posts it, or None when they hang up."""
        if rng.random() < SILENT:
            return {"Digits": ""}
        found = re.search(r"/q/(\d+)/$", action)
        if found is None:
            return self._intro_choice(call, resident, rng)
        survey = self.survey(call.version_id)
        question = survey.at(int(found.group(1)))
        if not resident.finishes and _progress(survey, question) >= resident.break_off:
            return None  # hangs up mid-survey: the answers given stay as a partial
        if question.kind == QuestionKind.OPEN:
            if not question.required and rng.random() < SKIPS_OPEN:
                return {"Digits": "*"}
            return _speech(rng.choice(OPEN_ANSWERS[call.language]), rng)
        if rng.random() < INVALID:
            value = (question.max_value or 0) + 1 if question.kind == QuestionKind.NUMBER else _not_an_option(question)
        else:
            value = true_answer(resident, question, survey)
        return _speech(str(value), rng) if resident.speaks else {"Digits": str(value)}

    def _intro_choice(self, call: SimulatedCall, resident: Resident, rng) -> dict | None:
        if resident.consents:
            return {"Digits": "1"}
        if call.offers_link and resident.opens_link:
            # Would not answer a robot, but would a link on their phone.
            return {"Digits": str(INTRO_DIGIT_LINK)}
        roll = rng.random()
        if roll < HANGS_UP_AT_INTRO:
            return None
        return {"Digits": "9" if roll < HANGS_UP_AT_INTRO + OPTS_OUT else "2"}


def _completed(seconds: float) -> dict:
    return {"CallStatus": "completed", "CallDuration": str(max(1, math.ceil(seconds)))}


def _progress(survey: SurveyQuestions, question) -> float:
    """How far into the questions `question` is, 0 for the first."""
    return survey.questions.index(question) / len(survey.questions)


def _not_an_option(question) -> int:
    return next(digit for digit in range(9, -1, -1) if digit not in question.digits)


def _speech(text: str, rng) -> dict:
    return {"SpeechResult": text, "Confidence": f"{rng.uniform(0.6, 0.95):.2f}"}
