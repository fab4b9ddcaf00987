"""Reading contact files: encodings, separators, headers in three languages, XLSX, whole-file rejections."""

import io

import pytest
from openpyxl import Workbook

from surveys.contact_files import (
    ContactFileRejected,
    birth_year_clean,
    contact_file_read,
    header_key,
    language_clean,
    postal_code_clean,
)
from surveys.phone_numbers import InvalidPhoneNumber, phone_normalise

pytestmark = pytest.mark.usefixtures("english")

MAX = 1_000_000


def xlsx(rows: list[list], *, sheets: int = 1) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for _index in range(sheets - 1):
        sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("040 123 4567", "+358401234567"),
        ("0401234567", "+358401234567"),
        ("040-123 4567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("00358401234567", "+358401234567"),
        ("358401234567", "+358401234567"),
        ("050 765 4321", "+358507654321"),
        ("(019) 123 4567", "+358191234567"),
        ("09 1234567", "+35891234567"),
        ("018 12345", "+3581812345"),  # Åland, area code 018
        ("+358 18 123 456", "+35818123456"),
        ("+46 70 123 45 67", "+46701234567"),  # Sweden
        ("+372 5123 4567", "+37251234567"),  # Estonia
    ],
)
def test_numbers_are_normalised_to_e164_with_finland_as_default_region(raw, e164):
    assert phone_normalise(raw, region="FI") == e164


@pytest.mark.parametrize("raw", ["", "   ", "040123", "abc", "040 123 4567 890 123 456", "+999 123"])
def test_invalid_numbers_are_refused_with_a_reason(raw):
    with pytest.raises(InvalidPhoneNumber) as error:
        phone_normalise(raw, region="FI")
    assert str(error.value)


@pytest.mark.parametrize(
    ("header", "key"),
    [("Puhelinnumero", "puhelinnumero"), (" Födelseår ", "fodelsear"), ("Phone number", "phonenumber"), ("IKÄ", "ika")],
)
def test_header_key_folds_case_accents_and_spaces(header, key):
    assert header_key(header) == key


@pytest.mark.parametrize(
    "header",
    [
        "puhelin",
        "Puhelinnumero",
        "matkapuhelin",
        "GSM",
        "telefon",
        "Telefonnummer",
        "mobil",
        "phone",
        "Mobile",
        "Phone number",
    ],
)
def test_phone_column_is_found_by_its_finnish_swedish_or_english_name(header):
    parsed = contact_file_read(f"{header}\n040 123 4567\n".encode(), max_bytes=MAX)

    assert [row.phone for row in parsed.rows] == ["040 123 4567"]


@pytest.mark.parametrize(
    "text",
    [
        "puhelinnumero;syntymävuosi;postinumero;kieli\n0401234567;1980;01900;sv\n",
        "telefon;födelseår;postnummer;språk\n0401234567;1980;01900;svenska\n",
        "phone,birth year,postal code,language\n0401234567,1980,01900,swedish\n",
    ],
    ids=["fi", "sv", "en"],
)
def test_optional_columns_are_found_in_each_language(text):
    (row,) = contact_file_read(text.encode(), max_bytes=MAX).rows

    assert (row.phone, row.birth_year, row.postal_code, language_clean(row.language)) == (
        "0401234567",
        "1980",
        "01900",
        "sv",
    )


def test_age_column_is_read_when_there_is_no_birth_year():
    (row,) = contact_file_read("puhelin;ikä\n0401234567;45\n".encode(), max_bytes=MAX).rows

    assert row.age == "45"
    assert birth_year_clean(birth_year=row.birth_year, age=row.age, this_year=2025) == 1980


@pytest.mark.parametrize(
    ("data", "description"),
    [
        (b"puhelin;kieli\n040 123 4567;ruotsi\n", "UTF-8"),
        ("\ufeffpuhelin;kieli\n040 123 4567;ruotsi\n".encode(), "UTF-8 with BOM"),
        ("puhelin;kieli\n040 123 4567;ruotsi\n".encode("utf-16"), "UTF-16 with BOM"),
    ],
)
def test_encodings(data, description):
    (row,) = contact_file_read(data, max_bytes=MAX).rows

    assert row.phone == "040 123 4567", description


def test_windows_1252_with_scandinavian_letters():
    data = "Syntymävuosi;Puhelinnumero;Äidinkieli\n1975;040 123 4567;Ruotsi\n".encode("cp1252")

    parsed = contact_file_read(data, max_bytes=MAX)

    assert parsed.columns == {"birth_year": [0], "phone": [1], "language": [2]}
    assert parsed.rows[0].birth_year == "1975"


