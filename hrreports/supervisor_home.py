"""Reads behind the supervisor's home, the landing page of the unit reports: the month at a glance over
every unit the user may see, and the open early-support cases, one per person.

The figures come from the same functions as the unit reports (hrreports.reports), over the user's
whole scope (hrreports.selectors.units_visible_to) instead of one unit."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Max, QuerySet
from django.utils import timezone

from .models import Alert, Employee, FetchRun, WorkUnit
from .models.fetching import RunStatus
from .periods import period_last_full, period_shift
from .reports import TREND_MONTHS, AbsenceSummary, absence_summaries, employments_started_ended, salary_total
from .selectors import alerts_visible_to, units_visible_to

# The closed and expired cases listed under the open ones, newest first, at most.
EARLIER_ALERTS_SHOWN = 100


@dataclass(frozen=True)
class RateComparison:
    """This month's sick-leave rate against another month's: `change` in percentage points, None when
    either month has no rate (nothing fetched or nothing planned)."""

    other: AbsenceSummary
    change: Decimal | None

    @property
    def size(self) -> Decimal | None:
        return None if self.change is None else abs(self.change)


@dataclass(frozen=True)
class MonthAtGlance:
    """The month's figures of all the user's units together; `trend` is the `TREND_MONTHS` months up to
    and including `period`, oldest first."""

    period: date
    unit_count: int
    trend: list[AbsenceSummary]
    previous_month: RateComparison
    previous_year: RateComparison
    started: int
    ended: int
    salaries: Decimal
    previous_salaries: Decimal | None  # None when the previous month has not been fetched

    @property
    def current(self) -> AbsenceSummary:
        return self.trend[-1]

    @property
    def fetched(self) -> bool:
        return self.current.fetched


def glance_period(*, today: date) -> date:
    """The month the home shows: the newest month some source has fetched, up to the last full month
    (before the month's fetch is done, the month before it); the last full month when none is."""
    last_full = period_last_full(today)
    newest = FetchRun.objects.filter(status=RunStatus.DONE, period__lte=last_full).aggregate(newest=Max("period"))
    return newest["newest"] or last_full


def _comparison(current: AbsenceSummary, other: AbsenceSummary) -> RateComparison:
    comparable = current.fetched and other.fetched and None not in (current.sick_rate, other.sick_rate)
    return RateComparison(other=other, change=current.sick_rate - other.sick_rate if comparable else None)


def month_at_glance(user, *, today: date | None = None) -> MonthAtGlance | None:
    """The month's absence rate (against the previous month and the same month last year), employments
    started and ended, and salaries paid, over the units `user` may see; None when they see none."""
    today = today or timezone.localdate()
    units = units_visible_to(user, on=today)
    unit_count = units.count()
    if not unit_count:
        return None
    period = glance_period(today=today)
    months = [period_shift(period, -12)] + [period_shift(period, -offset) for offset in reversed(range(TREND_MONTHS))]
    last_year, *trend = absence_summaries(units, months)
    started, ended = employments_started_ended(units, period)
    return MonthAtGlance(
        period=period,
        unit_count=unit_count,
        trend=trend,
        previous_month=_comparison(trend[-1], trend[-2]),
        previous_year=_comparison(trend[-1], last_year),
        started=started.count(),
        ended=ended.count(),
        salaries=salary_total(units, period),
        previous_salaries=salary_total(units, trend[-2].period) if trend[-2].fetched else None,
    )


@dataclass
class EarlySupportCase:
    """One person's alerts: the rules they reached, newest step first (the step with the highest
    rule order is the one to act on next)."""

    employee: Employee
    unit: WorkUnit
    alerts: list[Alert] = field(default_factory=list)

    @property
    def since(self) -> date:
        """The first day a threshold of the case was reached (the alert's month when the day is unknown)."""
        return min(alert.reached_on or alert.period for alert in self.alerts)

    @property
    def next_step(self) -> Alert:
        return self.alerts[0]

    @property
    def others(self) -> list[Alert]:
        return self.alerts[1:]


@dataclass(frozen=True)
class EarlySupportCases:
    """`open`: people with an open alert still within its rule's window, the longest waiting first.
    `earlier`: alerts acknowledged, or left open past their rule's window, newest first."""

    open: list[EarlySupportCase]
    earlier: list[EarlySupportCase]


def alert_is_current(alert: Alert, *, as_of: date) -> bool:
    """Open and raised within its rule's window of months ending with `as_of`, the newest month of data
    (glance_period): the rule counts those months, so an older alert says nothing about the person now."""
    return alert.is_open and alert.period >= period_shift(as_of, -(alert.rule.months - 1))


def _grouped(alerts: list[Alert]) -> list[EarlySupportCase]:
    cases: dict[int, EarlySupportCase] = {}
    for alert in alerts:
        case = cases.setdefault(alert.employee_id, EarlySupportCase(employee=alert.employee, unit=alert.unit))
        case.alerts.append(alert)
    for case in cases.values():
        case.alerts.sort(key=lambda alert: (alert.rule.order, alert.period), reverse=True)
    return list(cases.values())


def early_support_cases(
    user, *, today: date | None = None, units: QuerySet[WorkUnit] | None = None
) -> EarlySupportCases:
    """The early-support alerts of the units `user` may see (optionally narrowed to `units`), one case
    per person: the open ones within their rule's window, and the earlier ones folded apart."""
    as_of = glance_period(today=today or timezone.localdate())
    alerts = alerts_visible_to(user, units=units)
    current, expired = [], []
    for alert in alerts.filter(acknowledged_at__isnull=True):
        (current if alert_is_current(alert, as_of=as_of) else expired).append(alert)
    closed = list(alerts.filter(acknowledged_at__isnull=False).order_by("-period", "-pk")[:EARLIER_ALERTS_SHOWN])
    earlier = sorted(expired + closed, key=lambda alert: (alert.period, alert.pk), reverse=True)
    open_cases = sorted(_grouped(current), key=lambda case: (case.since, case.employee.name))
    return EarlySupportCases(open=open_cases, earlier=_grouped(earlier[:EARLIER_ALERTS_SHOWN]))


def open_case_count(user, *, units: QuerySet[WorkUnit] | None = None) -> int:
    """How many people have an open early-support case in the units `user` may see (or `units` of them)."""
    as_of = glance_period(today=timezone.localdate())
    alerts = alerts_visible_to(user, open_only=True, units=units)
    return len({alert.employee_id for alert in alerts if alert_is_current(alert, as_of=as_of)})
