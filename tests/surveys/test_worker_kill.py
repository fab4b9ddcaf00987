"""A real RQ worker process killed with SIGKILL in the middle of a call job, then a fresh one.

The worker (`manage.py rqworker dialer`, the test settings, this test's database and Redis) dials
through the Twilio provider, the real SDK over real HTTP, against a local fake Twilio that counts
every call it is asked to make. The kill lands either while the carrier holds the request for a
call (the attempt is `dialing`) or while the job waits for the attempt's row lock (still
`queued`). Afterwards every attempt is accounted for and the carrier saw each one at most once.
"""

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from surveys.models import CallAttempt, CallStatus, Contact, ContactStatus
from surveys.services.dialing import STALE_DIALING_AFTER, attempts_recover_stale, dial_tick, place_call_job_id
from surveys.services.pacing import PACING_STEP
from tests.processes import child_pids, django_environment, wait_until
from tests.surveys.calls import running_campaign
from tests.surveys.telephony_fakes import FakeTwilio

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.processes]

ACCOUNT = "AC" + "2" * 32
TOKEN = "twilio-test-auth-token"
NUMBERS = ("0401234500", "0401234501", "0401234502")
WAIT_SECONDS = 60


class HoldingTwilio(FakeTwilio):
    """The fake Twilio REST server; the first call request gets no answer until `release` is set."""

    def __init__(self, *, hold_first: bool):
        self.release = threading.Event()
        self.hold_first = hold_first
        super().__init__()
        # A request whose worker was killed cannot be answered; that is not this server's error.
        self.server.handle_error = lambda request, client_address: None

    @property
    def reply(self):
        calls = len(self.requests)
        if calls == 1 and self.hold_first:
            self.release.wait(WAIT_SECONDS)
        return 201, {"sid": call_id(calls), "status": "queued"}

    @reply.setter
    def reply(self, value):
        """FakeTwilio sets a fixed reply; this one makes a call id per call."""

    def calls_per_attempt(self) -> Counter:
        return Counter(int(request["form"]["Url"][0].split("/ivr/")[1].split("/")[0]) for request in self.requests)


def call_id(nth_call: int) -> str:
    return f"CA{nth_call:032d}"


def worker_environment(carrier: HoldingTwilio) -> dict[str, str]:
    return django_environment() | {
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_API_BASE_URL": carrier.base_url,
        "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
    }


class Workers:
    """The worker processes this test starts; any left running are killed at the end."""

    def __init__(self, carrier: HoldingTwilio, log_dir: Path):
        self.environment = worker_environment(carrier)
        self.log_dir = log_dir
        self.started: list[subprocess.Popen] = []

    def start(self, *, burst: bool = False) -> subprocess.Popen:
        command = [sys.executable, "manage.py", "rqworker", "dialer", *(["--burst"] if burst else [])]
        with open(self.log_dir / f"worker-{len(self.started)}.log", "w") as log:
            process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=self.environment, stdout=log, stderr=subprocess.STDOUT
            )
        self.started.append(process)
        return process

    def run_burst(self) -> None:
        """A fresh worker that does every job waiting on the queue, then exits."""
        process = self.start(burst=True)
        assert process.wait(timeout=WAIT_SECONDS) == 0, (
            self.log_dir / f"worker-{len(self.started) - 1}.log"
        ).read_text()

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL to the worker and to the work horse it forked for the job, as a lost machine ends both."""
        horses = child_pids(process.pid)
        assert len(horses) == 1
        for pid in (process.pid, *horses):
            os.kill(pid, signal.SIGKILL)
        process.wait(timeout=WAIT_SECONDS)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                for pid in (process.pid, *child_pids(process.pid)):
                    os.kill(pid, signal.SIGKILL)
                process.wait(timeout=WAIT_SECONDS)


def window_opening() -> datetime:
    """A minute before now (local), so that the window one pacing step long from it is open while the test's
    workers place the calls; moved earlier near midnight, as a day's window ends by then."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    latest = datetime.combine(now.date(), time(23, 59), tzinfo=now.tzinfo) - PACING_STEP
    return max(now.replace(hour=0, minute=0), min(now - timedelta(minutes=1), latest))


@pytest.fixture
def campaign(make_campaign):
    opening = window_opening()
    return running_campaign(
        make_campaign,
        numbers=NUMBERS,
        telephony_provider="twilio",
        # Open now, whatever the day the test runs: its last day of new numbers (the two after it are
        # for retries), one pacing step long, so that a tick in it may start every number left. A call
        # job run outside the window would dial nobody.
        start_date=opening.date() - timedelta(days=1),
        end_date=opening.date() + timedelta(days=2),
        max_attempts=3,
        weekdays=list(range(7)),
        exclude_holidays=False,
        daily_start=opening.time(),
        daily_end=(opening + PACING_STEP).time(),
        max_concurrent_calls=5,
        calls_per_second=1,
    )