def test_bom_is_not_part_of_the_first_header():
    parsed = contact_file_read("\ufeffpuhelin\n0401234567\n".encode(), max_bytes=MAX)

    assert parsed.columns == {"phone": [0]}


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiters_are_sniffed(delimiter):
    text = delimiter.join(["nimi", "puhelin", "postinumero"]) + "\n"
    text += delimiter.join(["Matti", '"040 123 4567"', "00100"]) + "\n"

    (row,) = contact_file_read(text.encode(), max_bytes=MAX).rows

    assert (row.phone, row.postal_code) == ("040 123 4567", "00100")


def test_comma_in_a_quoted_field_of_a_semicolon_file():
    text = 'nimi;puhelin\n"Virtanen, Matti";040 123 4567\n'

    (row,) = contact_file_read(text.encode(), max_bytes=MAX).rows

    assert row.phone == "040 123 4567"


def test_row_numbers_are_the_file_rows_with_a_title_above_the_header_and_blank_rows_skipped():
    text = "Numerolista joulukuu\n\npuhelin;ikä\n0401234567;30\n;\n0501234567;40\n"

    parsed = contact_file_read(text.encode(), max_bytes=MAX)

    assert parsed.header_row == 3
    assert [(row.row, row.phone) for row in parsed.rows] == [(4, "0401234567"), (6, "0501234567")]


def test_a_row_with_data_but_no_phone_is_kept_for_the_report():
    parsed = contact_file_read(b"puhelin;postinumero\n;00100\n", max_bytes=MAX)

    assert [(row.row, row.phone) for row in parsed.rows] == [(2, "")]


def test_second_phone_column_is_used_when_the_first_is_empty():
    parsed = contact_file_read(b"puhelin;matkapuhelin\n;0401234567\n0191234567;0501234567\n", max_bytes=MAX)

    assert [row.phone for row in parsed.rows] == ["0401234567", "0191234567"]


def test_xlsx_with_numbers_stored_as_numbers():
    data = xlsx(
        [["Puhelinnumero", "Syntymävuosi", "Postinumero"], [401234567, 1980, 100], ["+358 50 123 4567", None, "00100"]]
    )

    parsed = contact_file_read(data, max_bytes=MAX)

    assert [(row.row, row.phone, row.birth_year, postal_code_clean(row.postal_code)) for row in parsed.rows] == [
        (2, "401234567", "1980", "00100"),
        (3, "+358 50 123 4567", "", "00100"),
    ]
    assert phone_normalise(parsed.rows[0].phone, region="FI") == "+358401234567"


def test_xlsx_takes_the_first_sheet_with_a_phone_column():
    workbook = Workbook()
    workbook.active.append(["Ohje: numerot ovat toisella välilehdellä"])
    workbook.create_sheet("Numerot").append(["phone"])
    workbook["Numerot"].append(["040 123 4567"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    parsed = contact_file_read(buffer.getvalue(), max_bytes=MAX)

    assert [row.phone for row in parsed.rows] == ["040 123 4567"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \r\n ", "empty"),
        (b"puhelin\n", None),
        (b"nimi;osoite\nMatti;Kotikatu 1\n", "No phone number column"),
        (bytes(range(256)) * 4, "cannot be read"),
        (b"PK\x03\x04 not really a workbook", "cannot be read"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"%PDF-1.7\n...", "cannot be read"),
    ],
    ids=["empty", "blank", "header-only", "no-phone-column", "binary", "broken-xlsx", "old-xls", "pdf"],
)
def test_unusable_files_are_rejected_whole(data, message):
    if message is None:
        assert contact_file_read(data, max_bytes=MAX).rows == []
        return
    with pytest.raises(ContactFileRejected, match=message):
        contact_file_read(data, max_bytes=MAX)


def test_file_over_the_size_limit_is_rejected_before_it_is_parsed():
    with pytest.raises(ContactFileRejected, match="at most 100 bytes"):
        contact_file_read(b"puhelin\n" + b"0401234567\n" * 10, max_bytes=100)


@pytest.mark.parametrize(
    ("birth_year", "age", "expected"),
    [
        ("1980", "", 1980),
        ("", "45", 1980),
        ("1980", "20", 1980),
        ("abc", "45", 1980),
        ("1850", "", None),
        ("", "200", None),
    ],
)
def test_birth_year_from_year_or_age(birth_year, age, expected):
    assert birth_year_clean(birth_year=birth_year, age=age, this_year=2025) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("00100", "00100"), ("100", "00100"), ("1234567", ""), ("FI-00100", "")]
)
def test_postal_codes(value, expected):
    assert postal_code_clean(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("fi", "fi"), ("Suomi", "fi"), ("SV", "sv"), ("ruotsi", "sv"), ("Svenska", "sv"), ("", "fi")],
)
def test_languages(value, expected):
    assert language_clean(value) == expected
