"""A soft lockout per user name, against guessing spread over many addresses (ASVS 2.2.1).

django-axes locks a user name for one client address after LOGIN_FAILURE_LIMIT failures, so nobody
can lock a colleague out from elsewhere - but guesses from many addresses would each get their own
allowance. Here every try whose password is checked counts for its user name, wherever it came from:
after LOGIN_THROTTLE_FREE_FAILURES of them within LOGIN_THROTTLE_WINDOW_MINUTES, the next try must
wait 2, 4, 8 ... seconds (at most LOGIN_THROTTLE_MAX_WAIT_SECONDS) after the last one. A guesser gets
a guess a minute. So that no guesser can keep the real user waiting, a browser that has logged in as
the user before (a signed cookie, OWASP's "device cookie") is not made to wait, and tries that axes
refused before checking the password, or that were told to wait, count for nothing.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Count, Max

from .models import LoginFailure

KNOWN_DEVICE_COOKIE = "kuntaportaali_known_device"
KNOWN_DEVICE_SALT = "kuntaportaali.login_throttle.known_device"
KNOWN_DEVICE_DAYS = 90


@dataclass(frozen=True)
class LoginTry:
    """A login try let through to its password check (`pk` of its record), or told to wait `wait` s."""

    pk: int | None
    wait: int = 0


def login_try_begin(username: str, *, now: datetime, known_device: bool) -> LoginTry:
    """Record a try for `username` before its password is checked, or refuse it when the name must
    still wait (then nothing is recorded). The try is recorded before the earlier ones are counted,
    so of tries arriving together each sees the others, and at most about one is let through."""
    LoginFailure.objects.filter(failed_at__lt=now - _window()).delete()
    record = LoginFailure.objects.create(username=username[:150], failed_at=now)
    if known_device:
        return LoginTry(pk=record.pk)
    earlier = (
        LoginFailure.objects.filter(username=record.username, failed_at__gte=now - _window())
        .exclude(pk=record.pk)
        .aggregate(count=Count("pk"), last=Max("failed_at"))
    )
    wait = _wait_seconds(earlier["count"], earlier["last"], now)
    if wait:
        record.delete()
        return LoginTry(pk=None, wait=wait)
    return LoginTry(pk=record.pk)


def login_try_void(login_try: LoginTry) -> None:
    """The try was refused before its password was checked (axes' lockout): it guessed nothing."""
    LoginFailure.objects.filter(pk=login_try.pk).delete()


def login_failures_forget(username: str) -> None:
    """The user logged in: their password was not guessed, and they need not wait next time."""
    LoginFailure.objects.filter(username=username).delete()


def known_device_token(username: str) -> str:
    """The value of the cookie that marks a browser where `username` has logged in."""
    return signing.dumps(username, salt=KNOWN_DEVICE_SALT)


def known_device_of(token: str, username: str) -> bool:
    try:
        return signing.loads(token, salt=KNOWN_DEVICE_SALT, max_age=timedelta(days=KNOWN_DEVICE_DAYS)) == username
    except signing.BadSignature:
        return False


def _wait_seconds(earlier: int, last: datetime | None, now: datetime) -> int:
    over = earlier - settings.LOGIN_THROTTLE_FREE_FAILURES
    if over < 0 or last is None:
        return 0
    wait = min(2 ** (over + 1), settings.LOGIN_THROTTLE_MAX_WAIT_SECONDS)
    return max(0, math.ceil((last + timedelta(seconds=wait) - now).total_seconds()))


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_THROTTLE_WINDOW_MINUTES)
