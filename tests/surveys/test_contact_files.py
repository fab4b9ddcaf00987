"""Reading contact files as brokers really send them: which columns hold the phone numbers (by name and
content), and every value read as the file means it or the row refused with a reason."""

import contextlib
import io
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from kuntaportaali.tabular.headers import header_key
from kuntaportaali.tabular.problems import TabularError
from kuntaportaali.tabular.reader import table_open
from surveys.contact_files import ContactFileRejected, contact_file_layout, contact_rows
from surveys.contact_values import RowRefused, contact_values
from surveys.phone_numbers import InvalidPhoneNumber, phone_normalise, phone_read

pytestmark = pytest.mark.usefixtures("english")

THIS_YEAR = 2026


def xlsx(rows: list[list], *, sheets: int = 1, merged: str = "") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for _index in range(sheets - 1):
        sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    if merged:
        sheet.merge_cells(merged)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def layout_of(data: bytes | str, **options):
    data = data.encode() if isinstance(data, str) else data
    with table_open(data) as table:
        return contact_file_layout(table, **options)


def read(data: bytes | str, **options) -> list:
    """Each data row as its values, or as (row number, refusal code, column, value)."""
    data = data.encode() if isinstance(data, str) else data
    with table_open(data) as table:
        layout = contact_file_layout(table, **options)
        results = []
        for row in contact_rows(table, layout):
            try:
                results.append(contact_values(row, layout, this_year=THIS_YEAR, region="FI"))
            except RowRefused as refusal:
                results.append((row.number, refusal.problem.code, refusal.column, refusal.value))
        return results


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("040 123 4567", "+358401234567"),
        ("0401234567", "+358401234567"),
        ("040-123 4567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("00358401234567", "+358401234567"),
        ("358401234567", "+358401234567"),
        ("(019) 123 4567", "+358191234567"),
        ("09 1234567", "+35891234567"),
        ("018 12345", "+3581812345"),  # Åland
        ("+46 70 123 45 67", "+46701234567"),
        ("+372 5123 4567", "+37251234567"),
        ("040-123 4567", "+358401234567"),
        ("09/123 4567", "+35891234567"),
        ("+358 (0)40 123 4567", "+358401234567"),
        ("+358-40-1234567", "+358401234567"),
        ("040\t123  4567", "+358401234567"),
        # As spreadsheets and pandas leave them: the leading zero lost, a float's ".0", scientific notation.
        (401234567, "+358401234567"),
        (401234575.0, "+358401234575"),
        ("401234575.0", "+358401234575"),
        ("4.01234567E8", "+358401234567"),
        ("4,01234567E+08", "+358401234567"),
    ],
)
def test_numbers_are_read_as_the_file_means_them(raw, e164):
    assert phone_read(raw, region="FI") == e164


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ('=HYPERLINK("http://x/1433799")', "phone_formula"),
        ("=1433799", "phone_formula"),
        ("040 123 4567 (koti)", "phone_letters"),
        ("tel:0401234567", "phone_letters"),
        ("4.01235E+08", "value_digits_lost"),
        ("0600 12345", "phone_premium_rate"),
        ("0700 12345", "phone_premium_rate"),
        ("0800 12345", "phone_toll_free"),
        ("0100 123", "phone_service_number"),
        ("0203 12345", "phone_service_number"),
        ("020 123 4567", "phone_service_number"),
        ("010 1234567", "phone_service_number"),
        ("040123", "phone_not_in_plan"),
        ("", "phone_empty"),
        ("040\x001234567", "value_control_character"),
        # Extra digits or a date would make another valid number if the punctuation were dropped.
        ("040 123 4567 (2)", "phone_not_a_number"),
        ("040 123 4567/2", "phone_not_a_number"),
        ("040 123 4567-2", "phone_not_a_number"),
        ("09 1234 545/6", "phone_not_a_number"),
        ("1.4.2026", "phone_not_a_number"),
        ("+358401234567.0", "phone_not_a_number"),
    ],
)
def test_what_is_not_a_persons_number_is_refused_with_its_reason(raw, code):
    with pytest.raises(Exception) as error:
        phone_read(raw, region="FI")
    assert error.value.problem.code == code
    assert str(error.value)


