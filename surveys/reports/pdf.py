"""The finished results report as a PDF (WeasyPrint): cover, summary, method and response rates, who
answered, weighted results per question, open-answer themes, costs and an appendix."""

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kuntaportaali.pdf import render_pdf
from surveys.describe import calling_days_text, calling_hours_text
from surveys.services.results_contract import CampaignResults

from .presentation import results_view

TEMPLATE = "surveys/results/report_pdf.html"
OPEN_ANSWERS_IN_PDF = 20


def method_facts(campaign, *, web: bool = False) -> list[tuple[str, str]]:
    """How the answers were gathered, in the words of the report's method section; `web` when the
    web survey's link was sent to someone (the results have results by mode)."""
    period = (
        f"{date_format(campaign.start_date, 'SHORT_DATE_FORMAT')}–{date_format(campaign.end_date, 'SHORT_DATE_FORMAT')}"
    )
    facts = [
        (_("Method"), _("Robot phone survey: an automated call asked the questions, answered by keypad or speech.")),
        (_("Calling period"), f"{period}, {calling_days_text(campaign)}, {calling_hours_text(campaign)}"),
        (_("Attempts per number"), str(campaign.max_attempts)),
        (_("Source of the phone numbers"), campaign.number_source),
    ]
    if web:
        facts.append(
            (
                _("SMS follow-up"),
                _(
                    "a text message with a link to the survey on the web after the last unanswered call, or when "
                    "asked for during the call"
                ),
            )
        )
    return facts


def render(results: CampaignResults) -> bytes:
    """The report in `results.language`: its figures, labels and dates."""
    campaign, language = results.campaign, results.language
    version, survey = campaign.survey_version, campaign.survey_version.survey
    with translation.override(language):
        context = {
            "campaign": campaign,
            "title": version.localized("title", language),
            "title_language": version.localized_language("title", language),
            "name": campaign.localized("name", language),
            "name_language": campaign.localized_language("name", language),
            "organiser": survey.localized("organiser", language),
            "organiser_language": survey.localized_language("organiser", language),
            "view": results_view(results, weighted=True),
            "method": method_facts(campaign, web=results.modes is not None),
            "open_answers_shown": OPEN_ANSWERS_IN_PDF,
        }
        return render_pdf(TEMPLATE, context)
