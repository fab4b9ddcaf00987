"""The summary of a finished campaign's results that communications publishes on the residents' page.

Publishing freezes the figures of the chosen questions, in Finnish, Swedish and English, into the
summary row; the public page draws its charts from those and never computes results itself.

Privacy: residents' page figures never describe fewer than `RESULTS_MIN_GROUP_SIZE` people (the
minimum at publication is frozen with the figures).
- A campaign with fewer respondents than that cannot be published at all.
- A chosen question answered by fewer than that is left out of the page (it says so).
- In "who answered", and among a demographic question's answers, the groups that the results hide
  (surveys.services.disclosure: fewer respondents than that, and the groups that would give them
  away) show no count and no share, only "hidden" (one word for both reasons) and the population
  share, which is public anyway.
- Only weighted shares of the whole sample are published: no answer counts and no cross-tabs, so no
  one's answer can be read off a small group.
"""

from dataclasses import dataclass

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from surveys import charts
from surveys.models import Campaign, CampaignStatus, QuestionKind, ResultSummary
from surveys.services.disclosure import COMPLEMENTARY, SMALL
from surveys.services.results_contract import CampaignResults, QuestionResult

from .display import (
    count_text,
    decimal_text,
    dimension_label,
    hidden_text,
    interval_text,
    mean_interval_text,
    rounding_note,
    share_text,
    suppression_note,
)
from .presentation import Table

# Summaries published before the minimum was frozen with their figures were published with this one.
LEGACY_MINIMUM = 5
SUMMARY_LANGUAGES = ("fi", "sv", "en")
CHART_KINDS = (QuestionKind.SCALE, QuestionKind.CHOICE, QuestionKind.YES_NO)


def summary_questions(campaign: Campaign) -> list[tuple[int, str]]:
    """The questions whose chart may be published: those answered by choosing an option, in Finnish."""
    questions = campaign.survey_version.questions.filter(kind__in=CHART_KINDS).order_by("position")
    return [(question.position, question.text_fi) for question in questions]


def summary_missing_intros(campaign: Campaign, *, intros) -> list[str]:
    """The survey's other languages whose introduction `intros` leaves empty: their residents' page
    shows its charts in that language but the Finnish introduction."""
    return [
        language
        for language in campaign.survey_version.languages
        if language != "fi" and not (intros.get(f"intro_{language}") or "").strip()
    ]


def summary_publishable(campaign: Campaign) -> bool:
    return campaign.status == CampaignStatus.COMPLETED and campaign.is_public


def summary_figures(results: CampaignResults, *, question_positions: list[int]) -> dict:
    """What the residents' page may show, in the results' language, small groups already left out."""
    chosen = [question for question in results.questions if question.position in question_positions]
    by_dimension: dict[str, list[dict]] = {}
    for group in results.weighting.groups:
        by_dimension.setdefault(group.dimension, []).append(
            {
                "label": group.label,
                "respondents": group.respondents,
                "sample_share": group.sample_share,
                "population_share": group.population_share,
                "hidden": group.hidden,
            }
        )
    return {
        "questions": [_question_figures(question, minimum=results.minimum_group_size) for question in chosen],
        "groups": [{"dimension": dimension, "rows": rows} for dimension, rows in by_dimension.items()],
    }


def _question_figures(question: QuestionResult, *, minimum: int) -> dict:
    figures = {
        "position": question.position,
        "text": question.text,
        "shown": question.answered >= minimum and not question.hidden,
    }
    if figures["shown"]:
        figures["answered"] = question.answered
        figures["options"] = [
            {
                "label": option.label,
                "share": option.weighted_share,
                "ci_low": option.ci_low,
                "ci_high": option.ci_high,
                "hidden": option.hidden,
            }
            for option in question.options
        ]
        if question.mean is not None:
            figures["mean"] = {
                "value": question.mean.weighted,
                "ci_low": question.mean.ci_low,
                "ci_high": question.mean.ci_high,
            }
    return figures


@dataclass(frozen=True)
class PublicQuestion:
    position: int
    text: str
    shown: bool
    chart: SafeString | None
    table: Table | None
    mean: str


@dataclass(frozen=True)
class PublicSummary:
    intro: str
    intro_language: str
    intro_fallback: bool
    language: str
    published_at: object
    respondents: str
    response_rate: str
    weighted_by: str
    questions: list[PublicQuestion]
    groups: list[tuple[SafeString, Table]]
    minimum: int  # groups of fewer respondents are not shown
    rounding_note: str
    # The answers came from the simulator's synthetic residents, not from residents: the page says so.
    simulated: bool = False