def test_the_fast_reading_of_finnish_numbers_agrees_with_phonenumbers():
    import random

    import phonenumbers

    rng = random.Random(12)  # noqa: S311
    for _index in range(5_000):
        text = rng.choice(["0", "+358", "00358", "+358 ", "0"]) + "".join(
            rng.choice("0123456789 ") for _digit in range(rng.randrange(4, 14))
        )
        text = text.rstrip()
        try:
            parsed = phonenumbers.parse(text, "FI")
        except phonenumbers.NumberParseException:
            parsed = None
        expected = None
        if parsed is not None and phonenumbers.number_type(parsed) in {
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        }:
            expected = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        try:
            found = phone_read(text, region="FI")
        except InvalidPhoneNumber:
            found = None
        assert found == expected, text


@pytest.mark.parametrize("raw", ["", "   ", "040123", "abc", "040 123 4567 890 123 456", "+999 123"])
def test_the_opt_out_form_refuses_what_is_no_number(raw):
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
        "Matkapuhelin",
        "Mobiili",
        "Puhelin 1",
        "Liittymänumero",
        "Puhelinnumero (koti)",
        "Phone no",
        "GSM",
        "telefon",
        "Telefonnummer",
        "mobil",
        "Mobile",
        "Phone number",
    ],
)
def test_phone_columns_are_recognised_by_their_many_names(header):
    (row,) = read(f"nimi;{header}\nAnna;040 123 4567\n")

    assert row.numbers == ("+358401234567",)


def test_a_house_number_column_before_the_phone_column_is_not_taken_for_it():
    text = "Nimi;Katu;Numero;Puhelin\nAnna;Kotikatu;12;040 123 4567\nPekka;Rantatie;5 B;050 765 4321\n"

    layout = layout_of(text)

    assert layout.phone_columns == (3,)
    assert [row.numbers for row in read(text)] == [("+358401234567",), ("+358507654321",)]


def test_a_postal_code_column_is_never_taken_for_phone_numbers():
    # Many postal codes (33100, 96100, 23500) are also valid Finnish fixed-line numbers.
    text = "Puhelin;Postinumero\n040 123 4567;33100\n050 765 4321;96100\n"
    assert (layout_of(text).phone_columns, layout_of(text).needs_choice) == ((0,), False)

    text = "Asiakas;Postinumero;Yhteystieto\nAnna;33100;ei tiedossa\nPekka;96100;040 123 4567\n"
    assert layout_of(text).phone_candidates == [layout_of(text).columns[2]]


def test_a_column_named_like_a_phone_column_that_holds_dates_is_not_read_as_one():
    layout = layout_of("Puhelin;Puhelin päivitetty\n040 123 4567;1.4.2026\n050 765 4321;2.4.2026\n")

    assert (layout.phone_columns, layout.needs_choice) == ((0,), False)
    assert read("Puhelin;Puhelin päivitetty\n040 123 4567;1.4.2026\n")[0].numbers == ("+358401234567",)


def test_a_column_without_a_phone_name_is_taken_when_it_is_the_one_holding_numbers():
    assert read("nimi;numero\nAnna;040 123 4567\n")[0].numbers == ("+358401234567",)
    assert read("040 123 4567\n050 765 4321\n")[1].numbers == ("+358507654321",)


def test_a_second_phone_column_is_a_second_number_of_the_same_person():
    rows = read("Puhelin 1;Puhelin 2;ikä\n040 123 4567;09 123 4567;40\n;050 765 4321;50\n040 111 2222;;60\n")

    assert [row.numbers for row in rows] == [
        ("+358401234567", "+35891234567"),
        ("+358507654321",),
        ("+358401112222",),
    ]


def test_a_merged_phone_header_over_home_and_mobile_reads_both_columns():
    data = xlsx(
        [
            ["Nimi", "Puhelin", None, "Postinumero"],
            [None, "Koti", "Matka", None],
            ["Anna", "09 123 4567", "040 123 4567", "00100"],
        ],
        merged="B1:C1",
    )

    layout = layout_of(data)
    (row,) = read(data)

    assert [layout.columns[index].label for index in layout.phone_columns] == ["Puhelin › Koti", "Puhelin › Matka"]
    assert (row.numbers, row.postal_code) == (("+35891234567", "+358401234567"), "00100")


def test_a_group_name_over_other_columns_keeps_their_names():
    text = "Henkilö;;Puhelin;\nIkä;Postinumero;Koti;Matka\n40;00100;09 123 4567;040 123 4567\n"

    (row,) = read(text)

    assert (row.numbers, row.birth_year, row.postal_code) == (("+35891234567", "+358401234567"), 1986, "00100")


