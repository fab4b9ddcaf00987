"""A small hand-built dataset for the report tests, with every figure worked out by hand.

Unit 1010 (sub-unit 101010), March 2026 has 22 working days, February 2026 20, March 2025 21.
- Aalto (1010, permanent, 100 %): sick 101 25.2.-2.3. (Feb: 4 cal / 3 work; Mar: 2 cal / 1 work),
  sick 102 9.-11.3. (3 / 3), annual leave 200 23.-27.3. (5 / 5); salary Mar 1001 3000.00 + 2001 150.50,
  Feb 1001 2900.00.
- Berg (1010, fixed-term 50 %, started 16.3.2026): sick 102 30.3.-2.4. (Mar: 2 / 2); salary Mar 1001 1200.00.
- Cedergren (101010, permanent 100 %, ended 10.3.2026): sick 101 5.-6.3. (2 / 2); salary Mar 1001 2500.00.
Planned working days in March: 1010 alone 22 + 12 * 0.5 = 28; with 101010 also 7 -> 35.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from hrreports.models import (
    Absence,
    AbsenceType,
    Alert,
    Employee,
    Employment,
    FetchRun,
    Rule,
    SalaryPayment,
    SalaryType,
    Source,
)
from hrreports.models.fetching import RunStatus
from hrreports.periods import period_shift
from hrreports.services.codes import code_lists_ensure
from hrreports.workdays import working_days

MARCH = date(2026, 3, 1)
APRIL_DAY = date(2026, 4, 10)  # the last full month is March 2026


def _employment(employee_id, name, unit, *, start, end=None, percent=100, kind="permanent", title="Opettaja"):
    employee = Employee.objects.create(person_number=f"P{employee_id}", name=name)
    return Employment.objects.create(
        employment_id=f"E{employee_id}",
        employee=employee,
        unit=unit,
        title=title,
        kind=kind,
        start=start,
        end=end,
        working_time_percent=Decimal(percent),
    )


def _absence(employment, code, start, end) -> list[Absence]:
    """The absence as each month's file reports it: the whole absence, once for every month it touches."""
    rows = []
    month = start.replace(day=1)
    while month <= end:
        rows.append(
            Absence.objects.create(
                employment=employment,
                unit=employment.unit,
                absence_type=AbsenceType.objects.get(code=code),
                period=month,
                reported_in=month,
                start=start,
                end=end,
                calendar_days=(end - start).days + 1,
                working_days=working_days(start, end),
                paid=True,
            )
        )
        month = period_shift(month, 1)
    return rows


def _alert(employment, order, period, *, reached_on=None, acknowledged=False) -> Alert:
    """An early-support alert of the default rule `order`; an acknowledged one was discussed on APRIL_DAY."""
    return Alert.objects.create(
        employee=employment.employee,
        unit=employment.unit,
        rule=Rule.objects.get(order=order),
        period=period,
        spells=1,
        days=Decimal(30),
        reached_on=reached_on,
        acknowledged_at=datetime(2026, 4, 10, 9, tzinfo=UTC) if acknowledged else None,
        action_date=APRIL_DAY if acknowledged else None,
        action_note="Keskusteltu." if acknowledged else "",
    )


def _salary(employment, period, code, amount):
    return SalaryPayment.objects.create(
        employment=employment,
        unit=employment.unit,
        pay_period=period,
        payment_date=period.replace(day=15),
        salary_type=SalaryType.objects.get(code=code),
        amount=Decimal(amount),
    )


def mark_fetched(period) -> None:
    """Record a successful fetch of `period` by the dataset's source (so that its rows count as the month's)."""
    FetchRun.objects.create(source=Source.objects.get(name="testi"), period=period, status=RunStatus.DONE)


def build_report_data(unit_tree, *, fetched=(MARCH,)) -> dict:
    code_lists_ensure()
    unit, sub = unit_tree["1010"], unit_tree["101010"]
    aalto = _employment(1, "Aalto Anna", unit, start=date(2020, 1, 1))
    berg = _employment(2, "Berg Bertil", unit, start=date(2026, 3, 16), percent=50, kind="fixed_term", title="Avustaja")
    ceder = _employment(3, "Cedergren Cecilia", sub, start=date(2020, 1, 1), end=date(2026, 3, 10))
    _absence(aalto, "101", date(2026, 2, 25), date(2026, 3, 2))
    _absence(aalto, "102", date(2026, 3, 9), date(2026, 3, 11))
    _absence(aalto, "200", date(2026, 3, 23), date(2026, 3, 27))
    _absence(berg, "102", date(2026, 3, 30), date(2026, 4, 2))
    _absence(ceder, "101", date(2026, 3, 5), date(2026, 3, 6))
    _salary(aalto, MARCH, "1001", "3000.00")
    _salary(aalto, MARCH, "2001", "150.50")
    _salary(aalto, date(2026, 2, 1), "1001", "2900.00")
    _salary(berg, MARCH, "1001", "1200.00")
    _salary(ceder, MARCH, "1001", "2500.00")
    source = Source.objects.create(name="testi", kind="simulator")
    for period in fetched:
        FetchRun.objects.create(source=source, period=period, status=RunStatus.DONE)
    return {"unit": unit, "sub": sub, "aalto": aalto, "berg": berg, "ceder": ceder}