@pytest.fixture
def queued(campaign, rq_queues) -> list[CallAttempt]:
    """One attempt per number, queued by a committed dial tick; their jobs wait on the real queue."""
    tick = datetime.combine(timezone.localdate(), campaign.daily_start, tzinfo=timezone.get_current_timezone())
    assert dial_tick(campaign=campaign, now=tick + timedelta(minutes=1)) == 3
    return list(CallAttempt.objects.order_by("pk"))


def carrier_and_workers(tmp_path, *, hold_first: bool):
    carrier = HoldingTwilio(hold_first=hold_first)
    return carrier, Workers(carrier, tmp_path)


def test_killed_while_the_carrier_holds_the_call_the_attempt_is_never_dialed_again(queued, rq_queues, tmp_path):
    carrier, workers = carrier_and_workers(tmp_path, hold_first=True)
    first = queued[0]
    with carrier:
        try:
            worker = workers.start()
            wait_until(lambda: len(carrier.requests) == 1, "the worker asks the carrier for the first call")
            workers.kill(worker)
            carrier.release.set()
            first.refresh_from_db()
            assert (first.status, first.provider_call_id) == (CallStatus.DIALING, None)

            workers.run_burst()
            # RQ's own handling of the killed worker's job: abandoned, to the failed jobs. Requeued
            # by hand (as from a dashboard) it runs again in a fresh worker, and dials nothing.
            queue = rq_queues["dialer"]
            attempts_recover_stale(now=timezone.now() + timedelta(minutes=2))
            job = Job.fetch(place_call_job_id(first.pk), connection=queue.connection)
            assert job.get_status() == JobStatus.FAILED
            FailedJobRegistry(queue=queue).requeue(job)
            workers.run_burst()
            assert job.latest_result().return_value == "skipped"

            recovered = attempts_recover_stale(now=timezone.now() + STALE_DIALING_AFTER + timedelta(seconds=1))
        finally:
            workers.stop_all()

    assert carrier.calls_per_attempt() == {attempt.pk: 1 for attempt in queued}
    assert recovered.closed == 1
    first.refresh_from_db()
    assert first.status == CallStatus.CANCELED
    assert first.error == "The call job stopped while placing the call; the carrier never reported it."
    retry = CallAttempt.objects.get(contact=first.contact, number=2)
    assert retry.status == CallStatus.PENDING
    assert Contact.objects.get(pk=first.contact_id).status == ContactStatus.PENDING
    others = CallAttempt.objects.exclude(contact=first.contact)
    assert sorted(others.values_list("status", "provider_call_id")) == [
        (CallStatus.DIALING, call_id(2)),
        (CallStatus.DIALING, call_id(3)),
    ]


def test_killed_before_the_attempt_was_marked_dialing_the_call_is_made_once_by_a_fresh_worker(
    queued, rq_queues, tmp_path
):
    carrier, workers = carrier_and_workers(tmp_path, hold_first=False)
    first = queued[0]
    with carrier:
        try:
            with transaction.atomic():
                # The first call job will wait for this lock on its attempt, which is still `queued`.
                CallAttempt.objects.select_for_update().get(pk=first.pk)
                worker = workers.start()
                wait_until(lambda: waiting_for_a_row_lock() == 1, "the call job waits for the attempt's row lock")
                workers.kill(worker)
            first.refresh_from_db()
            assert first.status == CallStatus.QUEUED

            workers.run_burst()
            assert carrier.calls_per_attempt() == {queued[1].pk: 1, queued[2].pk: 1}
            first.refresh_from_db()
            assert first.status == CallStatus.QUEUED, "its job still counts as started until its heartbeat expires"

            recovered = attempts_recover_stale(now=timezone.now() + timedelta(minutes=2))
            workers.run_burst()
        finally:
            workers.stop_all()

    assert recovered.requeued == 1
    assert carrier.calls_per_attempt() == {attempt.pk: 1 for attempt in queued}
    first.refresh_from_db()
    assert (first.status, first.provider_call_id) == (CallStatus.DIALING, call_id(3))
    assert CallAttempt.objects.count() == 3


def waiting_for_a_row_lock() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps showing its first view of the activity unless told.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]
