"""What one row of a contact file says: its phone numbers and the person's birth year, postal code and
language, each read as the file means it or the row refused with a reason naming the cell."""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_noop

from kuntaportaali.redaction import PERSON_NUMBER, PERSON_NUMBER_HIDDEN
from kuntaportaali.tabular.headers import header_key
from kuntaportaali.tabular.problems import Problem, ValueProblem, problem_messages_register
from kuntaportaali.tabular.reader import Row
from kuntaportaali.tabular.values import date_parse, digits_restore, integer_parse, is_blank, text_clean
from surveys.contact_files import AGE, BIRTH_YEAR, LANGUAGE, POSTAL_CODE, ContactFileLayout
from surveys.phone_numbers import phone_read

problem_messages_register(
    {
        "contacts_birth_year_invalid": gettext_noop("The birth year is not a year between 1900 and this year."),
        "contacts_birth_year_in_date_cell": gettext_noop(
            "The cell is a date (%(shown)s) that a spreadsheet made of the year %(year)s typed into a cell "
            "formatted as a date: format the birth year column as numbers and enter the year again."
        ),
        "contacts_row_cut_off": gettext_noop(
            "The row has only %(found)s columns of the header's %(needed)s: it was cut off (is the file "
            "truncated?), and its last value may have lost digits."
        ),
        "contacts_birth_year_century_unknown": gettext_noop(
            "The birth date's year has two digits, and a person born in either century could be called: write "
            "the year with four digits."
        ),
        "contacts_age_invalid": gettext_noop("The age is not a whole number of years between 0 and 120."),
        "contacts_age_contradicts_birth_year": gettext_noop("The age and the birth year contradict each other."),
        "contacts_postal_code_invalid": gettext_noop("The postal code is not a Finnish postal code of five digits."),
        "contacts_language_unknown": gettext_noop(
            "The language is not a language name or code the portal knows (fi, sv, en, suomi, svenska, ru, venäjä...)."
        ),
    }
)

# The languages a survey can be answered in, as files write them.
SURVEY_LANGUAGES = {
    "fi": "fi",
    "fin": "fi",
    "suomi": "fi",
    "finnish": "fi",
    "finska": "fi",
    "sv": "sv",
    "swe": "sv",
    "sve": "sv",
    "ruotsi": "sv",
    "svenska": "sv",
    "swedish": "sv",
    "en": "en",
    "eng": "en",
    "englanti": "en",
    "engelska": "en",
    "english": "en",
}
# Other languages residents speak, by name as Finnish registers and brokers write them (codes such as ru,
# et or so are known from Django's list and ISO 639-1): their speakers are called in the default language.
OTHER_LANGUAGE_NAMES = frozenset(
    {
        "venaja", "ryska", "russian", "viro", "eesti", "estniska", "estonian", "arabia", "arabiska", "arabic",
        "somali", "somalia", "somaliska", "saame", "saamen", "samiska", "sami", "kurdi", "kurdiska", "persia",
        "farsi", "kiina", "kinesiska", "chinese", "ukraina", "ukrainska", "ukrainian", "albania", "albanska",
        "vietnam", "vietnamesiska", "thai", "turkki", "turkiska", "turkish", "espanja", "spanska", "spanish",
        "saksa", "tyska", "german", "ranska", "franska", "french", "puola", "polska", "polish", "romania",
        "rumanska", "muu", "muukieli", "vieraskielinen", "annat", "ovrigt", "other",
    }
)  # fmt: skip
OTHER_LANGUAGE_CODES = frozenset(code for code in LANG_INFO if len(code) == 2) | {"se", "so", "ku", "ti", "am"}
DEFAULT_LANGUAGE = "fi"
MAX_AGE = 120
# A date whose year has two digits (1.2.55, 1/2/55, 1-2-55), or four, time of day aside.
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-](\d{2})(?!\d)")
_FOUR_DIGIT_YEAR = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-](\d{4})(?!\d)")
# Day 0 of spreadsheets' two calendars of serial numbers: Excel's (with its 29.2.1900) and the 1904 one.
SERIAL_DATE_EPOCHS = (date(1899, 12, 30), date(1904, 1, 1))
MAX_CELL_CHARS = 200