@pytest.mark.parametrize(
    ("text", "values"),
    [
        (
            "Puhelinluettelo joulukuu 2026\n\nNimi;Numero;Postinumero\nMatti;0401234567;00100\n",
            (("+358401234567",), "00100", None),
        ),
        ("Puhelinnumerot\nnumero;ikä\n0401234567;40\n", (("+358401234567",), "", 1986)),
    ],
    ids=["postal-code", "age"],
)
def test_a_title_naming_phone_numbers_above_the_header_does_not_hide_the_other_columns(text, values):
    """The title, read as a group name over every column, made each a phone column: the postal codes and ages
    were left out as if the file had none."""
    (row,) = read(text)

    assert (row.numbers, row.postal_code, row.birth_year) == values


def test_a_two_level_header_keeps_every_column():
    text = "Henkilö;;Yhteystiedot;\nNimi;Syntymävuosi;Puhelin;Postinumero\nAnna;1980;040 123 4567;00100\n"

    (row,) = read(text)

    assert (row.row, row.numbers, row.birth_year, row.postal_code) == (3, ("+358401234567",), 1980, "00100")


def test_columns_that_could_each_hold_the_numbers_are_left_to_a_person():
    text = "a;b;c\n040 123 4567;050 765 4321;x\n040 111 2222;050 333 4444;y\n"

    layout = layout_of(text)

    assert layout.needs_choice
    assert [column.index for column in layout.phone_candidates] == [0, 1]
    assert layout.columns[0].examples == ("040 ••• ••67", "040 ••• ••22")
    assert [row.numbers for row in read(text, phone_columns=[1])] == [("+358507654321",), ("+358503334444",)]


def test_a_number_column_beside_a_named_phone_column_is_left_to_a_person():
    layout = layout_of("Puhelin;Numero\n040 123 4567;050 765 4321\n")

    assert layout.needs_choice
    assert layout.phone_columns == (0,)


def test_the_phone_column_may_be_chosen_by_number_and_an_unknown_one_is_refused():
    with pytest.raises(ContactFileRejected) as error:
        layout_of("puhelin\n0401234567\n", phone_columns=[3])
    assert str(error.value) == "The file has no column 4."


def test_values_spreadsheets_mangled_are_read_as_meant():
    data = xlsx(
        [["Puhelin", "Postinumero", "Syntymävuosi"], [401234575.0, 23500.0, 1980.0], ["401234575.0", 100, "1955.0"]]
    )

    rows = read(data)

    assert [(row.numbers, row.postal_code, row.birth_year) for row in rows] == [
        (("+358401234575",), "23500", 1980),
        (("+358401234575",), "00100", 1955),
    ]
    assert read("puhelin;postinumero\n4.01234567E8;23500.0\n")[0].postal_code == "23500"


@pytest.mark.parametrize(
    ("line", "code", "column"),
    [
        ('=HYPERLINK("http://x/1433799");00100', "phone_formula", "puhelin"),
        ("0600 12345;00100", "phone_premium_rate", "puhelin"),
        ("0401234567;123456", "contacts_postal_code_invalid", "postinumero"),
        ("0401234567;FI 001", "contacts_postal_code_invalid", "postinumero"),
        (";00100", "phone_empty", "puhelin"),
    ],
)
def test_a_row_with_a_value_that_cannot_be_read_is_refused_naming_it(line, code, column):
    _good, refusal = read(f"puhelin;postinumero\n0501234567;00100\n{line}\n")

    assert refusal[:3] == (3, code, column)


def test_a_personal_identity_code_in_the_phone_column_is_refused_and_never_quoted():
    """040175-9070, born 4.1.1975, passed for the mobile number 040 175 9070: that stranger would be called."""
    rows = read("puhelin;ikä\n040175-9070;51\n0501234567;30\n")

    assert rows[0] == (2, "phone_person_number", "puhelin", "(hidden)")
    assert rows[1].numbers == ("+358501234567",)


def test_an_identity_code_in_another_refused_cell_is_not_quoted_either():
    assert read("puhelin;postinumero\n0401234567;010175-901V\n")[0][1:] == (
        "contacts_postal_code_invalid",
        "postinumero",
        "(hidden)",
    )


def test_a_last_row_cut_off_is_refused_not_stored_with_what_is_left():
    """The file ends inside the postal code 23500: "2350" would be stored as 02350."""
    rows = read("puhelin;postinumero;syntymävuosi\n040 123 4567;23500;1955\n050 765 4321;2350")

    assert rows[0].postal_code == "23500"
    assert rows[1][:2] == (3, "contacts_row_cut_off")


