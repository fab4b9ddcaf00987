"""A real `rqworker --with-scheduler` keeps moving jobs due later to their queue after its
scheduler process died, from a Redis outage or a SIGKILL.

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

import pytest
from django.conf import settings
from redis import Redis
from rq import Queue
from rq.exceptions import SchedulerNotFound
from rq.job import JobStatus
from rq.scheduler import RQScheduler

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
