"""One run at a time of a periodic job: a non-blocking Redis lock that a run finding it taken skips.

Two schedulers, or a run still going when the next one is due, would otherwise do the work twice.
The lock expires after `seconds`, so a worker killed while holding it does not stop later runs for
ever. A lock taken by an RQ job names the job: a later run that finds the lock held by a job no worker
is running any more (its worker killed, say for lack of memory) takes the lock over at once instead
of waiting for its expiry, which for the monthly runs is hours.
"""

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import django_rq
from redis import Redis
from redis.exceptions import LockNotOwnedError
from rq import get_current_job
from rq.job import Job
from rq.registry import StartedJobRegistry

from .queueing import job_ids_lost

logger = logging.getLogger(__name__)

# The lock's value when an RQ job holds it: this prefix, the job's id, a colon and a random part.
HOLDER_JOB_PREFIX = "rq-job:"
# Deletes the lock only while the holder found dead still holds it.
_DELETE_IF_HELD_BY = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@contextmanager
def job_lock(name: str, *, seconds: int, queue: str) -> Iterator[bool]:
    """Hold the lock `name` (in the Redis of `queue`) while the block runs: yields True, or False
    without waiting when another run holds it."""
    connection = django_rq.get_connection(queue)
    lock = connection.lock(name, timeout=seconds, blocking=False)
    job = get_current_job()
    token = f"{HOLDER_JOB_PREFIX}{job.id}:{uuid.uuid4().hex}" if job is not None else uuid.uuid4().hex
    if not lock.acquire(token=token) and not (_dead_holder_removed(connection, name) and lock.acquire(token=token)):
        yield False
        return
    try:
        yield True
    finally:
        try:
            lock.release()
        except LockNotOwnedError:
            # The run outlasted the lock, which may already be another run's: that one's to release.
            logger.warning("The job lock %s expired before its run ended.", name)


def _dead_holder_removed(connection: Redis, name: str) -> bool:
    """Remove the lock `name` if the RQ job holding it will never release it: gone from Redis, or ended
    (failed, its work horse killed; or its worker killed, once RQ has noticed the worker's silence)."""
    holder = connection.get(name)
    if holder is None or not holder.startswith(HOLDER_JOB_PREFIX.encode()):
        return False
    job_id = holder.decode().removeprefix(HOLDER_JOB_PREFIX).rsplit(":", 1)[0]
    [job] = Job.fetch_many([job_id], connection=connection)
    if job is not None:
        # RQ fails the job of a killed worker once its heartbeat has expired, when the registry is cleaned.
        StartedJobRegistry(job.origin, connection=connection).cleanup()
    if job_id not in job_ids_lost([job_id], connection=connection):
        return False
    if not connection.eval(_DELETE_IF_HELD_BY, 1, name, holder):
        return False
    logger.warning("The job lock %s was taken over from job %s, which no worker is running.", name, job_id)
    return True
