"""A real `rqworker --with-scheduler` keeps moving jobs due later to their queue after its
scheduler process died, from a Redis outage or a SIGKILL, and its jobs run whenever the scheduler
is due for a check.

The worker runs the operators' command line against a redis-server of this test's own, which the
test stops and starts again; the job is due a second after it is enqueued.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from redis import Redis
from rq import Queue, Worker
from rq.exceptions import SchedulerNotFound
from rq.job import JobStatus
from rq.scheduler import RQScheduler

from kuntaportaali import worker as portal_worker
from tests.processes import STARTUP_SECONDS, child_pids, process_running, wait_until

pytestmark = [
    pytest.mark.processes,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server program"),
]

# The worker checks its scheduler every 5 s (kuntaportaali.worker); RQ alone waits 10 minutes.
RECOVERY_SECONDS = 15


@pytest.fixture
def worker(redis_server, tmp_path):
    """`manage.py rqworker dialer --with-scheduler`, once its scheduler process holds the queue."""
    environment = os.environ | {"DJANGO_SETTINGS_MODULE": "kuntaportaali.settings.test", "REDIS_URL": redis_server.url}
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "rqworker", "dialer", "--with-scheduler"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    redis = Redis.from_url(redis_server.url)
    try:
        wait_until(lambda: scheduler_pid(redis) is not None, "the worker starts its scheduler", timeout=STARTUP_SECONDS)
        # Listening: RQ writes the worker's state once outside its wait for Redis, and a Redis stopped at
        # that moment ends the worker (systemd starts it again) - not what these tests are about.
        wait_until(lambda: worker_state(redis) == "idle", "the worker listens on its queue", timeout=STARTUP_SECONDS)
        yield process
    finally:
        for pid in (process.pid, *child_pids(process.pid)):
            # A work horse that just finished its job may be gone already.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=STARTUP_SECONDS)
        print(log_path.read_text())  # shown by pytest when the test failed


def scheduler_pid(redis: Redis) -> int | None:
    """The process of the scheduler that holds the dialer queue's lock and has registered itself."""
    name = redis.get(RQScheduler.get_locking_key("dialer"))
    if name is None:
        return None
    try:
        return RQScheduler.fetch(name.decode(), connection=redis).pid
    except SchedulerNotFound:
        return None


def worker_state(redis: Redis) -> str | None:
    workers = Worker.all(connection=redis)
    return workers[0].get_state() if workers else None


def job_due_in_a_second(redis: Redis):
    return Queue("dialer", connection=redis).enqueue_in(timedelta(seconds=1), "os.getpid")


def test_the_worker_restarts_its_scheduler_after_a_redis_outage(redis_server, worker):
    redis = Redis.from_url(redis_server.url)
    first = scheduler_pid(redis)

    redis_server.kill()
    wait_until(lambda: not process_running(first), "the scheduler process ends without Redis", timeout=RECOVERY_SECONDS)
    redis_server.start()
    job = job_due_in_a_second(redis)

    wait_until(lambda: job.get_status() == JobStatus.FINISHED, "the scheduled job runs", timeout=RECOVERY_SECONDS)
    assert scheduler_pid(redis) not in (None, first)
    assert worker.poll() is None


def test_the_worker_restarts_a_killed_scheduler_process(redis_server, worker):
    redis = Redis.from_url(redis_server.url)
    first = scheduler_pid(redis)

    os.kill(first, signal.SIGKILL)
    job = job_due_in_a_second(redis)

    wait_until(lambda: job.get_status() == JobStatus.FINISHED, "the scheduled job runs", timeout=RECOVERY_SECONDS)
    assert scheduler_pid(redis) not in (None, first)


class MinuteEachReading:
    """A monotonic clock that reads a minute later each time it is read: every heartbeat finds the
    worker's scheduler due for a check."""

    def __init__(self):
        self.seconds = 0.0

    def monotonic(self) -> float:
        self.seconds += 60
        return self.seconds


def test_a_job_runs_when_its_work_horse_finds_the_scheduler_due_for_a_check(redis_server, monkeypatch):
    """RQ runs each job in a work horse forked from the worker, and the horse sends the worker's
    heartbeat too. It inherits the scheduler's process object but is not its parent: a check of it
    there failed the job (about one job in fifty in the demo, whenever the check fell due between the
    worker's last heartbeat and the horse's)."""
    monkeypatch.setattr(portal_worker, "time", SimpleNamespace(monotonic=MinuteEachReading().monotonic))
    redis = Redis.from_url(redis_server.url)
    queue = Queue("dialer", connection=redis)
    jobs = [queue.enqueue("os.getpid") for _ in range(3)]
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        portal_worker.PortalWorker([queue], connection=redis).work(with_scheduler=True, max_jobs=len(jobs))
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)

    assert [job.get_status(refresh=True) for job in jobs] == [JobStatus.FINISHED] * len(jobs)
    assert scheduler_pid(redis) is None  # the worker stopped its scheduler as it ended
