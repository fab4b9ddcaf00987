"""The three unit reports on the hand-built dataset of report_data.py: every figure exact."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from hrreports.models import Employment, SalaryPayment, SalaryType
from hrreports.reports import absence_report, absence_summary, employment_events, employment_report, salary_report
from hrreports.workdays import working_days
from tests.hrreports.report_data import MARCH, build_report_data, mark_fetched


@pytest.fixture
def data(unit_tree):
    return build_report_data(unit_tree)


def test_the_calendar_behind_the_dataset():
    assert working_days(date(2026, 3, 1), date(2026, 3, 31)) == 22
    assert working_days(date(2026, 2, 1), date(2026, 2, 28)) == 20
    assert working_days(date(2025, 3, 1), date(2025, 3, 31)) == 21


def test_absence_rows_per_employee_and_type_are_clipped_to_the_month(data):
    report = absence_report(data["unit"], MARCH)

    assert [(r.employee_name, r.type_code, r.spells, r.calendar_days, r.working_days) for r in report.rows] == [
        ("Aalto Anna", "101", 1, 2, 1),
        ("Aalto Anna", "102", 1, 3, 3),
        ("Aalto Anna", "200", 1, 5, 5),
        ("Berg Bertil", "102", 1, 2, 2),
    ]


def test_sick_leave_rate_is_sick_working_days_over_planned_working_days(data):
    current = absence_report(data["unit"], MARCH).current

    assert current.sick_working_days == 6
    assert current.planned_working_days == Decimal(28)
    assert current.sick_rate == Decimal("21.4")
    assert (current.spells, current.calendar_days, current.working_days, current.sick_spells) == (4, 12, 11, 3)


def test_sub_units_are_included_on_request(data):
    report = absence_report(data["unit"], MARCH, include_subunits=True)

    assert ("Cedergren Cecilia", "101", 2) in [(r.employee_name, r.type_code, r.working_days) for r in report.rows]
    assert report.current.sick_working_days == 8
    assert report.current.planned_working_days == Decimal(35)
    assert report.current.sick_rate == Decimal("22.9")


def test_comparison_with_previous_month_and_same_month_last_year(data):
    report = absence_report(data["unit"], MARCH)

    assert report.previous_month.period == date(2026, 2, 1)
    assert report.previous_month.sick_working_days == 3
    assert report.previous_month.planned_working_days == Decimal(20)
    assert report.previous_month.sick_rate == Decimal("15.0")
    assert report.previous_year.period == date(2025, 3, 1)
    assert report.previous_year.sick_rate == Decimal("0.0")
    assert report.previous_year.planned_working_days == Decimal(21)


def test_absence_categories_narrow_the_rows_but_not_the_sick_rate(data):
    report = absence_report(data["unit"], MARCH, categories={"annual_leave"})

    assert [(r.employee_name, r.type_code) for r in report.rows] == [("Aalto Anna", "200")]
    assert report.current.spells == 1
    assert report.current.sick_rate == Decimal("21.4")


def test_a_month_without_fetched_data_says_so(data):
    assert absence_report(data["unit"], MARCH).fetched is True
    report = absence_report(data["unit"], date(2026, 5, 1))
    assert report.fetched is False
    assert report.rows == []
    assert absence_summary(data["unit"], date(2026, 2, 1)).fetched is False
    assert salary_report(data["unit"], date(2026, 5, 1)).fetched is False
    assert employment_report(data["unit"], date(2026, 5, 1)).fetched is False


def test_unit_without_planned_work_has_no_rate(unit_tree):
    assert absence_summary(unit_tree["2010"], MARCH).sick_rate is None


def test_salary_rows_type_totals_and_change_from_previous_month(data):
    mark_fetched(date(2026, 2, 1))

    report = salary_report(data["unit"], MARCH)

    assert [(r.employee_name, r.type_code, r.amount) for r in report.rows] == [
        ("Aalto Anna", "1001", Decimal("3000.00")),
        ("Aalto Anna", "2001", Decimal("150.50")),
        ("Berg Bertil", "1001", Decimal("1200.00")),
    ]
    assert [(t.type_code, t.amount, t.previous_amount, t.change) for t in report.type_totals] == [
        ("1001", Decimal("4200.00"), Decimal("2900.00"), Decimal("1300.00")),
        ("2001", Decimal("150.50"), Decimal("0.00"), Decimal("150.50")),
    ]
    assert report.total == Decimal("4350.50")
    assert report.previous_total == Decimal("2900.00")
    assert report.change == Decimal("1450.50")
    assert report.change_percent == Decimal("50.0")


def test_salary_report_with_sub_units(data):
    report = salary_report(data["unit"], MARCH, include_subunits=True)

    assert report.total == Decimal("6850.50")


def test_employments_started_and_ended(data):
    alone = employment_report(data["unit"], MARCH)
    with_sub = employment_report(data["unit"], MARCH, include_subunits=True)

    assert [(r.employee_name, r.title, r.kind, r.start) for r in alone.started] == [
        ("Berg Bertil", "Avustaja", "fixed_term", date(2026, 3, 16))
    ]
    assert alone.ended == []
    assert [(r.employee_name, r.unit_code, r.end) for r in with_sub.ended] == [
        ("Cedergren Cecilia", "101010", date(2026, 3, 10))
    ]


def test_no_salary_change_is_given_from_a_previous_month_not_fetched(data):
    # February was never fetched; the only February payment known is a correction paid with March's pay.
    SalaryPayment.objects.create(
        employment=data["aalto"],
        unit=data["unit"],
        pay_period=date(2026, 2, 1),
        payment_date=date(2026, 3, 13),
        salary_type=SalaryType.objects.get(code="1001"),
        amount=Decimal("120.00"),
    )
    SalaryPayment.objects.filter(pay_period=date(2026, 2, 1), payment_date=date(2026, 2, 15)).delete()

    report = salary_report(data["unit"], MARCH)

    assert not report.previous_fetched
    assert [(t.type_code, t.amount, t.previous_amount, t.change) for t in report.type_totals] == [
        ("1001", Decimal("4200.00"), None, None),
        ("2001", Decimal("150.50"), None, None),
    ]
    assert (report.total, report.previous_total, report.change, report.change_percent) == (
        Decimal("4350.50"),
        None,
        None,
        None,
    )


@pytest.fixture
def chained(data):
    """Berg's fixed-term employment ends on the last day of March and a new one starts on 1 April: a chain."""
    berg = data["berg"]
    Employment.objects.filter(pk=berg.pk).update(end=date(2026, 3, 31))
    Employment.objects.create(
        employment_id="E2-2",
        employee=berg.employee,
        unit=berg.unit,
        title="Avustaja",
        kind="fixed_term",
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        working_time_percent=Decimal(50),
    )
    return data