def public_summary(campaign: Campaign, *, language: str) -> PublicSummary | None:
    """The published summary for a page in `language`, or None.

    The question texts and answer labels were frozen in every language at publication, so they
    follow the page whenever the survey has its language (Finnish otherwise, like the questions
    list). Only an introduction not written in `language` falls back to Finnish, marked as such.
    """
    summary = ResultSummary.objects.filter(campaign=campaign, published_at__isnull=False).first()
    if summary is None:
        return None
    frozen = summary.figures["languages"]
    figures_language = language if language in campaign.survey_version.languages and language in frozen else "fi"
    figures = frozen[figures_language]
    intro_language = language if getattr(summary, f"intro_{language}", "") else "fi"
    minimum = summary.figures.get("minimum", LEGACY_MINIMUM)
    legacy = "minimum" not in summary.figures
    return PublicSummary(
        intro=getattr(summary, f"intro_{intro_language}"),
        intro_language=intro_language,
        intro_fallback=intro_language != language,
        language=figures_language,
        published_at=summary.published_at,
        respondents=count_text(summary.figures["respondents"]),
        response_rate=share_text(summary.figures["rr1"]),
        weighted_by=", ".join(dimension_label(dimension).lower() for dimension in summary.figures["weighted_by"]),
        questions=[
            _public_question(
                question, minimum=minimum, weighted=bool(summary.figures["weighted_by"]), language=figures_language
            )
            for question in figures["questions"]
        ],
        groups=[_public_group(group, minimum=minimum, legacy=legacy) for group in figures["groups"]],
        minimum=minimum,
        rounding_note=rounding_note(),
        simulated=campaign.is_simulated,
    )


def _public_question(question: dict, *, minimum: int, weighted: bool, language: str) -> PublicQuestion:
    """The question's chart and table, its answers in the survey's `language`; results weighted by nothing do
    not call their shares weighted."""
    if not question["shown"]:
        return PublicQuestion(question["position"], question["text"], False, None, None, "")
    options = question["options"]
    chart = charts.horizontal_bar_chart(
        chart_id=f"summary-q{question['position']}",
        title=f"{question['position']}. {question['text']}",
        description=(
            _("Weighted share of each answer with its confidence interval (95 %); the table has the figures.")
            if weighted
            else _("Share of each answer with its confidence interval (95 %); the table has the figures.")
        ),
        categories=[option["label"] for option in options],
        series=[
            charts.Series(
                name=_("Weighted share") if weighted else _("Share of respondents"),
                values=[option["share"] for option in options],
                intervals=[
                    (option["ci_low"], option["ci_high"]) if option["ci_low"] is not None else None
                    for option in options
                ],
            )
        ],
        value_text=share_text,
    )
    table = Table(
        caption=(
            _("Answers to question %(position)s (weighted)") if weighted else _("Answers to question %(position)s")
        )
        % {"position": question["position"]},
        row_header=_("Answer"),
        headers=[_("Share of residents (estimate)"), _("Confidence interval (95 %)")],
        rows=[
            (
                option["label"],
                [
                    hidden_text() if option.get("hidden") else share_text(option["share"]),
                    interval_text(option["ci_low"], option["ci_high"]),
                ],
            )
            for option in options
        ],
        note=suppression_note([option.get("hidden", "") for option in options], minimum),
        row_language=language,
    )
    mean = ""
    if "mean" in question:
        mean = _("Mean %(mean)s (confidence interval %(interval)s), %(answered)s answers.") % {
            "mean": decimal_text(question["mean"]["value"]),
            "interval": mean_interval_text(question["mean"]["ci_low"], question["mean"]["ci_high"]),
            "answered": count_text(question["answered"]),
        }
    return PublicQuestion(question["position"], question["text"], True, chart, table, mean)


def _public_group(group: dict, *, minimum: int, legacy: bool) -> tuple[SafeString, Table]:
    name = dimension_label(group["dimension"])
    rows = [
        _public_group_row(row, legacy=legacy, complement=legacy and _any_hidden(group["rows"])) for row in group["rows"]
    ]
    chart = charts.horizontal_bar_chart(
        chart_id=f"summary-groups-{group['dimension']}",
        title=_("Who answered: %(dimension)s") % {"dimension": name},
        description=_(
            "Share of respondents and population share (diamond) in each group; groups with fewer than "
            "%(minimum)s respondents are not shown. The table has the figures."
        )
        % {"minimum": minimum},
        categories=[row["label"] for row in rows],
        series=[
            charts.Series(
                name=_("Respondents"), values=[row["sample_share"] for row in rows], fill=charts.UNWEIGHTED_FILL
            ),
            charts.Series(
                name=_("Population"), values=[row["population_share"] for row in rows], fill=charts.INK, marker=True
            ),
        ],
        value_text=share_text,
    )
    table = Table(
        caption=_("Respondents compared with the population: %(dimension)s") % {"dimension": name},
        row_header=name,
        headers=[_("Respondents"), _("Share of respondents"), _("Share of the population")],
        rows=[
            (
                row["label"],
                [
                    hidden_text() if row["hidden"] else count_text(row["respondents"]),
                    share_text(row["sample_share"]),
                    share_text(row["population_share"]),
                ],
            )
            for row in rows
        ],
        note=suppression_note([row["hidden"] for row in rows], minimum),
    )
    return chart, table


def _any_hidden(rows: list[dict]) -> bool:
    return any(row["respondents"] is None for row in rows)


def _public_group_row(row: dict, *, legacy: bool, complement: bool) -> dict:
    """A row as published; one frozen before complementary suppression (`legacy`) hid only the small
    groups, so when its dimension hides any group, all its groups' respondent figures are hidden."""
    if not legacy:
        return row
    if row["respondents"] is None:
        return row | {"hidden": SMALL}
    if complement:
        return row | {"respondents": None, "sample_share": None, "hidden": COMPLEMENTARY}
    return row | {"hidden": ""}
