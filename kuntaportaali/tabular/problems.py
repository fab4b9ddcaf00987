"""Why a file, a row or a value could not be read: a code with its parameters, stored as such and
worded in the reader's language only when shown.

Each app registers the wording of its own codes (`problem_messages_register`), marked with
`gettext_noop` so that the catalogs carry them; the shared reader's codes are registered here.
A date or a month the portal names in a reason (not a value quoted from a file) is stored as machines
read it, 2026-10-03 and 2026-11, and written in the reader's style when shown (`problem_dates_register`).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Self

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop

_MESSAGES: dict[str, str] = {}
# A reason given as text (see CodedError), or stored before reasons were codes; the code is stored in rows.
TEXT_AS_GIVEN = "reason_as_stored"
DateKind = Literal["day", "month"]
_DATES: dict[str, dict[str, DateKind]] = {}


def problem_messages_register(messages: Mapping[str, str]) -> None:
    """Add codes and their English wording (msgids with %(name)s placeholders); a code is registered once."""
    for code, message in messages.items():
        if _MESSAGES.get(code, message) != message:
            raise ValueError(f"The problem code {code!r} is registered twice with different wording.")
        _MESSAGES[code] = message


def problem_dates_register(dates: Mapping[str, Mapping[str, DateKind]]) -> None:
    """Name the parameters of a code that hold a day ("2026-10-03") or a month ("2026-11") the portal
    gives: {"absence_outside_month": {"start": "day", "end": "day", "month": "month"}}."""
    for code, kinds in dates.items():
        if code not in _MESSAGES:
            raise ValueError(f"Unknown problem code {code!r}: register its wording first.")
        _DATES[code] = dict(kinds)


def problem_codes() -> frozenset[str]:
    return frozenset(_MESSAGES)


def _plain(value: Any) -> str | int | dict:
    """Parameters are stored as JSON: text and whole numbers, or a quoted Problem as {"code", "params"}."""
    if isinstance(value, Problem):
        return {"code": value.code, "params": dict(value.params)}
    if isinstance(value, Mapping) and "code" in value:  # a quoted problem as stored
        return {"code": str(value["code"]), "params": {k: _plain(v) for k, v in value.get("params", {}).items()}}
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(value)
    return str(value)


@dataclass(frozen=True)
class Problem:
    """One reason, as a code and its parameters (JSON-safe: text and whole numbers). A parameter may
    quote another Problem ("%(file)s: %(reason)s"); it is kept as a code too and worded with this one."""

    code: str
    params: Mapping[str, str | int | dict] = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in _MESSAGES:
            raise ValueError(f"Unknown problem code {self.code!r}: register its wording first.")
        object.__setattr__(self, "params", {name: _plain(value) for name, value in self.params.items()})

    def message(self) -> str:
        """The reason in the active language."""
        return problem_message(self.code, self.params)

    def english(self) -> str:
        """The reason in English, for logs and command output."""
        with translation.override("en"):
            return self.message()

    def __str__(self) -> str:
        return self.message()


def problem_message(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The wording of `code` in the active language; a code no longer known is shown as it is."""
    template = _MESSAGES.get(code)
    if template is None:
        return code
    kinds = _DATES.get(code, {})
    values = {name: _worded(value, kinds.get(name)) for name, value in (params or {}).items()}
    text = gettext(template)
    try:
        return text % values if values or "%(" in text else text
    except (KeyError, TypeError, ValueError):
        # A translation that names a parameter the code does not have must not hide the reason.
        return template % values


def _worded(value: Any, kind: DateKind | None = None) -> Any:
    """A quoted problem (stored as {"code", "params"}) in the active language, a day or a month in its
    style; other values as they are."""
    if isinstance(value, Mapping) and "code" in value:
        return problem_message(value["code"], value.get("params"))
    if kind == "day" and (day := _stored_day(value)):
        return date_format(day, "SHORT_DATE_FORMAT")
    if kind == "month" and (month := _stored_month(value)):
        return date_format(month, "YEAR_MONTH_FORMAT")
    return value


