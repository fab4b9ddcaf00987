"""The portal's health: database, Redis, worker heartbeats and the RQ scheduler, as used by /healthz."""

import ipaddress
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

import django_rq
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rq.exceptions import SchedulerNotFound
from rq.registry import ScheduledJobRegistry
from rq.scheduler import RQScheduler

from .client_address import client_address
from .heartbeat import heartbeat_ages

# A live scheduler beats every second and moves a job within a second of its time; the worker
# restarts a dead one within seconds (kuntaportaali.worker).
SCHEDULER_MAX_DELAY = timedelta(seconds=30)
# What the system page calls each check and queue; /healthz, the logs and the RQ dashboard keep the codes.
CHECK_LABELS = {
    "database": _("Database"),
    "redis": _("Redis"),
    "workers": _("Workers"),
    "scheduler": _("Job scheduler"),
}
QUEUE_LABELS = {
    "dialer": _("Calls"),
    "populus": _("Populus fetches"),
    "reports": _("Report files"),
    "email": _("Emails"),
    "imports": _("Contact list imports"),
}


class QueueHeartbeat(NamedTuple):
    label: str
    queue: str
    age: int | None  # seconds since the queue's worker last beat; None: it never has


@dataclass
class HealthReport:
    checks: dict[str, dict] = field(default_factory=dict)

    @property
    def failing(self) -> list[str]:
        return [name for name, check in self.checks.items() if not check["ok"]]

    @property
    def failing_labels(self) -> list[str]:
        return [str(CHECK_LABELS.get(name, name)) for name in self.failing]

    @property
    def queues(self) -> list[QueueHeartbeat]:
        """Each queue's label for people and the seconds since its last heartbeat."""
        ages = self.checks.get("workers", {}).get("heartbeat_age_seconds", {})
        return [QueueHeartbeat(str(QUEUE_LABELS.get(queue, queue)), queue, age) for queue, age in ages.items()]

    @property
    def ok(self) -> bool:
        return not self.failing

    def as_dict(self) -> dict:
        return {"status": "ok" if self.ok else "fail", "failing": self.failing, "checks": self.checks}


def health_details_allowed(request) -> bool:
    """Monitoring may read the details: a request from HEALTHZ_INTERNAL_NETWORKS, or with the bearer
    HEALTHZ_TOKEN over HTTPS (/healthz also answers plain HTTP, where the token would travel in the clear)."""
    token = settings.HEALTHZ_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given and request.is_secure() and secrets.compare_digest(given.encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network) for network in settings.HEALTHZ_INTERNAL_NETWORKS)


def system_health() -> HealthReport:
    report = HealthReport()
    report.checks["database"] = _check_database()
    report.checks["redis"] = _check_redis()
    report.checks["workers"] = _check_workers(database_ok=report.checks["database"]["ok"])
    report.checks["scheduler"] = _check_scheduler(redis_ok=report.checks["redis"]["ok"])
    return report


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as error:  # any driver error means the database is unusable
        return {"ok": False, "error": type(error).__name__}


def _check_redis() -> dict:
    try:
        django_rq.get_connection(settings.WORKER_QUEUES[0]).ping()
        return {"ok": True}
    except Exception as error:  # connection refused, timeout, auth: all mean no queueing
        return {"ok": False, "error": type(error).__name__}


def _check_workers(*, database_ok: bool) -> dict:
    if not database_ok:
        return {"ok": False, "error": "database unavailable"}
    max_age = settings.HEARTBEAT_MAX_AGE
    ages = heartbeat_ages()
    stale = sorted(queue for queue, age in ages.items() if age is None or age > max_age)
    return {
        "ok": not stale,
        "max_age_seconds": int(max_age.total_seconds()),
        "heartbeat_age_seconds": {
            queue: None if age is None else round(age.total_seconds()) for queue, age in ages.items()
        },
        "stale_queues": stale,
    }


def _check_scheduler(*, redis_ok: bool) -> dict:
    """Jobs due later (the simulator's live call steps) reach their queue only through a live
    scheduler process of a worker (`rqworker --with-scheduler`), one per queue at a time."""
    if not redis_ok:
        return {"ok": False, "error": "redis unavailable"}
    redis = django_rq.get_connection(settings.WORKER_QUEUES[0])
    checked_at = timezone.now()
    ages = {queue: _scheduler_age(redis, queue, now=checked_at) for queue in settings.WORKER_QUEUES}
    due_before = (checked_at - SCHEDULER_MAX_DELAY).timestamp()
    overdue = {
        queue: redis.zcount(ScheduledJobRegistry(queue, connection=redis).key, 0, due_before)
        for queue in settings.WORKER_QUEUES
    }
    stale = sorted(queue for queue, age in ages.items() if age is None or age > SCHEDULER_MAX_DELAY)
    return {
        "ok": not stale and not any(overdue.values()),
        "max_delay_seconds": int(SCHEDULER_MAX_DELAY.total_seconds()),
        "heartbeat_age_seconds": {
            queue: None if age is None else round(age.total_seconds()) for queue, age in ages.items()
        },
        "stale_queues": stale,
        "overdue_jobs": overdue,
    }


def _scheduler_age(redis, queue: str, *, now: datetime) -> timedelta | None:
    """Age of the last heartbeat of the scheduler holding the queue's lock; None when none holds it."""
    name = redis.get(RQScheduler.get_locking_key(queue))
    if name is None:
        return None
    try:
        scheduler = RQScheduler.fetch(name.decode(), connection=redis)
    except SchedulerNotFound:
        return None
    return None if scheduler.last_heartbeat is None else now - scheduler.last_heartbeat
