"""The one interface every Populus source implements, and the registry of source kinds.

A source turns "report type X for month M" into validated rows plus the rows it had to reject.
Which kinds exist is the setting POPULUS_SOURCE_KINDS (kind -> dotted class path); adding a source
kind touches no shared code.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, ClassVar

from django.conf import settings

from kuntaportaali.plugins import plugin_class
from kuntaportaali.redaction import PERSON_NUMBER, PERSON_NUMBER_HIDDEN, phone_numbers_mask
from kuntaportaali.tabular.problems import Problem, ValueProblem
from kuntaportaali.tabular.values import is_blank

from ..errors import PopulusError
from .schema import FIELDS

HIDDEN_VALUE = PERSON_NUMBER_HIDDEN


def has_person_number(text: str) -> bool:
    return bool(PERSON_NUMBER.search(text))


# Control characters shown as their visible symbols (NUL as ␀): a database refuses NUL in text.
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\t\n\r"} | {0x7F: "\u2421"}


def text_safe(text: str) -> str:
    """`text` as it may be stored and shown: person numbers hidden and phone numbers masked
    (kuntaportaali.redaction), control characters made visible.

    Rejections and run errors quote values from the source; a column map that points at the wrong
    column (or a data row taken for a header) must not carry personal data into them.
    """
    return phone_numbers_mask(text).translate(_CONTROL_PICTURES)


def problem_safe(problem: Problem) -> Problem:
    """`problem` with the text it quotes made safe to store and show (see text_safe)."""
    return Problem(problem.code, _params_safe(problem.params))


def _params_safe(params: Mapping[str, Any]) -> dict[str, Any]:
    safe = {}
    for name, value in params.items():
        if isinstance(value, Mapping):  # a quoted problem
            value = {"code": value["code"], "params": _params_safe(value.get("params", {}))}
        elif isinstance(value, str):
            value = text_safe(value)
        safe[name] = value
    return safe


@dataclass(frozen=True)
class Rejection:
    """Why one value of a row (or the row as a whole) was not taken in: `problem` is the reason as a
    code with its parameters. A row with several bad values has one rejection per value. Neither
    `value` nor the reason's parameters ever hold a person number or a character a database refuses."""

    report_type: str
    problem: Problem
    file: str = ""
    row: int | None = None
    field: str = ""
    value: str = ""
    # The employment the rejected row is about, when it could be read: the month's other rows about it
    # are then rejected too rather than stored against an employment the file did not give.
    employment_id: str = ""

    def __post_init__(self):
        object.__setattr__(self, "value", text_safe(self.value))
        object.__setattr__(self, "problem", problem_safe(self.problem))


def rejected_row_count(rejections: Iterable[Rejection]) -> int:
    """How many rows the rejections are about (a row with two bad values counts once)."""
    rows: set[tuple] = set()
    unnumbered = 0
    for rejection in rejections:
        if rejection.row is None:
            unnumbered += 1
        else:
            rows.add((rejection.report_type, rejection.file, rejection.row))
    return len(rows) + unnumbered


def rejections_sorted(rejections: Iterable[Rejection]) -> list[Rejection]:
    """In the order people read them: by report, file and row (a row's values in the order of its columns)."""
    order = {report_type: position for position, report_type in enumerate(FIELDS)}
    return sorted(rejections, key=lambda r: (order.get(r.report_type, len(order)), r.file, r.row or 0))


@dataclass
class SourceBatch:
    """What a source delivers for one report type and period: valid rows and rejected ones."""

    report_type: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows) + rejected_row_count(self.rejected)

    def row_add(self, raw: Mapping[str, Any], *, file: str, row: int | None) -> None:
        """Validate one raw row (`row_validate`): its values go to `rows`, or its rejections to `rejected`."""
        values, rejections = row_validate(self.report_type, raw, file=file, row=row)
        if values is None:
            self.rejected.extend(rejections)
        else:
            self.rows.append(values)


class PopulusSource(ABC):
    """A plug-in that fetches Populus reports. Subclasses set `kind` and implement `fetch`."""

    kind: ClassVar[str]
    report_types: ClassVar[tuple[str, ...]] = ("units", "employments", "absences", "salaries")

    def __init__(self, *, name: str, config: Mapping[str, Any]):
        self.name = name
        self.config = dict(config)

    @classmethod
    def config_defaults(cls) -> dict[str, Any]:
        """The settings a new source of this kind starts with."""
        return {}

    @abstractmethod
    def fetch(self, report_type: str, period: date) -> SourceBatch:
        """Return the validated rows of `report_type` for the month starting on `period`.

        Raise TransientSourceError when trying again later may help, PopulusError when the whole
        report cannot be read (missing file, wrong encoding, missing column...).
        """

    def provides(self, report_type: str) -> bool:
        """Whether this source delivers `report_type` at all (e.g. file sources without a units file)."""
        return report_type in self.report_types


# The demo's made-up municipality (sources/simulator.py), which production does not offer (settings/production.py).
DEMO_KIND = "simulator"


def source_kinds() -> dict[str, type[PopulusSource]]:
    """The kinds of source this site offers, creates and fetches (POPULUS_SOURCE_KINDS)."""
    return {kind: plugin_class(path) for kind, path in settings.POPULUS_SOURCE_KINDS.items()}


def source_class(kind: str) -> type[PopulusSource]:
    try:
        return source_kinds()[kind]
    except KeyError:
        if kind == DEMO_KIND:
            # A simulator source made before, or in the admin: said so, rather than as an unknown kind.
            raise PopulusError.of("source_kind_demo_only") from None
        raise PopulusError.of("source_kind_unknown", kind=kind, known=", ".join(sorted(source_kinds()))) from None


def source_for(source_model) -> PopulusSource:
    """The plug-in instance for a configured Source row."""
    return source_class(source_model.kind)(name=source_model.name, config=source_model.config)


def row_validate(
    report_type: str, raw: Mapping[str, Any], *, file: str = "", row: int | None = None
) -> tuple[dict[str, Any] | None, list[Rejection]]:
    """Parse one raw row of `report_type`: (values, []), or (None, one rejection per bad field)."""
    values: dict[str, Any] = {}
    # Each value as the source wrote it (a person number hidden): a rejection shows it so, also one of
    # the read row when it is stored (a date of another month, a repeated payment).
    as_written: dict[str, str] = {}
    rejections: list[Rejection] = []
    for spec in FIELDS[report_type]:
        raw_value = raw.get(spec.name)
        if is_blank(raw_value):
            if spec.required:
                rejections.append(Rejection(report_type, Problem("row_value_missing"), file, row, spec.name))
            values[spec.name] = None
            continue
        as_written[spec.name] = HIDDEN_VALUE if spec.personal else str(raw_value)[:200]
        try:
            values[spec.name] = spec.parse(raw_value)
        except ValueProblem as problem:
            rejections.append(Rejection(report_type, problem.problem, file, row, spec.name, as_written[spec.name]))
    start, end = values.get("start"), values.get("end")
    if not rejections and start and end and end < start:
        rejections.append(Rejection(report_type, Problem("row_end_before_start"), file, row, "end", as_written["end"]))
    if rejections:
        employment_id = str(values.get("employment_id") or "")
        return None, [replace(rejection, employment_id=employment_id) for rejection in rejections]
    values["_file"], values["_row"], values["_as_written"] = file, row, as_written
    return values, []
