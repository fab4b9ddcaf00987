"""Reading a data broker's contact file (CSV or XLSX): which columns hold what, then each row's
values, read as the file means them or refused with a reason.

Phone columns are recognised by name and by content: a column named like one (puhelin,
matkapuhelin, mobiili, liittymänumero, telefon, phone, ...) whose cells are mostly phone numbers,
or a column with a weaker name (numero, nummer, number) or none at all when its cells are phone
numbers. Several phone columns are several numbers of the same person, called in turn. When the
file does not say plainly which columns hold the numbers, the layout `needs_choice` and a person
picks them.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kuntaportaali.tabular.headers import Header, header_key, header_locate, row_labels
from kuntaportaali.tabular.problems import Problem, TabularError, ValueProblem, problem_messages_register
from kuntaportaali.tabular.reader import Row, Table
from kuntaportaali.tabular.values import digits_restore, integer_parse, text_clean
from surveys.errors import SurveyError
from surveys.phone_numbers import phone_read

problem_messages_register(
    {
        "contacts_no_phone_column": gettext_noop(
            "No column holds phone numbers. Name the phone column e.g. puhelin, matkapuhelin, telefon or phone, "
            "and check that its cells are phone numbers."
        ),
        "contacts_choose_phone_columns": gettext_noop(
            "The file does not say plainly which columns hold the phone numbers: choose them (columns that "
            "look like phone numbers: %(columns)s)."
        ),
        "contacts_phone_column_unknown": gettext_noop("The file has no column %(column)s."),
        "contacts_birth_year_invalid": gettext_noop("The birth year is not a year between 1900 and this year."),
        "contacts_age_invalid": gettext_noop("The age is not a whole number of years between 0 and 120."),
        "contacts_age_contradicts_birth_year": gettext_noop("The age and the birth year contradict each other."),
        "contacts_postal_code_invalid": gettext_noop("The postal code is not a Finnish postal code of five digits."),
        "contacts_language_unknown": gettext_noop(
            "The language is not one the survey can be answered in (fi, sv or en; suomi, svenska, english...)."
        ),
        "contacts_campaign_closed": gettext_noop(
            "The campaign was started or ended while the file was being imported: nothing was imported."
        ),
        "contacts_import_failed": gettext_noop(
            "The import stopped on an unexpected error; nothing was imported. Try again."
        ),
        "contacts_file_expired": gettext_noop(
            "The uploaded file was kept for a day only and has been deleted: upload it again."
        ),
    }
)

PHONE = "phone"
BIRTH_YEAR = "birth_year"
AGE = "age"
POSTAL_CODE = "postal_code"
LANGUAGE = "language"
OTHER_FIELDS = (BIRTH_YEAR, AGE, POSTAL_CODE, LANGUAGE)

STRONG, WEAK = "strong", "weak"
# Parts of header names (as `header_key` folds them) that name a phone column: contained anywhere,
# or (the short ones) at the start.
PHONE_NAME_PARTS = (
    "puhelin",
    "matkapuh",
    "mobiili",
    "kannykka",
    "liittyma",
    "telefon",
    "mobil",
    "phone",
    "msisdn",
)
PHONE_NAME_STARTS = ("puh", "gsm", "tel", "tfn", "cell")
WEAK_PHONE_NAMES = frozenset({"numero", "nro", "nummer", "number", "no", "num"})
FIELD_NAMES: dict[str, frozenset[str]] = {
    BIRTH_YEAR: frozenset(
        {"syntymavuosi", "syntvuosi", "syntynyt", "fodelsear", "fodd", "birthyear", "yearofbirth", "yob"}
    ),
    AGE: frozenset({"ika", "ikavuotta", "alder", "age"}),
    POSTAL_CODE: frozenset(
        {"postinumero", "postinro", "postnummer", "postnr", "postalcode", "postcode", "zip", "zipcode"}
    ),
    LANGUAGE: frozenset(
        {"kieli", "aidinkieli", "asiointikieli", "kielikoodi", "sprak", "modersmal", "language", "lang"}
    ),
}
LANGUAGE_VALUES = {
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
DEFAULT_LANGUAGE = "fi"
# Rows read to learn what each column holds.
SAMPLE_ROWS = 200
# Share of a column's filled cells that must be phone numbers for a column with a weak name (numero) or
# none; a column named as a phone column needs only some phone numbers (a short list may be mostly errors).
WEAK_NAME_PHONE_SHARE = 0.5
UNNAMED_PHONE_SHARE = 0.8
MAX_CELL_CHARS = 200
EXAMPLES_SHOWN = 3
_DIGIT = re.compile(r"\d")


class ContactFileRejected(SurveyError):
    """The whole file cannot be imported; `problem` says why."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.code)

    def __str__(self) -> str:
        return self.problem.message()

    @classmethod
    def of(cls, code: str, **params: Any) -> "ContactFileRejected":
        return cls(Problem(code, params))


