"""Fetch runs: take one period's reports from a source, check them against the organisation and
the code lists, and store them with the run's end in one transaction, or nothing at all (the run then
ends failed, with its reason and its rejected rows).

A run advances pending -> running -> done | failed. `fetch_run_execute` first claims the pending
run with a row lock (skip locked), so a job delivered twice, or two workers, never run it twice.
A worker that is killed cannot end its run: `fetch_runs_stale_fail` ends such runs as failed, and the
monthly job tries a scheduled one again on the next days (`scheduled_fetches_due`).
"""

import logging
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from kuntaportaali.db_connection import database_connection_error, database_connection_renew
from kuntaportaali.queueing import enqueue_after_commit, job_ids_lost
from kuntaportaali.tabular.problems import Problem

from ..errors import WORKER_STOPPED, PopulusError, TransientSourceError, report_problem
from ..models import FetchRun, RejectedRow, Source
from ..models.fetching import RunStatus, RunTrigger
from ..periods import period_label
from ..selectors import deliveries_waiting
from ..sources.base import (
    Rejection,
    SourceBatch,
    problem_safe,
    rejected_row_count,
    rejections_sorted,
    source_for,
)
from .store import batches_store, month_rows, stores_lock

logger = logging.getLogger(__name__)

REPORT_ORDER = ("units", "employments", "absences", "salaries")
RETRY_DELAYS = (10.0, 60.0)  # seconds before the 2nd and 3rd try of a source that did not answer
# A pending run's job reaches Redis only after the run's transaction commits: give it this long.
PENDING_JOB_GRACE = timedelta(minutes=10)
# The scheduled runs of one source and month the daily monthly job makes at most (see `scheduled_fetches_due`).
SCHEDULED_FETCH_TRIES = 3
# The reasons of a failed run that pass by themselves: the source did not answer (timeout, connection refused,
# HTTP 5xx, a name not resolving), the worker was killed or lost its database connection, the month's file not
# yet delivered or its disk out of reach. Any other (a broken file, rows refused, a setting) fails the same way
# until HR fixes the source.
PASSING_RUN_ERRORS = frozenset(
    {
        "http_no_answer",
        "http_host_unresolved",
        "run_worker_stopped",
        "run_database_lost",
        "file_missing",
        "file_os_error",
    }
)


class RunFailed(PopulusError):
    """Ends a run as failed; raised inside the storing transaction so that it rolls back."""

    def __init__(self, problem: Problem, rejections: Sequence[Rejection] = ()):
        super().__init__(problem)
        self.rejections = list(rejections)


def sources_in_fetch_order() -> list[Source]:
    """The active sources, those that read a units file first (then by name): on a month with new units,
    a source of payroll data only would find its rows' units not yet known."""

    def reads_no_units(source: Source) -> bool:
        try:
            return not source_for(source).provides("units")
        except PopulusError:
            return True  # a kind the site does not offer: its run fails with the reason anyway

    return sorted(Source.objects.filter(active=True).order_by("name"), key=reads_no_units)


@dataclass(frozen=True)
class ScheduledFetches:
    # The active sources whose scheduled fetch of the month is to run now, in fetch order.
    due: list[Source]
    # Those whose scheduled fetch failed and is not tried again: HR must look.
    left_to_hr: list[Source]


def scheduled_fetches_due(*, period: date) -> ScheduledFetches:
    """Which active sources the monthly job fetches `period` from now: those without a scheduled run of it,
    and those whose last scheduled run failed on a passing cause (PASSING_RUN_ERRORS) when they have had
    fewer than SCHEDULED_FETCH_TRIES and no run of the month was started since (by HR, say). A month fails
    all or nothing, so a run tried again finds what is stored as the failed one left it."""
    sources = sources_in_fetch_order()
    runs: dict[int, list[FetchRun]] = {}
    for run in FetchRun.objects.filter(period=period, source__in=sources).order_by("created_at", "pk"):
        runs.setdefault(run.source_id, []).append(run)
    due, left_to_hr = [], []
    for source in sources:
        of_source = runs.get(source.pk, [])
        scheduled = [run for run in of_source if run.trigger == RunTrigger.SCHEDULE]
        if not scheduled:
            due.append(source)
            continue
        last = scheduled[-1]
        if last.status != RunStatus.FAILED or of_source[-1] != last:
            continue
        if last.error_code in PASSING_RUN_ERRORS and len(scheduled) < SCHEDULED_FETCH_TRIES:
            due.append(source)
        else:
            left_to_hr.append(source)
    return ScheduledFetches(due, left_to_hr)