def test_a_spreadsheets_row_may_leave_out_its_empty_cells_at_the_end():
    (row,) = read(xlsx([["Puhelin", "Postinumero", "Syntymävuosi"], ["050 765 4321", "23500"]]))

    assert (row.postal_code, row.birth_year) == ("23500", None)


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ("19x5;", "contacts_birth_year_invalid"),
        ("1850;", "contacts_birth_year_invalid"),
        (";200", "contacts_age_invalid"),
        ("1950;30", "contacts_age_contradicts_birth_year"),
    ],
)
def test_birth_year_and_age_are_read_or_the_row_refused(cells, code):
    (refusal,) = read(f"puhelin;syntymävuosi;ikä\n0401234567;{cells}\n")

    assert refusal[1] == code


@pytest.mark.parametrize(("cells", "year"), [("1980;", 1980), (";45", 1981), ("1980;46", 1980), (";", None)])
def test_birth_year_comes_from_the_year_or_the_age(cells, year):
    (row,) = read(f"puhelin;syntymävuosi;ikä\n0401234567;{cells}\n")

    assert row.birth_year == year


@pytest.mark.parametrize(
    ("value", "language"),
    [("fi", "fi"), ("Suomi", "fi"), ("SV", "sv"), ("ruotsi", "sv"), ("Svenska", "sv"), ("english", "en"), ("", "fi")],
)
def test_languages(value, language):
    assert read(f"puhelin;kieli\n0401234567;{value}\n")[0].language == language


@pytest.mark.parametrize("value", ["ru", "venäjä", "et", "se", "saksa", "muu", "RU"])
def test_a_language_the_survey_is_not_in_is_called_in_finnish_and_told(value):
    (row,) = read(f"puhelin;kieli\n0401234567;{value}\n")

    assert (row.language, row.language_defaulted) == ("fi", True)


@pytest.mark.parametrize(("value", "language"), [("sv-FI", "sv"), ("fi_FI", "fi"), ("en-GB", "en"), ("SV_fi", "sv")])
def test_locale_forms_of_a_language_are_read(value, language):
    (row,) = read(f"puhelin;kieli\n0401234567;{value}\n")

    assert (row.language, row.language_defaulted) == (language, False)


def test_a_language_value_that_is_no_language_refuses_the_row():
    assert read("puhelin;kieli\n0401234567;x7q\n")[0][1] == "contacts_language_unknown"


def test_a_birth_date_in_the_birth_year_column_gives_the_year():
    rows = read(xlsx([["Puhelin", "Syntynyt"], ["040 123 4567", datetime(1955, 3, 12)], ["050 765 4321", "12.3.1956"]]))

    assert [row.birth_year for row in rows] == [1955, 1956]


@pytest.mark.parametrize(
    ("written", "year"), [("1.2.55", 1955), ("1.2.04", 2004), ("1.2.40", 1940), ("1.2.1920", 1920)]
)
def test_a_birth_date_with_a_two_digit_year_is_read_when_one_century_is_possible(written, year):
    (row,) = read(f"puhelin;syntymäaika\n0401234567;{written}\n")

    assert row.birth_year == year


@pytest.mark.parametrize(("written", "year"), [("1/2/1955", 1955), ("3/4/55", 1955), ("12/11/1987", 1987)])
def test_a_birth_date_whose_day_and_month_could_be_either_way_round_still_gives_its_year(written, year):
    """1/2/1955 is the 1st of February or the 2nd of January, both of 1955: the year was refused as "not a year
    between 1900 and this year", while 13/2/1955 was read."""
    (row,) = read(f"puhelin;syntymäaika\n0401234567;{written}\n")

    assert row.birth_year == year


@pytest.mark.parametrize("written", ["1.2.20", "31.12.10", "1/2/15"])
def test_a_birth_date_with_a_two_digit_year_that_fits_either_century_is_refused(written):
    """1.2.20 is a person of 106 or of 6: it was stored as 2020."""
    (refusal,) = read(f"puhelin;syntymäaika\n0401234567;{written}\n")

    assert refusal[1:] == ("contacts_birth_year_century_unknown", "syntymäaika", written)


