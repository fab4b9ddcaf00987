"""One run at a time of a periodic job: a non-blocking Redis lock that a run finding it taken skips.

Two schedulers, or a run still going when the next one is due, would otherwise do the work twice.
The lock expires after `seconds`, so a worker killed while holding it does not stop later runs.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import django_rq
from redis.exceptions import LockNotOwnedError

logger = logging.getLogger(__name__)


@contextmanager
def job_lock(name: str, *, seconds: int, queue: str) -> Iterator[bool]:
    """Hold the lock `name` (in the Redis of `queue`) while the block runs: yields True, or False
    without waiting when another run holds it."""
    lock = django_rq.get_connection(queue).lock(name, timeout=seconds, blocking=False)
    if not lock.acquire():
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