def fetch_run_create(*, source: Source, period: date, trigger: str = RunTrigger.USER, by=None) -> FetchRun:
    if period.day != 1:
        raise PopulusError.of("run_period_not_first_day")
    return FetchRun.objects.create(source=source, period=period, trigger=trigger, created_by=by)


def fetch_run_execute(
    *,
    run: FetchRun,
    retry_delays: Sequence[float] = RETRY_DELAYS,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchRun:
    """Run a pending fetch to its end. A run that is not pending (any more) is returned unchanged.

    All or nothing: the period's rows, the rejected rows and the run's end (done) are stored in one
    transaction; if anything in it fails - a source, a bug, a value the database refuses, even recording
    the end - none of it is stored, and the run is recorded as failed with its reason and the rejected
    rows known so far."""
    with transaction.atomic():
        claimed = (
            FetchRun.objects.select_for_update(skip_locked=True).filter(pk=run.pk, status=RunStatus.PENDING).first()
        )
        if claimed is None:
            run.refresh_from_db()
            return run
        run = claimed
        run.status = RunStatus.RUNNING
        run.started_at = timezone.now()
        run.attempts += 1
        run.stage = "starting"
        run.save(update_fields=["status", "started_at", "attempts", "stage"])

    rejections: list[Rejection] = []
    rows_read = 0
    try:
        batches = _batches_fetch(run, retry_delays=retry_delays, sleep=sleep)
        rejections = [rejection for batch in batches.values() for rejection in batch.rejected]
        rows_read = sum(batch.total for batch in batches.values())
        if rows_read == 0:
            raise RunFailed(Problem("run_nothing_delivered", {"month": period_label(run.period)}))
        _stage(run, "storing")
        with transaction.atomic():
            # Runs store one at a time, of one source or several (batches_store takes the stores' lock).
            stores_lock()
            _empty_reports_check(run, batches)
            counts, rejections = batches_store(source=run.source, period=run.period, batches=batches)
            rejected = rejected_row_count(rejections)
            threshold = settings.POPULUS_REJECT_THRESHOLD
            if rejected > threshold * rows_read:
                raise RunFailed(
                    Problem(
                        "run_too_many_rejected",
                        {
                            "rejected": rejected,
                            "rows": rows_read,
                            "threshold": f"{threshold * 100:g}",
                            "month": period_label(run.period),
                        },
                    ),
                    rejections,
                )
            try:
                _end_record(run, status=RunStatus.DONE, counts=counts, rejections=rejections, rows_read=rows_read)
            except (DatabaseError, ValueError) as error:
                logger.exception("Populus fetch %s: the database refused the run's end", run.pk)
                # Raised on inside the transaction, so that the period's rows roll back with it.
                raise RunFailed(
                    Problem("run_end_not_recorded", {"error": type(error).__name__, "month": period_label(run.period)}),
                    rejections,
                ) from None
    except RunFailed as error:
        return _failure_record(
            run, problem=error.problem, rejections=error.rejections or rejections, rows_read=rows_read
        )
    except PopulusError as error:
        return _failure_record(run, problem=error.problem, rejections=rejections, rows_read=rows_read)
    except Exception as error:
        # Neither the run nor the log gets the error's text, which may quote row data (person numbers):
        # only its type and where it happened.
        logger.error(
            "Populus fetch %s stopped on %s:\n%s",
            run.pk,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        # PostgreSQL dropped the connection (a restart, a failover): a passing cause, tried again by the schedule.
        code = "run_database_lost" if database_connection_error(error) else "run_unexpected_error"
        problem = Problem(code, {"error": type(error).__name__})
        return _failure_record(run, problem=problem, rejections=rejections, rows_read=rows_read)
    _log_end(run)
    _waiting_reports_enqueue(run.period)
    return run


def _empty_reports_check(run: FetchRun, batches: dict[str, SourceBatch]) -> None:
    """Fail the run when the source delivered not one row of a report whose month it replaces (absences,
    salaries) while rows of that month are stored from it: an endpoint that answers an empty list (its own
    query failed, its month not closed yet) would erase them. A file source refuses an empty file alike."""
    for report_type in ("absences", "salaries"):
        batch = batches.get(report_type)
        if batch is None or batch.total:
            continue
        stored = month_rows(source=run.source, period=run.period, report_type=report_type).count()
        if stored:
            params = {"report": report_problem(report_type), "month": period_label(run.period), "stored": stored}
            raise RunFailed(Problem("run_report_empty", params))


def _waiting_reports_enqueue(period: date) -> None:
    """Once the fetch commits, have a worker send the emails of `period` that wait for its data, if any do.
    Should Redis refuse the job, the daily retry of the month's emails sends them."""
    if not deliveries_waiting(period=period).exists():
        return
    enqueue_after_commit(
        "email",
        "hrreports.jobs.unit_reports_waiting_send",
        period,
        job_timeout=settings.HR_RUN_JOB_TIMEOUT,
        on_unqueued=lambda error: logger.error("The waiting unit reports of %s were not queued: %s", period, error),
    )


def _batches_fetch(run: FetchRun, *, retry_delays: Sequence[float], sleep) -> dict[str, SourceBatch]:
    plugin = source_for(run.source)
    batches: dict[str, SourceBatch] = {}
    for report_type in REPORT_ORDER:
        if not plugin.provides(report_type):
            continue
        _stage(run, f"fetching {report_type}")
        batches[report_type] = _with_retries(
            lambda rt=report_type: plugin.fetch(rt, run.period), retry_delays=retry_delays, sleep=sleep
        )
    return batches


def _with_retries(fetch: Callable[[], SourceBatch], *, retry_delays: Sequence[float], sleep) -> SourceBatch:
    for delay in retry_delays:
        try:
            return fetch()
        except TransientSourceError as error:
            logger.warning("Populus source did not answer, trying again in %s s: %s", delay, error.problem.english())
            sleep(delay)
    return fetch()


def _stage(run: FetchRun, stage: str) -> None:
    run.stage = stage
    FetchRun.objects.filter(pk=run.pk).update(stage=stage)


def _end_record(
    run: FetchRun,
    *,
    status: str,
    rejections: Sequence[Rejection],
    rows_read: int,
    counts: dict | None = None,
    problem: Problem | None = None,
    rejected_count: int | None = None,
) -> None:
    """Record how the run ended, with its rejected rows (inside the caller's transaction); `rejected_count`
    when the rows are not among `rejections`."""
    run.rejected_rows.all().delete()
    RejectedRow.objects.bulk_create(
        [
            RejectedRow(
                run=run,
                report_type=r.report_type,
                file=r.file[:300],
                row=r.row,
                field=r.field[:60],
                value=r.value[:200],
                code=r.problem.code,
                params=r.problem.params,
            )
            for r in rejections_sorted(rejections)
        ],
        batch_size=1000,
    )
    problem = problem_safe(problem) if problem is not None else None
    run.status = status
    run.finished_at = timezone.now()
    run.stage = ""
    run.counts = counts or {}
    run.rows_read = rows_read
    run.rejected_count = rejected_row_count(rejections) if rejected_count is None else rejected_count
    run.error = problem.english() if problem else ""
    run.error_code = problem.code if problem else ""
    run.error_params = dict(problem.params) if problem else {}
    run.save()


def _failure_record(run: FetchRun, *, problem: Problem, rejections: Sequence[Rejection], rows_read: int) -> FetchRun:
    """End the run as failed with `problem` and the rejected rows; when the database refuses those, end it
    failed without them (their number is kept, and the reason says so)."""
    database_connection_renew()  # the failure may be the database's: it is recorded over a new connection
    try:
        with transaction.atomic():
            _end_record(run, status=RunStatus.FAILED, rejections=rejections, rows_read=rows_read, problem=problem)
    except (DatabaseError, ValueError) as error:
        logger.exception("Populus fetch %s: the database refused the run's rejected rows", run.pk)
        rejected = rejected_row_count(rejections)
        unrecorded = Problem(
            "run_rejected_rows_not_recorded", {"reason": problem, "rejected": rejected, "error": type(error).__name__}
        )
        with transaction.atomic():
            _end_record(
                run,
                status=RunStatus.FAILED,
                rejections=[],
                rows_read=rows_read,
                problem=unrecorded,
                rejected_count=rejected,
            )
    _log_end(run)
    return run


def _log_end(run: FetchRun) -> None:
    logger.info(
        "Populus fetch %s %s from %s: %s, counts %s, %d rejected%s",
        run.pk,
        period_label(run.period),
        run.source.name,
        run.status,
        run.counts,
        run.rejected_count,
        f": {run.error}" if run.error else "",
    )


def populus_fetch(*, source: Source, period: date, trigger: str = RunTrigger.COMMAND, by=None, **options) -> FetchRun:
    """Create a run for `period` and carry it out now (the command line and the demo)."""
    run = fetch_run_create(source=source, period=period, trigger=trigger, by=by)
    return fetch_run_execute(run=run, **options)


def fetch_run_fail_not_queued(*, run_id: int, error: Exception) -> None:
    """End a pending run as failed because Redis would not take its job (so no page waits for it)."""
    problem = Problem("run_not_queued", {"error": str(error)})
    FetchRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error=problem.english(),
        error_code=problem.code,
        error_params=dict(problem.params),
    )


def fetch_run_job_id(run_id: int) -> str:
    """The RQ job id of a run started from the HR pages, so that the sweep can ask whether it still waits."""
    return f"hrreports-fetch-run-{run_id}"


def fetch_runs_stale_fail(*, now: datetime | None = None) -> list[int]:
    """End as failed the runs that no worker will finish, and return their ids:

    - running, and started more than HR_RUN_STALE_MINUTES ago: RQ stops a job at its timeout, so the
      worker was killed (out of memory, a restart) before the run could record how it ended;
    - pending for longer than PENDING_JOB_GRACE with no job waiting for them: Redis lost the job, or
      the command or monthly job that was to run it at once died.

    A run that is being claimed right now is locked and left alone. If a worker thought dead does finish
    its run after all, its ending overwrites this one."""
    import django_rq

    now = now or timezone.now()
    stale = Q(status=RunStatus.RUNNING, started_at__lt=now - timedelta(minutes=settings.HR_RUN_STALE_MINUTES))
    pending = list(
        FetchRun.objects.filter(status=RunStatus.PENDING, created_at__lt=now - PENDING_JOB_GRACE).values_list(
            "pk", flat=True
        )
    )
    lost_job_ids = job_ids_lost(
        [fetch_run_job_id(pk) for pk in pending], connection=django_rq.get_connection("populus")
    )
    orphaned = [pk for pk in pending if fetch_run_job_id(pk) in lost_job_ids]
    with transaction.atomic():
        failed = list(
            FetchRun.objects.select_for_update(skip_locked=True)
            .filter(stale | Q(status=RunStatus.PENDING, pk__in=orphaned))
            .values_list("pk", flat=True)
        )
        FetchRun.objects.filter(pk__in=failed).update(
            status=RunStatus.FAILED, stage="", error=WORKER_STOPPED, error_code="run_worker_stopped", error_params={}
        )
    if failed:
        logger.warning("Populus fetch runs %s failed: their worker stopped before they finished.", failed)
    return failed
