"""The absence report: per employee and absence type the spells, calendar days and working days in
the month, and the unit's sick-leave rate compared with the previous month and the same month a year ago.
A month's figures come from the absences its own file reported (hrreports.spells). A spell is counted once,
in the row of the absence that began it: the rows' spells add up to the month's.

The sick-leave rate (sairauspoissaoloprosentti) is, as KT Kuntatyönantajat defines it for the municipal
personnel report, the share of the theoretical regular working time lost to sick leave: both sides are the
calendar's working days (Monday to Friday without public holidays) weighted by each employment's working
time that month. A 50 % part-timer's planned day is half a day, and so is her sick day: a week of sick leave
costs her 2.5 of her 2.5 planned days (100 %), not 5 (200 %). The sick side is counted from the days the
absence covers, not from the working days Populus stored, which for a part-timer may already be her own
(2.5 a week) and would then be weighted twice; a half day counts as half, and a day of an employment that
overlapping rows cover counts once. The table shows that weighted figure beside the planned days it is divided
by; the rows keep the working days as Populus gave them."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet

from ..models import Absence, AbsenceType, Employment, EmploymentMonth, WorkUnit
from ..models.records import AbsenceCategory
from ..periods import period_last_day, period_shift
from ..spells import (
    PIECE_FIELDS,
    Piece,
    absences_counted,
    day_count,
    months_deleted_late,
    months_reported_late,
    piece_month,
    piece_of,
    spell_starts,
    spells_count,
)
from ..workdays import working_days
from .common import periods_fetched, report_units, staff_unlisted_counts

RATE_PLACES = Decimal("0.1")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class AbsenceRow:
    employee_id: int
    employee_name: str
    unit_code: str
    type_code: str
    type_name: str
    category: str
    spells: int
    calendar_days: int | Decimal
    working_days: int | Decimal
    type_name_language: str = "fi"


@dataclass(frozen=True)
class AbsenceSummary:
    """The unit's totals of one month. `sick_rate` is a percentage, None when nothing was planned."""

    period: date
    fetched: bool
    spells: int
    calendar_days: int | Decimal
    working_days: int | Decimal
    sick_spells: int
    sick_working_days: int | Decimal
    # The planned working days lost to sick leave: the rate's numerator, weighted by working time as the
    # planned days are.
    sick_planned_days: Decimal
    planned_working_days: Decimal
    sick_rate: Decimal | None
    # The month's rows reported in a later month's file (registered in Populus after the month was fetched)
    # that no earlier file gave so (hrreports.spells: `months_reported_late`): counted, and said, as the
    # figures differ from those of the report sent for the month.
    reported_late: int = 0
    # The month's absences a later month's file deleted (`months_deleted_late`): no longer counted, and said.
    deleted_late: int = 0


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

    @property
    def summaries(self) -> list[AbsenceSummary]:
        """This month's, the previous month's and the same month's a year ago, those there are."""
        return [s for s in (self.current, self.previous_month, self.previous_year) if s is not None]


def _overlapping(queryset, first: date, last: date):
    """Rows whose [start, end] overlaps the month (open start or end counts as unbounded)."""
    return queryset.filter(Q(start__isnull=True) | Q(start__lte=last)).filter(Q(end__isnull=True) | Q(end__gte=first))


