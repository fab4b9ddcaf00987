"""The employments report: who started and who left in the month, with title, kind and dates."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ..models import Employment, WorkUnit
from ..periods import period_last_day
from .common import period_fetched, report_units


@dataclass(frozen=True)
class EmploymentRow:
    employee_id: int
    employee_name: str
    employment_id: str
    unit_code: str
    title: str
    kind: str
    kind_label: str
    start: date | None
    end: date | None


@dataclass(frozen=True)
class EmploymentEvent(EmploymentRow):
    """One line of the report's table: an employment that started, or one that ended, in the month."""

    event: str


@dataclass(frozen=True)
class EmploymentReport:
    unit: WorkUnit
    period: date
    include_subunits: bool
    fetched: bool
    started: list[EmploymentRow] = field(default_factory=list)
    ended: list[EmploymentRow] = field(default_factory=list)


def _row(employment: Employment) -> EmploymentRow:
    return EmploymentRow(
        employee_id=employment.employee_id,
        employee_name=employment.employee.name,
        employment_id=employment.employment_id,
        unit_code=employment.unit.code,
        title=employment.title,
        kind=employment.kind,
        kind_label=str(employment.get_kind_display()),
        start=employment.start,
        end=employment.end,
    )


def employments_started_ended(units: QuerySet[WorkUnit], period: date) -> tuple[QuerySet, QuerySet]:
    """The employments of `units` that started within the month, and those that ended within it."""
    first, last = period, period_last_day(period)
    employments = Employment.objects.filter(unit__in=units).select_related("employee", "unit")
    started = employments.filter(start__gte=first, start__lte=last).order_by("start", "employee__name")
    ended = employments.filter(end__gte=first, end__lte=last).order_by("end", "employee__name")
    return started, ended


def employment_report(unit: WorkUnit, period: date, *, include_subunits: bool = False) -> EmploymentReport:
    """Employments of the unit that started, and those that ended, within the month."""
    units = report_units(unit, include_subunits=include_subunits)
    started, ended = employments_started_ended(units, period)
    return EmploymentReport(
        unit=unit,
        period=period,
        include_subunits=include_subunits,
        fetched=period_fetched(period, units=units),
        started=[_row(employment) for employment in started],
        ended=[_row(employment) for employment in ended],
    )


def employment_events(report: EmploymentReport) -> list[EmploymentEvent]:
    """Every started and every ended employment as a table line, started first."""
    return [
        EmploymentEvent(**vars(row), event=event)
        for event, rows in ((_("Started"), report.started), (_("Ended"), report.ended))
        for row in rows
    ]
