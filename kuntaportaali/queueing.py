"""Handing work to a worker once the row it is about has been committed, or saying why not.

A job is enqueued after the transaction that created its record commits (a worker must find the
row). When Redis cannot take it, `on_unqueued` ends the record as failed with the reason, so
nothing is left waiting for a job that does not exist, and the page can say so at once.
"""

import logging
from collections.abc import Callable

import django_rq
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def enqueue_after_commit(queue: str, job, *args, on_unqueued: Callable[[RedisError], None], **options) -> None:
    def enqueue() -> None:
        try:
            django_rq.get_queue(queue).enqueue(job, *args, **options)
        except RedisError as error:
            logger.error("A job for the %s queue could not be queued: %s", queue, error)
            on_unqueued(error)

    transaction.on_commit(enqueue)
