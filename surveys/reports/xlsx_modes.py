"""The workbook's sheets of the results by mode (surveys.reports.xlsx adds them to its workbook):
rates, dispositions and completes by mode, and each question's weighted estimate by mode.
A phone-only campaign has neither sheet.

One column holds counts on some rows and shares on others, so each figure gets its format by its
type: an integer is a count, a float a share (or, for a mean's row, a number on its scale)."""

from django.utils.translation import gettext as _

from kuntaportaali.spreadsheets import DECIMAL, INTEGER, PERCENT, Column, xlsx_sheet_add
from surveys.models import ResponseMode
from surveys.services.results_contract import CampaignResults, ModeResults

from .display import DISPOSITION_LABELS, RATE_DEFINITIONS, dimension_label, hidden_text
from .modes import DISPOSITION_ORDER, RATE_GROUPS, mode_label, rates_convention, verdict_text

MODES = (ResponseMode.PHONE, ResponseMode.WEB)


def mode_sheets(workbook, results: CampaignResults) -> None:
    """Add the sheets when the campaign has results by mode."""
    modes = results.modes
    if modes is None:
        return
    sheet = xlsx_sheet_add(
        workbook,
        title=_("Modes"),
        columns=[Column(_("Table"), 28), Column(_("Row"), 40)]
        + [Column(mode_label(each.mode), 12) for each in modes.rates],
        rows=_mode_rows(modes),
    )
    _format_by_type(sheet, first_figure_column=3)
    if modes.comparisons:
        sheet = xlsx_sheet_add(
            workbook, title=_("Estimates by mode"), columns=_comparison_columns(), rows=_comparison_rows(modes)
        )
        _format_by_type(sheet, first_figure_column=3, means=_mean_rows(modes))


def _mode_rows(modes: ModeResults) -> list[list]:
    rates = modes.rates
    rows = [[_("Numbers"), _("Numbers the mode was attempted on"), *[each.cases for each in rates]]]
    rows += [
        [
            _("Dispositions"),
            f"{code} {DISPOSITION_LABELS.get(code, code)}",
            *[each.rates.dispositions[code] for each in rates],
        ]
        for code in DISPOSITION_ORDER
    ]
    rows += [
        [
            _("Response rates"),
            f"{code} {RATE_DEFINITIONS.get(code, '')}",
            *[getattr(each.rates, group)[code] for each in rates],
        ]
        for group in RATE_GROUPS
        for code in getattr(rates[-1].rates, group)
    ]
    rows.append([_("Response rates"), "e", *[each.rates.e for each in rates]])
    if modes.not_compared:
        rows.append([_("Estimates by mode"), modes.not_compared])
    for groups in modes.groups:
        table = _("Completes: %(dimension)s") % {"dimension": dimension_label(groups.dimension)}
        share_table = _("Share of the mode's completes: %(dimension)s") % {
            "dimension": dimension_label(groups.dimension)
        }
        for index, (_key, label) in enumerate(groups.categories):
            rows.append([table, label, *[_shown(groups, mode, index, groups.counts) for mode in MODES]])
        for index, (_key, label) in enumerate(groups.categories):
            rows.append([share_table, label, *[_shown(groups, mode, index, groups.shares) for mode in MODES]])
    rows += [[_("What the phone and the web each added"), sentence] for sentence in modes.findings]
    rows.append([_("How the rates by mode are counted"), rates_convention()])
    return rows


def _shown(groups, mode: str, index: int, figures: dict):
    return hidden_text() if groups.hidden[mode][index] else figures[mode][index]


def _comparison_columns() -> list[Column]:
    columns = [Column(_("Question"), 40), Column(_("Compared"), 20)]
    for mode in MODES:
        name = mode_label(mode)
        columns += [
            Column(_("%(mode)s: answers") % {"mode": name}, 12),
            Column(_("%(mode)s: estimate") % {"mode": name}, 12),
            Column(_("%(mode)s: 95 %% interval, low") % {"mode": name}, 14),
            Column(_("%(mode)s: 95 %% interval, high") % {"mode": name}, 14),
        ]
    return [
        *columns,
        Column(_("Web minus phone"), 14),
        Column(_("Interval low"), 12),
        Column(_("Interval high"), 12),
        Column(_("Confidence"), 12),
        Column(_("Beyond chance?"), 24),
    ]


def _comparison_rows(modes: ModeResults) -> list[list]:
    rows = []
    for comparison in modes.comparisons:
        row = [
            f"{comparison.position}. {comparison.text}",
            comparison.label if comparison.measure == "share" else _("Mean"),
        ]
        for estimate in comparison.estimates:
            row += [estimate.answered, estimate.estimate, estimate.ci_low, estimate.ci_high]
        row += [
            comparison.difference,
            comparison.difference_low,
            comparison.difference_high,
            comparison.confidence,
            verdict_text(comparison),
        ]
        rows.append(row)
    return rows


def _mean_rows(modes: ModeResults) -> set[int]:
    """The sheet rows (1-based, after the header) whose estimates are means, not shares."""
    return {index for index, comparison in enumerate(modes.comparisons, start=2) if comparison.measure == "mean"}


def _format_by_type(sheet, *, first_figure_column: int, means: set[int] = frozenset()) -> None:
    for row in sheet.iter_rows(min_row=2, min_col=first_figure_column):
        for cell in row:
            if isinstance(cell.value, bool) or cell.value is None:
                continue
            if isinstance(cell.value, int):
                cell.number_format = INTEGER
            elif isinstance(cell.value, float):
                cell.number_format = DECIMAL if cell.row in means else PERCENT
    if means:
        # The confidence level is a share even on a mean's row.
        confidence_column = sheet.max_column - 1
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row=row, column=confidence_column).number_format = PERCENT