_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FINNISH_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")  # as reasons stored them before
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _stored_day(value: Any) -> date | None:
    """A day as stored ("2026-10-03", or "3.10.2026" in reasons stored before); None for anything else."""
    if iso := _ISO_DAY.match(str(value)):
        year, month, day = iso.groups()
    elif finnish := _FINNISH_DAY.match(str(value)):
        day, month, year = finnish.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _stored_month(value: Any) -> date | None:
    """A month as stored ("2026-11"); None for anything else."""
    match = _ISO_MONTH.match(str(value))
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return None


class CodedError(Exception):
    """An application error that carries its reason as a Problem and reads as it in the active language.

    Raised with a Problem (`of(code, **params)`), or with text that is already worded for its reader (a
    sentence translated where it was raised, a source's own answer), which is kept as it is."""

    def __init__(self, reason: Problem | str):
        self.problem = reason if isinstance(reason, Problem) else Problem(TEXT_AS_GIVEN, {"text": reason})
        super().__init__(self.problem)  # as its only argument, so that a copy (pickle) reads the same

    @classmethod
    def of(cls, code: str, /, **params: Any) -> Self:
        return cls(Problem(code, params))

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def params(self) -> Mapping[str, Any]:
        return self.problem.params

    def message(self) -> str:
        """The reason in the active language."""
        return self.problem.message()

    def __str__(self) -> str:
        return self.message()


class ProblemError(CodedError):
    """An error of the shared file reader, raised with its code and parameters."""

    def __init__(self, code: str | Problem, /, **params: Any):
        super().__init__(code if isinstance(code, Problem) else Problem(code, params))


class TabularError(ProblemError):
    """A whole file cannot be read; `problem` says why, in words a person can act on."""


class ValueProblem(ProblemError, ValueError):
    """One value cannot be read as the kind of value its column holds."""


