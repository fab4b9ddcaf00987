"""The employments report: who started, who left and who moved in or out in the month, with title, kind
and dates.

A month's report is of the units the employments were in that month, as its employments file gave them
(EmploymentMonth): a move to another unit in a later month does not take a start or an end away from the
unit it happened in. An employment with no file of the month counts in the unit it is in now. A move shows
only as two months' files in two units (Populus gives no day for it): the unit left and the unit joined
are both told of it, in the month whose file first has the new unit."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from ..models import Employment, EmploymentMonth, WorkUnit
from ..periods import period_last_day, period_shift
from ..workdays import working_days
from .common import period_fetched, report_units

ONE_DAY = timedelta(days=1)
# The longest run of days off between two working days in Finland (Christmas Eve to Boxing Day over a weekend),
# and a day more: how far apart an end and a start that `_follows` joins can be.
DAYS_OFF_AT_MOST = timedelta(days=6)


@dataclass(frozen=True)
class EmploymentRow:
    employee_id: int
    employee_name: str
    employment_id: str
    unit_code: str  # the report's unit in the month; for a move out, the unit left
    title: str
    kind: str
    kind_label: str
    start: date | None
    end: date | None
    other_unit_code: str  # for a move: the unit before (moved in) or after (moved out); otherwise ""
    # For a start or an end in a chain of employments: the employment it continues or that continues it.
    chained_with: str


@dataclass(frozen=True)
class EmploymentEvent(EmploymentRow):
    """One line of the report's table: an employment that started, ended, moved in or moved out in the month."""

    event: str


@dataclass(frozen=True)
class EmploymentReport:
    unit: WorkUnit
    period: date
    include_subunits: bool
    fetched: bool
    started: list[EmploymentRow] = field(default_factory=list)
    ended: list[EmploymentRow] = field(default_factory=list)
    moved_in: list[EmploymentRow] = field(default_factory=list)
    moved_out: list[EmploymentRow] = field(default_factory=list)


def _row(employment: Employment, *, other_unit_code: str = "", chained_with: str = "") -> EmploymentRow:
    return EmploymentRow(
        employee_id=employment.employee_id,
        employee_name=employment.employee.name,
        employment_id=employment.employment_id,
        unit_code=employment.unit_in_month,
        title=employment.title,
        kind=employment.kind,
        kind_label=str(employment.get_kind_display()),
        start=employment.start,
        end=employment.end,
        other_unit_code=other_unit_code,
        chained_with=chained_with,
    )


def _follows(end: date, start: date) -> bool:
    """Whether an employment starting on `start` continues one that ended on `end`: on that day or after only
    days off (a contract ending on a Friday, the next beginning on Monday, or after Easter, is one stretch of
    work for HR; a working day between is a break)."""
    return end <= start and working_days(end + ONE_DAY, start - ONE_DAY) == 0


def _chains(started: list[Employment], ended: list[Employment]) -> tuple[dict[int, str], dict[int, str]]:
    """The chains among the month's starts and ends: an employment of the person that begins the day
    after another ends (or on that day, or after only days off between) continues it, as fixed-term contracts
    follow each other. Returns (started employment pk -> the employment id it continues, ended employment
    pk -> the one continuing it)."""
    people = {employment.employee_id for employment in [*started, *ended]}
    if not people:
        return {}, {}
    dates = [e.start for e in started if e.start] + [e.end for e in ended if e.end]
    first, last = min(dates) - DAYS_OFF_AT_MOST, max(dates) + DAYS_OFF_AT_MOST
    others = list(
        Employment.objects.filter(employee_id__in=people)
        .filter(Q(start__gte=first, start__lte=last) | Q(end__gte=first, end__lte=last))
        .values_list("pk", "employee_id", "employment_id", "start", "end")
    )

    def chained(employment: Employment, *, before: bool) -> str:
        for pk, employee_id, employment_id, start, end in others:
            if pk == employment.pk or employee_id != employment.employee_id:
                continue
            if before and end is not None and _follows(end, employment.start):
                return employment_id
            if not before and start is not None and _follows(employment.end, start):
                return employment_id
        return ""

    return (
        {e.pk: chained(e, before=True) for e in started if e.start},
        {e.pk: chained(e, before=False) for e in ended if e.end},
    )


def _unit_code_in(period: date) -> Subquery:
    return Subquery(EmploymentMonth.objects.filter(employment=OuterRef("pk"), period=period).values("unit__code")[:1])