def test_a_birth_year_typed_into_a_date_formatted_cell_is_refused_not_read_as_1905():
    """Excel keeps 1955 typed into a cell formatted as a date as day 1955 of its calendar, 8.5.1905: the
    person was born in 1955, not 1905."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Puhelin", "Syntymävuosi"])
    sheet.append(["040 123 4567", 1955])
    sheet.append(["050 765 4321", datetime(1955, 3, 12)])
    for row in (2, 3):
        sheet.cell(row, 2).number_format = "d.m.yyyy"
    buffer = io.BytesIO()
    workbook.save(buffer)

    refusal, born_1955 = read(buffer.getvalue())

    assert refusal == (2, "contacts_birth_year_in_date_cell", "Syntymävuosi", "1905-05-08")
    assert born_1955.birth_year == 1955


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
    (row,) = read(text)

    assert (row.numbers, row.birth_year, row.postal_code, row.language) == (("+358401234567",), 1980, "01900", "sv")


@pytest.mark.parametrize(
    ("data", "description"),
    [
        (b"puhelin;kieli\n040 123 4567;ruotsi\n", "UTF-8"),
        ("\ufeffpuhelin;kieli\n040 123 4567;ruotsi\n".encode(), "UTF-8 with BOM"),
        ("puhelin;kieli\n040 123 4567;ruotsi\n".encode("utf-16"), "UTF-16 with BOM"),
        ("puhelin\tkieli\r\n040 123 4567\truotsi\r\n".encode("utf-16-le"), "UTF-16 without BOM, tabs"),
        ("Puhelin;Äidinkieli\n040 123 4567;Ruotsi\n".encode("cp1252"), "Windows-1252"),
    ],
)
def test_encodings(data, description):
    (row,) = read(data)

    assert (row.numbers, row.language) == (("+358401234567",), "sv"), description


def test_row_numbers_are_the_file_rows_below_title_rows_and_blank_rows():
    rows = read("Numerolista joulukuu\n\npuhelin;ikä\n0401234567;30\n;\n0501234567;40\n")

    assert [(row.row, row.numbers) for row in rows] == [(4, ("+358401234567",)), (6, ("+358501234567",))]


def test_xlsx_takes_the_first_sheet_that_holds_phone_numbers():
    workbook = Workbook()
    workbook.active.append(["Ohje: numerot ovat toisella välilehdellä"])
    workbook.create_sheet("Numerot").append(["phone"])
    workbook["Numerot"].append(["040 123 4567"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert [row.numbers for row in read(buffer.getvalue())] == [("+358401234567",)]


def test_a_workbook_with_numbers_on_two_sheets_is_refused_not_imported_from_the_first_only(english):
    """A broker splits the list by area: reading the first sheet only left the second one's people out without
    a word."""
    workbook = Workbook()
    workbook.active.title = "Keskusta"
    workbook.active.append(["Puhelin", "Postinumero"])
    workbook.active.append(["040 123 4567", "23500"])
    workbook.create_sheet("Kylät").append(["Puhelin", "Postinumero"])
    workbook["Kylät"].append(["050 765 4321", "23600"])
    workbook["Kylät"].append(["044 765 4321", "23600"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(ContactFileRejected) as error:
        read(buffer.getvalue())

    assert error.value.problem.code == "contacts_several_sheets"
    assert "“Keskusta”, “Kylät”" in str(error.value)


def test_cells_merged_over_data_rows_refuse_the_file_instead_of_leaving_rows_blank(english):
    """A postal code merged over two people's rows showed for both, and the second was stored without one."""
    data = xlsx([["Puhelin", "Postinumero"], ["040 123 4567", "23500"], ["050 765 4321", None]], merged="B2:B3")

    with pytest.raises(ContactFileRejected) as error:
        read(data)

    assert error.value.problem.code == "file_merged_data_cells"
    assert "B2:B3" in str(error.value)


def test_cells_merged_over_data_rows_in_a_column_not_imported_do_not_refuse_the_file():
    """A broker's list grouped by village, its name merged over the village's people: nothing imported is in
    the merged column, and the file was refused whole."""
    data = xlsx(
        [["Kylä", "Puhelin", "Postinumero"], ["Kirkonkylä", "040 123 4567", "23500"], [None, "050 765 4321", "23600"]],
        merged="A2:A3",
    )

    assert [(row.numbers, row.postal_code) for row in read(data)] == [
        (("+358401234567",), "23500"),
        (("+358507654321",), "23600"),
    ]


def test_a_header_merged_over_two_rows_is_still_a_header():
    data = xlsx([["Puhelin", "Postinumero"], [None, None], ["040 123 4567", "23500"]], merged="A1:A2")

    assert [(row.numbers, row.postal_code) for row in read(data)] == [(("+358401234567",), "23500")]


