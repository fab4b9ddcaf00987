"""Reading a data broker's contact file (CSV or XLSX) into rows, without touching the database.

CSV may be UTF-8 (with or without a byte order mark), UTF-16 with a byte order mark (Excel's
"Unicode text") or Windows-1252, separated by `;`, `,` or a tab. The header row is found by its
column names in Finnish, Swedish or English; only the phone column is required. Anything that
makes the whole file unusable raises `ContactFileRejected` with a message a person can act on.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from surveys.errors import SurveyError

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary .xls (and .doc)
PDF_MAGIC = b"%PDF"
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = (";", ",", "\t")
# The header is looked for in the first rows only: a title line or two above it is common.
HEADER_SEARCH_ROWS = 10
MAX_CELL_CHARS = 200

PHONE = "phone"
BIRTH_YEAR = "birth_year"
AGE = "age"
POSTAL_CODE = "postal_code"
LANGUAGE = "language"

# Header names per field, written as `header_key` folds them: lower case, no accents or punctuation.
HEADER_NAMES: dict[str, frozenset[str]] = {
    PHONE: frozenset(
        {
            # Finnish
            "puhelin",
            "puhelinnumero",
            "puh",
            "puhnro",
            "puhelinnro",
            "matkapuhelin",
            "matkapuhelinnumero",
            "kannykka",
            "gsm",
            "numero",
            # Swedish
            "telefon",
            "telefonnummer",
            "telnr",
            "tel",
            "mobil",
            "mobilnummer",
            "mobiltelefon",
            "nummer",
            # English
            "phone",
            "phonenumber",
            "telephone",
            "telephonenumber",
            "mobile",
            "mobilenumber",
            "mobilephone",
            "cell",
            "cellphone",
            "msisdn",
        }
    ),
    BIRTH_YEAR: frozenset(
        {
            "syntymavuosi",
            "syntvuosi",
            "syntynyt",
            "fodelsear",
            "fodd",
            "birthyear",
            "yearofbirth",
            "yob",
        }
    ),
    AGE: frozenset({"ika", "alder", "age"}),
    POSTAL_CODE: frozenset(
        {
            "postinumero",
            "postinro",
            "postnummer",
            "postnr",
            "postalcode",
            "postcode",
            "zip",
            "zipcode",
        }
    ),
    LANGUAGE: frozenset({"kieli", "aidinkieli", "asiointikieli", "sprak", "modersmal", "language", "lang"}),
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


class ContactFileRejected(SurveyError):
    """The whole file is unusable; nothing of it may be imported."""


@dataclass(frozen=True)
class ContactRow:
    """One data row as text, with its row number in the file (1-based, as a spreadsheet shows it)."""

    row: int
    phone: str
    birth_year: str = ""
    age: str = ""
    postal_code: str = ""
    language: str = ""


@dataclass(frozen=True)
class ContactFile:
    header_row: int
    columns: dict[str, list[int]]
    rows: list[ContactRow]


def header_key(text: str) -> str:
    """'Puhelin-numero ' -> 'puhelinnumero', 'Födelseår' -> 'fodelsear': how headers are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]", "", "".join(char for char in decomposed if not unicodedata.combining(char)))


def contact_file_read(data: bytes, *, max_bytes: int) -> ContactFile:
    """Parse `data`; raises ContactFileRejected when the file cannot be used at all."""
    if not data or not data.strip():
        raise ContactFileRejected(_("The file is empty."))
    if len(data) > max_bytes:
        raise ContactFileRejected(
            _("The file is %(size)s bytes; files of at most %(limit)s bytes are accepted. Split it into smaller files.")
            % {"size": f"{len(data):,}".replace(",", " "), "limit": f"{max_bytes:,}".replace(",", " ")}
        )
    if data.startswith(XLSX_MAGIC):
        table = _xlsx_rows(data)
    elif data.startswith(OLE2_MAGIC):
        raise ContactFileRejected(
            _("Old Excel files (.xls) cannot be read. Save the file as .xlsx or as CSV and upload it again.")
        )
    else:
        table = _csv_rows(data)
    return _contact_file(table)


