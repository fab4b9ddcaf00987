"""Reading one cell as a value: text, numbers, dates and percentages as Finnish and international
files write them, and as spreadsheets leave them.

The rule: a value whose meaning is plain is read ("2 345,5 €", "3,912.40", "312,99-", "120,-", "2.4.2026
0:00", "401234575.0"); a value that could mean two things ("1.234", "4/2/2026") raises ValueProblem with
a reason that says what to fix, and so does a code that a spreadsheet shortened ("4.01235E+08", see
`digits_restore`). Nothing is rounded.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from .problems import ValueProblem


@dataclass(frozen=True)
class Percent:
    """A spreadsheet cell formatted as a percentage: `value` is in per cent (a cell showing 80 % holds 0.8)."""

    value: Decimal

    def __str__(self) -> str:
        return f"{self.value} %"


@dataclass(frozen=True)
class SpreadsheetError:
    """A cell that shows an error (#N/A, #REF!, #VALUE!) instead of a value."""

    code: str

    def __str__(self) -> str:
        return self.code


# Characters that carry no meaning in a cell and are dropped: zero-width spaces and joiners, the byte
# order mark, the soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = "\u00a0\u202f\u2009\u2007"  # no-break, narrow no-break, thin and figure space
_SPACE_TABLE = dict.fromkeys(map(ord, _SPACES), " ")
_LINE_BREAKS = "\t\n\r"


def text_clean(value: Any) -> str:
    """The cell as text: invisible characters dropped, spaces made plain, outer spaces stripped.

    Raises ValueProblem for control characters (a NUL byte is the mark of a damaged file) and for
    spreadsheet error cells. Whole numbers that a spreadsheet stored as 12.0 are written 12.
    """
    if type(value) is str and value.isascii() and value.isprintable():
        return value.strip()  # the common case, before any other test
    if value is None:
        return ""
    if isinstance(value, SpreadsheetError):
        raise ValueProblem("value_spreadsheet_error", error=value.code)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.isascii() and text.isprintable():
        return text.strip()
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE).translate(_SPACE_TABLE))
    for character in text:
        if unicodedata.category(character) == "Cc" and character not in _LINE_BREAKS:
            raise ValueProblem("value_control_character", character=f"U+{ord(character):04X}")
    return text.strip()


def is_blank(value: Any) -> bool:
    """An empty cell: nothing, or only spaces and invisible characters."""
    return value is None or (isinstance(value, str) and not value.translate(_INVISIBLE).strip())


# --- Numbers ------------------------------------------------------------------------------------

_CURRENCY = re.compile(r"^(?:€|eur|euroa?)\s*|\s*(?:€|eur|euroa?)$", re.IGNORECASE)
_MINUS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash (spreadsheets write all three)
_DIGITS_AND_SEPARATORS = re.compile(r"^\d[\d.,]*$|^[.,]\d+$")
_SCIENTIFIC = re.compile(r"^(\d+)(?:[.,](\d+))?[eE]([+-]?\d{1,3})$")
MAX_DIGITS = 30


def decimal_parse(value: Any, *, max_decimals: int | None = None) -> Decimal:
    """A number with a decimal comma or point, thousands grouped by spaces, points or commas, an optional
    leading or trailing minus, brackets for a negative amount and a euro sign.

    A single separator followed by exactly three digits ("1.234", "12,345") could be either a decimal or a
    thousands separator and is refused. With `max_decimals`, a value with more decimals is refused, not
    rounded (floats from a spreadsheet are taken at their shortest exact form first).
    """
    if isinstance(value, bool):
        raise ValueProblem("value_not_a_number")
    if isinstance(value, Percent):
        raise ValueProblem("value_percent_expected")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = _from_float(value, max_decimals)
    elif isinstance(value, Decimal):
        number = value
    else:
        number = _decimal_from_text(text_clean(value))
    if not number.is_finite():
        raise ValueProblem("value_not_a_number")
    if number.adjusted() >= MAX_DIGITS:
        raise ValueProblem("value_number_too_large")
    if max_decimals is not None and _decimals(number) > max_decimals:
        raise ValueProblem("value_too_many_decimals", value=_shown(value), decimals=max_decimals)
    return number


def _from_float(value: float, max_decimals: int | None) -> Decimal:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueProblem("value_not_a_number")
    number = Decimal(repr(value))
    if max_decimals is not None and _decimals(number) > max_decimals:
        # Excel computes in binary: a sum of cents may come back as 3912.3999999999996.
        rounded = number.quantize(Decimal(1).scaleb(-max_decimals))
        if abs(number - rounded) < Decimal("1e-9") * max(1, abs(number)):
            return rounded
    return number


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _shown(value: Any) -> str:
    return str(value)[:40]


