"""The columns of each report, by a stable key: what a subscriber may choose to show ("columns shown"),
and what the table, the XLSX/CSV sheet and the PDF all render. The keys are the row dataclasses' fields."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kuntaportaali.spreadsheets import EUROS, INTEGER

DAYS = "General"  # whole days as 5, half days as 4,5


@dataclass(frozen=True)
class ReportColumn:
    key: str
    label: Promise
    width: int
    number_format: str | None = None

    @property
    def numeric(self) -> bool:
        return self.number_format is not None

    def value(self, row):
        return getattr(row, self.key)


REPORT_COLUMNS: dict[str, tuple[ReportColumn, ...]] = {
    "absences": (
        ReportColumn("employee_name", _("Employee"), 28),
        ReportColumn("unit_code", _("Unit"), 10),
        ReportColumn("type_code", _("Absence type code"), 10),
        ReportColumn("type_name", _("Absence type"), 32),
        ReportColumn("spells", _("Spells"), 10, INTEGER),
        ReportColumn("calendar_days", _("Calendar days"), 12, DAYS),
        ReportColumn("working_days", _("Working days"), 12, DAYS),
    ),
    "salaries": (
        ReportColumn("employee_name", _("Employee"), 28),
        ReportColumn("unit_code", _("Unit"), 10),
        ReportColumn("type_code", _("Salary type code"), 10),
        ReportColumn("type_name", _("Salary type"), 32),
        ReportColumn("amount", _("Amount (EUR)"), 14, EUROS),
    ),
    "employments": (
        ReportColumn("event", _("Event"), 12),
        ReportColumn("employee_name", _("Employee"), 28),
        ReportColumn("employment_id", _("Employment id"), 14),
        ReportColumn("unit_code", _("Unit"), 10),
        ReportColumn("title", _("Title"), 28),
        ReportColumn("kind_label", _("Kind"), 14),
        ReportColumn("start", _("Start"), 12),
        ReportColumn("end", _("End"), 12),
    ),
}


def column_keys(kind: str) -> list[str]:
    return [column.key for column in REPORT_COLUMNS[kind]]


def column_choices(kind: str) -> list[tuple[str, Promise]]:
    return [(column.key, column.label) for column in REPORT_COLUMNS[kind]]


def columns_chosen(kind: str, keys: Iterable[str] | None) -> list[ReportColumn]:
    """The report's columns among `keys`, in the report's own order; none chosen means every column.
    Unknown keys are ignored here: `columns_validate` refuses them when a choice is saved."""
    wanted = set(keys or ())
    chosen = [column for column in REPORT_COLUMNS[kind] if column.key in wanted]
    return chosen or list(REPORT_COLUMNS[kind])


def columns_validate(choice: dict[str, Sequence[str]]) -> dict[str, list[str]]:
    """A subscription's column choice, cleaned: {report: [known keys in the report's order]}. A report
    whose choice is every column (or none) is left out, so it follows later additions. Raises
    ValueError naming the report or the column that is not known."""
    cleaned = {}
    for kind, keys in (choice or {}).items():
        if kind not in REPORT_COLUMNS:
            raise ValueError(kind)
        unknown = set(keys) - set(column_keys(kind))
        if unknown:
            raise ValueError(sorted(unknown)[0])
        ordered = [key for key in column_keys(kind) if key in set(keys)]
        if ordered and ordered != column_keys(kind):
            cleaned[kind] = ordered
    return cleaned
