"""The fields of each Populus report and how a raw value (text from a file, JSON from an endpoint,
a typed value from the simulator) becomes a validated one."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from kuntaportaali.redaction import PERSON_NUMBER
from kuntaportaali.tabular.problems import Problem, ValueProblem, problem_messages_register
from kuntaportaali.tabular.values import Percent, date_parse, decimal_parse, percent_parse, text_clean

from .. import errors  # noqa: F401 (registers the reasons raised here)
from ..models.fetching import ReportType


def parse_text(value: Any) -> str:
    """The cell as text; control characters (a NUL byte is the mark of a damaged file) refuse the value."""
    return text_clean(value)


def parse_date(value: Any) -> date:
    """d.m.yyyy (also with a two-digit year or a time of day, "2.4.2026 0:00"), YYYYMMDD, ISO, or a date cell."""
    return date_parse(value)


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
        day = date_parse(text)
    except ValueProblem:
        raise ValueProblem("value_not_a_pay_period") from None
    return date(day.year, day.month, 1)


MAX_AMOUNT = Decimal("1e10")
CENTS = Decimal("0.01")


def parse_amount(value: Any) -> Decimal:
    """Euros and cents in any plain form ("3 912,40", "3,912.40", "2 345,5 €", "312,99-"); more than two
    decimals are refused, never rounded."""
    number = decimal_parse(value, max_decimals=2)
    if abs(number) >= MAX_AMOUNT:
        raise ValueProblem("value_amount_out_of_range")
    return number.quantize(CENTS)


MAX_DAYS = 10000


def parse_days(value: Any) -> Decimal:
    """A number of days, also a half day ("0,5"); more than two decimals are refused, never rounded."""
    number = decimal_parse(value, max_decimals=2)
    if not 0 <= number <= MAX_DAYS:
        raise ValueProblem("value_days_out_of_range")
    return number


def parse_percent(value: Any) -> Decimal:
    """A working time in per cent. A percent-formatted cell (80 %) or a value written with % is per cent;
    a plain number of at most 1 could be a fraction (0,8 = 80 %) as well and is refused."""
    explicit = isinstance(value, Percent) or (isinstance(value, str) and "%" in value)
    number = percent_parse(value, max_decimals=2)
    if not explicit and 0 < number <= 1:
        raise ValueProblem(
            "value_working_time_ambiguous", value=parse_text(value), percent=format((number * 100).normalize(), "f")
        )
    if not 0 < number <= 100:
        raise ValueProblem("value_working_time_out_of_range")
    return number.quantize(CENTS)


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


@dataclass(frozen=True)
class EmploymentKindReading:
    """What an employment-kind cell says: permanent or fixed-term (`kind`), and public office or employment
    contract (`relationship`); "" for what it does not say."""

    kind: str
    relationship: str

    def __str__(self) -> str:
        from ..models.records import EmploymentKind, EmploymentRelationship

        labels = (EmploymentKind(self.kind).label, EmploymentRelationship(self.relationship).label)
        return ", ".join(str(label) for label in labels if self.kind or self.relationship)


# Word stems, in Finnish, Swedish and English, that say what kind of employment a cell means. A stem
# matches the start of a word, so inflected forms ("vakinaisessa", "virkasuhteinen") are read too.
_PERMANENT = ("vakinai", "vakitui", "toistaiseksi", "ordinarie", "tillsvidare", "permanent", "indefinite")
_SUBSTITUTE = ("sijai", "viransij", "vikari", "substitute")
_FIXED_TERM = ("määräaik", "maaraaik", "tilapäi", "visstid", "tidsbegräns", "tidsbund", "temporary", *_SUBSTITUTE)
_PUBLIC_OFFICE = ("virkasuh", "virka", "viransij", "viranhalt", "tjänsteförhåll", "tjänsteinneh", "office")
_EMPLOYMENT_CONTRACT = ("työsuh", "työsopimus", "arbetsavtal", "anställningsförhåll", "contract")
# Whole words and phrases (after folding case and joining parts of a phrase with "_").
_PERMANENT_WORDS = frozenset({"p", "fast", "tills_vidare", "open_ended"})
_FIXED_TERM_WORDS = frozenset({"m", "fixed_term"})
# A word after these says the opposite ("ei vakinainen", "not temporary"); so does a word these begin.
_NEGATIONS = frozenset({"ei", "non", "not", "icke", "ej", "inte"})
_NEGATING_PREFIXES = ("non", "epä", "icke")
# Whom a substitute stands in for, not the substitute's own kind: "vakinaisen sijainen" (a permanent
# one's substitute), "vikarie för ordinarie", "substitute for permanent staff".
_STOOD_IN_FOR = frozenset({"vakinaisen", "vakituisen"})
_FOR = frozenset({"för", "for"})
ACCEPTED_KIND_WORDS = (
    "vakinainen, vakituinen, toistaiseksi voimassa oleva, määräaikainen, tilapäinen, sijainen, viransijainen, "
    "virkasuhde, työsuhde; ordinarie, fast, tills vidare, visstid, vikarie, tjänsteförhållande, "
    "arbetsavtalsförhållande; permanent, fixed-term, temporary, substitute, public office, employment contract; "
    "P, M"
)


def parse_kind(value: Any) -> EmploymentKindReading:
    """Read an employment kind by its words: 'Vakinainen virkasuhde' is a permanent public office,
    'Määräaikainen työsuhde' a fixed-term employment contract, 'Sijainen' (a substitute) fixed-term,
    'Ei-vakinainen' fixed-term. A substitute is fixed-term unless the word before says permanent:
    'Vakinainen sijainen' is a permanent employee who substitutes (a pool of substitutes), while
    'Vakinaisen sijainen' stands in for a permanent one."""
    text = parse_text(value)
    folded = re.sub(r"[\s\-_/,.;:()]+", " ", text.casefold()).strip()
    words = folded.split()
    phrases = {"_".join(pair) for pair in pairwise(words)}
    permanent = fixed_term = office = contract = False
    # A negation says the other of the next word that says a kind ("ei ole vakinainen"); not being a
    # substitute says nothing of the kind. One that no such word follows ("vakinainen: ei") is unread.
    negation_pending = False
    for index, word in enumerate(words):
        if word in _NEGATIONS:
            negation_pending = True
            continue
        previous = words[index - 1] if index else ""
        following = words[index + 1] if index + 1 < len(words) else ""
        stem, negated = word, False
        prefix = next((prefix for prefix in _NEGATING_PREFIXES if word.startswith(prefix)), None)
        if prefix and _kind_word(word[len(prefix) :]):
            negated, stem = True, word[len(prefix) :]
        if _kind_word(stem):
            negated, negation_pending = negated or negation_pending, False
        is_permanent = stem.startswith(_PERMANENT) or stem in _PERMANENT_WORDS
        is_fixed_term = stem.startswith(_FIXED_TERM) or stem in _FIXED_TERM_WORDS
        if previous in _FOR or (word in _STOOD_IN_FOR and following.startswith(_SUBSTITUTE)):
            is_permanent = is_fixed_term = False
        elif stem.startswith(_SUBSTITUTE) and (
            negated or (_permanent_word(previous) and previous not in _STOOD_IN_FOR)
        ):
            # Not a substitute, or the word before gave the substitute's kind.
            is_fixed_term = False
        permanent |= is_fixed_term if negated else is_permanent
        fixed_term |= is_permanent if negated else is_fixed_term
        is_office, is_contract = stem.startswith(_PUBLIC_OFFICE), stem.startswith(_EMPLOYMENT_CONTRACT)
        office |= is_contract if negated else is_office
        contract |= is_office if negated else is_contract
    permanent |= bool(phrases & _PERMANENT_WORDS)
    fixed_term |= bool(phrases & _FIXED_TERM_WORDS)
    if (permanent and fixed_term) or (office and contract):
        raise ValueProblem("value_employment_kind_contradictory", value=text[:60])
    if negation_pending or not (permanent or fixed_term or office or contract):
        raise ValueProblem("value_employment_kind_unknown", value=text[:60], accepted=ACCEPTED_KIND_WORDS)
    kind = "permanent" if permanent else "fixed_term" if fixed_term else ""
    relationship = "public_office" if office else "employment_contract" if contract else ""
    return EmploymentKindReading(kind, relationship)


def _permanent_word(word: str) -> bool:
    return word.startswith(_PERMANENT) or word in _PERMANENT_WORDS


def _kind_word(word: str) -> bool:
    stems = _PERMANENT + _FIXED_TERM + _PUBLIC_OFFICE + _EMPLOYMENT_CONTRACT
    return word.startswith(stems) or word in _PERMANENT_WORDS | _FIXED_TERM_WORDS


ADDED, DELETED = "added", "deleted"
_CHANGES = {
    "u": ADDED, "uusi": ADDED, "lisays": ADDED, "lisatty": ADDED, "add": ADDED, "added": ADDED, "a": ADDED,
    "p": DELETED, "poisto": DELETED, "poistettu": DELETED, "delete": DELETED, "deleted": DELETED, "d": DELETED,
}  # fmt: skip


def parse_change(value: Any) -> str:
    """Whether a record of a transfer file adds ("U", uusi) or deletes ("P", poisto) its row: Populus sends a
    change of an absence as the old record deleted and the new one added."""
    key = re.sub(r"[^a-z]", "", parse_text(value).casefold().replace("ä", "a"))
    if key not in _CHANGES:
        raise ValueProblem("value_change_unknown", value=parse_text(value)[:20])
    return _CHANGES[key]


@dataclass(frozen=True)
class Field:
    name: str
    label_msgid: str  # marked with gettext_noop: also the wording of the problem code `field_<name>`
    parse: Callable[[Any], Any]
    required: bool = True
    personal: bool = False  # never copied into a rejected-row entry
    header: str = ""  # the Finnish header in Populus' report exports
    # In the column order of files without a header (the default positions): a field added later is not,
    # so that the positions of header-less sources saved before stay as they were.
    positional: bool = True

    @property
    def label(self) -> str:
        return _(self.label_msgid)

    @property
    def problem(self) -> Problem:
        """The field's name as a quoted Problem, worded in the reader's language wherever a reason names it."""
        return Problem(f"field_{self.name}")


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


def _person_number(value: Any) -> str:
    """An identity code as Populus writes it: a Finnish one (henkilötunnus) with its century sign and check
    character in capitals, since 010175-901v is the same person as 010175-901V (employees are matched by a
    keyed hash of the code, which would tell them apart); any other identifier as written."""
    text = _code(value)
    return text.upper() if PERSON_NUMBER.fullmatch(text) else text


_PERSON = Field("person_number", gettext_noop("person number"), _person_number, personal=True, header="Henkilötunnus")
_EMPLOYEE = Field("employee_name", gettext_noop("employee name"), _name, required=False, header="Nimi")
_EMPLOYMENT = Field("employment_id", gettext_noop("employment id"), _code, header="Palvelussuhde")
_UNIT = Field("unit_code", gettext_noop("unit code"), _unit_code, header="Kustannuspaikka")

FIELDS: dict[str, tuple[Field, ...]] = {
    ReportType.UNITS: (
        Field("code", gettext_noop("unit code"), _unit_code, header="Yksikkö"),
        Field("name", gettext_noop("unit name"), _name, header="Yksikön nimi"),
        Field("parent_code", gettext_noop("parent unit code"), _unit_code, required=False, header="Ylempi yksikkö"),
        Field("active", gettext_noop("active"), parse_bool, required=False, header="Voimassa"),
    ),
    ReportType.EMPLOYMENTS: (
        _PERSON,
        Field("employee_name", gettext_noop("employee name"), _name, header="Nimi"),
        _EMPLOYMENT,
        _UNIT,
        Field("title", gettext_noop("title"), _name, required=False, header="Nimike"),
        Field("kind", gettext_noop("kind"), parse_kind, required=False, header="Palvelussuhteen laji"),
        Field("start", gettext_noop("start"), parse_date, header="Alkupvm"),
        Field("end", gettext_noop("end"), parse_date, required=False, header="Loppupvm"),
        Field(
            "working_time_percent", gettext_noop("working time %"), parse_percent, required=False, header="Työaika-%"
        ),
    ),
    ReportType.ABSENCES: (
        _PERSON,
        _EMPLOYEE,
        _EMPLOYMENT,
        _UNIT,
        Field("absence_code", gettext_noop("absence code"), _code, header="Poissaolokoodi"),
        Field("absence_name", gettext_noop("absence name"), _name, required=False, header="Poissaolon nimi"),
        Field("start", gettext_noop("start"), parse_date, header="Alkupvm"),
        Field("end", gettext_noop("end"), parse_date, header="Loppupvm"),
        Field("calendar_days", gettext_noop("calendar days"), parse_days, required=False, header="Kalenteripäivät"),
        Field("working_days", gettext_noop("working days"), parse_days, required=False, header="Työpäivät"),
        Field("paid", gettext_noop("paid"), parse_bool, required=False, header="Palkallinen"),
        Field(
            "change",
            gettext_noop("record kind (added or deleted)"),
            parse_change,
            required=False,
            header="Tietuelaji",
            positional=False,
        ),
    ),
    ReportType.SALARIES: (
        _PERSON,
        _EMPLOYEE,
        _EMPLOYMENT,
        _UNIT,
        Field("pay_period", gettext_noop("pay period"), parse_period, header="Palkkakausi"),
        Field("payment_date", gettext_noop("payment date"), parse_date, header="Maksupäivä"),
        Field("salary_type_code", gettext_noop("salary type"), _code, header="Palkkalaji"),
        Field("salary_type_name", gettext_noop("salary type name"), _name, required=False, header="Palkkalajin nimi"),
        Field("amount", gettext_noop("amount"), parse_amount, header="Summa"),
    ),
}

FIELD_BY_NAME = {report_type: {field.name: field for field in fields} for report_type, fields in FIELDS.items()}
problem_messages_register({f"field_{field.name}": field.label_msgid for fields in FIELDS.values() for field in fields})


def field_display(report_type: str, field: str) -> str:
    """The rejected field ("unit_code") as its label in the active language."""
    specs = FIELD_BY_NAME.get(report_type, {})
    return str(specs[field].label) if field in specs else field


def default_column_map(report_type: str, *, has_header: bool) -> dict[str, str | int]:
    """Populus' Finnish report headers, or the same columns by position (1-based) when there is no header."""
    return {
        field.name: (field.header if has_header else position)
        for position, field in enumerate(FIELDS[report_type], start=1)
        if has_header or field.positional
    }
