"""A whole campaign on a virtual clock: the real dialer, its RQ call jobs and the real webhook views,
with the simulator carrier's synthetic residents (`surveys.synthetic_population`) answering.

The clock ticks the dialer every TICK_SECONDS like the cron does. The call jobs a tick queued are
run at once (the worker's part), and each call placed is played through to its end at that
moment, its status callbacks stamped with the simulated times. When a tick finds less to do than
it could have done, the clock jumps to the next moment something is due - a retry, or the next
step at which pacing (`surveys.services.pacing`) releases more new numbers - so weeks of a
campaign take minutes.

With SMS follow-up, the text messages the tick's calls asked for (their jobs, enqueued by the
dialer and the IVR) are sent at the tick's moment through the simulator SMS provider, which
delivers them (a signed status report) and hands over each personal link; the resident who opens
it does so at a later virtual moment, through the real web survey pages (`surveys.web_simulator`).
The clock waits for these messages and visits as it waits for the calls.
"""

import heapq
import math
import multiprocessing
import os
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import partial
from itertools import count

import django_rq
from django.db import OperationalError, connection, connections, transaction
from django.urls import get_resolver
from django.utils.timezone import get_default_timezone
from psycopg.errors import LockNotAvailable
from rq import Queue
from rq.job import Job

from surveys.calling_window import next_open_moment
from surveys.messaging.simulator import SimulatedMessage, virtual_messages
from surveys.models import (
    CallAttempt,
    CallStatus,
    Campaign,
    CampaignStatus,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactNumber,
    ContactStatus,
    Response,
    ResponseMode,
    ResponseStatus,
)
from surveys.phone_numbers import phone_hash
from surveys.selectors import campaign_sms_costs, campaign_spend
from surveys.services.dialing import (
    DIALER_QUEUE,
    TICK_SECONDS,
    attempt_place,
    contact_on_registry,
    contacts_never_called,
    dial_tick,
    place_call_job_id,
)
from surveys.services.dispositions import COMPLETE, campaign_dispositions
from surveys.services.pacing import next_fresh_release
from surveys.services.sms import sms_link_requests_in_process, sms_link_requests_take, sms_link_send
from surveys.synthetic_population import AGE_GROUPS, LANDLINE, contact_facts, line_kind, resident_build
from surveys.telephony.simulator import Carrier, virtual_calls_start, virtual_carrier
from surveys.web_simulator import Browser, LinkVisit, virtual_now

# About every 2,000 calls (at four calls a second), the tables' statistics are brought up to date.
STATISTICS_EVERY_TICKS = 100
STATISTICS_LOCK_WAIT = "100ms"
LINK_JOB = "surveys.jobs.send_survey_link"
# What Twilio reports for a text message to a landline or an unreachable carrier.
LANDLINE_ERROR_CODE = "30006"


@dataclass
class SimulationResult:
    numbers: int = 0
    calls: int = 0
    answered: int = 0
    consented: int = 0
    complete: int = 0
    rr1: float = 0.0
    # The responses that reached the closing words: the pilot's "full responses" (its 1,132), which the
    # simulator is calibrated against; `complete` is the results' AAPOR I.
    full_responses: int = 0
    # The complete interviews (AAPOR I) by the mode that completed them ({"phone": n, "web": n}).
    completes_by_mode: dict[str, int] = field(default_factory=dict)
    # Text messages with a survey link the provider took.
    sms_sent: int = 0

    def funnel(self) -> dict:
        return {
            "numbers": self.numbers,
            "calls": self.calls,
            "answered": self.answered,
            "consented": self.consented,
            "complete": self.complete,
            "rr1": round(self.rr1, 4),
        }

    def as_dict(self) -> dict:
        return self.funnel() | {
            "full_responses": self.full_responses,
            "completes_by_mode": self.completes_by_mode,
            "sms_sent": self.sms_sent,
        }

    def summary_line(self) -> str:
        return " ".join(f"{name}={value}" for name, value in self.funnel().items())