def _employments_in(units: QuerySet[WorkUnit], period: date) -> QuerySet[Employment]:
    """The employments in `units` in `period`: by the month's employments file, or as they are now when that
    file did not give them; annotated with the code of their unit in the month (`unit_in_month`). Of those the
    file did not give, only the ones starting or ending in the month are the month's staff (reports.common:
    `staff_unlisted_counts`), and only those have a start or an end to report."""
    recorded = EmploymentMonth.objects.filter(period=period)
    here = Q(pk__in=recorded.filter(unit__in=units).values("employment_id")) | (
        Q(unit__in=units) & ~Q(pk__in=recorded.values("employment_id"))
    )
    return (
        Employment.objects.filter(here)
        .select_related("employee")
        .annotate(unit_in_month=Coalesce(_unit_code_in(period), F("unit__code")))
    )


def employments_started_ended(units: QuerySet[WorkUnit], period: date) -> tuple[QuerySet, QuerySet]:
    """The employments of `units` that started within the month, and those that ended within it."""
    first, last = period, period_last_day(period)
    employments = _employments_in(units, period)
    started = employments.filter(start__gte=first, start__lte=last).order_by("start", "employee__name")
    ended = employments.filter(end__gte=first, end__lte=last).order_by("end", "employee__name")
    return started, ended


def employments_moved(units: QuerySet[WorkUnit], period: date) -> tuple[QuerySet, QuerySet]:
    """The employments that moved into `units` in the month (in another unit in the month before's file, in
    one of `units` in this month's), and those that moved out of them; each annotated with the code of its
    unit among `units` (`unit_in_month`: the one joined, or the one left) and of the other unit (`other_unit`)."""
    previous = period_shift(period, -1)
    before = EmploymentMonth.objects.filter(period=previous)
    now = EmploymentMonth.objects.filter(period=period)
    moved_in = now.filter(unit__in=units, employment__in=before.exclude(unit__in=units).values("employment_id"))
    moved_out = before.filter(unit__in=units, employment__in=now.exclude(unit__in=units).values("employment_id"))
    employments = Employment.objects.select_related("employee").order_by("employee__name")
    return (
        employments.filter(pk__in=moved_in.values("employment_id")).annotate(
            unit_in_month=_unit_code_in(period), other_unit=_unit_code_in(previous)
        ),
        employments.filter(pk__in=moved_out.values("employment_id")).annotate(
            unit_in_month=_unit_code_in(previous), other_unit=_unit_code_in(period)
        ),
    )


def employment_report(unit: WorkUnit, period: date, *, include_subunits: bool = False) -> EmploymentReport:
    """Employments of the unit that started, ended, moved in and moved out within the month."""
    units = report_units(unit, include_subunits=include_subunits)
    started, ended = employments_started_ended(units, period)
    started, ended = list(started), list(ended)
    continues, continued_by = _chains(started, ended)
    moved_in, moved_out = employments_moved(units, period)
    return EmploymentReport(
        unit=unit,
        period=period,
        include_subunits=include_subunits,
        fetched=period_fetched(period, units=units),
        started=[_row(employment, chained_with=continues.get(employment.pk, "")) for employment in started],
        ended=[_row(employment, chained_with=continued_by.get(employment.pk, "")) for employment in ended],
        moved_in=[_row(employment, other_unit_code=employment.other_unit) for employment in moved_in],
        moved_out=[_row(employment, other_unit_code=employment.other_unit) for employment in moved_out],
    )


def employment_events(report: EmploymentReport) -> list[EmploymentEvent]:
    """Every started, ended, moved-in and moved-out employment as a table line, in that order; a start or
    an end in a chain of employments names the employment on the other side, so that a fixed-term contract
    followed by the next does not read as someone leaving."""
    events = [
        EmploymentEvent(
            **vars(row),
            event=_("Started; continues %(employment)s") % {"employment": row.chained_with}
            if row.chained_with
            else _("Started"),
        )
        for row in report.started
    ]
    events += [
        EmploymentEvent(
            **vars(row),
            event=_("Ended; continues in %(employment)s") % {"employment": row.chained_with}
            if row.chained_with
            else _("Ended"),
        )
        for row in report.ended
    ]
    events += [
        EmploymentEvent(**vars(row), event=_("Moved in from %(unit)s") % {"unit": row.other_unit_code})
        for row in report.moved_in
    ]
    events += [
        EmploymentEvent(**vars(row), event=_("Moved out to %(unit)s") % {"unit": row.other_unit_code})
        for row in report.moved_out
    ]
    return events