class RowRefused(ValueError):
    """One row is left out: `problem` says why, `column` names the cell and `value` quotes it."""

    def __init__(self, problem: Problem, *, column: str = "", value: str = ""):
        self.problem, self.column, self.value = problem, column, value
        super().__init__(problem.code)


@dataclass(frozen=True)
class ContactValues:
    """One row's values as they will be stored: its numbers (E.164) in calling order and what else it says.
    `language_defaulted` tells that the row named a language the survey is not in (called in Finnish)."""

    row: int
    numbers: tuple[str, ...]
    birth_year: int | None
    postal_code: str
    language: str
    language_defaulted: bool = False


def contact_values(row: Row, layout: ContactFileLayout, *, this_year: int, region: str) -> ContactValues:
    """The row's values to store; raises RowRefused naming the first value that cannot be read."""
    if row.unterminated and len(row.cells) < layout.min_cells:
        # The file ends inside the row: its last value may have lost digits (23500 read as 2350). A short row
        # followed by others is whole: Excel leaves out the separators of empty cells at a row's end.
        raise RowRefused(Problem("contacts_row_cut_off", {"found": len(row.cells), "needed": layout.min_cells}))
    numbers: list[str] = []
    for index in layout.phone_columns:
        value = _cell(row, index)
        if is_blank(value):
            continue
        try:
            number = phone_read(value, region=region)
        except ValueProblem as error:
            raise RowRefused(error.problem, column=layout.column_name(index), value=_shown(value)) from None
        if number not in numbers:
            numbers.append(number)
    if not numbers:
        raise RowRefused(Problem("phone_empty"), column=layout.column_name(layout.phone_columns[0]))
    language, defaulted = _language(row, layout)
    return ContactValues(
        row=row.number,
        numbers=tuple(numbers),
        birth_year=_birth_year(row, layout, this_year),
        postal_code=_postal_code(row, layout),
        language=language,
        language_defaulted=defaulted,
    )


def _cell(row: Row, index: int | None) -> Any:
    if index is None or index >= len(row.cells):
        return ""
    return row.cells[index]


def _shown(value: Any) -> str:
    """A refused cell as the report quotes it: an identity code (henkilötunnus) in it is never kept."""
    return PERSON_NUMBER.sub(PERSON_NUMBER_HIDDEN, str(value)[:MAX_CELL_CHARS])


def _refused(layout: ContactFileLayout, name: str, code: str, value: Any) -> RowRefused:
    return RowRefused(Problem(code), column=layout.column_name(layout.fields[name]), value=_shown(value))


def _whole_number(layout: ContactFileLayout, name: str, row: Row, code: str, low: int, high: int) -> int | None:
    value = _cell(row, layout.fields.get(name))
    if is_blank(value):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)  # the common case, without the general parser
    elif name == BIRTH_YEAR and isinstance(value, date):
        _year_typed_as_date_check(layout, value, low, high)
        number = value.year
    else:
        try:
            number = integer_parse(value)
        except ValueProblem:
            number = _year_of_date(layout, value, high) if name == BIRTH_YEAR else None
    if number is None or not low <= number <= high:
        raise _refused(layout, name, code, value)
    return number


def _year_typed_as_date_check(layout: ContactFileLayout, value: date, low: int, high: int) -> None:
    """A date cell whose serial number is a birth year (1955 is 8.5.1905) holds a year typed into a cell
    formatted as a date: the year meant is the number, not the date's, and the row is refused."""
    day = value.date() if hasattr(value, "date") else value
    for epoch in SERIAL_DATE_EPOCHS:
        serial = (day - epoch).days
        if low <= serial <= high:
            shown = f"{day.day}.{day.month}.{day.year}"
            problem = Problem("contacts_birth_year_in_date_cell", {"shown": shown, "year": serial})
            raise RowRefused(problem, column=layout.column_name(layout.fields[BIRTH_YEAR]), value=_shown(value))