def _staff(units: QuerySet[WorkUnit], months: list[date]) -> dict[date, list[tuple]]:
    """Each month's staff in `units` (reports.common: `staff_unlisted_counts`) as (employment pk, employee pk,
    start, end, working time %): as that month's employments file gave them (EmploymentMonth), so that a later move or a
    new working time leaves the month as it was; an employment the file did not give, as it stands now."""
    first, last = months[0], period_last_day(months[-1])
    staff: dict[date, list[tuple]] = defaultdict(list)
    in_months = EmploymentMonth.objects.filter(period__in=months)
    for period, *values in in_months.filter(unit__in=units).values_list(
        "period", "employment_id", "employment__employee_id", "start", "end", "working_time_percent"
    ):
        staff[period].append(tuple(values))
    files = set(in_months.values_list("source_id", "period").distinct())
    current = _overlapping(Employment.objects.filter(unit__in=units), first, last)
    recorded = set(in_months.filter(employment__in=current.values("pk")).values_list("employment_id", "period"))
    for pk, employee, source_id, start, end, percent in current.values_list(
        "pk", "employee_id", "source_id", "start", "end", "working_time_percent"
    ):
        for period in months:
            if (pk, period) not in recorded and staff_unlisted_counts(
                start, end, period, file_given=(source_id, period) in files
            ):
                staff[period].append((pk, employee, start, end, percent))
    return staff


def _share_of_full_time(percent: Decimal | None) -> Decimal:
    """An employment whose working time Populus did not give counts as full time."""
    return Decimal(100 if percent is None else percent) / 100


def _planned_working_days(employments: list[tuple], period: date) -> Decimal:
    """Working days the employments (pk, employee pk, start, end, working time %) were planned to work in the
    month. An employment that ends on the day the next of the person's begins (Populus ends a contract on the
    day the one following it starts, or on the day before) hands that day over: it is the next one's."""
    first, last = period, period_last_day(period)
    starts = {(employee, start) for _pk, employee, start, _end, _percent in employments if start is not None}
    total = Decimal(0)
    for _pk, employee, start, end, percent in employments:
        if end is not None and (employee, end) in starts and start != end:
            end -= ONE_DAY
        if (start is None or start <= last) and (end is None or end >= first):
            days = working_days(max(start or first, first), min(end or last, last))
            total += Decimal(days) * _share_of_full_time(percent)
    return total


def _sick_planned_days(sick: list[Piece], working_times: dict[int, Decimal | None]) -> Decimal:
    """The planned working days the sick-leave pieces took: the calendar's working days each covers, at the
    part of the day it was absent (its calendar days over its length), weighted by its employment's working
    time (`working_times`: employment pk -> working time %). A day of an employment that several of its rows
    cover (an own notice and the certificate from the day of the visit) is lost once, at the largest part;
    the same day on another employment is that one's planned time, lost too."""
    lost: dict[tuple[int, date], Decimal] = {}
    for piece in sick:
        part_of_day = piece.calendar_days / ((piece.end - piece.start).days + 1)
        day = piece.start
        while day <= piece.end:
            if working_days(day, day):
                key = (piece.employment_id, day)
                lost[key] = max(lost.get(key, Decimal(0)), part_of_day)
            day += ONE_DAY
    return sum(
        (part * _share_of_full_time(working_times.get(employment)) for (employment, _day), part in lost.items()),
        Decimal(0),
    )


def _rate(sick: Decimal, planned: Decimal) -> Decimal | None:
    if planned <= 0:
        return None
    return (sick * 100 / planned).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _summarise(
    period: date,
    *,
    fetched: bool,
    pieces: list[Piece],
    employments: list[tuple],
    working_times: dict[int, Decimal | None],
    categories: set[str] | None,
    reported_late: int,
    deleted_late: int,
) -> AbsenceSummary:
    """One month's summary from its pieces of absence and its employments (`_staff`) (the rate always counts
    sick leave). `working_times` gives the working time of every employment with a piece: the month's where it
    was on the month's staff."""
    chosen = [piece for piece in pieces if categories is None or piece.category in categories]
    sick = [piece for piece in pieces if piece.category == AbsenceCategory.SICK_LEAVE]
    sick_working = sum((piece.working_days for piece in sick), Decimal(0))
    sick_planned = _sick_planned_days(
        sick, working_times | {pk: percent for pk, _employee, _s, _e, percent in employments}
    )
    planned = _planned_working_days(employments, period)
    return AbsenceSummary(
        period=period,
        fetched=fetched,
        spells=spells_count(chosen),
        calendar_days=day_count(sum((piece.calendar_days for piece in chosen), Decimal(0))),
        working_days=day_count(sum((piece.working_days for piece in chosen), Decimal(0))),
        sick_spells=spells_count(sick),
        sick_working_days=day_count(sick_working),
        sick_planned_days=sick_planned,
        planned_working_days=planned,
        sick_rate=_rate(sick_planned, planned),
        reported_late=reported_late,
        deleted_late=deleted_late,
    )


