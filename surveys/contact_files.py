"""Reading a data broker's contact file (CSV or XLSX): where its header is, which columns hold what,
and its data rows. What each row's cells mean is `surveys.contact_values`.

Phone columns are recognised by name and by content: a column named like one (puhelin,
matkapuhelin, mobiili, liittymänumero, telefon, phone, ...) whose cells are mostly phone numbers,
or a column with a weaker name (numero, nummer, number) or none at all when its cells are phone
numbers. A column named as something else (postal code, birth year, age, language) never is one.
Several phone columns are several numbers of the same person, called in turn. When the file does
not say plainly which columns hold the numbers, the layout `needs_choice` and a person picks them.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kuntaportaali.tabular.headers import Header, header_key, header_locate, row_labels
from kuntaportaali.tabular.problems import TabularError, ValueProblem, problem_messages_register
from kuntaportaali.tabular.reader import Row, Table, merged_cells_problem, merged_over_rows
from kuntaportaali.tabular.values import is_blank, text_clean
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
        "contacts_several_sheets": gettext_noop(
            "The workbook has phone numbers on several sheets (%(sheets)s), and a file is imported from one "
            "sheet: put the numbers on one sheet, or save each sheet as a file of its own and upload each."
        ),
        "contacts_sheet_hidden": gettext_noop(
            "The sheet %(sheet)s holds phone numbers but is hidden, so the file does not say whether its people "
            "are on the list: show the sheet, or delete it, and try again."
        ),
        "contacts_campaign_closed": gettext_noop(
            "The campaign was started or ended while the file was being imported: nothing was imported."
        ),
        "contacts_import_failed": gettext_noop(
            "The import stopped on an unexpected error; nothing was imported. Try again."
        ),
        "contacts_import_not_queued": gettext_noop(
            "The file could not be handed to a worker (%(error)s): nothing was imported. Upload it again once "
            "the queue (Redis) is back."
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
        {"syntymavuosi", "syntvuosi", "syntynyt", "syntymaaika", "fodelsear", "fodd", "birthyear", "yearofbirth", "yob"}
    ),
    AGE: frozenset({"ika", "ikavuotta", "alder", "age"}),
    POSTAL_CODE: frozenset(
        {"postinumero", "postinro", "postnummer", "postnr", "postalcode", "postcode", "zip", "zipcode"}
    ),
    LANGUAGE: frozenset(
        {"kieli", "aidinkieli", "asiointikieli", "kielikoodi", "sprak", "modersmal", "language", "lang"}
    ),
}
# How two-level headers join their names ("Puhelin › Koti"): each part can name the column.
LEVEL_SEPARATOR = " › "
# Rows read to learn what each column holds.
SAMPLE_ROWS = 200
# Share of a column's filled cells that must be phone numbers: half for a column named as one or with a
# weak name (numero), more for a column without a name that says so.
NAMED_PHONE_SHARE = 0.5
UNNAMED_PHONE_SHARE = 0.8
# A phone number has at least this many digits with its area code (018 12345); a postal code has five.
MIN_PHONE_DIGITS = 7
EXAMPLES_SHOWN = 3
# Phone numbers in one column that make a further sheet of a workbook a list of its own.
MIN_LIST_NUMBERS = 2
_DIGIT = re.compile(r"\d")


class ContactFileRejected(SurveyError):
    """The whole file cannot be imported; `problem` says why."""


@dataclass(frozen=True)
class FileColumn:
    """One column as the sample of rows shows it."""

    index: int
    label: str
    field: str = ""
    phone_name: str = ""  # STRONG, WEAK or ""
    filled: int = 0
    phone_like: int = 0
    # A few of its phone numbers, most digits hidden: shown while a person chooses the phone columns.
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
    # Cells a CSV row has up to the header's last name: a shorter last row, with no line break after it, was
    # cut off (0: no such check).
    min_cells: int = 0

    @property
    def phone_candidates(self) -> list[FileColumn]:
        """Columns a person may choose as phone columns: those whose cells look like phone numbers."""
        return [column for column in self.columns if column.phone_like]

    def column_name(self, index: int) -> str:
        return self.columns[index].name if index < len(self.columns) else str(index + 1)

    def with_phone_columns(self, chosen: Sequence[int]) -> "ContactFileLayout":
        """This layout with the phone columns a person chose (0-based, called in column order)."""
        for index in chosen:
            if not 0 <= index < len(self.columns):
                raise ContactFileRejected.of("contacts_phone_column_unknown", column=index + 1)
        phones = tuple(sorted(set(chosen)))
        fields = {name: index for name, index in self.fields.items() if index not in phones}
        return replace(self, phone_columns=phones, fields=fields, needs_choice=False)

    def without_examples(self) -> "ContactFileLayout":
        """The layout to keep once the columns are chosen: no cell of the file in it."""
        return replace(self, columns=tuple(replace(column, examples=()) for column in self.columns))

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "header_rows": list(self.header_rows),
            "columns": [asdict(column) | {"examples": list(column.examples)} for column in self.columns],
            "phone_columns": list(self.phone_columns),
            "fields": dict(self.fields),
            "needs_choice": self.needs_choice,
            "min_cells": self.min_cells,
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
            min_cells=int(data.get("min_cells") or 0),
        )


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
    """The field a column's label names; of a two-level label, the lower name first ("Henkilö › Ikä"): a
    name above several columns (a group, or a title such as "Puhelinluettelo 2026") says less of each than
    its own name ("Puhelinluettelo › Postinumero" is a postal code)."""
    parts = [part for part in label.split(LEVEL_SEPARATOR) if part]
    for part in reversed(parts):
        if phone_name_kind(part) == STRONG:
            return PHONE
        if field := _field_named(header_key(part)):
            return field
    return PHONE if phone_name_kind(label) == STRONG else _field_named(header_key(label))


def _field_named(key: str) -> str:
    return next((name for name, keys in FIELD_NAMES.items() if key in keys), "")


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

    Raises ContactFileRejected when no sheet holds phone numbers or the file has no data rows, and when its
    rows have cells merged over several of them (a postal code shown for two people, held for the first)."""
    layout = _layout_found(table, phone_columns=phone_columns)
    try:
        merged = merged_over_rows(
            table,
            layout.sheet,
            below_row=layout.header_rows[-1] if layout.header_rows else 0,
            columns=_columns_read(layout),
        )
    except TabularError as error:
        raise ContactFileRejected(error.problem) from None
    if merged:
        raise ContactFileRejected(merged_cells_problem(merged))
    return layout