def simulate(campaign: Campaign, *, seed: int = 1, workers: int | None = None) -> SimulationResult:
    """Run the running campaign from its first calling day to its end on the virtual clock.

    `workers` processes run the call jobs and play the calls of each tick side by side, as several
    RQ workers would (default on PostgreSQL: one more than the CPUs, as they also wait for the
    database; elsewhere none - this process). Each call plays the same whichever process plays it,
    so the result does not depend on them."""
    queue = django_rq.get_queue(DIALER_QUEUE)
    # Calls end within the tick that placed them, so a tick can start this many at most.
    per_tick = min(campaign.max_concurrent_calls, math.ceil(campaign.calls_per_second * TICK_SECONDS))
    clock = next_open_moment(campaign, datetime.combine(campaign.start_date, time(0), tzinfo=get_default_timezone()))
    with (
        _commits_without_disk_wait(),
        _call_players(seed=seed, workers=workers) as play,
        virtual_messages() as outbox,
    ):
        messages = _LinkMessages(campaign, seed=seed, queue=queue, outbox=outbox)
        ticks = 0
        while clock is not None:
            if ticks % STATISTICS_EVERY_TICKS == 0:
                _statistics_refresh()
            ticks += 1
            queued = dial_tick(campaign=campaign, now=clock)
            play(_call_jobs_take(campaign, queue), clock)
            messages.play(clock)
            if queued >= per_tick:
                calls = next_open_moment(campaign, clock + timedelta(seconds=TICK_SECONDS))
            else:
                calls = _next_work(campaign, clock, queued=queued)
            clock = min(filter(None, (calls, messages.next_moment(after=clock))), default=None)
    return simulation_result(campaign)


class _LinkMessages:
    """The simulation's SMS channel. Each tick it takes the campaign's link jobs off the queue (the
    simulation does the worker's part) and sends each at the tick's moment, or holds it until the
    calling window opens; delivers the messages sent; and plays the residents' visits to their
    links whose moment has come."""

    def __init__(self, campaign: Campaign, *, seed: int, queue: Queue, outbox):
        self.campaign, self.seed, self.queue, self.outbox = campaign, seed, queue, outbox
        self.year = campaign.start_date.year
        self.held: list[tuple[datetime, int, int | None]] = []  # (when to send, contact id, number id)
        self.visits: list[tuple[datetime, int, LinkVisit]] = []  # (moment, order, visit)
        self.order = count()
        self.carrier = Carrier()
        self.browser = Browser()

    def play(self, clock: datetime) -> None:
        due = dict(self._jobs_take())
        while self.held and self.held[0][0] <= clock:
            _moment, contact_id, phone_id = heapq.heappop(self.held)
            due[contact_id] = phone_id
        for contact in Contact.objects.filter(pk__in=due).order_by("pk"):
            result = sms_link_send(contact=contact, now=clock, phone_id=due[contact.pk])
            if result.retry_at is not None:
                heapq.heappush(self.held, (result.retry_at, contact.pk, due[contact.pk]))
        while self.outbox:
            self._deliver(self.outbox.popleft(), clock)
        while self.visits and self.visits[0][0] <= clock:
            self.browser.visit(heapq.heappop(self.visits)[2])

    def next_moment(self, *, after: datetime) -> datetime | None:
        """The next moment a held message may go or a resident opens a link, at least a tick after `after`."""
        moments = [queue[0][0] for queue in (self.held, self.visits) if queue]
        return max(min(moments), after + timedelta(seconds=TICK_SECONDS)) if moments else None

    def _jobs_take(self) -> list[tuple[int, int | None]]:
        """The contacts of the campaign's link jobs with the number each asks for, the jobs taken off
        the queue (the jobs of other campaigns stay for the workers). Inside a transaction (a planning
        run) no job of the run reaches the queue: the site's queue is not read on every tick for nothing."""
        if connection.in_atomic_block:
            return sms_link_requests_take()
        jobs = [
            job
            for job in Job.fetch_many(self.queue.get_job_ids(), connection=self.queue.connection)
            if job is not None and job.func_name == LINK_JOB
        ]
        ours = set(
            Contact.objects.filter(campaign=self.campaign, pk__in=[job.args[0] for job in jobs]).values_list(
                "pk", flat=True
            )
        )
        taken = [job for job in jobs if job.args[0] in ours]
        with self.queue.connection.pipeline() as pipeline:
            for job in taken:
                self.queue.remove(job.id, pipeline=pipeline)
                pipeline.delete(job.key)
            pipeline.execute()
        # The calls played in this process asked for theirs without a job (sms_link_enqueue).
        return [(job.args[0], job.args[1] if len(job.args) > 1 else None) for job in taken] + sms_link_requests_take()

    def _deliver(self, message: SimulatedMessage, clock: datetime) -> None:
        """The operator delivers the message (its status report, signed) and the resident who will open
        the link is given their moment; a landline takes no text message, and the operator says so."""
        number = (
            ContactNumber.objects.filter(campaign=self.campaign, phone_hash=phone_hash(message.to))
            .select_related("contact")
            .first()
        )
        landline = (
            number is not None
            and line_kind(seed=self.seed, pseudonym=str(number.contact.pseudonym), position=number.position) == LANDLINE
        )
        report = {"MessageSid": message.message_id, "MessageStatus": "delivered"}
        if landline:
            report = report | {"MessageStatus": "undelivered", "ErrorCode": LANDLINE_ERROR_CODE}
        with virtual_now(clock):
            self.carrier.post(message.status_callback, report)
        if number is None or landline:
            return
        [facts] = contact_facts(Contact.objects.filter(pk=number.contact_id))
        resident = resident_build(facts, seed=self.seed, year=self.year)
        if not resident.opens_link:
            return
        moment = clock + timedelta(hours=resident.link_delay_hours)
        visit = LinkVisit(moment, message.link, facts, self.campaign.survey_version_id, self.year, self.seed)
        heapq.heappush(self.visits, (moment, next(self.order), visit))


