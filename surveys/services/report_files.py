"""Report files a worker builds: the request (one waiting or running file per campaign, format and
language at a time) and the build, its progress stored on the `ReportFile` row (pending -> running ->
done or failed). `report_file_request` hands the new ones to the worker."""

import logging
from datetime import datetime, timedelta

import django_rq
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from redis.exceptions import RedisError
from rq.registry import StartedJobRegistry

from kuntaportaali.db_connection import database_connection_renew
from kuntaportaali.queueing import enqueue_after_commit, job_ids_lost, job_last_error
from kuntaportaali.redaction import phone_numbers_mask
from surveys.models import Campaign, ReportFile, ReportFileStatus, ReportFormat
from surveys.reports.files import JOB_TIMEOUT_SECONDS, REPORT_LANGUAGES, REPORTS_QUEUE, report_build

logger = logging.getLogger(__name__)

# A report file waiting or being built whose job is not found (or has ended) this long after the file was
# asked for will not be finished by any worker: before then, its job may not have been queued yet.
REPORT_JOB_GRACE = timedelta(minutes=1)


def report_file_job_id(report_file_id: int) -> str:
    """One job id per report file: whether its job still exists can be asked of Redis."""
    return f"report-file-{report_file_id}"


def report_file_request(*, campaign: Campaign, file_format: str, language: str, by) -> ReportFile:
    """Ask a worker for the report; a request for one already waiting or being built returns that one."""
    report_file, created = report_file_get_or_create(
        campaign=campaign, file_format=file_format, language=language, by=by
    )
    if created:
        enqueue_after_commit(
            REPORTS_QUEUE,
            "surveys.jobs.generate_report_file",
            report_file.pk,
            job_id=report_file_job_id(report_file.pk),
            job_timeout=JOB_TIMEOUT_SECONDS,
            on_unqueued=lambda error: report_file_fail_not_queued(report_file_id=report_file.pk, error=error),
        )
    return report_file


def report_file_get_or_create(*, campaign: Campaign, file_format: str, language: str, by) -> tuple[ReportFile, bool]:
    """The report file already waiting or being built (unless it has been stuck longer than a job may
    run), else a new pending one; and whether it is new (it then needs a worker)."""
    if file_format not in ReportFormat.values or language not in REPORT_LANGUAGES:
        raise ValueError(f"Unknown report {file_format!r} in {language!r}")
    report_files_stopped_fail(
        report_files=ReportFile.objects.filter(campaign=campaign, file_format=file_format, language=language)
    )
    stale = timezone.now() - timedelta(seconds=JOB_TIMEOUT_SECONDS)
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        waiting = (
            ReportFile.objects.filter(
                campaign=campaign,
                file_format=file_format,
                language=language,
                status__in=(ReportFileStatus.PENDING, ReportFileStatus.RUNNING),
                created_at__gte=stale,
            )
            .defer("content")
            .first()
        )
        if waiting is not None:
            return waiting, False
        report_file = ReportFile.objects.create(
            campaign=campaign, file_format=file_format, language=language, created_by=by
        )
    return report_file, True


def report_files_stopped_fail(*, report_files: QuerySet[ReportFile], now: datetime | None = None) -> list[int]:
    """End as failed those of `report_files` still waiting or being built whose job no worker will run:
    gone from Redis (restarted without its data), or ended without finishing the file (its worker killed,
    the database gone mid-build); returns their ids. Otherwise the page showed them waiting or running for
    ever, and asking again for the report returned the stuck file."""
    now = now or timezone.now()
    unfinished = dict(
        report_files.filter(
            status__in=(ReportFileStatus.PENDING, ReportFileStatus.RUNNING), created_at__lt=now - REPORT_JOB_GRACE
        ).values_list("pk", "status")
    )
    if not unfinished:
        return []
    queue = django_rq.get_queue(REPORTS_QUEUE)
    try:
        # RQ fails the job of a killed worker once its heartbeat has expired, when the registry is cleaned.
        StartedJobRegistry(queue=queue).cleanup()
        lost_job_ids = job_ids_lost([report_file_job_id(pk) for pk in unfinished], connection=queue.connection)
        job_errors = {
            pk: job_last_error(report_file_job_id(pk), connection=queue.connection)
            for pk in unfinished
            if report_file_job_id(pk) in lost_job_ids
        }
    except RedisError as error:
        # Redis out of reach cannot tell: the files are left as they are, and the page that asked still answers.
        logger.warning("Report files %s not looked up in Redis: %s", list(unfinished), error)
        return []
    failed = []
    for pk, job_error in job_errors.items():
        status = unfinished[pk]
        if job_error:
            error = phone_numbers_mask(job_error)[:2000]
        elif status == ReportFileStatus.RUNNING:
            error = "The worker building the report stopped before it was finished; ask for it again."
        else:
            error = "The report's job was lost before a worker built it; ask for it again."
        # Only a file still as it was read: a worker may have finished it meanwhile.
        if ReportFile.objects.filter(pk=pk, status=status).update(
            status=ReportFileStatus.FAILED, error=error, finished_at=now
        ):
            logger.warning("Report file %s failed: %s", pk, error)
            failed.append(pk)
    return failed


def report_file_fail_not_queued(*, report_file_id: int, error: Exception) -> None:
    """End a pending report file as failed because Redis would not take its job."""
    ReportFile.objects.filter(pk=report_file_id, status=ReportFileStatus.PENDING).update(
        status=ReportFileStatus.FAILED, error=phone_numbers_mask(f"Not queued: {error}")
    )


def report_file_generate(*, report_file_id: int) -> str:
    """Build a requested report; a job delivered twice finds it no longer pending and does nothing."""
    with transaction.atomic():
        report_file = (
            ReportFile.objects.select_for_update().select_related("campaign").filter(pk=report_file_id).first()
        )
        if report_file is None:
            return "gone"
        if report_file.status != ReportFileStatus.PENDING:
            return report_file.status
        report_file.status = ReportFileStatus.RUNNING
        report_file.save(update_fields=["status"])

    def progress(percent: int) -> None:
        ReportFile.objects.filter(pk=report_file_id).update(progress=min(percent, 99))

    try:
        data = report_build(
            campaign=report_file.campaign,
            file_format=report_file.file_format,
            language=report_file.language,
            progress=progress,
        )
    except Exception as error:
        logger.exception("Report file %s failed", report_file_id)
        # The database may have dropped the connection mid-build: the failure is then written over a new one.
        database_connection_renew()
        ReportFile.objects.filter(pk=report_file_id).update(
            status=ReportFileStatus.FAILED, error=phone_numbers_mask(str(error))[:2000], finished_at=timezone.now()
        )
        return ReportFileStatus.FAILED
    with transaction.atomic():
        ReportFile.objects.filter(pk=report_file_id).update(
            status=ReportFileStatus.DONE, progress=100, content=data, size=len(data), finished_at=timezone.now()
        )
        # Only the newest finished file per campaign, format and language is kept.
        ReportFile.objects.filter(
            campaign_id=report_file.campaign_id,
            file_format=report_file.file_format,
            language=report_file.language,
            status=ReportFileStatus.DONE,
            pk__lt=report_file_id,
        ).delete()
    return ReportFileStatus.DONE
