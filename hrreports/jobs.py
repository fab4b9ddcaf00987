"""RQ jobs of the HR reports: thin, they load a row and call a service."""

import logging

import django_rq
from django.utils import timezone

from .models import FetchRun, Source
from .models.fetching import RunTrigger
from .periods import period_last_full
from .services.fetch import fetch_run_create, fetch_run_execute

logger = logging.getLogger(__name__)

MONTHLY_LOCK_SECONDS = 6 * 3600


def fetch_run_job(run_id: int) -> str:
    """Carry out one fetch run (a no-op when it is no longer pending)."""
    run = FetchRun.objects.select_related("source").filter(pk=run_id).first()
    if run is None:
        return "gone"
    return fetch_run_execute(run=run).status


def populus_fetch_monthly() -> str:
    """The monthly cron job: fetch the last full month from every active source.

    A non-blocking Redis lock keeps two schedulers (or a slow previous run) from fetching twice.
    """
    lock = django_rq.get_connection("populus").lock(
        "kuntaportaali:hrreports:populus-monthly", timeout=MONTHLY_LOCK_SECONDS, blocking=False
    )
    if not lock.acquire():
        logger.info("Monthly Populus fetch skipped: another one is running.")
        return "skipped"
    try:
        period = period_last_full(timezone.localdate())
        statuses = []
        for source in Source.objects.filter(active=True):
            run = fetch_run_create(source=source, period=period, trigger=RunTrigger.SCHEDULE)
            statuses.append(f"{source.name}={fetch_run_execute(run=run).status}")
        return " ".join(statuses) or "no active sources"
    finally:
        lock.release()
