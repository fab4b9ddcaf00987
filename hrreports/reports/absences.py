"""The absence report: per employee and absence type the spells, calendar days and working days in
the month, and the unit's sick-leave rate compared with the previous month and the same month a year ago."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from ..models import Absence, Employment, WorkUnit
from ..models.records import AbsenceCategory
from ..periods import period_last_day, period_shift
from ..workdays import working_days
from .common import periods_fetched, report_units

RATE_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class AbsenceRow:
    employee_id: int
    employee_name: str
    unit_code: str
    type_code: str
    type_name: str
    category: str
    spells: int
    calendar_days: int
    working_days: int


@dataclass(frozen=True)
class AbsenceSummary:
    """The unit's totals of one month. `sick_rate` is a percentage, None when nothing was planned."""

    period: date
    fetched: bool
    spells: int
    calendar_days: int
    working_days: int
    sick_spells: int
    sick_working_days: int
    planned_working_days: Decimal
    sick_rate: Decimal | None


@dataclass(frozen=True)
class AbsenceReport:
    unit: WorkUnit
    period: date
    include_subunits: bool
    rows: list[AbsenceRow] = field(default_factory=list)
    current: AbsenceSummary | None = None
    previous_month: AbsenceSummary | None = None
    previous_year: AbsenceSummary | None = None

    @property
    def fetched(self) -> bool:
        return self.current is not None and self.current.fetched


def _overlapping(queryset, first: date, last: date):
    """Rows whose [start, end] overlaps the month (open start or end counts as unbounded)."""
    return queryset.filter(Q(start__isnull=True) | Q(start__lte=last)).filter(Q(end__isnull=True) | Q(end__gte=first))


def _month_absences(units, period: date, categories: set[str] | None):
    first, last = period, period_last_day(period)
    absences = Absence.objects.filter(unit__in=units, start__lte=last, end__gte=first)
    if categories is not None:
        absences = absences.filter(absence_type__category__in=categories)
    return absences.select_related("absence_type", "employment__employee", "unit")


def _clipped_days(start: date, end: date, first: date, last: date) -> tuple[int, int]:
    """(calendar days, working days) of [start, end] that fall inside [first, last]."""
    start, end = max(start, first), min(end, last)
    return (end - start).days + 1, working_days(start, end)


def _planned_working_days(employments: list[tuple], period: date) -> Decimal:
    """Working days the employments (start, end, working time %) were planned to work in the month."""
    first, last = period, period_last_day(period)
    total = Decimal(0)
    for start, end, percent in employments:
        if (start is None or start <= last) and (end is None or end >= first):
            days = working_days(max(start or first, first), min(end or last, last))
            total += Decimal(days) * percent / 100
    return total


def _rate(sick: int, planned: Decimal) -> Decimal | None:
    if planned <= 0:
        return None
    return (Decimal(sick) * 100 / planned).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _summarise(
    period: date, *, fetched: bool, absences: list[tuple], employments: list[tuple], categories: set[str] | None
) -> AbsenceSummary:
    """One month's summary from the absences (start, end, category) and employments (start, end,
    working time %) of a span of months that includes it (the rate always counts sick leave)."""
    first, last = period, period_last_day(period)
    spells = calendar = working = sick_spells = sick_working = 0
    for start, end, category in absences:
        if start > last or end < first:
            continue
        cal, work = _clipped_days(start, end, first, last)
        if category == AbsenceCategory.SICK_LEAVE:
            sick_spells += 1
            sick_working += work
        if categories is None or category in categories:
            spells += 1
            calendar += cal
            working += work
    planned = _planned_working_days(employments, period)
    return AbsenceSummary(
        period=period,
        fetched=fetched,
        spells=spells,
        calendar_days=calendar,
        working_days=working,
        sick_spells=sick_spells,
        sick_working_days=sick_working,
        planned_working_days=planned,
        sick_rate=_rate(sick_working, planned),
    )


def _summaries(unit: WorkUnit, months: list[date], *, include_subunits: bool, categories: set[str] | None):
    """The summaries of `months` (oldest first) in three queries, however many months."""
    units = report_units(unit, include_subunits=include_subunits)
    first, last = months[0], period_last_day(months[-1])
    absences = list(
        Absence.objects.filter(unit__in=units, start__lte=last, end__gte=first).values_list(
            "start", "end", "absence_type__category"
        )
    )
    employments = list(
        _overlapping(Employment.objects.filter(unit__in=units), first, last).values_list(
            "start", "end", "working_time_percent"
        )
    )
    fetched = periods_fetched(months)
    return [
        _summarise(month, fetched=month in fetched, absences=absences, employments=employments, categories=categories)
        for month in months
    ]


def absence_summary(
    unit: WorkUnit, period: date, *, include_subunits: bool = False, categories: set[str] | None = None
) -> AbsenceSummary:
    """The unit's absence totals and sick-leave rate for one month (the rate always counts sick leave)."""
    [summary] = _summaries(unit, [period], include_subunits=include_subunits, categories=categories)
    return summary


def absence_report(
    unit: WorkUnit, period: date, *, include_subunits: bool = False, categories: set[str] | None = None
) -> AbsenceReport:
    """Per employee and absence type: spells overlapping the month, and their days inside the month.

    `categories` (absence categories) narrows the rows, e.g. for a subscription that wants sick leave only.
    """
    units = report_units(unit, include_subunits=include_subunits)
    first, last = period, period_last_day(period)
    grouped: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for absence in _month_absences(units, period, categories):
        employee = absence.employment.employee
        kind = absence.absence_type
        key = (employee.pk, employee.name, absence.unit.code, kind.code, kind.name, kind.category)
        cal, work = _clipped_days(absence.start, absence.end, first, last)
        grouped[key][0] += 1
        grouped[key][1] += cal
        grouped[key][2] += work
    rows = [
        AbsenceRow(
            employee_id=key[0],
            employee_name=key[1],
            unit_code=key[2],
            type_code=key[3],
            type_name=key[4],
            category=key[5],
            spells=spells,
            calendar_days=cal,
            working_days=work,
        )
        for key, (spells, cal, work) in grouped.items()
    ]
    rows.sort(key=lambda row: (row.employee_name, row.type_code))

    previous_year, previous_month, current = _summaries(
        unit,
        [period_shift(period, -12), period_shift(period, -1), period],
        include_subunits=include_subunits,
        categories=categories,
    )
    return AbsenceReport(
        unit=unit,
        period=period,
        include_subunits=include_subunits,
        rows=rows,
        current=current,
        previous_month=previous_month,
        previous_year=previous_year,
    )


TREND_MONTHS = 12


def absence_trend(
    unit: WorkUnit, period: date, *, include_subunits: bool = False, categories: set[str] | None = None
) -> list[AbsenceSummary]:
    """The unit's summaries of the `TREND_MONTHS` months up to and including `period`, oldest first:
    the figures behind the charts of absences by month and of the sick-leave rate."""
    months = [period_shift(period, -offset) for offset in reversed(range(TREND_MONTHS))]
    return _summaries(unit, months, include_subunits=include_subunits, categories=categories)