def test_a_fixed_term_employment_continued_by_the_next_is_told_as_a_continuation(chained):
    with translation.override("en"):
        march = employment_events(employment_report(chained["unit"], MARCH))
        april = employment_events(employment_report(chained["unit"], date(2026, 4, 1)))

    assert [(e.event, e.employee_name, e.employment_id, e.end) for e in march] == [
        ("Started", "Berg Bertil", "E2", date(2026, 3, 31)),
        ("Ended; continues in E2-2", "Berg Bertil", "E2", date(2026, 3, 31)),
    ]
    assert [(e.event, e.employee_name, e.employment_id, e.start) for e in april] == [
        ("Started; continues E2", "Berg Bertil", "E2-2", date(2026, 4, 1)),
    ]


def test_an_employment_ending_while_another_of_the_person_goes_on_is_no_continuation(chained):
    # Aalto's permanent employment goes on; a side job of hers that ends in March is an ending.
    Employment.objects.create(
        employment_id="E1-2",
        employee=chained["aalto"].employee,
        unit=chained["unit"],
        start=date(2025, 9, 1),
        end=date(2026, 3, 20),
    )
    with translation.override("en"):
        march = employment_events(employment_report(chained["unit"], MARCH))

    assert ("Ended", "E1-2") in [(e.event, e.employment_id) for e in march]