class RowRefused(ValueError):
    """One row is left out: `problem` says why, `column` names the cell and `value` quotes it."""

    def __init__(self, problem: Problem, *, column: str = "", value: str = ""):
        self.problem, self.column, self.value = problem, column, value
        super().__init__(problem.code)


@dataclass(frozen=True)
class FileColumn:
    """One column as the sample of rows shows it."""

    index: int
    label: str
    field: str = ""
    phone_name: str = ""  # STRONG, WEAK or ""
    filled: int = 0
    phone_like: int = 0
    examples: tuple[str, ...] = ()

    @property
    def phone_share(self) -> float:
        return self.phone_like / self.filled if self.filled else 0.0

    @property
    def name(self) -> str:
        """The column's label, or its number when the file has no header."""
        return self.label or _("column %(number)s") % {"number": self.index + 1}


@dataclass(frozen=True)
class ContactFileLayout:
    """Where a file's header and columns are, and which columns hold the phone numbers (in calling order)."""

    sheet: str
    header_rows: tuple[int, ...]
    columns: tuple[FileColumn, ...]
    phone_columns: tuple[int, ...]
    fields: Mapping[str, int] = field(default_factory=dict)
    needs_choice: bool = False

    @property
    def phone_candidates(self) -> list[FileColumn]:
        """Columns a person may choose as phone columns: those whose cells look like phone numbers."""
        return [column for column in self.columns if column.phone_like]

    def column_name(self, index: int) -> str:
        return self.columns[index].name if index < len(self.columns) else str(index + 1)

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "header_rows": list(self.header_rows),
            "columns": [asdict(column) | {"examples": list(column.examples)} for column in self.columns],
            "phone_columns": list(self.phone_columns),
            "fields": dict(self.fields),
            "needs_choice": self.needs_choice,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ContactFileLayout":
        return cls(
            sheet=data.get("sheet", ""),
            header_rows=tuple(data.get("header_rows", ())),
            columns=tuple(
                FileColumn(**(column | {"examples": tuple(column.get("examples", ()))}))
                for column in data.get("columns", ())
            ),
            phone_columns=tuple(data.get("phone_columns", ())),
            fields=dict(data.get("fields", {})),
            needs_choice=bool(data.get("needs_choice")),
        )


@dataclass(frozen=True)
class ContactValues:
    """One row's values as they will be stored: its numbers (E.164) in calling order and what else it says."""

    row: int
    numbers: tuple[str, ...]
    birth_year: int | None
    postal_code: str
    language: str


def phone_name_kind(label: str) -> str:
    key = header_key(label)
    if not key or "fax" in key:
        return ""
    if any(part in key for part in PHONE_NAME_PARTS) or key.startswith(PHONE_NAME_STARTS):
        return STRONG
    if key in WEAK_PHONE_NAMES:
        return WEAK
    return ""


def field_of(label: str) -> str:
    key = header_key(label)
    if phone_name_kind(label) == STRONG:
        return PHONE
    for name, keys in FIELD_NAMES.items():
        if key in keys:
            return name
    return ""


def _header_score(labels: Sequence[str]) -> int:
    """How many columns the labels name: a phone column counts twice, so that a two-level header that
    names two phone columns wins over the one row above it."""
    score = 0
    for label in labels:
        kind = phone_name_kind(label)
        score += 2 if kind == STRONG else 1 if kind == WEAK or field_of(label) else 0
    return score


def contact_file_layout(table: Table, *, phone_columns: Sequence[int] | None = None) -> ContactFileLayout:
    """Learn the file's layout from its header and first rows; with `phone_columns` (0-based), use those.

    Raises ContactFileRejected when no sheet holds phone numbers or the file has no data rows."""
    layouts = []
    try:
        for sheet in table.sheets:
            layout = _sheet_layout(table, sheet, phone_columns)
            if layout is not None and (layout.phone_columns or layout.phone_candidates):
                return layout
            layouts.append(layout)
    except TabularError as error:
        raise ContactFileRejected(error.problem) from None
    if all(layout is None for layout in layouts):
        raise ContactFileRejected.of("file_no_data_rows")
    raise ContactFileRejected.of("contacts_no_phone_column")