def test_a_hidden_sheet_with_a_list_of_numbers_refuses_the_workbook_instead_of_being_called(english):
    """A hidden sheet of people set aside (an old list, those who refused) was imported when it came first, and
    the visible list left out; whether its people belong to the list, the file does not say."""
    workbook = Workbook()
    workbook.active.title = "Vanha lista"
    workbook.active.append(["Puhelin"])
    workbook.active.append(["040 123 4567"])
    workbook.active.append(["050 123 4567"])
    workbook.active.sheet_state = "hidden"
    workbook.create_sheet("Lista").append(["Puhelin"])
    workbook["Lista"].append(["044 765 4321"])
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(ContactFileRejected) as error:
        read(buffer.getvalue())

    assert error.value.problem.code == "contacts_sheet_hidden"
    assert "“Vanha lista”" in str(error.value)


def test_a_second_sheet_with_only_the_brokers_own_number_is_no_second_list():
    workbook = Workbook()
    workbook.active.append(["Puhelin"])
    workbook.active.append(["040 123 4567"])
    workbook.create_sheet("Tietoja").append(["Toimittaja: Numeropalvelu Oy, puh. 09 123 4567"])
    workbook["Tietoja"].append(["Asiakaspalvelu", "09 123 4567"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert [row.numbers for row in read(buffer.getvalue())] == [("+358401234567",)]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        (b"  \r\n ", "file_empty"),
        (b"puhelin\n", "file_no_data_rows"),
        (b"puhelin;ika\n\n;\n", "file_no_data_rows"),
        (b"nimi;osoite\nMatti;Kotikatu 1\n", "contacts_no_phone_column"),
        (b"PK\x03\x04 not really a workbook", "file_xlsx_damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "file_old_excel"),
        (b"%PDF-1.7\n...", "file_pdf"),
    ],
    ids=["empty", "blank", "header-only", "header-and-blank-rows", "no-phone-column", "broken-xlsx", "old-xls", "pdf"],
)
def test_unusable_files_are_refused_whole(data, code):
    with pytest.raises((ContactFileRejected, TabularError)) as error, table_open(data) as table:
        contact_file_layout(table)
    assert error.value.problem.code == code


def test_the_reasons_read_as_sentences():
    with pytest.raises(ContactFileRejected) as error:
        layout_of("puhelin\n")
    assert str(error.value) == "The file has a header row but no data rows."


# --- Properties ---------------------------------------------------------------------------------

MOBILE_NUMBERS = st.builds(
    lambda prefix, rest: f"+358{prefix}{rest:07d}",
    st.sampled_from(["40", "41", "44", "45", "50"]),
    st.integers(0, 10**7 - 1),
)
FORMS = st.sampled_from(
    ["national", "national-spaced", "national-hyphen", "international", "international-spaced", "00", "int",
     "float-text", "scientific"]
)  # fmt: skip


def written(e164: str, form: str):
    national = "0" + e164[4:]
    area, subscriber = national[:3], national[3:]
    return {
        "national": national,
        "national-spaced": f"{area} {subscriber[:3]} {subscriber[3:]}",
        "national-hyphen": f"{area}-{subscriber}",
        "international": e164,
        "international-spaced": f"+358 {area[1:]} {subscriber[:3]} {subscriber[3:]}",
        "00": "00" + e164[1:],
        "int": int(national),
        "float-text": f"{int(national)}.0",
        "scientific": f"{int(national):.{len(str(int(national))) - 1}E}",
    }[form]


@given(number=MOBILE_NUMBERS, form=FORMS)
def test_a_number_in_any_plain_form_is_read_as_that_number(number, form):
    assert phone_read(written(number, form), region="FI") == number


@given(number=MOBILE_NUMBERS, extra=st.sampled_from([" (2)", "-2", "/2", ".5", " x", " 12-3"]))
def test_a_number_with_anything_more_is_never_read_as_another_number(number, extra):
    text = written(number, "national-spaced") + extra
    with contextlib.suppress(InvalidPhoneNumber):
        assert phone_read(text, region="FI") == number


def test_a_short_row_followed_by_others_is_read_as_having_empty_cells_at_its_end():
    """Excel saves a CSV without the separators of empty cells at a row's end (after its first rows): the
    row without a language is whole, the file goes on after it."""
    rows = read("puhelin;postinumero;kieli\n040 123 4567;23500;sv\n050 765 4321;23500\n044 111 2222;00100;fi\n")

    assert [(row.postal_code, row.language) for row in rows] == [("23500", "sv"), ("23500", "fi"), ("00100", "fi")]