def _decimal_from_text(text: str) -> Decimal:
    original = text
    text = _CURRENCY.sub("", text).strip()
    if not text:
        raise ValueProblem("value_not_a_number")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text and (text[0] in _MINUS or text[0] == "+"):
        if negative:
            raise ValueProblem("value_not_a_number")
        negative, text = text[0] != "+", text[1:].lstrip()
    if text[-2:-1] in (",", ".") and text[-1:] in _MINUS:
        text = text[:-2].rstrip()  # "120,-": whole euros, written the Finnish way
    elif text and text[-1] in _MINUS:
        if negative:
            raise ValueProblem("value_not_a_number")
        negative, text = True, text[:-1].rstrip()
    scientific = _SCIENTIFIC.match(text)
    if scientific:
        whole, fraction, exponent = scientific.groups()
        number = Decimal(f"{whole}.{fraction or '0'}e{exponent}")
    elif " " in text or "'" in text:
        number = Decimal(_space_grouped(text, original))
    elif _DIGITS_AND_SEPARATORS.match(text):
        number = Decimal(_separators_resolved(text, original))
    else:
        raise ValueProblem("value_not_a_number")
    return -number if negative else number


def _space_grouped(text: str, original: str) -> str:
    """'2 345,5' or "1'234.50": the spaces group thousands, so a comma or point is the decimal mark."""
    marks = [character for character in text if character in ",."]
    if len(marks) > 1:
        raise ValueProblem("value_number_bad_grouping", value=original)
    whole, _, fraction = text.partition(marks[0]) if marks else (text, "", "")
    if not re.fullmatch(r"\d{1,3}(?:[ ']\d{3})+", whole) or not re.fullmatch(r"\d*", fraction):
        raise ValueProblem("value_number_bad_grouping", value=original)
    return whole.replace(" ", "").replace("'", "") + (f".{fraction}" if fraction else "")


def _separators_resolved(text: str, original: str) -> str:
    """Digits with commas and points -> digits with at most one decimal point, or ValueProblem when the
    separators are grouped wrongly or a lone separator could be either kind."""
    commas, points = text.count(","), text.count(".")
    if commas and points:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _, fraction = text.rpartition(decimal_mark)
        if text.count(decimal_mark) > 1 or not re.fullmatch(rf"\d{{1,3}}(?:\{group_mark}\d{{3}})+", whole):
            raise ValueProblem("value_number_bad_grouping", value=original)
        return whole.replace(group_mark, "") + "." + fraction
    if not commas and not points:
        return text
    mark = "," if commas else "."
    if commas + points > 1:
        if not re.fullmatch(rf"\d{{1,3}}(?:\{mark}\d{{3}})+", text):
            raise ValueProblem("value_number_bad_grouping", value=original)
        return text.replace(mark, "")
    whole, _, fraction = text.partition(mark)
    if len(fraction) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"):
        raise ValueProblem(
            "value_number_ambiguous_separator",
            value=original,
            thousands=f"{whole} {fraction}",
            decimal=f"{whole},{fraction}",
            example=f"{whole}{fraction},00",
        )
    return f"{whole or '0'}.{fraction}" if fraction else whole


def integer_parse(value: Any) -> int:
    """A whole number, also as a spreadsheet may have written it (1955.0, 1.955E3)."""
    number = decimal_parse(value)
    if number != number.to_integral_value():
        raise ValueProblem("value_not_a_whole_number")
    return int(number)


_FLOAT_TEXT = re.compile(r"^(\d+)\.0+$")
_SCIENTIFIC_DIGITS = re.compile(r"^(\d)(?:[.,](\d+))?[eE]\+?(\d{1,2})$")


def digits_restore(value: Any) -> str | None:
    """The digits of a code (phone number, postal code) that a spreadsheet stored as a number, or None
    when `value` does not look like such a number: 401234575 and '401234575.0' -> '401234575',
    '4.01234567E8' -> '401234567'. Raises ValueProblem when the spreadsheet dropped digits ('4.01235E+08').
    """
    if isinstance(value, str) and "." not in value and "e" not in value and "E" not in value:
        return None  # the common case, answered before any pattern is tried
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if isinstance(value, float):
        if not value.is_integer() or value < 0:
            return None
        value = repr(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _FLOAT_TEXT.match(text)
    if match:
        return match.group(1)
    match = _SCIENTIFIC_DIGITS.match(text)
    if match:
        first, written, exponent = match.group(1), match.group(2) or "", int(match.group(3))
        if written[exponent:].strip("0"):
            return None  # a fraction: not a code at all
        if len(written) < exponent:
            raise ValueProblem("value_digits_lost", value=text)
        return first + written[:exponent]
    return None


# --- Dates --------------------------------------------------------------------------------------

_TIME = r"(?:[ T]+(?:klo\s*)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?)?"
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})" + _TIME + "$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})" + _TIME + "$")
# Two-digit years are read into the hundred years from 79 years back to 20 years ahead.
TWO_DIGIT_YEARS_AHEAD = 20


