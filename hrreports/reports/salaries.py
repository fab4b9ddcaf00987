"""The paid-salaries report: per employee and salary type, totals per type and for the unit, and the
change from the previous month. A previous month not fetched has no figures to compare with (its
payments known so far may be only corrections paid in a later month): its amounts and the change are
None, never counted from zero or from those corrections."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet, Sum

from ..models import SalaryPayment, SalaryType, WorkUnit
from ..periods import period_shift
from .common import period_fetched, report_units

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class SalaryRow:
    employee_id: int
    employee_name: str
    unit_code: str
    type_code: str
    type_name: str
    amount: Decimal
    type_name_language: str = "fi"


@dataclass(frozen=True)
class SalaryTypeTotal:
    type_code: str
    type_name: str
    amount: Decimal
    previous_amount: Decimal | None
    type_name_language: str = "fi"

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_amount is None else self.amount - self.previous_amount


@dataclass(frozen=True)
class SalaryReport:
    unit: WorkUnit
    period: date
    include_subunits: bool
    fetched: bool
    previous_fetched: bool
    rows: list[SalaryRow] = field(default_factory=list)
    type_totals: list[SalaryTypeTotal] = field(default_factory=list)
    total: Decimal = ZERO
    previous_total: Decimal | None = None

    @property
    def previous_period(self) -> date:
        return period_shift(self.period, -1)

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_total is None else self.total - self.previous_total

    @property
    def change_percent(self) -> Decimal | None:
        if not self.previous_total:
            return None
        return (self.change * 100 / self.previous_total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _per_type(units, period: date) -> dict[str, Decimal]:
    """Salary type code -> the sum paid for `period`."""
    rows = (
        SalaryPayment.objects.filter(unit__in=units, pay_period=period)
        .values_list("salary_type__code")
        .annotate(total=Sum("amount"))
    )
    return dict(rows)


def salary_total(units: QuerySet[WorkUnit], period: date) -> Decimal:
    """The salaries paid for `period` (by pay period) in all of `units` together."""
    return sum(_per_type(units, period).values(), ZERO)


def salary_report(unit: WorkUnit, period: date, *, include_subunits: bool = False) -> SalaryReport:
    """Salaries paid for `period` (by pay period) in the unit, with per-type and unit totals."""
    units = report_units(unit, include_subunits=include_subunits)
    payments = (
        SalaryPayment.objects.filter(unit__in=units, pay_period=period)
        .select_related("salary_type", "employment__employee", "unit")
        .order_by("employment__employee__name", "salary_type__code")
    )
    grouped: dict[tuple, Decimal] = {}
    names: dict[str, str] = {}
    for payment in payments:
        employee = payment.employment.employee
        key = (employee.pk, employee.name, payment.unit.code, payment.salary_type.code)
        grouped[key] = grouped.get(key, ZERO) + payment.amount
        names[payment.salary_type.code] = (payment.salary_type.name, payment.salary_type.name_language)
    rows = [
        SalaryRow(
            employee_id=key[0],
            employee_name=key[1],
            unit_code=key[2],
            type_code=key[3],
            type_name=names[key[3]][0],
            type_name_language=names[key[3]][1],
            amount=amount,
        )
        for key, amount in grouped.items()
    ]
    previous = period_shift(period, -1)
    previous_fetched = period_fetched(previous, units=units)
    current_by_type = _per_type(units, period)
    previous_by_type = _per_type(units, previous) if previous_fetched else {}
    codes = sorted(set(current_by_type) | set(previous_by_type))
    type_names = {kind.code: (kind.name, kind.name_language) for kind in SalaryType.objects.filter(code__in=codes)}
    type_totals = [
        SalaryTypeTotal(
            type_code=code,
            type_name=type_names.get(code, (code, ""))[0],
            type_name_language=type_names.get(code, (code, ""))[1],
            amount=current_by_type.get(code, ZERO),
            previous_amount=previous_by_type.get(code, ZERO) if previous_fetched else None,
        )
        for code in codes
    ]
    return SalaryReport(
        unit=unit,
        period=period,
        include_subunits=include_subunits,
        fetched=period_fetched(period, units=units),
        previous_fetched=previous_fetched,
        rows=rows,
        type_totals=type_totals,
        total=sum((total.amount for total in type_totals), ZERO),
        previous_total=sum(previous_by_type.values(), ZERO) if previous_fetched else None,
    )
