"""A soft lockout per user name, against guessing spread over many addresses (ASVS 2.2.1).

django-axes locks a user name for one client address after LOGIN_FAILURE_LIMIT failures, so nobody
can lock a colleague out from elsewhere - but guesses from many addresses would each get their own
allowance. Here every failure for a user name counts, wherever it came from: after
LOGIN_THROTTLE_FREE_FAILURES of them within LOGIN_THROTTLE_WINDOW_MINUTES, the next try must wait
2, 4, 8 ... seconds (at most LOGIN_THROTTLE_MAX_WAIT_SECONDS) after the last failure. The real user
waits seconds at worst; a guesser gets a guess a minute.
"""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max

from .models import LoginFailure


def login_wait_seconds(username: str, *, now: datetime) -> int:
    """Seconds before `username` may try to log in again (0: now)."""
    failures = LoginFailure.objects.filter(username=username, failed_at__gte=now - _window()).aggregate(
        count=Count("pk"), last=Max("failed_at")
    )
    over = failures["count"] - settings.LOGIN_THROTTLE_FREE_FAILURES
    if over < 0:
        return 0
    wait = min(2 ** (over + 1), settings.LOGIN_THROTTLE_MAX_WAIT_SECONDS)
    return max(0, math.ceil((failures["last"] + timedelta(seconds=wait) - now).total_seconds()))


def login_failure_record(username: str, *, now: datetime) -> None:
    """Count a failed login for `username`, and forget the failures older than the window."""
    LoginFailure.objects.filter(failed_at__lt=now - _window()).delete()
    LoginFailure.objects.create(username=username[:150], failed_at=now)


def login_failures_forget(username: str) -> None:
    """The user logged in: their password was not guessed, and they need not wait next time."""
    LoginFailure.objects.filter(username=username).delete()


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_THROTTLE_WINDOW_MINUTES)
