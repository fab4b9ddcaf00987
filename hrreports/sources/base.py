"""The one interface every Populus source implements, and the registry of source kinds.

A source turns "report type X for month M" into validated rows plus the rows it had to reject.
Which kinds exist is the setting POPULUS_SOURCE_KINDS (kind -> dotted class path); adding a source
kind touches no shared code.
"""

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

from ..errors import PopulusError
from .schema import FIELDS, FieldError, is_empty

HIDDEN_VALUE = "(hidden)"
# A Finnish personal identity code (ddmmyy, century sign, individual number, check character).
_PERSON_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y](?![0-9A-Za-z])")


def person_numbers_hidden(text: str) -> str:
    """`text` with anything shaped like a person number replaced by HIDDEN_VALUE.

    Rejections and run errors quote values from the source; a column map that points at the wrong
    column (or a data row taken for a header) must not carry person numbers into them.
    """
    return _PERSON_NUMBER.sub(HIDDEN_VALUE, text)


def has_person_number(text: str) -> bool:
    return bool(_PERSON_NUMBER.search(text))


@dataclass(frozen=True)
class Rejection:
    """Why one row (or one value in it) was not taken in. `value` never holds personal data."""

    report_type: str
    reason: str
    file: str = ""
    row: int | None = None
    field: str = ""
    value: str = ""

    def __post_init__(self):
        object.__setattr__(self, "value", person_numbers_hidden(self.value))
        object.__setattr__(self, "reason", person_numbers_hidden(self.reason))


@dataclass
class SourceBatch:
    """What a source delivers for one report type and period: valid rows and rejected ones."""

    report_type: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.rejected)


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


@cache
def source_kinds() -> dict[str, type[PopulusSource]]:
    return {kind: import_string(path) for kind, path in settings.POPULUS_SOURCE_KINDS.items()}


def source_class(kind: str) -> type[PopulusSource]:
    try:
        return source_kinds()[kind]
    except KeyError:
        raise PopulusError(
            f"Unknown source kind {kind!r}; the known kinds are {', '.join(sorted(source_kinds()))}."
        ) from None


def source_for(source_model) -> PopulusSource:
    """The plug-in instance for a configured Source row."""
    return source_class(source_model.kind)(name=source_model.name, config=source_model.config)


def row_validate(
    report_type: str, raw: Mapping[str, Any], *, file: str = "", row: int | None = None
) -> tuple[dict[str, Any] | None, Rejection | None]:
    """Parse one raw row of `report_type`: (values, None), or (None, one rejection naming every bad field)."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str, str]] = []  # (field, value shown, reason)
    for spec in FIELDS[report_type]:
        raw_value = raw.get(spec.name)
        if is_empty(raw_value):
            if spec.required:
                problems.append((spec.name, "", "a required value is missing"))
            values[spec.name] = None
            continue
        try:
            values[spec.name] = spec.parse(raw_value)
        except FieldError as error:
            shown = HIDDEN_VALUE if spec.personal else str(raw_value)[:200]
            problems.append((spec.name, shown, str(error)))
    start, end = values.get("start"), values.get("end")
    if not problems and start and end and end < start:
        problems.append(("end", str(raw.get("end"))[:200], "the end date is before the start date"))
    if not problems:
        values["_file"], values["_row"] = file, row
        return values, None
    if len(problems) == 1:
        name, shown, reason = problems[0]
        return None, Rejection(report_type, reason, file, row, name, shown)
    reason = "; ".join(f"{name}: {why}" for name, _shown, why in problems)
    return None, Rejection(report_type, reason[:500], file, row, ", ".join(p[0] for p in problems)[:60], problems[0][1])


def rows_validate(
    report_type: str, raw_rows: Iterable[tuple[int | None, Mapping[str, Any]]], *, file: str = ""
) -> SourceBatch:
    """Validate numbered raw rows into a batch: every row ends up either in `rows` or in `rejected`."""
    batch = SourceBatch(report_type=report_type, files=[file] if file else [])
    for number, raw in raw_rows:
        values, rejection = row_validate(report_type, raw, file=file, row=number)
        if rejection is None:
            batch.rows.append(values)
        else:
            batch.rejected.append(rejection)
    return batch
