"""Reads for the results pages."""

from collections import Counter
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

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
    (AAPOR I by the share of the questions that applied, surveys.services.dispositions), not the
    responses that reached the closing. One query per survey version and one for the responses."""
    campaigns = list(campaigns)
    version_of = {campaign.pk: campaign.survey_version_id for campaign in campaigns}
    questions = {version: dispositions.survey_questions(version_id=version) for version in set(version_of.values())}
    counts = Counter()
    responses = Response.objects.filter(campaign__in=version_of)
    for response in dispositions.responses_answers(responses, "campaign_id").values():
        campaign_id = response.values[1]
        if dispositions.interview_code(questions[version_of[campaign_id]], response) == dispositions.COMPLETE:
            counts[campaign_id] += 1
    for campaign in campaigns:
        campaign.complete_count = counts[campaign.pk]
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