def _summaries(unit: WorkUnit, months: list[date], *, include_subunits: bool, categories: set[str] | None):
    return absence_summaries(report_units(unit, include_subunits=include_subunits), months, categories=categories)


def absence_summaries(
    units: QuerySet[WorkUnit], months: list[date], *, categories: set[str] | None = None
) -> list[AbsenceSummary]:
    """The summaries of `months` (oldest first) of all of `units` together: a supervisor's whole scope as
    well as one unit. The absences and the staff in seven queries however many months, and two a month for
    the sources whose fetch of the month it waits for (`periods_fetched`). Each month counts the absences
    of its own file only (hrreports.spells) and its own staff (`_staff`)."""
    by_month: dict[date, list[Piece]] = defaultdict(list)
    in_months = Absence.objects.filter(unit__in=units, period__in=months)
    absences = absences_counted(in_months)
    chosen = in_months if categories is None else in_months.filter(absence_type__category__in=categories)
    reported_late, deleted_late = months_reported_late(chosen), months_deleted_late(chosen)
    for values in absences.values_list(*PIECE_FIELDS):
        piece = piece_of(*values)
        if piece is not None:
            by_month[piece_month(piece)].append(piece)
    staff = _staff(units, months)
    # An employment with absences but not on the month's staff (known from the absence only) at its working
    # time as it stands now.
    working_times = dict(
        Employment.objects.filter(
            pk__in={piece.employment_id for pieces in by_month.values() for piece in pieces}
        ).values_list("pk", "working_time_percent")
    )
    fetched = periods_fetched(months, units=units)
    return [
        _summarise(
            month,
            fetched=month in fetched,
            pieces=by_month[month],
            employments=staff[month],
            working_times=working_times,
            categories=categories,
            reported_late=reported_late.get(month, 0),
            deleted_late=deleted_late.get(month, 0),
        )
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
    """Per employee and absence type: the spells in the month, and their days in the month.

    `categories` (absence categories) narrows the rows, e.g. for a subscription that wants sick leave only.
    """
    units = report_units(unit, include_subunits=include_subunits)
    absences = absences_counted(Absence.objects.filter(unit__in=units, period=period))
    if categories is not None:
        absences = absences.filter(absence_type__category__in=categories)
    grouped: dict[tuple, list[Piece]] = defaultdict(list)
    for *values, employee_name, unit_code, type_code in absences.values_list(
        *PIECE_FIELDS, "employment__employee__name", "unit__code", "absence_type__code"
    ):
        piece = piece_of(*values)
        if piece is not None:
            grouped[(piece.employee_id, employee_name, unit_code, type_code, piece.category)].append(piece)
    starts = spell_starts(piece for pieces in grouped.values() for piece in pieces)
    type_names = {
        kind.code: (kind.name, kind.name_language)
        for kind in AbsenceType.objects.filter(code__in={key[3] for key in grouped})
    }
    rows = [
        AbsenceRow(
            employee_id=key[0],
            employee_name=key[1],
            unit_code=key[2],
            type_code=key[3],
            type_name=type_names[key[3]][0],
            type_name_language=type_names[key[3]][1],
            category=key[4],
            spells=sum(1 for piece in pieces if piece in starts),
            calendar_days=day_count(sum((piece.calendar_days for piece in pieces), Decimal(0))),
            working_days=day_count(sum((piece.working_days for piece in pieces), Decimal(0))),
        )
        for key, pieces in grouped.items()
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