def _columns_read(layout: ContactFileLayout) -> set[int]:
    """The columns the import reads (0-based): its phone columns and fields, or every column while the
    phone columns are still to be chosen (the choice is not checked again)."""
    if layout.needs_choice:
        return {column.index for column in layout.columns}
    return {*layout.phone_columns, *layout.fields.values()}


def _layout_found(table: Table, *, phone_columns: Sequence[int] | None) -> ContactFileLayout:
    layouts = []
    lists: list[ContactFileLayout] = []
    try:
        for sheet in table.sheets:
            layout = _sheet_layout(table, sheet)
            if layout is not None and sheet in table.hidden_sheets:
                if _is_a_list(layout):
                    # People someone hid (set aside, an old list): whether they are to be called, the file does
                    # not say.
                    raise ContactFileRejected.of("contacts_sheet_hidden", sheet=f"“{sheet}”")
                continue
            if layout is not None and phone_columns is not None:
                return layout.with_phone_columns(phone_columns)
            if layout is not None and (layout.phone_columns or layout.phone_candidates):
                if not lists or _is_a_list(layout):
                    lists.append(layout)
                continue
            layouts.append(layout)
    except TabularError as error:
        raise ContactFileRejected(error.problem) from None
    if len(lists) > 1:
        # Only one sheet is imported: the others' people would be left out without a word.
        names = ", ".join(f"“{layout.sheet}”" for layout in lists)
        raise ContactFileRejected.of("contacts_several_sheets", sheets=names)
    if lists:
        return lists[0]
    if all(layout is None for layout in layouts):
        raise ContactFileRejected.of("file_no_data_rows")
    raise ContactFileRejected.of("contacts_no_phone_column")


def _is_a_list(layout: ContactFileLayout) -> bool:
    """A sheet holding people's numbers, not a cover sheet giving the broker's own number: a column with
    more than one."""
    return any(column.phone_like >= MIN_LIST_NUMBERS for column in layout.columns)


