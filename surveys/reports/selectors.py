"""Reads for the results pages."""

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, QuerySet

from surveys.models import Campaign, CampaignStatus, ReportFile, Response, ResultSummary
from surveys.services import dispositions

# Campaigns that have called: their results are read while they run and once they are done.
RESULT_STATUSES = (CampaignStatus.RUNNING, CampaignStatus.PAUSED, CampaignStatus.COMPLETED)


def campaigns_with_results() -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(status__in=RESULT_STATUSES)
        .select_related("survey_version__survey")
        .annotate(
            summary_published=Exists(ResultSummary.objects.filter(campaign=OuterRef("pk"), published_at__isnull=False))
        )
        .order_by("-end_date", "slug")
    )


def campaigns_with_complete_counts(campaigns: Iterable[Campaign]) -> list[Campaign]:
    """`campaigns`, each with its `complete_count`: its complete answers as its results count them
    (AAPOR I by the share of the questions that applied, as each response stores it:
    surveys.services.dispositions), not the responses that reached the closing. One query."""
    campaigns = list(campaigns)
    counts = dict(
        Response.objects.filter(campaign__in=campaigns, interview_code=dispositions.COMPLETE)
        .order_by()
        .values_list("campaign")
        .annotate(count=Count("pk"))
    )
    for campaign in campaigns:
        campaign.complete_count = counts.get(campaign.pk, 0)
    return campaigns


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
