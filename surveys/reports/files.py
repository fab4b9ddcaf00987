"""Report files: build a campaign's PDF or XLSX report now, or have a worker build it in the background
with its progress stored on a `ReportFile` row (pending -> running -> done or failed)."""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import pgettext

from kuntaportaali.downloads import file_name
from kuntaportaali.queueing import enqueue_after_commit
from kuntaportaali.redaction import phone_numbers_mask
from surveys.models import Campaign, ReportFile, ReportFileStatus, ReportFormat, ResponseStatus

from . import pdf, xlsx
from .responses import anonymous_answers
from .xlsx import responses_render

logger = logging.getLogger(__name__)

REPORTS_QUEUE = "reports"
JOB_TIMEOUT_SECONDS = 30 * 60
# Campaigns with at most this many complete answers may also be downloaded at once, in the request.
DIRECT_DOWNLOAD_MAX_COMPLETES = 300
CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
REPORT_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)

Progress = Callable[[int], None]


def report_build(*, campaign: Campaign, file_format: str, language: str, progress: Progress | None = None) -> bytes:
    """The campaign's report as bytes; `progress(percent)` hears how far it has come."""
    from surveys.services.results import campaign_results

    progress = progress or (lambda percent: None)
    with translation.override(language):
        progress(5)
        results = campaign_results(campaign, language=language)
        progress(40)
        if file_format == ReportFormat.PDF:
            data = pdf.render(results)
        else:
            data = xlsx.render(results, progress=lambda percent: progress(40 + percent // 2))
    progress(100)
    return data


def responses_build(*, campaign: Campaign, language: str) -> bytes:
    """The anonymous responses workbook, which only survey managers may have (see reports.responses)."""
    from surveys.services.disclosure import minimum_group_size
    from surveys.services.results import campaign_results

    with translation.override(language):
        weights = campaign_results(campaign, language=language).weighting.weights
        answers = anonymous_answers(campaign=campaign, language=language, weights=weights, minimum=minimum_group_size())
        return responses_render(answers, language=language)


def responses_filename(campaign: Campaign, *, language: str) -> str:
    """Named in the file's language, "pilotti-vastaukset.xlsx", "pilotti-svar.xlsx"."""
    with translation.override(language):
        return file_name(campaign.slug, pgettext("file name", "responses"), extension="xlsx")


def report_direct_download_allowed(campaign: Campaign) -> bool:
    """Small campaigns are built in the request; larger ones only by a worker, so no request waits long."""
    complete = campaign.responses.filter(status=ResponseStatus.COMPLETE).count()
    return complete <= DIRECT_DOWNLOAD_MAX_COMPLETES


def report_file_request(*, campaign: Campaign, file_format: str, language: str, by) -> ReportFile:
    """Ask a worker for the report. A request for a report already waiting or being built returns
    that one instead of starting another (unless it has been stuck longer than a job may run)."""
    from surveys.jobs import generate_report_file

    if file_format not in ReportFormat.values or language not in REPORT_LANGUAGES:
        raise ValueError(f"Unknown report {file_format!r} in {language!r}")
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
            return waiting
        report_file = ReportFile.objects.create(
            campaign=campaign, file_format=file_format, language=language, created_by=by
        )
        enqueue_after_commit(
            REPORTS_QUEUE,
            generate_report_file,
            report_file.pk,
            job_timeout=JOB_TIMEOUT_SECONDS,
            on_unqueued=lambda error: ReportFile.objects.filter(
                pk=report_file.pk, status=ReportFileStatus.PENDING
            ).update(status=ReportFileStatus.FAILED, error=phone_numbers_mask(f"Not queued: {error}")),
        )
    return report_file


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


def report_files_latest(campaign: Campaign) -> list[ReportFile]:
    """The newest report file of each format and language, without their contents."""
    latest: dict[tuple[str, str], ReportFile] = {}
    for report_file in ReportFile.objects.filter(campaign=campaign).defer("content").order_by("-created_at", "-pk"):
        latest.setdefault((report_file.file_format, report_file.language), report_file)
    return sorted(latest.values(), key=lambda item: (item.file_format, REPORT_LANGUAGES.index(item.language)))