def _sheet_layout(table: Table, sheet: str, chosen: Sequence[int] | None) -> ContactFileLayout | None:
    """The sheet's layout, or None when the sheet has no data rows."""
    header, rows = header_locate(table.rows(sheet), score=_header_score)
    sample = [row for _index, row in zip(range(SAMPLE_ROWS), (row for row in rows if not row.is_empty), strict=False)]
    if header is None and sample and _names_columns(sample[0]):
        header, sample = Header(tuple(row_labels(sample[0])), (sample[0].number,)), sample[1:]
    labels = list(header.labels) if header else []
    if not sample:
        return None
    width = max(len(labels), *(len(row.cells) for row in sample))
    columns = tuple(_column(index, labels[index] if index < len(labels) else "", sample) for index in range(width))
    fields = {}
    for column in columns:
        if column.field in OTHER_FIELDS and column.field not in fields:
            fields[column.field] = column.index
    layout = ContactFileLayout(
        sheet=sheet, header_rows=header.rows if header else (), columns=columns, phone_columns=(), fields=fields
    )
    if chosen is not None:
        return _with_chosen_columns(layout, chosen)
    phones, needs_choice = _phone_columns(columns)
    return ContactFileLayout(
        sheet=sheet,
        header_rows=layout.header_rows,
        columns=columns,
        phone_columns=phones,
        fields={name: index for name, index in fields.items() if index not in phones},
        needs_choice=needs_choice,
    )


def _names_columns(row: Row) -> bool:
    """A first row of names that are none we know: words, and no phone number among them."""
    filled = [cell for cell in row.cells if not _blank(cell)]
    return all(isinstance(cell, str) and any(char.isalpha() for char in cell) for cell in filled) and not any(
        _looks_like_phone(cell) for cell in filled
    )


def _with_chosen_columns(layout: ContactFileLayout, chosen: Sequence[int]) -> ContactFileLayout:
    for index in chosen:
        if not 0 <= index < len(layout.columns):
            raise ContactFileRejected.of("contacts_phone_column_unknown", column=index + 1)
    phones = tuple(sorted(set(chosen)))
    return ContactFileLayout(
        sheet=layout.sheet,
        header_rows=layout.header_rows,
        columns=layout.columns,
        phone_columns=phones,
        fields={name: index for name, index in layout.fields.items() if index not in phones},
    )


def _column(index: int, label: str, sample: list[Row]) -> FileColumn:
    filled = phone_like = 0
    examples: list[str] = []
    for row in sample:
        value = row.cells[index] if index < len(row.cells) else ""
        if value in ("", None) or (isinstance(value, str) and not value.strip()):
            continue
        filled += 1
        looks_like_phone = _looks_like_phone(value)
        phone_like += looks_like_phone
        if len(examples) < EXAMPLES_SHOWN:
            examples.append(_example(value))
    return FileColumn(
        index=index,
        label=label,
        field=field_of(label),
        phone_name=phone_name_kind(label),
        filled=filled,
        phone_like=phone_like,
        examples=tuple(examples),
    )


def _looks_like_phone(value: Any) -> bool:
    """A phone number of any kind (a premium-rate number too: the column still holds numbers)."""
    try:
        phone_read(value, region="FI")
    except ValueProblem as error:
        return error.problem.code in {
            "phone_premium_rate",
            "phone_toll_free",
            "phone_service_number",
            "phone_not_personal",
        }
    return True


def _example(value: Any) -> str:
    """A cell shown to help choose its column: digits masked but the first three and last two."""
    try:
        text = text_clean(value)[:40]
    except ValueProblem:
        return "?"
    digits = [match.start() for match in _DIGIT.finditer(text)]
    if len(digits) < 7:
        return text
    hidden = set(digits[3:-2])
    return "".join("•" if position in hidden else char for position, char in enumerate(text))


