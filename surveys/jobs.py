"""RQ jobs of the surveys app. Jobs stay thin: they call a service."""

from django.core.cache import cache
from django.utils import timezone

from .services.privacy import contacts_purge_expired

PURGE_LOCK_KEY = "lock:surveys:purge-expired"
PURGE_LOCK_SECONDS = 30 * 60


def purge_expired() -> str:
    """The daily retention purge; a run that finds another one holding the lock does nothing."""
    if not cache.add(PURGE_LOCK_KEY, "1", timeout=PURGE_LOCK_SECONDS):
        return "skipped: another purge is running"
    try:
        return contacts_purge_expired(today=timezone.localdate()).summary_line()
    finally:
        cache.delete(PURGE_LOCK_KEY)
