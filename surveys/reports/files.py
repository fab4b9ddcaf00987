"""Report files: build a campaign's PDF or XLSX report now, or have a worker build it in the background
(`surveys.services.report_files`) with its progress stored on a `ReportFile` row."""

from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

from kuntaportaali.downloads import file_name
from surveys.models import Campaign, ReportFormat, ResponseStatus

from . import pdf, xlsx
from .responses import anonymous_answers
from .xlsx import responses_render

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
