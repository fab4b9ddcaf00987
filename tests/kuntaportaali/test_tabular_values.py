"""Reading one cell: numbers, dates, percentages and codes as Finnish and international files write
them - read when their meaning is plain, refused with a reason when they could mean two things."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuntaportaali.tabular.problems import ValueProblem
from kuntaportaali.tabular.values import (
    Percent,
    SpreadsheetError,
    date_parse,
    decimal_parse,
    digits_restore,
    integer_parse,
    percent_parse,
    text_clean,
)

pytestmark = pytest.mark.usefixtures("english")
TODAY = date(2026, 12, 6)


def code_of(call) -> str:
    with pytest.raises(ValueProblem) as error:
        call()
    return error.value.problem.code


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3912,40", "3912.40"),
        ("3,912.40", "3912.40"),
        ("3.912,40", "3912.40"),
        ("2 345,5 €", "2345.5"),
        ("2\u00a0345,50", "2345.50"),
        ("€ 12,00", "12.00"),
        ("12,00 EUR", "12.00"),
        ("312,99-", "-312.99"),
        ("-312,99", "-312.99"),
        ("\u2212312,99", "-312.99"),
        ("(312,99)", "-312.99"),
        ("0,5", "0.5"),
        (",5", "0.5"),
        ("0,125", "0.125"),
        ("1234", "1234"),
        ("1 234 567", "1234567"),
        ("1.234.567", "1234567"),
        ("1,234,567.5", "1234567.5"),
        ("1234,567", "1234.567"),
        ("12.5", "12.5"),
        ("1.5E3", "1500"),
        ("+7", "7"),
        ("120,-", "120"),
        ("1 234,-", "1234"),
        ("50,- €", "50"),
        ("120.-", "120"),
        ("-120,-", "-120"),
    ],
)
def test_numbers_whose_meaning_is_plain_are_read(text, number):
    assert decimal_parse(text) == Decimal(number)


@pytest.mark.parametrize("text", ["1.234", "1,234", "12.345", "999,999", "-1.234", "1.234-"])
def test_a_lone_separator_before_three_digits_is_refused_as_ambiguous(text):
    assert code_of(lambda: decimal_parse(text)) == "value_number_ambiguous_separator"


def test_the_ambiguity_reason_names_both_readings_and_the_fix():
    with pytest.raises(ValueProblem) as error:
        decimal_parse("1.234")
    assert str(error.value) == (
        "1.234 could mean 1 234 or 1,234: write it without a thousands separator, with a decimal comma (e.g. 1234,00)"
    )


@pytest.mark.parametrize("text", ["12 34,5", "1.23.4", "1,2,3", "1.234.56,7", "1,23.45", "2 345,5,1"])
def test_digits_grouped_oddly_are_refused(text):
    assert code_of(lambda: decimal_parse(text)) == "value_number_bad_grouping"


@pytest.mark.parametrize(
    "text", ["", "abc", "12a", "--5", "-5-", "1e", "NaN", "inf", "=SUM(A1)", "5 kpl", "()", "(-5)", "-", "€"]
)
def test_text_that_is_not_a_number_is_refused(text):
    assert code_of(lambda: decimal_parse(text)) in {"value_not_a_number", "value_number_bad_grouping"}


def test_amounts_are_never_rounded():
    assert code_of(lambda: decimal_parse("12,345", max_decimals=2)) == "value_number_ambiguous_separator"
    assert code_of(lambda: decimal_parse("1234,567", max_decimals=2)) == "value_too_many_decimals"
    assert decimal_parse("1234,50", max_decimals=2) == Decimal("1234.50")


def test_spreadsheet_floats_are_read_at_their_shortest_exact_form():
    assert decimal_parse(3912.4, max_decimals=2) == Decimal("3912.4")
    # Excel's binary arithmetic: a sum of cents comes back a hair off; the cents are plain.
    assert decimal_parse(0.1 + 0.2, max_decimals=2) == Decimal("0.30")
    assert code_of(lambda: decimal_parse(0.125, max_decimals=2)) == "value_too_many_decimals"
    assert decimal_parse(401234575) == Decimal(401234575)


def test_a_percent_cell_reads_as_the_percentage_it_shows():
    from kuntaportaali.tabular.values import percent_from_fraction

    assert str(percent_from_fraction(0.8)) == "80 %"
    assert str(percent_from_fraction(0.805)) == "80.5 %"


def test_a_percent_cell_is_not_read_as_a_plain_number():
    assert code_of(lambda: decimal_parse(Percent(Decimal(80)))) == "value_percent_expected"


def test_integers_accept_what_spreadsheets_write():
    assert integer_parse("1955") == 1955
    assert integer_parse("1955.0") == 1955
    assert integer_parse(1955.0) == 1955
    assert code_of(lambda: integer_parse("19,5")) == "value_not_a_whole_number"


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2.4.2026", date(2026, 4, 2)),
        ("02.04.2026", date(2026, 4, 2)),
        ("2.4.2026 0:00", date(2026, 4, 2)),
        ("2.4.2026 00:00:00", date(2026, 4, 2)),
        ("2.4.2026 klo 13.45", date(2026, 4, 2)),
        ("2.4.26", date(2026, 4, 2)),
        ("1.8.75", date(1975, 8, 1)),
        ("20260402", date(2026, 4, 2)),
        (20260402, date(2026, 4, 2)),
        ("2026-04-02", date(2026, 4, 2)),
        ("2026-04-02T00:00:00", date(2026, 4, 2)),
        ("2026-04-02 08:30", date(2026, 4, 2)),
        ("13/4/2026", date(2026, 4, 13)),
        ("4/13/2026", date(2026, 4, 13)),
        ("5/5/2026", date(2026, 5, 5)),
        (datetime(2026, 4, 2, 0, 0), date(2026, 4, 2)),
        (date(2026, 4, 2), date(2026, 4, 2)),
    ],
)
def test_dates_whose_meaning_is_plain_are_read(value, day):
    assert date_parse(value, today=TODAY) == day


def test_a_slashed_date_that_could_be_either_day_first_or_month_first_is_refused():
    with pytest.raises(ValueProblem) as error:
        date_parse("4/2/2026", today=TODAY)
    assert str(error.value) == "4/2/2026 could be 4.2.2026 or 2.4.2026: write dates as d.m.yyyy (e.g. 4.2.2026)"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("31.2.2026", "value_not_a_real_date"),
        ("20261301", "value_not_a_real_date"),
        ("2.4.2026 25:00", "value_date_time_invalid"),
        ("020426", "value_not_a_date"),
        ("46114", "value_not_a_date"),
        (46114, "value_not_a_date"),
        (1.5, "value_not_a_date"),
        ("huhtikuu", "value_not_a_date"),
        ("31/31/2026", "value_not_a_real_date"),
        ("1.2.0026", "value_date_year_too_early"),  # was read as the year 26
        ("00260201", "value_date_year_too_early"),
        ("1.2.1026", "value_date_year_too_early"),
        ("1/2/0026", "value_date_year_too_early"),
    ],
)
def test_values_that_are_no_date_are_refused(value, code):
    assert code_of(lambda: date_parse(value, today=TODAY)) == code


def test_two_digit_years_fall_in_the_hundred_years_around_today():
    assert date_parse("1.1.46", today=TODAY) == date(2046, 1, 1)
    assert date_parse("1.1.47", today=TODAY) == date(1947, 1, 1)
    assert date_parse("1.1.05", today=date(2090, 1, 1)) == date(2105, 1, 1)


@pytest.mark.parametrize(
    ("value", "percent"),
    [
        ("80", "80"),
        ("80 %", "80"),
        ("80,5%", "80.5"),
        (Percent(Decimal("80.0")), "80"),
        (Percent(Decimal("56.99999999999999")), "57"),
        (80, "80"),
    ],
)
def test_percentages_are_read_in_per_cent(value, percent):
    assert percent_parse(value, max_decimals=2) == Decimal(percent)


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        ("401234575.0", "401234575"),
        ("4.01234567E8", "401234567"),
        ("4,01234567E+08", "401234567"),
        ("4.012345670E8", "401234567"),
        (401234575, "401234575"),
        (401234575.0, "401234575"),
        ("23500.0", "23500"),
        ("040 123 4567", None),
        ("+358401234567", None),
        ("12.5", None),
        (12.5, None),
        (True, None),
    ],
)
def test_codes_a_spreadsheet_stored_as_numbers_get_their_digits_back(value, digits):
    assert digits_restore(value) == digits


@pytest.mark.parametrize("value", ["4.01235E+08", "4.0123E8", "3.58401E+11"])
def test_codes_a_spreadsheet_shortened_are_refused(value):
    assert code_of(lambda: digits_restore(value)) == "value_digits_lost"


def test_text_drops_invisible_characters_and_refuses_control_characters():
    assert text_clean("\ufeffHelsinki\u200b ") == "Helsinki"
    assert text_clean("Anna\u00a0Virtanen") == "Anna Virtanen"
    assert text_clean(12.0) == "12"
    assert code_of(lambda: text_clean("Vir\x00tanen")) == "value_control_character"
    assert code_of(lambda: text_clean(SpreadsheetError("#REF!"))) == "value_spreadsheet_error"


# --- Properties --------------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2)


def finnish(amount: Decimal, group: str) -> str:
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", group)
    return f"{sign}{grouped},{cents}"


@settings(max_examples=300)
@given(
    amount=AMOUNTS,
    form=st.sampled_from(
        ["fi-space", "fi-nbsp", "fi-point", "fi-plain", "en", "en-plain", "fi-trailing-minus", "fi-euro"]
    ),
)
def test_amounts_written_with_their_decimals_read_back_exactly(amount, form):
    text = {
        "fi-space": finnish(amount, " "),
        "fi-nbsp": finnish(amount, "\u00a0"),
        "fi-point": finnish(amount, "."),
        "fi-plain": finnish(amount, ""),
        "en": f"{amount:,.2f}",
        "en-plain": f"{amount:.2f}",
        "fi-trailing-minus": finnish(abs(amount), " ") + ("-" if amount < 0 else ""),
        "fi-euro": finnish(amount, " ") + " €",
    }[form]
    assert decimal_parse(text, max_decimals=2) == amount


@settings(max_examples=300)
@given(number=st.integers(min_value=1000, max_value=999_999), mark=st.sampled_from([".", ","]))
def test_a_single_thousands_separator_is_never_misread(number, mark):
    text = f"{number:,}".replace(",", mark)
    with pytest.raises(ValueProblem) as error:
        decimal_parse(text)
    assert error.value.problem.code == "value_number_ambiguous_separator"


@settings(max_examples=300)
@given(number=st.integers(min_value=1_000_000, max_value=10**12), mark=st.sampled_from([".", ",", " "]))
def test_two_or_more_thousands_separators_are_read(number, mark):
    assert decimal_parse(f"{number:,}".replace(",", mark)) == number


@settings(max_examples=2000)
@given(text=st.text(alphabet="0123456789.,- €()eE+\u00a0abc%", max_size=14))
def test_any_text_is_a_number_or_a_reason(text):
    try:
        number = decimal_parse(text)
    except ValueProblem as error:
        assert str(error)
    else:
        assert number.is_finite()


@settings(max_examples=300)
@given(
    day=st.dates(min_value=date(1950, 1, 1), max_value=date(2045, 12, 31)),
    form=st.sampled_from(
        [
            "{d}.{m}.{y}",
            "{d:02}.{m:02}.{y}",
            "{y}{m:02}{d:02}",
            "{y}-{m:02}-{d:02}",
            "{d}.{m}.{y} 0:00",
            "{d}.{m}.{yy:02}",
            "{y}-{m:02}-{d:02}T00:00:00",
        ]
    ),
)
def test_dates_read_back_in_every_plain_form(day, form):
    text = form.format(d=day.day, m=day.month, y=day.year, yy=day.year % 100)
    assert date_parse(text, today=TODAY) == day


@settings(max_examples=300)
@given(day=st.dates(min_value=date(1950, 1, 1), max_value=date(2045, 12, 31)))
def test_a_slashed_date_is_read_only_when_one_reading_is_possible(day):
    text = f"{day.day}/{day.month}/{day.year}"
    if day.day > 12 or day.day == day.month:
        assert date_parse(text, today=TODAY) == day
    else:
        with pytest.raises(ValueProblem) as error:
            date_parse(text, today=TODAY)
        assert error.value.problem.code == "value_date_ambiguous"


@settings(max_examples=300)
@given(number=st.integers(min_value=10**7, max_value=10**14))
def test_codes_read_back_from_spreadsheet_forms_or_are_refused(number):
    digits = str(number)
    assert digits_restore(f"{number}.0") == digits
    assert digits_restore(float(number)) == digits
    exact = f"{number:.{len(digits) - 1}E}"
    assert digits_restore(exact) == digits
    shortened = f"{number:.5E}"
    if int(float(shortened)) != number:
        with pytest.raises(ValueProblem):
            digits_restore(shortened)


@settings(max_examples=200)
@given(text=st.text(), control=st.sampled_from(["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"]))
def test_a_control_character_anywhere_in_a_cell_is_refused(text, control):
    with pytest.raises(ValueProblem):
        text_clean(text[: len(text) // 2] + control + text[len(text) // 2 :])


@pytest.mark.parametrize(("value", "blank"), [("", True), (" \t", True), ("\u00a0", True), ("\u200b\ufeff", True),
                                              ("\x1c", True), ("0", False), (0, False), (None, True)])  # fmt: skip
def test_a_cell_of_only_spaces_or_invisible_characters_is_blank(value, blank):
    from kuntaportaali.tabular.values import is_blank

    assert is_blank(value) is blank
