"""Spreadsheet exports (CSV and XLSX) that are safe to open in Excel or LibreOffice.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return) is run as a formula by
spreadsheet programs, so text from uploads or users could execute in a colleague's Excel
("CSV injection"). Every string cell passes through `spreadsheet_safe`, which makes it plain text.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LOCAL_TIME_ZONE = ZoneInfo("Europe/Helsinki")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
CSV_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


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
    """Excel has no time zones: aware datetimes become the local (Helsinki) wall-clock time."""
    if value.tzinfo is not None:
        value = value.astimezone(LOCAL_TIME_ZONE).replace(tzinfo=None)
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


def _csv_cell(value, decimal_separator: str = ".") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local_naive(value).strftime(CSV_DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return str(value).replace(".", decimal_separator)
    if isinstance(value, bool | int):
        return str(value)
    return spreadsheet_safe(str(value))


def _xlsx_cell(value):
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        return _local_naive(value) if isinstance(value, datetime) else value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return spreadsheet_safe(text)


def csv_bytes(*, columns: Sequence[Column], rows: Iterable[Sequence], language: str | None = None) -> bytes:
    """UTF-8 with a byte order mark and `;` between fields: what Finnish and Swedish Excel opens as is.
    With a `language`, numbers and separators follow its Excel (see csv_separators)."""
    delimiter, decimal_separator = csv_separators(language)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(column.header) for column in columns])
    for row in rows:
        writer.writerow([_csv_cell(value, decimal_separator) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """One worksheet: typed cells, a bold frozen header row with an autofilter, set column widths."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ILLEGAL_CHARACTERS_RE.sub("", title)[:31] or "Sheet1"
    sheet.append([_xlsx_cell(column.header) for column in columns])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    row_count = 1
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
        row_count += 1
        for column, cell in zip(columns, sheet[row_count], strict=False):
            if column.number_format and cell.value is not None:
                cell.number_format = column.number_format
            elif isinstance(cell.value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{row_count}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
