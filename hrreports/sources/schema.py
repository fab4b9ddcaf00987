"""The fields of each Populus report and how a raw value (text from a file, JSON from an endpoint,
a typed value from the simulator) becomes a validated one."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from kuntaportaali.tabular.problems import ValueProblem
from kuntaportaali.tabular.values import text_clean

from .. import reasons  # noqa: F401 (registers the reasons raised here)
from ..models.fetching import ReportType


def parse_text(value: Any) -> str:
    """The cell as text; control characters (a NUL byte is the mark of a damaged file) refuse the value."""
    return text_clean(value)


_DATE_FORMS = (
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), (1, 2, 3)),  # YYYYMMDD (Populus transfer files)
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), (3, 2, 1)),  # d.m.yyyy (Populus reports)
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), (1, 2, 3)),  # ISO (JSON)
)


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = parse_text(value)
    for pattern, (year, month, day) in _DATE_FORMS:
        match = pattern.match(text)
        if match:
            try:
                return date(int(match.group(year)), int(match.group(month)), int(match.group(day)))
            except ValueError:
                raise ValueProblem("value_not_a_real_date") from None
    raise ValueProblem("value_not_a_date")


def parse_period(value: Any) -> date:
    """A pay period: '2026-03', '202603', '3/2026', '03.2026' or any date in the month."""
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    text = parse_text(value)
    match = re.match(r"^(\d{4})-?(\d{2})$", text) or re.match(r"^(\d{1,2})[./](\d{4})$", text)
    if match:
        year, month = (match.group(1), match.group(2)) if len(match.group(1)) == 4 else (match.group(2), match.group(1))
        if 1 <= int(month) <= 12 and int(year) >= 1900:
            return date(int(year), int(month), 1)
        raise ValueProblem("value_not_a_month")
    try:
        day = parse_date(text)
    except ValueProblem:
        raise ValueProblem("value_not_a_pay_period") from None
    return date(day.year, day.month, 1)


_SPACES = re.compile(r"[\s\u00a0\u202f]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_decimal(value: Any) -> Decimal:
    """Decimal comma or point, spaces as thousands separators; '1.234,50' is read Finnish-style."""
    if isinstance(value, bool):
        raise ValueProblem("value_not_a_number")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    else:
        text = _SPACES.sub("", parse_text(value)).replace("\u2212", "-")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        if not _NUMBER.match(text):
            raise ValueProblem("value_not_a_number")
        number = Decimal(text)
    if not number.is_finite():
        raise ValueProblem("value_not_a_number")
    return number


def parse_amount(value: Any) -> Decimal:
    number = parse_decimal(value)
    if abs(number) >= Decimal("1e10"):
        raise ValueProblem("value_amount_out_of_range")
    try:
        return number.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueProblem("value_amount_out_of_range") from None


def parse_days(value: Any) -> int:
    number = parse_decimal(value)
    if number < 0 or number > 10000 or number != number.to_integral_value():
        raise ValueProblem("value_days_out_of_range")
    return int(number)


def parse_percent(value: Any) -> Decimal:
    number = parse_decimal(str(value).replace("%", "") if isinstance(value, str) else value)
    if not 0 < number <= 100:
        raise ValueProblem("value_working_time_out_of_range")
    return number.quantize(Decimal("0.01"))


_TRUE = {"1", "k", "kyllä", "kylla", "x", "true", "yes", "y", "j", "ja", "palkallinen", "paid"}
_FALSE = {"0", "e", "ei", "false", "no", "n", "nej", "palkaton", "unpaid", "-"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = parse_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem("value_not_yes_or_no")


_KINDS = {
    "permanent": "permanent",
    "p": "permanent",
    "vakinainen": "permanent",
    "toistaiseksi voimassa oleva": "permanent",
    "toistaiseksi": "permanent",
    "fixed_term": "fixed_term",
    "fixed-term": "fixed_term",
    "m": "fixed_term",
    "määräaikainen": "fixed_term",
    "maaraaikainen": "fixed_term",
}


def parse_kind(value: Any) -> str:
    kind = _KINDS.get(parse_text(value).lower())
    if kind is None:
        raise ValueProblem("value_employment_kind_unknown", value=parse_text(value)[:60])
    return kind


@dataclass(frozen=True)
class Field:
    name: str
    label: Any
    parse: Callable[[Any], Any]
    required: bool = True
    personal: bool = False  # never copied into a rejected-row entry
    header: str = ""  # the Finnish header in Populus' report exports


def _code(value: Any) -> str:
    text = parse_text(value)
    if len(text) > 32:
        raise ValueProblem("value_code_too_long", limit=32)
    return text


def _unit_code(value: Any) -> str:
    """Unit codes build the materialised paths of the unit tree ("/10/1010/"), so no slash."""
    text = _code(value)
    if "/" in text:
        raise ValueProblem("value_unit_code_slash")
    return text


def _name(value: Any) -> str:
    return parse_text(value)[:200]


_PERSON = Field("person_number", _("person number"), _code, personal=True, header="Henkilötunnus")
_EMPLOYEE = Field("employee_name", _("employee name"), _name, required=False, header="Nimi")
_EMPLOYMENT = Field("employment_id", _("employment id"), _code, header="Palvelussuhde")
_UNIT = Field("unit_code", _("unit code"), _unit_code, header="Kustannuspaikka")

FIELDS: dict[str, tuple[Field, ...]] = {
    ReportType.UNITS: (
        Field("code", _("unit code"), _unit_code, header="Yksikkö"),
        Field("name", _("unit name"), _name, header="Yksikön nimi"),
        Field("parent_code", _("parent unit code"), _unit_code, required=False, header="Ylempi yksikkö"),
        Field("active", _("active"), parse_bool, required=False, header="Voimassa"),
    ),
    ReportType.EMPLOYMENTS: (
        _PERSON,
        Field("employee_name", _("employee name"), _name, header="Nimi"),
        _EMPLOYMENT,
        _UNIT,
        Field("title", _("title"), _name, required=False, header="Nimike"),
        Field("kind", _("kind"), parse_kind, required=False, header="Palvelussuhteen laji"),
        Field("start", _("start"), parse_date, header="Alkupvm"),
        Field("end", _("end"), parse_date, required=False, header="Loppupvm"),
        Field("working_time_percent", _("working time %"), parse_percent, required=False, header="Työaika-%"),
    ),
    ReportType.ABSENCES: (
        _PERSON,
        _EMPLOYEE,
        _EMPLOYMENT,
        _UNIT,
        Field("absence_code", _("absence code"), _code, header="Poissaolokoodi"),
        Field("absence_name", _("absence name"), _name, required=False, header="Poissaolon nimi"),
        Field("start", _("start"), parse_date, header="Alkupvm"),
        Field("end", _("end"), parse_date, header="Loppupvm"),
        Field("calendar_days", _("calendar days"), parse_days, required=False, header="Kalenteripäivät"),
        Field("working_days", _("working days"), parse_days, required=False, header="Työpäivät"),
        Field("paid", _("paid"), parse_bool, required=False, header="Palkallinen"),
    ),
    ReportType.SALARIES: (
        _PERSON,
        _EMPLOYEE,
        _EMPLOYMENT,
        _UNIT,
        Field("pay_period", _("pay period"), parse_period, header="Palkkakausi"),
        Field("payment_date", _("payment date"), parse_date, header="Maksupäivä"),
        Field("salary_type_code", _("salary type"), _code, header="Palkkalaji"),
        Field("salary_type_name", _("salary type name"), _name, required=False, header="Palkkalajin nimi"),
        Field("amount", _("amount"), parse_amount, header="Summa"),
    ),
}

FIELD_BY_NAME = {report_type: {field.name: field for field in fields} for report_type, fields in FIELDS.items()}


def default_column_map(report_type: str, *, has_header: bool) -> dict[str, str | int]:
    """Populus' Finnish report headers, or the same columns by position (1-based) when there is no header."""
    return {
        field.name: (field.header if has_header else position)
        for position, field in enumerate(FIELDS[report_type], start=1)
    }


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
