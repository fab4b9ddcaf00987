"""RQ jobs of the HR reports: thin, they load a row and call a service."""

import logging
from datetime import date, timedelta

import django_rq
from django.conf import settings
from django.utils import timezone

from kuntaportaali.job_lock import job_lock
from kuntaportaali.queueing import enqueue_after_commit

from .models import DeliveryRun, FetchRun, Source
from .models.fetching import RunTrigger
from .periods import period_label, period_last_full
from .services.fetch import (
    fetch_run_create,
    fetch_run_execute,
    fetch_run_fail_not_queued,
    fetch_run_job_id,
    fetch_runs_stale_fail,
    scheduled_fetches_due,
)

logger = logging.getLogger(__name__)

MONTHLY_LOCK_SECONDS = 6 * 3600
# The delivery runs of a month take turns on this lock: the monthly run, the daily retry, the waiting emails.
UNIT_REPORTS_LOCK = "kuntaportaali:hrreports:unit-reports-monthly"
WAITING_SEND_DELAY = timedelta(minutes=5)


def fetch_run_job(run_id: int) -> str:
    """Carry out one fetch run (a no-op when it is no longer pending)."""
    run = FetchRun.objects.select_related("source").filter(pk=run_id).first()
    if run is None:
        return "gone"
    return fetch_run_execute(run=run).status


def fetch_run_enqueue(*, source: Source, period: date, by=None) -> FetchRun:
    """Create a run started from the HR pages; a worker on the populus queue carries it out."""
    run = fetch_run_create(source=source, period=period, trigger=RunTrigger.USER, by=by)
    enqueue_after_commit(
        "populus",
        fetch_run_job,
        run.pk,
        job_id=fetch_run_job_id(run.pk),
        job_timeout=settings.HR_RUN_JOB_TIMEOUT,
        on_unqueued=lambda error: fetch_run_fail_not_queued(run_id=run.pk, error=error),
    )
    return run


def hr_runs_sweep() -> str:
    """The hourly cron job: end as failed the fetch and delivery runs whose worker is gone."""
    from .services.delivery import delivery_runs_stale_fail

    fetch_runs, delivery_runs = fetch_runs_stale_fail(), delivery_runs_stale_fail()
    return f"fetch runs failed={len(fetch_runs)} delivery runs failed={len(delivery_runs)}"


def populus_fetch_monthly() -> str:
    """The daily cron job of the monthly fetch: from POPULUS_FETCH_DAY on, fetch the last full month from
    every active source that has no scheduled fetch of it yet, or whose scheduled fetch failed on a passing
    cause, a few times (`scheduled_fetches_due`). RQ's cron runs a job at its minute only, so a fetch whose
    day's job was lost (the cron process restarting then) is made up the next day.

    A non-blocking Redis lock keeps two schedulers (or a slow previous run) from fetching twice.
    """
    with job_lock("kuntaportaali:hrreports:populus-monthly", seconds=MONTHLY_LOCK_SECONDS, queue="populus") as held:
        if not held:
            logger.info("Monthly Populus fetch skipped: another one is running.")
            return "skipped"
        fetch_runs_stale_fail()  # a dead run of the month would show "running" beside the new one
        today = timezone.localdate()
        period = period_last_full(today)
        if today.day < settings.POPULUS_FETCH_DAY:
            return f"not due: the fetch of {period_label(period)} starts on day {settings.POPULUS_FETCH_DAY}"
        fetches = scheduled_fetches_due(period=period)
        statuses = []
        for source in fetches.due:
            run = fetch_run_create(source=source, period=period, trigger=RunTrigger.SCHEDULE)
            statuses.append(f"{source.name}={fetch_run_execute(run=run).status}")
        if statuses:
            return " ".join(statuses)
        if not Source.objects.filter(active=True).exists():
            return "no active sources"
        line = f"done: every active source has its scheduled fetch of {period_label(period)}"
        if fetches.left_to_hr:
            line += "; failed, left to HR: " + ", ".join(source.name for source in fetches.left_to_hr)
        return line


def unit_reports_monthly() -> str:
    """The daily cron job of the monthly reports, after the fetch: from UNIT_REPORTS_DAY on, once a month,
    raise the early-support alerts of the last full month and email the subscribed reports. RQ's cron runs a
    job at its minute only, so a month whose day's job was lost (the cron process restarting then) goes out
    the next day. The email of a unit whose source has not fetched the month waits, and goes out when that
    fetch succeeds (`unit_reports_waiting_send`)."""
    from .services.delivery import delivery_runs_stale_fail, unit_reports_send
    from .services.early_support import alerts_evaluate

    with job_lock(UNIT_REPORTS_LOCK, seconds=MONTHLY_LOCK_SECONDS, queue="email") as held:
        if not held:
            logger.info("Monthly unit reports skipped: another run is going on.")
            return "skipped"
        delivery_runs_stale_fail()  # a dead run of last month would read "not finished" for ever
        today = timezone.localdate()
        period = period_last_full(today)
        if today.day < settings.UNIT_REPORTS_DAY:
            return f"not due: the reports of {period_label(period)} go out from day {settings.UNIT_REPORTS_DAY}"
        # A scheduled run of the month that was killed is not run again here: the daily retry sends the
        # emails it did not (`unit_reports_failed_retry`).
        if DeliveryRun.objects.filter(period=period, trigger=RunTrigger.SCHEDULE).exists():
            return f"done: the reports of {period_label(period)} went out already"
        alerts_evaluate(period=period)
        summary = unit_reports_send(period=period, trigger=RunTrigger.SCHEDULE)
        if summary.waiting:
            logger.warning("Monthly unit reports: %d emails of %s wait for the month's data.", summary.waiting, period)
        return summary.line()


def unit_reports_failed_retry() -> str:
    """The daily cron job: send again the last full month's emails that failed and have attempts left."""
    from .services.delivery import unit_reports_failed_retry as retry

    with job_lock(UNIT_REPORTS_LOCK, seconds=MONTHLY_LOCK_SECONDS, queue="email") as held:
        if not held:
            logger.info("Failed unit reports not retried: another run is going on.")
            return "skipped"
        summary = retry(period=period_last_full(timezone.localdate()))
        return "nothing to retry" if summary is None else summary.line()


def unit_reports_waiting_send(period: date) -> str:
    """After a fetch of `period` succeeded: raise the alerts its data reaches now and send the emails of
    the month that were waiting for it (those still missing a source keep waiting).

    It takes the monthly run's lock: side by side, the monthly run could hold an email back after this
    job had passed it over as locked, and nothing would send it. While another run holds the lock, the
    job comes back later instead of skipping."""
    from .services.delivery import unit_reports_send
    from .services.early_support import alerts_evaluate

    with job_lock(UNIT_REPORTS_LOCK, seconds=MONTHLY_LOCK_SECONDS, queue="email") as held:
        if not held:
            django_rq.get_queue("email").enqueue_in(
                WAITING_SEND_DELAY, unit_reports_waiting_send, period, job_timeout=settings.HR_RUN_JOB_TIMEOUT
            )
            logger.info("The waiting unit reports of %s wait for a delivery run going on.", period)
            return "deferred: a delivery run of the reports is going on"
        alerts_evaluate(period=period)
        return unit_reports_send(period=period, trigger=RunTrigger.FETCH, waiting_only=True).line()


def hr_data_purge_daily() -> str:
    """The nightly cron job: delete the HR records and access-log entries past their retention."""
    from .services.retention import hr_data_purge

    return hr_data_purge(today=timezone.localdate()).summary_line()
