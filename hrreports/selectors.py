"""Reads of the HR reports. Every page and export that shows units or their records asks
`units_visible_to` which units the user may see."""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .models import (
    Absence,
    AbsenceType,
    Employee,
    Employment,
    FetchRun,
    SalaryPayment,
    SalaryType,
    Source,
    Subscription,
    SupervisorAssignment,
    WorkUnit,
)
from .models.records import EmploymentKind
from .person_numbers import person_number_search_hashes
from .reports import absence_trend, period_missing_reason, report_units
from .reports.common import period_suppliers
from .spells import absences_counted

ALL_UNITS_PERMISSION = "hrreports.view_all_units"


def units_visible_to(user, *, on: date | None = None) -> QuerySet[WorkUnit]:
    """The work units `user` may see on day `on` (default today, Helsinki time).

    Holders of `hrreports.view_all_units` (HR administration, administrators) see every unit. Anyone
    else sees the units they are a supervisor or deputy of on that day, and all their sub-units.
    """
    if not user.is_authenticated or not user.is_active:
        return WorkUnit.objects.none()
    if user.has_perm(ALL_UNITS_PERMISSION):
        return WorkUnit.objects.all()
    day = on or timezone.localdate()
    roots = list(
        SupervisorAssignment.objects.valid_on(day).filter(user=user).values_list("unit__path", flat=True).distinct()
    )
    if not roots:
        return WorkUnit.objects.none()
    scope = Q()
    for path in roots:
        scope |= Q(path__startswith=path)
    return WorkUnit.objects.filter(scope)


def unit_tree() -> list[WorkUnit]:
    """All units in tree order (by path), each with its currently valid assignments prefetched."""
    from django.db.models import Prefetch

    today = timezone.localdate()
    current = SupervisorAssignment.objects.valid_on(today).select_related("user").order_by("role", "valid_from")
    return list(
        WorkUnit.objects.prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
    )


def employees_search(*, query: str, limit: int = 50) -> QuerySet[Employee]:
    """Employees whose name contains `query`, or whose identity code or an employment id is `query`
    exactly (an identity code is stored encrypted: it is found by its keyed hash, never by a part)."""
    query = query.strip()
    if not query:
        return Employee.objects.none()
    return (
        Employee.objects.filter(
            Q(name__icontains=query)
            | Q(person_number_hash__in=person_number_search_hashes(query))
            | Q(employments__employment_id__iexact=query)
        )
        .distinct()
        .order_by("name")[:limit]
    )


def employee_employments(employee: Employee) -> QuerySet[Employment]:
    return employee.employments.select_related("unit").order_by("-start")


def employee_absences(employee: Employee) -> QuerySet[Absence]:
    """The employee's absences as the reports count them: the rows of the months' files that a later file's
    word on the same absence (a P/U pair, a changed end) has not replaced (hrreports.spells)."""
    return (
        absences_counted(Absence.objects.filter(employment__employee=employee))
        .select_related("absence_type", "unit")
        .order_by("-start", "-period")
    )


def employee_salaries(employee: Employee) -> QuerySet[SalaryPayment]:
    return (
        SalaryPayment.objects.filter(employment__employee=employee)
        .select_related("salary_type", "employment")
        .order_by("-pay_period", "salary_type__code")
    )


def sources_with_latest_run() -> list[tuple[Source, FetchRun | None]]:
    """Every source with its newest fetch run (or None), in two queries whatever their number."""
    newest = FetchRun.objects.filter(source=OuterRef("pk")).order_by("-created_at", "-pk").values("pk")[:1]
    sources = list(Source.objects.annotate(latest_run_id=Subquery(newest)))
    runs = FetchRun.objects.in_bulk([source.latest_run_id for source in sources if source.latest_run_id])
    return [(source, runs.get(source.latest_run_id)) for source in sources]


def fetch_runs_recent(*, limit: int = 100) -> QuerySet[FetchRun]:
    return FetchRun.objects.select_related("source", "created_by").order_by("-created_at", "-pk")[:limit]


def employments_visible_to(user, *, on: date | None = None) -> QuerySet[Employment]:
    """Employments in the units `user` may see (see units_visible_to)."""
    return Employment.objects.filter(unit__in=units_visible_to(user, on=on))


def absences_visible_to(user, *, on: date | None = None) -> QuerySet[Absence]:
    """Absences recorded on the units `user` may see."""
    return Absence.objects.filter(unit__in=units_visible_to(user, on=on))


def salary_payments_visible_to(user, *, on: date | None = None) -> QuerySet[SalaryPayment]:
    """Salary payments of the units `user` may see; salaries are personal data, so pages show them only
    to HR administration and to the unit's own supervisor."""
    return SalaryPayment.objects.filter(unit__in=units_visible_to(user, on=on))


def unit_visible_or_none(user, pk: int) -> WorkUnit | None:
    """The unit `pk` when `user` may see it now, else None (callers answer 404 and log the attempt)."""
    return units_visible_to(user).filter(pk=pk).first()


def report_periods(*, latest: date, limit: int = 36) -> list[date]:
    """Months some source has fetched successfully, newest first, always including `latest`."""
    from .models.fetching import RunStatus

    done = FetchRun.objects.filter(status=RunStatus.DONE).values_list("period", flat=True).distinct()
    periods = set(done.order_by("-period")[:limit]) | {latest}
    return sorted(periods, reverse=True)