def _unreadable() -> ContactFileRejected:
    return ContactFileRejected(
        _("The file cannot be read. Upload a CSV file (UTF-8 or Windows-1252, ; or , between fields) or an .xlsx file.")
    )


def _decode(data: bytes) -> str:
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _unreadable() from None
    if data.startswith(PDF_MAGIC) or b"\x00" in data:
        raise _unreadable()
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise _unreadable() from None


def _csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    if "\x00" in text:
        raise _unreadable()
    delimiters = sorted(DELIMITERS, key=lambda delimiter: -_first_lines(text).count(delimiter))
    best: list[tuple[int, list[str]]] | None = None
    for delimiter in delimiters:
        rows = _csv_parse(text, delimiter)
        if _find_header(rows) is not None:
            return rows
        best = best or rows
    return best or []


def _first_lines(text: str) -> str:
    return "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])


def _csv_parse(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        return [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error:
        raise _unreadable() from None


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """The first worksheet that has a phone column (or the first worksheet), as text cells."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors (zip, XML, key, value) on a damaged file
        raise _unreadable() from None
    try:
        first = None
        for sheet in workbook.worksheets:
            rows = [
                (number, [_cell_text(value) for value in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            if _find_header(rows) is not None:
                return rows
            first = rows if first is None else first
        return first or []
    except Exception:  # a damaged sheet fails only while its rows are read
        raise _unreadable() from None
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return str(value.year)
    return str(value)


def _find_header(rows: list[tuple[int, list[str]]]) -> tuple[int, dict[str, list[int]]] | None:
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, list[int]] = {}
        for position, cell in enumerate(cells):
            key = header_key(cell or "")
            for field, names in HEADER_NAMES.items():
                if key in names:
                    columns.setdefault(field, []).append(position)
        if PHONE in columns:
            return index, columns
    return None


def _contact_file(table: list[tuple[int, list[str]]]) -> ContactFile:
    if not any(any((cell or "").strip() for cell in cells) for _number, cells in table):
        raise ContactFileRejected(_("The file is empty."))
    found = _find_header(table)
    if found is None:
        raise ContactFileRejected(
            _(
                "No phone number column was found. The first row must name the columns; the phone column "
                "may be called e.g. puhelin, puhelinnumero, matkapuhelin, telefon, mobil or phone."
            )
        )
    header_index, columns = found
    rows = []
    for number, cells in table[header_index + 1 :]:
        if not any((cell or "").strip() for cell in cells):
            continue
        rows.append(
            ContactRow(
                row=number,
                phone=_first_filled(cells, columns[PHONE]),
                birth_year=_first_filled(cells, columns.get(BIRTH_YEAR, [])),
                age=_first_filled(cells, columns.get(AGE, [])),
                postal_code=_first_filled(cells, columns.get(POSTAL_CODE, [])),
                language=_first_filled(cells, columns.get(LANGUAGE, [])),
            )
        )
    return ContactFile(header_row=table[header_index][0], columns=columns, rows=rows)


def _first_filled(cells: list[str], positions: list[int]) -> str:
    for position in positions:
        if position < len(cells):
            value = (cells[position] or "").strip()
            if value:
                return value[:MAX_CELL_CHARS]
    return ""


def birth_year_clean(*, birth_year: str, age: str, this_year: int) -> int | None:
    """The birth year, from the birth year column or else from the age; None when neither makes sense."""
    year = _integer(birth_year)
    if year is not None and 1900 <= year <= this_year:
        return year
    years = _integer(age)
    if years is not None and 0 <= years <= 120:
        return this_year - years
    return None


def postal_code_clean(value: str) -> str:
    """A Finnish postal code (five digits; spreadsheets drop the leading zeros of 00100), else ''."""
    digits = value.strip()
    if digits.isascii() and digits.isdigit() and len(digits) <= 5:
        return digits.zfill(5)
    return ""


def language_clean(value: str) -> str:
    return LANGUAGE_VALUES.get(header_key(value), "fi")


def _integer(value: str) -> int | None:
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if text.isascii() and text.isdigit() and len(text) <= 4:
        return int(text)
    return None