def _call_jobs_take(campaign: Campaign, queue: Queue) -> list[int]:
    """The campaign's queued attempts, their call jobs taken off the queue: the simulation runs them
    (the jobs of other campaigns stay for the workers)."""
    attempt_ids = list(
        CallAttempt.objects.filter(contact__campaign=campaign, status=CallStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if connection.in_atomic_block:
        return attempt_ids  # no job of a run inside a transaction reaches the queue (it waits for a commit)
    with queue.connection.pipeline() as pipeline:
        for attempt_id in attempt_ids:
            job_id = place_call_job_id(attempt_id)
            queue.remove(job_id, pipeline=pipeline)
            pipeline.delete(Job.key_for(job_id))
        pipeline.execute()
    return attempt_ids


@contextmanager
def _call_players(*, seed: int, workers: int | None):
    """A function that runs the call jobs of these attempts at a virtual moment and plays the calls
    placed, returning when all have ended: in this process, or spread over worker processes."""
    if workers is None:
        parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
        workers = (os.cpu_count() or 1) + 1 if parallel else 0
    if workers <= 1:
        with virtual_carrier(seed=seed) as placed, sms_link_requests_in_process():
            yield partial(_calls_place_and_play, carrier=Carrier(), placed=placed)
        return
    # The workers must not share this process's database connection: each opens its own.
    connections.close_all()
    # Every call reverses the IVR's URLs: loaded once here, the URLconf and the views it imports are
    # inherited by each forked worker instead of imported again in each (seconds of CPU apiece).
    get_resolver().app_dict  # noqa: B018
    with multiprocessing.get_context("fork").Pool(workers, initializer=_player_start, initargs=(seed,)) as pool:
        # One call at a time to whichever process is free: calls differ in length (a number that does
        # not answer takes two requests, an interview twenty), and the tick waits for the last one.
        yield lambda attempt_ids, now: pool.map(partial(_player_play, now=now), attempt_ids, chunksize=1)
        pool.close()
        pool.join()


_player: dict = {}


def _player_start(seed: int) -> None:
    """A worker process of the simulation: its own carrier and queue of calls placed."""
    _player.update(carrier=Carrier(), placed=virtual_calls_start(seed=seed))
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")


def _player_play(attempt_id: int, now: datetime) -> None:
    _calls_place_and_play([attempt_id], now, **_player)


def _calls_place_and_play(attempt_ids: list[int], now: datetime, *, carrier: Carrier, placed: deque) -> None:
    """The worker's part: place each call (its job) at the virtual moment, then play it to its end."""
    for attempt_id in attempt_ids:
        attempt_place(attempt_id=attempt_id, now=now)
    while placed:
        carrier.play(placed.popleft(), start=now)


def _next_work(campaign: Campaign, clock: datetime, *, queued: int) -> datetime | None:
    """The next moment the dialer has something to do after a tick that queued fewer calls than it
    could have: the next retry due, or - while numbers are left uncalled - the next step at which
    pacing releases more of them. None when nothing is left, or when the dialer refused due work
    (paused, cancelled, budget spent)."""
    if queued == 0 and not _dialer_may_call(campaign):
        return None
    after = clock + timedelta(seconds=TICK_SECONDS)
    fresh = next_fresh_release(campaign=campaign, never_called=contacts_never_called(campaign), after=clock)
    # The earliest retry the dialer would take, read along the attempts' (status, scheduled_for) index.
    due = (
        CallAttempt.objects.filter(
            status=CallStatus.PENDING, contact__campaign=campaign, contact__status=ContactStatus.PENDING
        )
        .filter(~contact_on_registry("contact"))
        .order_by("scheduled_for")
        .values_list("scheduled_for", flat=True)
        .first()
    )
    retry = None if due is None else next_open_moment(campaign, max(due, after))
    return min((moment for moment in (retry, fresh) if moment is not None), default=None)


def _dialer_may_call(campaign: Campaign) -> bool:
    campaign = Campaign.objects.get(pk=campaign.pk)
    within_budget = campaign.budget_cap is None or campaign_spend(campaign) < campaign.budget_cap
    return campaign.status == CampaignStatus.RUNNING and within_budget


def _statistics_refresh() -> None:
    """The simulation fills and changes its tables faster than autovacuum looks at them (if it runs
    at all): without fresh statistics PostgreSQL plans the dialer's queries for empty tables. Also in
    a transaction (a planning run, rolled back), where only ANALYZE in it sees its rows. There its
    lock on these tables lasts to the run's end (pg_class's row counts stay afterwards, the rest is
    rolled back): the planner's runs go one after the other, autovacuum leaves these tables alone
    meanwhile, and a simulation that finds the lock taken (another campaign's prediction) goes on
    with the statistics it has rather than wait minutes for it."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(model._meta.db_table for model in (Contact, CallAttempt, Response, ConsentEvent))
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout')")
            [lock_timeout] = cursor.fetchone()
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [STATISTICS_LOCK_WAIT])
            cursor.execute(f"ANALYZE {tables}")
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
    except OperationalError as error:
        if not isinstance(error.__cause__, LockNotAvailable):
            raise


@contextmanager
def _commits_without_disk_wait():
    """A simulated campaign can simply be run again, so its commits need not wait for the disk: on
    PostgreSQL this session stops waiting for each commit's WAL flush (synchronous_commit off).
    Every transaction, lock and constraint stays exactly as it is. Inside a transaction (a planning
    run, rolled back) there is no commit to wait for, and a RESET after an error would hide the error."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def simulation_result(campaign: Campaign) -> SimulationResult:
    """The run's funnel. Its completes are the results' (AAPOR I, at least 80 % of the questions that
    applied answered: surveys.services.dispositions), not the responses that heard the closing words:
    a resident who hangs up at the last question is a complete there, one who let most questions pass
    is not, and the planner is to predict what the results will say."""
    attempts = CallAttempt.objects.filter(contact__campaign=campaign)
    dispositions = campaign_dispositions(campaign=campaign)
    by_mode = Counter(dispositions.interview_modes[pseudonym] for pseudonym in dispositions.completes)
    return SimulationResult(
        numbers=Contact.objects.filter(campaign=campaign).count(),
        calls=attempts.exclude(placed_at=None).count(),
        answered=attempts.exclude(answered_at=None).count(),
        consented=ConsentEvent.objects.filter(campaign=campaign, kind=ConsentKind.CONSENTED)
        .values("contact_ref")
        .distinct()
        .count(),
        complete=dispositions[COMPLETE],
        rr1=dispositions.rr1,
        full_responses=Response.objects.filter(campaign=campaign, status=ResponseStatus.COMPLETE).count(),
        completes_by_mode={mode: by_mode.get(mode, 0) for mode in ResponseMode.values},
        sms_sent=campaign_sms_costs(campaign).messages,
    )


def complete_by_age_group(campaign: Campaign, *, seed: int) -> dict[str, int]:
    """The complete interviews (AAPOR I, as `simulation_result` counts them) by the respondents' true
    age group (AGE_GROUPS order)."""
    complete = campaign_dispositions(campaign=campaign).completes
    counts = dict.fromkeys(AGE_GROUPS, 0)
    for facts in contact_facts(Contact.objects.filter(campaign=campaign, pseudonym__in=complete)):
        counts[resident_build(facts, seed=seed, year=campaign.start_date.year).age_group] += 1
    return counts