def report_accesses_recent(*, limit: int = 500) -> QuerySet:
    from .models import ReportAccess

    return ReportAccess.objects.select_related("user", "unit").order_by("-created_at", "-pk")[:limit]


def alerts_visible_to(user, *, open_only: bool = False, units: QuerySet[WorkUnit] | None = None) -> QuerySet:
    """Early-support alerts of the units `user` may see (optionally narrowed to `units`), newest first."""
    from .models import Alert

    alerts = Alert.objects.filter(unit__in=units_visible_to(user))
    if units is not None:
        alerts = alerts.filter(unit__in=units)
    if open_only:
        alerts = alerts.filter(acknowledged_at__isnull=True)
    return alerts.select_related("employee", "unit", "rule", "acknowledged_by")


def delivery_runs_recent(*, limit: int = 100) -> QuerySet:
    from .models import DeliveryRun

    return DeliveryRun.objects.order_by("-started_at", "-pk")[:limit]


def delivery_minutes_saved_total() -> int:
    """Staff minutes saved by every monthly delivery run so far (each at its own minutes per report)."""
    from django.db.models import F, Sum

    from .models import DeliveryRun

    total = DeliveryRun.objects.aggregate(minutes=Sum(F("reports") * F("minutes_per_report")))["minutes"]
    return total or 0


def deliveries_failed(*, period: date, unit_code: str = "") -> QuerySet:
    """The deliveries of `period` that are failed now (optionally of one unit's subscriptions)."""
    from .models.delivery import DeliveryStatus

    return _deliveries(period=period, unit_code=unit_code, status=DeliveryStatus.FAILED)


def deliveries_waiting(*, period: date, unit_code: str = "") -> QuerySet:
    """The deliveries of `period` held back until the month's data of their units is fetched."""
    from .models.delivery import DeliveryStatus

    return _deliveries(period=period, unit_code=unit_code, status=DeliveryStatus.PENDING).exclude(reason="")


def _deliveries(*, period: date, unit_code: str, status: str) -> QuerySet:
    from .models import Delivery

    deliveries = Delivery.objects.filter(period=period, status=status)
    if unit_code:
        deliveries = deliveries.filter(subscription__unit__code=unit_code)
    return deliveries.select_related("subscription__user", "subscription__unit").order_by("subscription__unit__path")


def subscription_of(*, user, unit: WorkUnit) -> Subscription | None:
    """`user`'s subscription to `unit`'s emailed report, if any: the tailoring its pages open with."""
    return Subscription.objects.filter(user=user, unit=unit).first()


def report_type_choices(kind: str) -> list[tuple[str, str]]:
    """What the `kind` report's "type" filter offers: absence or salary types, or employment kinds."""
    if kind == "absences":
        return [(t.code, f"{t.code} {t.name}") for t in AbsenceType.objects.all()]
    if kind == "salaries":
        return [(t.code, f"{t.code} {t.name}") for t in SalaryType.objects.all()]
    return list(EmploymentKind.choices)


def report_type_languages(kind: str) -> dict[str, str]:
    """The language of each name `report_type_choices` offers, by its value: the code lists' names are Finnish
    or Swedish whatever the page's language; the employment kinds are the page's own words (none here)."""
    types = {"absences": AbsenceType, "salaries": SalaryType}.get(kind)
    return {t.code: t.name_language for t in types.objects.all()} if types else {}


# The attribute each report's "type" filter compares with.
TYPE_ATTRIBUTES = {"absences": "type_code", "salaries": "type_code", "employments": "kind"}


@dataclass(frozen=True)
class UnitReportPage:
    """One unit's report of one month as its page (or download) shows it."""

    unit: WorkUnit
    kind: str
    period: date
    include_subunits: bool
    columns: list[str]
    categories: list[str]
    report: object
    rows: list  # the table's lines, narrowed by the page's filters
    alert_units: QuerySet[WorkUnit]  # the units whose early-support cases belong to the report
    missing_reason: str = ""  # which sources' data of the month is missing, when some source supplies them


def unit_report_page(
    *,
    unit: WorkUnit,
    kind: str,
    period: date,
    include_subunits: bool,
    columns: list[str],
    categories: list[str],
    employee: str,
    type_code: str,
) -> UnitReportPage:
    """The `kind` report of `unit` (one the user may see: `unit_visible_or_none`) for `period`, its
    lines narrowed to those whose employee's name contains `employee` and whose type is `type_code`."""
    from .reports.documents import report_build, report_rows

    chosen = set(categories) or None
    report = report_build(kind, unit, period, include_subunits=include_subunits, categories=chosen)
    rows = report_rows(kind, report)
    if employee:
        rows = [row for row in rows if employee.casefold() in row.employee_name.casefold()]
    if type_code:
        rows = [row for row in rows if getattr(row, TYPE_ATTRIBUTES[kind]) == type_code]
    units = report_units(unit, include_subunits=include_subunits)
    missing = ""
    if not report.fetched and period_suppliers(period, units=units):
        missing = period_missing_reason(period, units=units)
    return UnitReportPage(
        unit=unit,
        kind=kind,
        period=period,
        include_subunits=include_subunits,
        columns=columns,
        categories=categories,
        report=report,
        rows=rows,
        alert_units=units,
        missing_reason=missing,
    )


def unit_report_absence_trend(page: UnitReportPage):
    """The 12 months up to the absence report's month, in its units and categories, for its charts."""
    return absence_trend(
        page.unit, page.period, include_subunits=page.include_subunits, categories=set(page.categories) or None
    )
