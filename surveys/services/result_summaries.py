"""Publishing a finished campaign's results summary on the residents' page, and taking it off: the
figures of the chosen questions are frozen, in Finnish, Swedish and English, into the summary row
(what may be shown, and why: `surveys.reports.publication`)."""

from django.db import transaction
from django.utils import timezone

from surveys.errors import SurveyError
from surveys.models import Campaign, ResultSummary
from surveys.reports.publication import SUMMARY_LANGUAGES, summary_figures, summary_publishable, summary_questions
from surveys.services.disclosure import minimum_group_size


@transaction.atomic
def summary_publish(
    *, campaign: Campaign, by, intro_fi: str, intro_sv: str = "", intro_en: str = "", question_positions: list[int]
) -> ResultSummary:
    """Publish (or republish with new texts and charts) the summary of a completed campaign."""
    from surveys.services.results import campaign_results

    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not summary_publishable(campaign):
        raise SurveyError.of("publication_not_allowed")
    if not intro_fi.strip():
        raise SurveyError.of("publication_intro_missing")
    allowed = {position for position, _text in summary_questions(campaign)}
    unknown = sorted(set(question_positions) - allowed)
    if unknown:
        raise SurveyError.of("publication_question_without_chart", position=unknown[0])
    figures = {"languages": {}}
    minimum = minimum_group_size()
    for language in SUMMARY_LANGUAGES:
        results = campaign_results(campaign, language=language)
        if results.weighting.respondents < minimum:
            raise SurveyError.of("publication_too_few_respondents", minimum=minimum)
        figures["languages"][language] = summary_figures(results, question_positions=sorted(set(question_positions)))
    figures |= {
        "minimum": minimum,
        "weighted_by": list(results.weighting.dimensions),
        "respondents": results.weighting.respondents,
        "numbers": results.funnel.numbers,
        "rr1": results.rates.rr.get("RR1"),
    }
    summary, _created = ResultSummary.objects.update_or_create(
        campaign=campaign,
        defaults={
            "intro_fi": intro_fi.strip(),
            "intro_sv": intro_sv.strip(),
            "intro_en": intro_en.strip(),
            "question_positions": sorted(set(question_positions)),
            "figures": figures,
            "published_at": timezone.now(),
            "published_by": by,
        },
    )
    return summary


@transaction.atomic
def summary_unpublish(*, campaign: Campaign) -> ResultSummary | None:
    """Take the summary off the residents' page; its texts stay for publishing again."""
    summary = ResultSummary.objects.select_for_update().filter(campaign=campaign).first()
    if summary is not None and summary.is_published:
        summary.published_at = None
        summary.published_by = None
        summary.figures = {}
        summary.save(update_fields=["published_at", "published_by", "figures", "updated_at"])
    return summary
