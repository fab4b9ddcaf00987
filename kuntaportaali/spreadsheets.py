"""Spreadsheet exports (CSV and XLSX) that are safe to open in Excel or LibreOffice.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return) is run as a formula by
spreadsheet programs, so text from uploads or users could execute in a colleague's Excel
("CSV injection"). A CSV file has no types: every string cell passes through `spreadsheet_safe`,
which prefixes it with `'`. An XLSX cell has one: such a text stays exactly as it was, a text cell
(openpyxl would store a string starting with `=` as a formula) with Excel's quote-prefix style, so
that editing it in Excel keeps it text too.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.formats import get_format
from django.utils.timezone import get_default_timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# CSV is read by programs as much as by people: dates and times in it are ISO in every language.
CSV_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# Excel number formats of the exports' figures.
INTEGER = "0"
DECIMAL = "0.00"
PERCENT = "0.0%"
EUROS = "#,##0.00"
HEADER_FONT = Font(bold=True)


# Django's date format characters as Excel writes them; other characters (". / : ") are written as such.
_EXCEL_DATE_PARTS = {"j": "d", "d": "dd", "n": "m", "m": "mm", "Y": "yyyy", "G": "h", "H": "hh", "i": "mm", "s": "ss"}


def _excel_format(django_format: str) -> str:
    parts = []
    for character in django_format:
        if character.isalpha() and character not in _EXCEL_DATE_PARTS:
            raise ValueError(f"The date format {django_format!r} has {character!r}, which has no Excel equivalent.")
        parts.append(_EXCEL_DATE_PARTS.get(character, character))
    return "".join(parts)


def xlsx_date_format() -> str:
    """The number format of a date cell in the active language's style, as its pages and PDFs write a
    date (kuntaportaali/formats SHORT_DATE_FORMAT): "d.m.yyyy" in Finnish and Swedish, "dd/mm/yyyy" in
    English. The cell stays a date that sorts and filters as one."""
    return _excel_format(get_format("SHORT_DATE_FORMAT"))


def xlsx_datetime_format() -> str:
    """The number format of a date-and-time cell in the active language's style (SHORT_DATETIME_FORMAT):
    "d.m.yyyy h.mm" in Finnish, "dd/mm/yyyy hh:mm" in English."""
    return _excel_format(get_format("SHORT_DATETIME_FORMAT"))


def spreadsheet_safe(value):
    """`value` unchanged unless it is a string a spreadsheet would read as a formula: then `'`-prefixed."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One exported column: its header, width in characters and an Excel number format."""

    header: str
    width: int = 16
    number_format: str | None = None


def _local_naive(value: datetime) -> datetime:
    """Excel has no time zones: aware datetimes become the local wall-clock time (settings.TIME_ZONE)."""
    if value.tzinfo is not None:
        value = value.astimezone(get_default_timezone()).replace(tzinfo=None)
    return value


# Languages whose spreadsheet programs read ";" between fields and a decimal comma; others read ","
# and a decimal point (English Excel would take "4106,96" for text, Finnish Excel "4106.96").
DECIMAL_COMMA_LANGUAGES = ("fi", "sv")


def csv_separators(language: str | None) -> tuple[str, str]:
    """(field separator, decimal separator) that Excel in `language`'s locale opens as is. None: ";"
    with decimal points, what exports without a language (the survey ones) have always written."""
    if language is None:
        return ";", "."
    if language.split("-")[0] in DECIMAL_COMMA_LANGUAGES:
        return ";", ","
    return ",", "."


# The list separators spreadsheet programs split a CSV file at, whatever the file was written with:
# Excel takes its computer's regional setting, not the file's. A text holding one is always quoted, so
# that it stays one cell and what follows the separator cannot start a cell of its own (a formula).
LIST_SEPARATORS = (";", ",")


def _csv_quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _csv_cell(value, delimiter: str = ";", decimal_separator: str = ".") -> str:
    """The cell as it is written between `delimiter`s: figures and dates as they are (quoted only when
    they hold the delimiter), text formula-safe and quoted whenever it holds any list separator."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = _local_naive(value).strftime(CSV_DATETIME_FORMAT)
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, float | Decimal):
        text = str(value).replace(".", decimal_separator)
    elif isinstance(value, bool | int):
        text = str(value)
    else:
        text = spreadsheet_safe(str(value))
        if any(separator in text for separator in LIST_SEPARATORS):
            return _csv_quoted(text)
    if any(character in text for character in (delimiter, '"', "\r", "\n")):
        return _csv_quoted(text)
    return text


def _xlsx_cell(sheet: Worksheet, value):
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        return _local_naive(value) if isinstance(value, datetime) else value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if not text.startswith(FORMULA_TRIGGERS):
        return text
    cell = Cell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _xlsx_row_append(sheet: Worksheet, values: Iterable) -> None:
    sheet.append([_xlsx_cell(sheet, value) for value in values])


def csv_bytes(*, columns: Sequence[Column], rows: Iterable[Sequence], language: str | None = None) -> bytes:
    """UTF-8 with a byte order mark and `;` between fields: what Finnish and Swedish Excel opens as is.
    With a `language`, numbers and separators follow its Excel (see csv_separators); dates and times are
    ISO (2026-11-03 14:30:00) in every language, which spreadsheet programs read as dates."""
    delimiter, decimal_separator = csv_separators(language)
    lines = [_csv_line([_csv_cell(column.header, delimiter) for column in columns], delimiter)]
    for row in rows:
        lines.append(_csv_line([_csv_cell(value, delimiter, decimal_separator) for value in row], delimiter))
    return ("\ufeff" + "".join(lines)).encode("utf-8")


def _csv_line(cells: list[str], delimiter: str) -> str:
    # A lone empty cell is written as "" (as the csv module does), or the line would read as no cells.
    return (delimiter.join(cells) if cells != [""] else '""') + "\r\n"


def xlsx_workbook() -> Workbook:
    """A workbook without sheets, for `xlsx_sheet_add` to fill and `xlsx_saved` to turn into bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def xlsx_saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_sheet_add(
    workbook: Workbook,
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    last_column_formats: Sequence[str | None] | None = None,
) -> Worksheet:
    """A sheet of typed cells under a bold frozen header row with an autofilter, at set column widths.
    A date or time is shown in the active language's style, a number in its column's format or, in the
    last column, in its row's own from `last_column_formats` (one column may mix counts, shares and
    euros); text stays General."""
    sheet = workbook.create_sheet(ILLEGAL_CHARACTERS_RE.sub("", title)[:31] or "Sheet1")
    _xlsx_row_append(sheet, [column.header for column in columns])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
    date_format, datetime_format = xlsx_date_format(), xlsx_datetime_format()
    last_column = len(columns) - 1
    row_count = 1
    for row in rows:
        row_format = last_column_formats[row_count - 1] if last_column_formats else None
        _xlsx_row_append(sheet, row)
        row_count += 1
        for index, (column, cell) in enumerate(zip(columns, sheet[row_count], strict=False)):
            if cell.value is None or isinstance(cell.value, str):
                continue
            if isinstance(cell.value, datetime):
                cell.number_format = datetime_format
            elif isinstance(cell.value, date):
                cell.number_format = date_format
            elif row_format and index == last_column:
                cell.number_format = row_format
            elif column.number_format:
                cell.number_format = column.number_format
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{row_count}"
    return sheet


def xlsx_bytes(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """A workbook of one sheet (see xlsx_sheet_add)."""
    workbook = xlsx_workbook()
    xlsx_sheet_add(workbook, title=title, columns=columns, rows=rows)
    return xlsx_saved(workbook)
