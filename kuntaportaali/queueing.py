"""Handing work to a worker once the row it is about has been committed, or saying why not; and
telling a job that will still run from one that was lost.

A job is enqueued after the transaction that created its record commits (a worker must find the
row). When Redis cannot take it, `on_unqueued` ends the record as failed with the reason, so
nothing is left waiting for a job that does not exist, and the page can say so at once.
"""

import logging
from collections.abc import Callable, Sequence

import django_rq
from django.db import transaction
from redis import Redis
from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

logger = logging.getLogger(__name__)


def enqueue_after_commit(queue: str, job, *args, on_unqueued: Callable[[RedisError], None], **options) -> None:
    def enqueue() -> None:
        try:
            django_rq.get_queue(queue).enqueue(job, *args, **options)
        except RedisError as error:
            logger.error("A job for the %s queue could not be queued: %s", queue, error)
            on_unqueued(error)

    transaction.on_commit(enqueue)


# RQ job states in which a job is still to run or running; in any other, or gone, it is lost.
LIVE_JOB_STATUSES = frozenset(
    {
        JobStatus.CREATED,
        JobStatus.QUEUED,
        JobStatus.STARTED,
        JobStatus.DEFERRED,
        JobStatus.SCHEDULED,
        JobStatus.RATE_LIMITED,
        JobStatus.READY_TO_ENQUEUE,
    }
)


def job_last_error(job_id: str, *, connection: Redis) -> str:
    """The last line of the error the job's last run ended with (the exception, or why RQ gave it up);
    "" when the job is gone (Redis lost it) or its last run did not fail."""
    job = Job.fetch_many([job_id], connection=connection)[0]
    result = job.latest_result() if job is not None else None
    if result is None or not result.exc_string:
        return ""
    return result.exc_string.strip().splitlines()[-1]


def job_ids_lost(job_ids: Sequence[str], *, connection: Redis) -> set[str]:
    """Those of `job_ids` that no worker will run: gone from Redis, or in a state that is not live (a job
    whose worker was killed running it is failed first, once its heartbeat has expired)."""
    jobs = Job.fetch_many(list(job_ids), connection=connection)
    # A worker killed (SIGKILL, out of memory) leaves its job `started` until the job's queue's registry
    # is cleaned, which RQ's workers do only every ten minutes or so: the sweeps need not wait for that.
    started_in = {job.origin for job in jobs if job is not None and job.get_status(refresh=False) == JobStatus.STARTED}
    if started_in:
        for queue_name in started_in:
            StartedJobRegistry(queue_name, connection=connection).cleanup()
        jobs = Job.fetch_many(list(job_ids), connection=connection)
    return {
        job_id
        for job_id, job in zip(job_ids, jobs, strict=True)
        if job is None or job.get_status(refresh=False) not in LIVE_JOB_STATUSES
    }