def _phone_columns(columns: Sequence[FileColumn]) -> tuple[tuple[int, ...], bool]:
    """(phone columns, whether a person must choose): columns named as phone columns that hold phone
    numbers (or nothing yet) are used; a column that holds mostly phone numbers without such a name is
    used only when it is the one column holding them."""
    named = [
        column.index for column in columns if column.phone_name == STRONG and (column.filled == 0 or column.phone_like)
    ]
    others = [
        column.index
        for column in columns
        if column.index not in named
        and column.filled
        and column.phone_share >= (WEAK_NAME_PHONE_SHARE if column.phone_name == WEAK else UNNAMED_PHONE_SHARE)
    ]
    if named and any(columns[index].filled for index in named):
        return tuple(named), bool(others)
    if len(others) == 1:
        return tuple(others), False
    return (), bool(others) or any(column.phone_like for column in columns)


def contact_rows(table: Table, layout: ContactFileLayout) -> Iterator[Row]:
    """The data rows under the layout's header (empty rows left out)."""
    last_header_row = layout.header_rows[-1] if layout.header_rows else 0
    try:
        for row in table.rows(layout.sheet):
            if row.number > last_header_row and not row.is_empty:
                yield row
    except TabularError as error:
        raise ContactFileRejected(error.problem) from None


def contact_values(row: Row, layout: ContactFileLayout, *, this_year: int, region: str) -> ContactValues:
    """The row's values to store; raises RowRefused naming the first value that cannot be read."""
    numbers: list[str] = []
    for index in layout.phone_columns:
        value = _cell(row, index)
        if _blank(value):
            continue
        try:
            number = phone_read(value, region=region)
        except ValueProblem as error:
            raise RowRefused(error.problem, column=layout.column_name(index), value=_shown(value)) from None
        if number not in numbers:
            numbers.append(number)
    if not numbers:
        raise RowRefused(Problem("phone_empty"), column=layout.column_name(layout.phone_columns[0]))
    return ContactValues(
        row=row.number,
        numbers=tuple(numbers),
        birth_year=_birth_year(row, layout, this_year),
        postal_code=_postal_code(row, layout),
        language=_language(row, layout),
    )


def _cell(row: Row, index: int | None) -> Any:
    if index is None or index >= len(row.cells):
        return ""
    return row.cells[index]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    return str(value)[:MAX_CELL_CHARS]


def _refused(layout: ContactFileLayout, name: str, code: str, value: Any) -> RowRefused:
    return RowRefused(Problem(code), column=layout.column_name(layout.fields[name]), value=_shown(value))


def _whole_number(layout: ContactFileLayout, name: str, row: Row, code: str, low: int, high: int) -> int | None:
    value = _cell(row, layout.fields.get(name))
    if _blank(value):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)  # the common case, without the general parser
    else:
        try:
            number = integer_parse(value)
        except ValueProblem:
            raise _refused(layout, name, code, value) from None
    if not low <= number <= high:
        raise _refused(layout, name, code, value)
    return number


def _birth_year(row: Row, layout: ContactFileLayout, this_year: int) -> int | None:
    """From the birth year column, else from the age (this year's birth year of that age)."""
    year = _whole_number(layout, BIRTH_YEAR, row, "contacts_birth_year_invalid", 1900, this_year)
    age = _whole_number(layout, AGE, row, "contacts_age_invalid", 0, 120)
    if year is not None and age is not None and abs(this_year - year - age) > 1:
        raise _refused(layout, AGE, "contacts_age_contradicts_birth_year", _cell(row, layout.fields[AGE]))
    if year is not None:
        return year
    return None if age is None else this_year - age


def _postal_code(row: Row, layout: ContactFileLayout) -> str:
    """Five digits; a spreadsheet that read 00100 as a number left 100, and 23500 as 23500.0."""
    value = _cell(row, layout.fields.get(POSTAL_CODE))
    if _blank(value):
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


def _language(row: Row, layout: ContactFileLayout) -> str:
    value = _cell(row, layout.fields.get(LANGUAGE))
    if _blank(value):
        return DEFAULT_LANGUAGE
    language = _language_code(value) if isinstance(value, str) else None
    if language is None:
        raise _refused(layout, LANGUAGE, "contacts_language_unknown", value)
    return language


@lru_cache(maxsize=256)
def _language_code(value: str) -> str | None:
    """A file has a handful of different language values, each read once."""
    try:
        return LANGUAGE_VALUES.get(header_key(text_clean(value)))
    except ValueProblem:
        return None
