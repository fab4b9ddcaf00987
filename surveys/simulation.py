"""A whole campaign on a virtual clock: the real dialer, its RQ call jobs and the real webhook views,
with the simulator carrier's synthetic residents (`surveys.synthetic_population`) answering.

The clock ticks the dialer every TICK_SECONDS like the cron does. The call jobs a tick queued are
run at once (the worker's part), and each call placed is played through to its end at that
moment, its status callbacks stamped with the simulated times. When a tick finds less to do than
it could have done, the clock jumps to the next moment something is due, so weeks of a campaign
take minutes.
"""

import math
import multiprocessing
import os
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial

import django_rq
from django.db import connection, connections
from rq import Queue
from rq.job import Job

from surveys.calling_window import HELSINKI, next_open_moment
from surveys.models import (
    CallAttempt,
    CallStatus,
    Campaign,
    CampaignStatus,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactStatus,
    Response,
    ResponseStatus,
)
from surveys.services.dialing import (
    DIALER_QUEUE,
    TICK_SECONDS,
    attempt_place,
    campaign_spend,
    contact_on_registry,
    dial_tick,
    place_call_job_id,
)
from surveys.services.dispositions import campaign_dispositions
from surveys.synthetic_population import AGE_GROUPS, contact_facts, resident_build
from surveys.telephony.simulator import Carrier, virtual_calls_start, virtual_carrier

# About every 2,000 calls (at four calls a second), the tables' statistics are brought up to date.
STATISTICS_EVERY_TICKS = 100


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


def simulate(campaign: Campaign, *, seed: int = 1, workers: int | None = None) -> SimulationResult:
    """Run the running campaign from its first calling day to its end on the virtual clock.

    `workers` processes run the call jobs and play the calls of each tick side by side, as several
    RQ workers would (default on PostgreSQL: one more than the CPUs, as they also wait for the
    database; elsewhere none - this process). Each call plays the same whichever process plays it,
    so the result does not depend on them."""
    queue = django_rq.get_queue(DIALER_QUEUE)
    # Calls end within the tick that placed them, so a tick can start this many at most.
    per_tick = min(campaign.max_concurrent_calls, math.ceil(campaign.calls_per_second * TICK_SECONDS))
    clock = next_open_moment(campaign, datetime.combine(campaign.start_date, time(0), tzinfo=HELSINKI))
    with _commits_without_disk_wait(), _call_players(seed=seed, workers=workers) as play:
        ticks = 0
        while clock is not None:
            if ticks % STATISTICS_EVERY_TICKS == 0:
                _statistics_refresh()
            ticks += 1
            queued = dial_tick(campaign=campaign, now=clock)
            play(_call_jobs_take(campaign, queue), clock)
            if queued >= per_tick:
                clock = next_open_moment(campaign, clock + timedelta(seconds=TICK_SECONDS))
            else:
                clock = _next_work(campaign, clock, queued=queued)
    return simulation_result(campaign)


def _call_jobs_take(campaign: Campaign, queue: Queue) -> list[int]:
    """The campaign's queued attempts, their call jobs taken off the queue: the simulation runs them
    (the jobs of other campaigns stay for the workers)."""
    attempt_ids = list(
        CallAttempt.objects.filter(contact__campaign=campaign, status=CallStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
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
        with virtual_carrier(seed=seed) as placed:
            yield partial(_calls_place_and_play, carrier=Carrier(), placed=placed)
        return
    # The workers must not share this process's database connection: each opens its own.
    connections.close_all()
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
    could have: no number is left uncalled then, so it is the next retry due. None when nothing
    is left, or when the dialer refused due work (paused, cancelled, budget spent)."""
    if queued == 0 and not _dialer_may_call(campaign):
        return None
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
    return None if due is None else next_open_moment(campaign, max(due, clock + timedelta(seconds=TICK_SECONDS)))


def _dialer_may_call(campaign: Campaign) -> bool:
    campaign = Campaign.objects.get(pk=campaign.pk)
    within_budget = campaign.budget_cap is None or campaign_spend(campaign) < campaign.budget_cap
    return campaign.status == CampaignStatus.RUNNING and within_budget


def _statistics_refresh() -> None:
    """The simulation fills and changes its tables faster than autovacuum looks at them (if it runs
    at all): without fresh statistics PostgreSQL plans the dialer's queries for empty tables."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(model._meta.db_table for model in (Contact, CallAttempt, Response, ConsentEvent))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


@contextmanager
def _commits_without_disk_wait():
    """A simulated campaign can simply be run again, so its commits need not wait for the disk: on
    PostgreSQL this session stops waiting for each commit's WAL flush (synchronous_commit off).
    Every transaction, lock and constraint stays exactly as it is."""
    if connection.vendor != "postgresql":
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


def complete_by_age_group(campaign: Campaign, *, seed: int) -> dict[str, int]:
    """The complete responses by the respondents' true age group (AGE_GROUPS order)."""
    complete = Response.objects.filter(campaign=campaign, status=ResponseStatus.COMPLETE).values("pseudonym")
    counts = dict.fromkeys(AGE_GROUPS, 0)
    for facts in contact_facts(Contact.objects.filter(campaign=campaign, pseudonym__in=complete)):
        counts[resident_build(facts, seed=seed, year=campaign.start_date.year).age_group] += 1
    return counts