def _year_of_date(layout: ContactFileLayout, value: Any, this_year: int) -> int | None:
    """A birth date in a birth year column (12.3.1955, or a date cell) says the year plainly; one with a
    two-digit year (12.3.55) when only one century gives an age a person can have (0 to MAX_AGE)."""
    try:
        day = date_parse(value)
    except ValueProblem as problem:
        if problem.problem.code != "value_date_ambiguous":
            return None
        # 1/2/1955: the 1st of February or the 2nd of January (both real dates), of one year all the same
        day = None
    text = value.strip() if isinstance(value, str) else ""
    match = _TWO_DIGIT_YEAR.match(text)
    if match is None:
        if day is not None:
            return day.year
        four_digits = _FOUR_DIGIT_YEAR.match(text)
        return int(four_digits.group(1)) if four_digits else None
    years = [
        century + int(match.group(1))
        for century in (1900, 2000)
        if 0 <= this_year - century - int(match.group(1)) <= MAX_AGE
    ]
    if len(years) > 1:
        raise RowRefused(
            Problem("contacts_birth_year_century_unknown"),
            column=layout.column_name(layout.fields[BIRTH_YEAR]),
            value=_shown(value),
        )
    return years[0] if years else None


def _birth_year(row: Row, layout: ContactFileLayout, this_year: int) -> int | None:
    """From the birth year column, else from the age (this year's birth year of that age)."""
    year = _whole_number(layout, BIRTH_YEAR, row, "contacts_birth_year_invalid", 1900, this_year)
    age = _whole_number(layout, AGE, row, "contacts_age_invalid", 0, MAX_AGE)
    if year is not None and age is not None and abs(this_year - year - age) > 1:
        raise _refused(layout, AGE, "contacts_age_contradicts_birth_year", _cell(row, layout.fields[AGE]))
    if year is not None:
        return year
    return None if age is None else this_year - age


def _postal_code(row: Row, layout: ContactFileLayout) -> str:
    """Five digits; a spreadsheet that read 00100 as a number left 100, and 23500 as 23500.0."""
    value = _cell(row, layout.fields.get(POSTAL_CODE))
    if is_blank(value):
        return ""
    if isinstance(value, str) and len(value) == 5 and value.isascii() and value.isdigit() and value >= "00100":
        return value  # the common case, without the general rules
    try:
        digits = digits_restore(value) or text_clean(value).upper().removeprefix("FI-").removeprefix("AX-")
    except ValueProblem:
        raise _refused(layout, POSTAL_CODE, "contacts_postal_code_invalid", value) from None
    if not (digits.isascii() and digits.isdigit() and 3 <= len(digits) <= 5):
        raise _refused(layout, POSTAL_CODE, "contacts_postal_code_invalid", value)
    code = digits.zfill(5)
    if code < "00100":
        raise _refused(layout, POSTAL_CODE, "contacts_postal_code_invalid", value)
    return code


def _language(row: Row, layout: ContactFileLayout) -> tuple[str, bool]:
    """(the language to call in, whether the row named another language the survey is not in)."""
    value = _cell(row, layout.fields.get(LANGUAGE))
    if is_blank(value):
        return DEFAULT_LANGUAGE, False
    reading = _language_of(value) if isinstance(value, str) else None
    if reading is None:
        raise _refused(layout, LANGUAGE, "contacts_language_unknown", value)
    return reading


@lru_cache(maxsize=256)
def _language_of(value: str) -> tuple[str, bool] | None:
    """A file has a handful of different language values, each read once: a name (suomi, svenska, venäjä),
    a code (fi, sv, ru) or a locale (fi-FI, sv_FI)."""
    try:
        text = text_clean(value)
    except ValueProblem:
        return None
    key = header_key(text)
    code = header_key(text[:2]) if len(text) == 5 and text[2] in "-_" else key
    if key in SURVEY_LANGUAGES or code in SURVEY_LANGUAGES:
        return SURVEY_LANGUAGES.get(key) or SURVEY_LANGUAGES[code], False
    if key in OTHER_LANGUAGE_NAMES or code in OTHER_LANGUAGE_CODES:
        return DEFAULT_LANGUAGE, True
    return None
