"""The portal's health: database, Redis and worker heartbeats, as used by /healthz."""

from dataclasses import dataclass, field

import django_rq
from django.conf import settings
from django.db import connection

from .heartbeat import heartbeat_ages


@dataclass
class HealthReport:
    checks: dict[str, dict] = field(default_factory=dict)

    @property
    def failing(self) -> list[str]:
        return [name for name, check in self.checks.items() if not check["ok"]]

    @property
    def ok(self) -> bool:
        return not self.failing

    def as_dict(self) -> dict:
        return {"status": "ok" if self.ok else "fail", "failing": self.failing, "checks": self.checks}


def system_health() -> HealthReport:
    report = HealthReport()
    report.checks["database"] = _check_database()
    report.checks["redis"] = _check_redis()
    report.checks["workers"] = _check_workers(database_ok=report.checks["database"]["ok"])
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
