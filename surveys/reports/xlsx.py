"""The finished results as an Excel workbook (openpyxl): summary, questions, means, cross-tabs,
open-answer themes, weights, dispositions, the results by mode (when the web survey was offered) and
attempt coverage; and, for survey managers only, the
anonymous responses as a workbook of their own (`responses_render`).

A group hidden to protect the respondents' privacy (surveys.services.disclosure) says "hidden" in
its count cell and has no shares.

Cells are typed: counts are integers, shares are fractions shown with a percent format, euros are
decimals, dates are dates (shown in the workbook's language's style). Each sheet is written by
kuntaportaali.spreadsheets (xlsx_sheet_add): a bold frozen header row, an autofilter, and an answer
starting with "=" kept as written, a text cell in a colleague's Excel.
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from kuntaportaali.spreadsheets import (
    DECIMAL,
    EUROS,
    INTEGER,
    PERCENT,
    Column,
    xlsx_saved,
    xlsx_sheet_add,
    xlsx_workbook,
)
from surveys.describe import simulated_notice
from surveys.progress import SHORT_REASONS
from surveys.services.results_contract import CampaignResults

from .display import (
    DISPOSITION_LABELS,
    QUOTA_FILLED_CODE,
    QUOTA_FILLED_LABEL,
    RATE_DEFINITIONS,
    WEIGHTING_METHODS,
    dimension_label,
    hidden_text,
    rounding_note,
)
from .presentation import (
    DISPOSITION_ORDER,
    RATE_GROUPS,
    coverage_reason_labels,
    e_source_text,
    hidden_group_note,
    interval_method_text,
)
from .responses import AnonymousAnswers
from .xlsx_modes import mode_sheets

WEIGHT = "0.000"

Progress = Callable[[int], None]


def render(results: CampaignResults, *, progress: Progress | None = None) -> bytes:
    """The workbook in `results.language`; `progress(percent)` is told as the sheets are written."""
    progress = progress or (lambda percent: None)
    workbook = xlsx_workbook()
    with translation.override(results.language):
        _summary_sheet(workbook, results)
        _questions_sheet(workbook, results)
        _means_sheet(workbook, results)
        _crosstabs_sheet(workbook, results)
        progress(50)
        _themes_sheet(workbook, results)
        _weights_sheet(workbook, results)
        _dispositions_sheet(workbook, results)
        mode_sheets(workbook, results)
        _coverage_sheet(workbook, results)
        progress(90)
    return xlsx_saved(workbook)


def responses_render(answers: AnonymousAnswers, *, language: str) -> bytes:
    """The anonymous responses, one row each, in `language`."""
    workbook = xlsx_workbook()
    with translation.override(language):
        _responses_sheet(workbook, answers)
    return xlsx_saved(workbook)


def _count(count: int | None, hidden: str, minimum: int):
    return hidden_text() if hidden else count


def _summary_sheet(workbook: Workbook, results: CampaignResults) -> None:
    campaign, funnel, weighting, costs = results.campaign, results.funnel, results.weighting, results.costs
    section_campaign, section_funnel = _("Campaign"), _("Funnel")
    section_rates, section_weighting, section_costs = _("Response rates"), _("Weighting"), _("Costs")
    notice = simulated_notice(campaign)
    rows: list[tuple[str, str, object, str | None]] = [(section_campaign, _("Note"), notice, None)] if notice else []
    rows += [
        (section_campaign, _("Campaign"), campaign.localized("name", results.language), None),
        (section_campaign, _("Survey"), campaign.survey_version.localized("title", results.language), None),
        (section_campaign, _("First calling day"), campaign.start_date, None),
        (section_campaign, _("Last calling day"), campaign.end_date, None),
        (section_campaign, _("Generated"), results.generated_at, None),
    ]
    if not results.has_responses:
        rows.append(
            (_("Summary"), _("Note"), _("The campaign got no answers, so there are no results to report."), None)
        )
    rows += [(_("Summary"), _("Finding"), line, None) for line in results.summary]
    if results.has_responses:
        # The shares' cells hold the estimates; their percent format shows each rounded on its own.
        rows.append((_("Summary"), _("Note"), rounding_note(), None))
    rows += _privacy_rows(results)
    rows += [(_("Weighting"), _("Warning"), warning, None) for warning in weighting.warnings]
    rows += [(_("Weighting"), _("Categories weighted together"), note, None) for note in weighting.collapsed]
    rows += [
        (section_funnel, _("Numbers"), funnel.numbers, INTEGER),
        (section_funnel, _("Calls"), funnel.calls, INTEGER),
        (section_funnel, _("Answered"), funnel.answered, INTEGER),
        (
            section_funnel,
            _("Numbers reached (a person heard the introduction or read it on the web)"),
            funnel.reached,
            INTEGER,
        ),
        (section_funnel, _("Consented"), funnel.consented, INTEGER),
        (section_funnel, _("Complete answers"), funnel.complete, INTEGER),
        (
            section_funnel,
            _("Partial answers (50 to 80 per cent of the questions that applied answered)"),
            funnel.partial,
            INTEGER,
        ),
        (section_funnel, _("Break-offs (fewer than half answered, counted as refusals)"), funnel.break_offs, INTEGER),
    ]
    for group in RATE_GROUPS:
        rows += [(section_rates, code, value, PERCENT) for code, value in getattr(results.rates, group).items()]
    rows.append((section_rates, "e", results.rates.e, PERCENT))
    rows.append((section_rates, _("How e was found"), e_source_text(results.rates), None))
    rows += [
        (section_weighting, _("Method"), str(WEIGHTING_METHODS.get(weighting.method, weighting.method)), None),
        (section_weighting, _("Respondents"), weighting.respondents, INTEGER),
        (
            section_weighting,
            _("Respondents with a missing demographic answer"),
            weighting.missing_demographics,
            INTEGER,
        ),
        (section_weighting, _("Design effect (Kish)"), weighting.design_effect, DECIMAL),
        (section_weighting, _("Effective sample size"), weighting.effective_sample_size, "0.0"),
        (section_weighting, _("Confidence intervals (95 %)"), interval_method_text(), None),
        (section_costs, _("Call minutes"), costs.minutes, INTEGER),
        (section_costs, _("Call costs (EUR)"), costs.call_cost, EUROS),
    ]
    rows += [
        (section_costs, _("Billed by the carrier (%(currency)s)") % {"currency": currency}, amount, EUROS)
        for currency, amount in sorted(costs.billed.items())
    ]
    if costs.charged_calls:
        rows.append((section_costs, _("Calls priced by the carrier"), costs.priced_calls, INTEGER))
    if costs.sms_messages:
        rows += [
            (section_costs, _("Text messages with a survey link"), costs.sms_messages, INTEGER),
            (section_costs, _("Text message costs (EUR)"), costs.sms_cost, EUROS),
        ]
    rows += [(section_costs, f"{fixed.description} (EUR)", fixed.amount, EUROS) for fixed in costs.fixed]
    rows += [
        (section_costs, _("Total (EUR)"), costs.total, EUROS),
        (section_costs, _("Per complete answer (EUR)"), costs.per_complete, EUROS),
        (section_costs, _("Budget cap, calls and text messages (EUR)"), costs.budget_cap, EUROS),
        (section_costs, _("Share of the budget used"), costs.budget_used, PERCENT),
    ]
    xlsx_sheet_add(
        workbook,
        title=_("Summary"),
        columns=[Column(_("Section"), 20), Column(_("Item"), 44), Column(_("Value"), 40)],
        rows=[row[:3] for row in rows],
        last_column_formats=[row[3] for row in rows],
    )


def _privacy_rows(results: CampaignResults) -> list[tuple[str, str, object, str | None]]:
    section = _("Privacy")
    rows: list[tuple[str, str, object, str | None]] = [
        (section, _("Smallest group whose figures are shown (respondents)"), results.minimum_group_size, INTEGER)
    ]
    if hidden_group_note(results):
        rows.append((section, _("Note"), hidden_group_note(results), None))
    reasons = [group.hidden for group in results.weighting.groups]
    reasons += [option.hidden for question in results.questions for option in question.options]
    reasons += [why for question in results.questions for crosstab in question.crosstabs for why in crosstab.hidden]
    if any(reasons):
        rows.append(
            (
                section,
                _("Note"),
                _(
                    "Figures of groups with fewer than %(minimum)s respondents, and of the groups that would "
                    "give them away, are hidden: their cells say so."
                )
                % {"minimum": results.minimum_group_size},
                None,
            )
        )
    return rows


def _weighted(results: CampaignResults, values: list) -> list:
    """`values`, an unweighted figure and its weighted one, without the weighted one when the results are
    weighted by nothing: as on the page, a figure weighted by nothing is not called weighted."""
    return values if results.weighting.dimensions else values[:1] + values[2:]


def _questions_sheet(workbook: Workbook, results: CampaignResults) -> None:
    minimum = results.minimum_group_size
    rows = [
        (
            question.position,
            question.text,
            option.label,
            _count(option.count, option.hidden, minimum),
            *_weighted(results, [option.share, option.weighted_share]),
            option.ci_low,
            option.ci_high,
        )
        for question in results.questions
        for option in question.options
    ]
    xlsx_sheet_add(
        workbook,
        title=_("Questions"),
        columns=[
            Column(_("Question"), 10, INTEGER),
            Column(_("Question text"), 48),
            Column(_("Answer"), 28),
            Column(_("Answers"), 10, INTEGER),
            *_weighted(results, [Column(_("Share"), 10, PERCENT), Column(_("Weighted share"), 14, PERCENT)]),
            Column(_("Confidence interval, low (95 %)"), 14, PERCENT),
            Column(_("Confidence interval, high (95 %)"), 14, PERCENT),
        ],
        rows=rows,
    )


def _means_sheet(workbook: Workbook, results: CampaignResults) -> None:
    rows = [
        (
            question.position,
            question.text,
            question.answered,
            *_weighted(results, [question.mean.unweighted, question.mean.weighted]),
            question.mean.ci_low,
            question.mean.ci_high,
        )
        for question in results.questions
        if question.mean is not None
    ]
    xlsx_sheet_add(
        workbook,
        title=_("Means"),
        columns=[
            Column(_("Question"), 10, INTEGER),
            Column(_("Question text"), 48),
            Column(_("Answered"), 10, INTEGER),
            *_weighted(results, [Column(_("Mean"), 10, DECIMAL), Column(_("Weighted mean"), 14, DECIMAL)]),
            Column(_("Confidence interval, low (95 %)"), 14, DECIMAL),
            Column(_("Confidence interval, high (95 %)"), 14, DECIMAL),
        ],
        rows=rows,
    )


def _crosstabs_sheet(workbook: Workbook, results: CampaignResults) -> None:
    rows = []
    for question in results.questions:
        for crosstab in question.crosstabs:
            hidden = crosstab.hidden or [""] * len(crosstab.categories)
            for index, (_key, category) in enumerate(crosstab.categories):
                for label, shares in crosstab.rows:
                    rows.append(
                        (
                            question.position,
                            question.text,
                            dimension_label(crosstab.dimension),
                            category,
                            _count(crosstab.respondents[index], hidden[index], results.minimum_group_size),
                            label,
                            shares[index],
                            crosstab.margins[index] if crosstab.margins else None,
                        )
                    )
    xlsx_sheet_add(
        workbook,
        title=_("Cross-tabs"),
        columns=[
            Column(_("Question"), 10, INTEGER),
            Column(_("Question text"), 40),
            Column(_("Dimension"), 18),
            Column(_("Group"), 18),
            Column(_("Respondents in the group"), 14, INTEGER),
            Column(_("Answer"), 28),
            Column(_("Weighted share") if results.weighting.dimensions else _("Share"), 14, PERCENT),
            Column(_("Margin of error (95 %), at most"), 14, PERCENT),
        ],
        rows=rows,
    )


def _themes_sheet(workbook: Workbook, results: CampaignResults) -> None:
    rows = [
        (question.position, question.text, theme.keyword, theme.count)
        for question in results.questions
        for theme in question.themes
    ]
    xlsx_sheet_add(
        workbook,
        title=_("Open-answer themes"),
        columns=[
            Column(_("Question"), 10, INTEGER),
            Column(_("Question text"), 48),
            Column(_("Word"), 20),
            Column(_("Answers mentioning it"), 14, INTEGER),
        ],
        rows=rows,
    )


def _weights_sheet(workbook: Workbook, results: CampaignResults) -> None:
    rows = [
        (
            dimension_label(group.dimension),
            group.label,
            _count(group.respondents, group.hidden, results.minimum_group_size),
            *_weighted(results, [group.sample_share, group.weighted_share]),
            group.population_share,
        )
        for group in results.weighting.groups
    ]
    xlsx_sheet_add(
        workbook,
        title=_("Weights"),
        columns=[
            Column(_("Dimension"), 20),
            Column(_("Group"), 20),
            Column(_("Respondents"), 12, INTEGER),
            *_weighted(
                results, [Column(_("Share of respondents"), 14, PERCENT), Column(_("Weighted share"), 14, PERCENT)]
            ),
            Column(_("Share of the population"), 14, PERCENT),
        ],
        rows=rows,
    )


def _dispositions_sheet(workbook: Workbook, results: CampaignResults) -> None:
    counts = results.rates.dispositions
    numbers = sum(counts.values())
    codes = [code for code in DISPOSITION_ORDER if code in counts] + sorted(set(counts) - set(DISPOSITION_ORDER))
    rows = [
        (code, str(DISPOSITION_LABELS.get(code, code)), counts[code], counts[code] / numbers if numbers else None)
        for code in codes
    ]
    if results.rates.quota_filled:
        quota_filled = results.rates.quota_filled
        rows.insert(
            codes.index("NE") + 1, (QUOTA_FILLED_CODE, str(QUOTA_FILLED_LABEL), quota_filled, quota_filled / numbers)
        )
    rows += [
        (code, str(RATE_DEFINITIONS.get(code, "")), None, value)
        for group in RATE_GROUPS
        for code, value in getattr(results.rates, group).items()
    ]
    xlsx_sheet_add(
        workbook,
        title=_("Dispositions"),
        columns=[
            Column(_("Code"), 10),
            Column(_("Meaning"), 60),
            Column(_("Numbers"), 10, INTEGER),
            Column(_("Share"), 10, PERCENT),
        ],
        rows=rows,
    )


def _coverage_sheet(workbook: Workbook, results: CampaignResults) -> None:
    labels = coverage_reason_labels()
    rows = [
        # Results computed before a reason was told apart have no count of it: none of their numbers had it.
        (row.attempts, row.numbers, *[row.reasons.get(reason, 0) if row.reasons else None for reason in SHORT_REASONS])
        for row in results.coverage
    ]
    xlsx_sheet_add(
        workbook,
        title=_("Attempt coverage"),
        columns=[Column(_("Attempts"), 10, INTEGER), Column(_("Numbers"), 10, INTEGER)]
        + [Column(labels[reason], 16, INTEGER) for reason in SHORT_REASONS],
        rows=rows,
    )


def _responses_sheet(workbook: Workbook, answers: AnonymousAnswers) -> None:
    columns = [
        Column(_("Respondent"), 12, INTEGER),
        Column(_("Language"), 10),
        Column(_("Status"), 12),
        Column(pgettext("day", "Finished on"), 12),
        Column(_("Weight"), 10, WEIGHT),
    ]
    columns += [Column(f"{position}. {text}", 24) for position, text, _kind in answers.questions]
    statuses = {
        "I": _("Complete answer"),
        "P": _("Partial answer"),
        "R": _("Break-off"),
        "NE": _("Screened out (quota filled)"),
    }
    hidden = pgettext("a hidden figure", "hidden")

    def background(response, value):
        return hidden if response.background_hidden else value

    rows = (
        (
            response.number,
            background(response, response.language),
            statuses.get(response.status, response.status),
            response.finished_on,
            None if response.background_hidden else response.weight,
            *[
                background(response, response.answers.get(position))
                if position in answers.background_positions
                else response.answers.get(position)
                for position, _text, _kind in answers.questions
            ],
        )
        for response in answers.responses
    )
    xlsx_sheet_add(workbook, title=_("Anonymous responses"), columns=columns, rows=rows)