problem_messages_register(
    {
        TEXT_AS_GIVEN: "%(text)s",
        # Whole files
        "file_empty": gettext_noop("The file is empty."),
        "file_too_large": gettext_noop(
            "The file is %(size)s bytes; files of at most %(limit)s bytes are accepted. Split it into smaller files."
        ),
        "file_old_excel": gettext_noop(
            "Old Excel files (.xls) cannot be read. Save the file as .xlsx or as CSV (UTF-8) and try again."
        ),
        "file_opendocument": gettext_noop(
            "OpenDocument spreadsheets (.ods) cannot be read. Save the file as .xlsx or as CSV (UTF-8) and try again."
        ),
        "file_pdf": gettext_noop("The file is a PDF document, not a table. Export the data as CSV or .xlsx."),
        "file_not_a_table": gettext_noop(
            "The file cannot be read as a table. Use CSV (UTF-8, UTF-16 or Windows-1252; fields separated by ;, "
            "comma, tab or |) or Excel .xlsx."
        ),
        "file_not_utf8": gettext_noop(
            "The file is not valid UTF-8 (byte %(byte)s cannot be read). If it was saved as Windows-1252 "
            "(ANSI), choose that encoding or automatic detection."
        ),
        "file_utf8_read_as_windows1252": gettext_noop(
            "The file is UTF-8, but Windows-1252 was chosen as its encoding: letters like ä and ö would be garbled. "
            "Choose UTF-8 or automatic detection."
        ),
        "file_encoding_mixed": gettext_noop(
            "The file is UTF-8, but byte %(byte)s and maybe others are not, as if a part were saved in another "
            "encoding (Windows-1252): its letters like ä and ö cannot all be read right. Save the whole file as "
            "CSV UTF-8 and try again."
        ),
        "file_unknown_encoding": gettext_noop(
            "The file is neither UTF-8, UTF-16 nor Windows-1252 (byte %(byte)s cannot be read). Save it as "
            "CSV UTF-8 and try again."
        ),
        "file_csv_broken": gettext_noop("The file cannot be read as CSV near line %(line)s: %(detail)s."),
        "file_csv_quote_broken": gettext_noop(
            "The row that begins on line %(line)s of the file has a value in quotation marks that does not end "
            "where its cell does: a quotation mark is missing or extra in it. Correct the file and try again."
        ),
        "file_xlsx_damaged": gettext_noop("The Excel file is damaged or truncated and cannot be read."),
        "file_merged_data_cells": gettext_noop(
            "Cells are merged over several rows of data (%(cells)s): a merged cell shows its value on every row "
            "but holds it on the first only. Unmerge the cells, fill in each row and try again."
        ),
        "file_xlsx_formulas_not_calculated": gettext_noop(
            "The Excel file holds formulas whose results were never calculated (a program wrote or changed it "
            "without a spreadsheet), so their values cannot be read: open it in Excel or LibreOffice, save it "
            "again and use that file."
        ),
        "file_xlsx_dtd": gettext_noop(
            "The Excel file holds XML document type declarations (DTD), which Excel never writes and which are "
            "not read here for safety: save the file again in Excel."
        ),
        "file_xlsx_too_large": gettext_noop(
            "The Excel file unpacks to %(size)s bytes, more than the %(limit)s bytes accepted. Save it as CSV, "
            "or split it into smaller files."
        ),
        "file_xlsx_row_too_large": gettext_noop(
            "A row of the Excel file is larger than %(limit)s bytes, more than a spreadsheet program writes: the "
            "file is damaged or made to exhaust the server's memory. Save it again in Excel, or save it as CSV."
        ),
        "file_xlsx_markup_unusual": gettext_noop(
            "The Excel file's sheet holds XML comments, CDATA sections or processing instructions, which Excel "
            "never writes and which are not read here for safety: save the file again in Excel."
        ),
        "file_too_many_rows": gettext_noop("The file has more than %(limit)s rows. Split it into smaller files."),
        "file_too_many_columns": gettext_noop(
            "Row %(row)s of the file has more than %(limit)s columns. Remove the empty columns at its end, or "
            "check that it is the right file."
        ),
        "file_no_data_rows": gettext_noop("The file has a header row but no data rows."),
        # Single values
        "value_control_character": gettext_noop(
            "the cell contains an invisible control character (%(character)s): the file may be damaged"
        ),
        "value_spreadsheet_error": gettext_noop("the cell shows a spreadsheet error (%(error)s), not a value"),
        "value_not_a_number": gettext_noop("not a number"),
        "value_number_ambiguous_separator": gettext_noop(
            "%(value)s could mean %(thousands)s or %(decimal)s: write it without a thousands separator, "
            "with a decimal comma (e.g. %(example)s)"
        ),
        "value_number_bad_grouping": gettext_noop(
            "the digits of %(value)s are not grouped in threes: is it one number?"
        ),
        "value_too_many_decimals": gettext_noop("%(value)s has more than %(decimals)s decimals"),
        "value_number_too_large": gettext_noop("the number is too large"),
        "value_not_a_whole_number": gettext_noop("not a whole number"),
        "value_digits_lost": gettext_noop(
            "a spreadsheet shortened the number to %(value)s and its last digits are lost: format the column "
            "as text and export the file again"
        ),
        "value_not_a_date": gettext_noop("not a date in the form d.m.yyyy, YYYYMMDD or YYYY-MM-DD"),
        "value_not_a_real_date": gettext_noop("not a real calendar date"),
        "value_date_year_too_early": gettext_noop("the year %(year)s is before %(earliest)s: check the date"),
        "value_date_ambiguous": gettext_noop(
            "%(value)s could be %(first)s or %(second)s: write dates as d.m.yyyy (e.g. %(example)s)"
        ),
        "value_date_time_invalid": gettext_noop("the time of day after the date is not a real time"),
        "value_percent_expected": gettext_noop(
            "the cell is formatted as a percentage, but a plain number is expected here"
        ),
    }
)
