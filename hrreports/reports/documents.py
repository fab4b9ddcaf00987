"""A unit report as a document: built for a unit and month, its table lines, and rendered as a sheet
(XLSX/CSV) or as a PDF with its summary, charts and - in the absence report - the early-support cases
one per person, as the supervisor's home groups them. The portal's downloads and the monthly emails
render through here."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kuntaportaali.pdf import render_pdf
from kuntaportaali.spreadsheets import EUROS
from kuntaportaali.tables import EMPTY_CELL

from .. import charts
from ..models import AbsenceCategory, WorkUnit
from ..periods import period_text
from ..supervisor_home import EarlySupportCases
from .absences import absence_report, absence_trend
from .columns import ReportColumn, columns_chosen
from .employments import employment_events, employment_report
from .export import report_sheet
from .salaries import salary_report

# A letter of a (bold) header is about 1.2 times as wide as one of a cell.
HEADER_CHARACTER_WIDTH = 1.2
CELL_PADDING = 2  # characters' worth


def report_build(
    kind: str, unit: WorkUnit, period: date, *, include_subunits: bool, categories: set[str] | None = None
):
    """The `kind` report of `unit` for `period`; `categories` narrows the absence report's rows."""
    if kind == "absences":
        return absence_report(unit, period, include_subunits=include_subunits, categories=categories)
    if kind == "salaries":
        return salary_report(unit, period, include_subunits=include_subunits)
    return employment_report(unit, period, include_subunits=include_subunits)


def report_rows(kind: str, report) -> list:
    """The lines of the report's table (the employments report lists started, then ended, ones)."""
    return employment_events(report) if kind == "employments" else list(report.rows)


def report_xlsx(kind: str, report, *, rows: list | None = None, columns: Iterable[str] | None = None) -> bytes:
    return report_sheet(kind, report, report_rows(kind, report) if rows is None else rows, columns).xlsx()


def _pdf_cell(value, column: ReportColumn) -> str:
    if value is None:
        return EMPTY_CELL  # as the page writes it (an employment without an end date)
    if isinstance(value, date | datetime):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        # Money with its cents ("4 106,96"), days as counted ("4,5").
        decimals = 2 if column.number_format == EUROS else None
        return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return str(value)


def _longest_word(text: str) -> int:
    return max(map(len, text.split()), default=0)


def _pdf_column_widths(columns: Sequence[ReportColumn], cells: list[list[tuple[str, bool]]]) -> list[str]:
    """The widths of the PDF table's columns, which has a fixed layout (see hr-print.css) so that
    WeasyPrint does not measure every cell of a long table on every page. Measured here instead, in
    characters: each column as wide as its longest text up to the spreadsheet's width (longer texts
    wrap at spaces), and never narrower than a word of its header or cells."""
    weights = []
    for index, column in enumerate(columns):
        texts = [row[index][0] for row in cells]
        longest = max(map(len, texts), default=0)
        words = max([_longest_word(text) for text in texts], default=0)
        header = HEADER_CHARACTER_WIDTH * _longest_word(str(column.label))
        weights.append(max(header, words, min(longest, column.width)) + CELL_PADDING)
    return [f"{weight * 100 / sum(weights):.1f}%" for weight in weights]


def report_pdf(
    kind: str,
    report,
    *,
    rows: list | None = None,
    columns: Iterable[str] | None = None,
    categories: Sequence[str] = (),
    cases: EarlySupportCases | None = None,
) -> bytes:
    """The report as a PDF in the active language: unit, month, summary, the table in the chosen
    `columns` and, for absences, the 12-month charts and the reader's early-support `cases` (from
    `hrreports.supervisor_home.early_support_cases` over the report's units): the open ones with the
    rules reached and the next step, the earlier ones with the day they were discussed."""
    rows = report_rows(kind, report) if rows is None else rows
    chosen = columns_chosen(kind, columns)
    cells = [[(_pdf_cell(column.value(row), column), column.numeric) for column in chosen] for row in rows]
    context = {
        "kind": kind,
        "report": report,
        "unit": report.unit,
        "period": period_text(report.period),
        "created": timezone.localtime(),
        "categories": [AbsenceCategory(value).label for value in AbsenceCategory.values if value in set(categories)],
        "columns": chosen,
        "column_widths": _pdf_column_widths(chosen, cells),
        "rows": cells,
        "cases": cases,
    }
    if kind == "absences":
        trend = absence_trend(
            report.unit, report.period, include_subunits=report.include_subunits, categories=set(categories) or None
        )
        context["charts"] = charts.absence_charts(trend)
        context["summaries"] = [
            (_("This month"), report.current),
            (_("Previous month"), report.previous_month),
            (_("Same month last year"), report.previous_year),
        ]
    return render_pdf(f"hrreports/pdf/{kind}.html", context)