def date_parse(value: Any, *, today: date | None = None) -> date:
    """A calendar date: d.m.yyyy (also with a two-digit year or a time of day), YYYYMMDD, YYYY-MM-DD,
    d/m/yyyy or m/d/yyyy when only one reading is a real date, or a spreadsheet date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool | float | Decimal | Percent):
        raise ValueProblem("value_not_a_date")
    text = text_clean(value)
    if isinstance(value, int) or _COMPACT.match(text):
        match = _COMPACT.match(text)
        if not match:
            raise ValueProblem("value_not_a_date")
        return _date(match.group(1), match.group(2), match.group(3), today)
    for pattern, order in ((_DOTTED, (3, 2, 1)), (_ISO, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            _time_check(match.groups()[3:])
            year, month, day = (match.group(index) for index in order)
            return _date(year, month, day, today)
    match = _SLASHED.match(text)
    if match:
        _time_check(match.groups()[3:])
        return _slashed_date(text, match.group(1), match.group(2), match.group(3), today)
    raise ValueProblem("value_not_a_date")


def _time_check(parts: tuple) -> None:
    hour, minute, second = parts[:3]
    if hour is None:
        return
    try:
        time(int(hour), int(minute), int(second or 0))
    except ValueError:
        raise ValueProblem("value_date_time_invalid") from None


def _year(text: str, today: date | None) -> int:
    if len(text) == 4:
        return int(text)
    today = today or date.today()
    year = today.year // 100 * 100 + int(text)
    if year > today.year + TWO_DIGIT_YEARS_AHEAD:
        year -= 100
    elif year <= today.year + TWO_DIGIT_YEARS_AHEAD - 100:
        year += 100
    return year


# The earliest year a date of these files can have (a birth year, an employment's start): "1.2.0026" is
# no date of the year 26 but a mistyped or damaged one.
EARLIEST_YEAR = 1900


def _date(year: str, month: str, day: str, today: date | None) -> date:
    full_year = _year(year, today)
    if full_year < EARLIEST_YEAR:
        raise ValueProblem("value_date_year_too_early", year=year, earliest=EARLIEST_YEAR)
    try:
        return date(full_year, int(month), int(day))
    except ValueError:
        raise ValueProblem("value_not_a_real_date") from None


def _slashed_date(text: str, first: str, second: str, year: str, today: date | None) -> date:
    """d/m/yyyy or m/d/yyyy: read only when just one of the two is a real date."""
    full_year = _year(year, today)
    if full_year < EARLIEST_YEAR:
        raise ValueProblem("value_date_year_too_early", year=year, earliest=EARLIEST_YEAR)
    readings = []
    for day, month in ((first, second), (second, first)):
        try:
            readings.append(date(full_year, int(month), int(day)))
        except ValueError:
            continue
    if not readings:
        raise ValueProblem("value_not_a_real_date")
    if len(readings) == 2 and readings[0] != readings[1]:
        day_first, month_first = (f"{d.day}.{d.month}.{d.year}" for d in readings)
        raise ValueProblem("value_date_ambiguous", value=text, first=day_first, second=month_first, example=day_first)
    return readings[0]


# --- Percentages --------------------------------------------------------------------------------


def percent_parse(value: Any, *, max_decimals: int | None = None) -> Decimal:
    """A percentage in per cent: '80', '80 %', '80,5%', or a spreadsheet cell formatted as 80 %."""
    if isinstance(value, Percent):
        number = value.value
        if max_decimals is not None and _decimals(number) > max_decimals:
            number = _from_float(float(number), max_decimals)
    else:
        if isinstance(value, str):
            value = value.strip().removesuffix("%").strip()
        number = decimal_parse(value, max_decimals=max_decimals)
    if max_decimals is not None and _decimals(number) > max_decimals:
        raise ValueProblem("value_too_many_decimals", value=_shown(value), decimals=max_decimals)
    return number


def percent_from_fraction(fraction: float | int | Decimal) -> Percent:
    """The percentage a cell formatted as percent shows: 0.8 -> 80 %."""
    number = (Decimal(repr(fraction)) if isinstance(fraction, float) else Decimal(fraction)) * 100
    # Without trailing zeros, and never in exponent form ("80", not "8E+1").
    return Percent(number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize())