def _sheet_layout(table: Table, sheet: str) -> ContactFileLayout | None:
    """The sheet's layout, or None when the sheet has no data rows."""
    header, rows = header_locate(table.rows(sheet), score=_header_score, separator=LEVEL_SEPARATOR)
    sample = [row for _index, row in zip(range(SAMPLE_ROWS), (row for row in rows if not row.is_empty), strict=False)]
    if header is None and sample and _names_columns(sample[0]):
        header, sample = Header(tuple(row_labels(sample[0])), (sample[0].number,)), sample[1:]
    labels = list(header.labels) if header else []
    if not sample:
        return None
    width = max(len(labels), *(len(row.cells) for row in sample))
    columns = tuple(_column(index, labels[index] if index < len(labels) else "", sample) for index in range(width))
    phones, needs_choice = _phone_columns(columns)
    fields: dict[str, int] = {}
    for column in columns:
        if column.field in OTHER_FIELDS and column.field not in fields and column.index not in phones:
            fields[column.field] = column.index
    # A CSV file's last row, when the file ends inside it, must reach the header's last name; a workbook
    # leaves out the empty cells at a row's end (and so does Excel's CSV, after its first rows).
    named = max((index + 1 for index, label in enumerate(labels) if label), default=0)
    return ContactFileLayout(
        sheet=sheet,
        header_rows=header.rows if header else (),
        columns=columns,
        phone_columns=phones,
        fields=fields,
        needs_choice=needs_choice,
        min_cells=named if table.format == "csv" else 0,
    )


def _names_columns(row: Row) -> bool:
    """A first row of names that are none we know: words, and no phone number among them."""
    filled = [cell for cell in row.cells if not is_blank(cell)]
    return all(isinstance(cell, str) and any(char.isalpha() for char in cell) for cell in filled) and not any(
        _looks_like_phone(cell) for cell in filled
    )


def _column(index: int, label: str, sample: list[Row]) -> FileColumn:
    field_name = field_of(label)
    filled = phone_like = 0
    examples: list[str] = []
    for row in sample:
        value = row.cells[index] if index < len(row.cells) else ""
        if is_blank(value):
            continue
        filled += 1
        # A column named as another field (a postal code like 33100 is a valid fixed-line number) never is one.
        if field_name in OTHER_FIELDS or not _looks_like_phone(value):
            continue
        phone_like += 1
        if len(examples) < EXAMPLES_SHOWN:
            examples.append(_example(value))
    return FileColumn(
        index=index,
        label=label,
        field=field_name,
        # A column whose own name says it holds another field is no phone column, whatever the name above.
        phone_name="" if field_name in OTHER_FIELDS else phone_name_kind(label),
        filled=filled,
        phone_like=phone_like,
        examples=tuple(examples),
    )


def _looks_like_phone(value: Any) -> bool:
    """A phone number of any kind (a premium-rate number too: the column still holds numbers)."""
    try:
        text = text_clean(value) if not isinstance(value, int | float) else str(value)
        if len(_DIGIT.findall(text)) < MIN_PHONE_DIGITS:
            return False
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
    """A phone number shown to help choose its column: digits masked but the first three and last two."""
    text = text_clean(value)[:40]
    digits = [match.start() for match in _DIGIT.finditer(text)]
    hidden = set(digits[3:-2])
    return "".join("•" if position in hidden else char for position, char in enumerate(text))


def _phone_columns(columns: Sequence[FileColumn]) -> tuple[tuple[int, ...], bool]:
    """(phone columns, whether a person must choose): columns named as phone columns whose cells are mostly
    phone numbers (or empty yet) are used; a column that holds phone numbers without such a name is used
    only when it is the one column holding them."""
    named = [
        column.index
        for column in columns
        if column.phone_name == STRONG and (column.filled == 0 or column.phone_share >= NAMED_PHONE_SHARE)
    ]
    others = [
        column.index
        for column in columns
        if column.index not in named
        and column.filled
        and column.phone_share >= (NAMED_PHONE_SHARE if column.phone_name else UNNAMED_PHONE_SHARE)
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
