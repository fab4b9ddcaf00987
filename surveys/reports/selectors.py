"""Reads for the results pages."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from surveys.models import Campaign, CampaignStatus, ReportFile, ResponseStatus, ResultSummary

# Campaigns that have called: their results are read while they run and once they are done.
RESULT_STATUSES = (CampaignStatus.RUNNING, CampaignStatus.PAUSED, CampaignStatus.COMPLETED)


def campaigns_with_results() -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(status__in=RESULT_STATUSES)
        .select_related("survey_version__survey")
        .annotate(
            complete_count=Count("responses", filter=Q(responses__status=ResponseStatus.COMPLETE)),
            summary_published=Exists(ResultSummary.objects.filter(campaign=OuterRef("pk"), published_at__isnull=False)),
        )
        .order_by("-end_date", "slug")
    )


def campaigns_for_publication() -> QuerySet[Campaign]:
    """Completed campaigns whose questions are on the residents' page: their results may be published."""
    return campaigns_with_results().filter(status=CampaignStatus.COMPLETED, questions_published_at__isnull=False)


def report_files_latest(campaign: Campaign) -> list[ReportFile]:
    """The newest report file of each format and language, without their contents."""
    from .files import REPORT_LANGUAGES

    newest_first = (
        ReportFile.objects.filter(campaign=campaign)
        .select_related("campaign", "created_by")
        .defer("content")
        .order_by("-created_at", "-pk")
    )
    latest: dict[tuple[str, str], ReportFile] = {}
    for report_file in newest_first:
        latest.setdefault((report_file.file_format, report_file.language), report_file)
    return sorted(latest.values(), key=lambda item: (item.file_format, REPORT_LANGUAGES.index(item.language)))
