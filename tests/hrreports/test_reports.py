"""The three unit reports on the hand-built dataset of report_data.py: every figure exact."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from hrreports.models import Absence, AbsenceType, Employment, SalaryPayment, SalaryType
from hrreports.reports import absence_report, absence_summary, employment_events, employment_report, salary_report
from hrreports.services.codes import code_lists_ensure
from hrreports.workdays import working_days
from tests.hrreports.report_data import MARCH, _employment, build_report_data, mark_fetched


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


def test_sick_leave_rate_weighs_sick_days_by_working_time_as_it_weighs_planned_days(data):
    """Berg works 50 %: her 12 planned days count as 6, and her 2 sick days as 1. Sick: Aalto 1 + 3, Berg
    2 x 0.5 = 5 of 22 + 12 x 0.5 = 28 planned: 17.9 % (not 6 of 28, 21.4 %, her days counted as a
    full-timer's)."""
    current = absence_report(data["unit"], MARCH).current

    assert current.sick_working_days == 6  # as Populus gave them
    assert current.sick_planned_days == Decimal(5)
    assert current.planned_working_days == Decimal(28)
    assert current.sick_rate == Decimal("17.9")
    assert (current.spells, current.calendar_days, current.working_days, current.sick_spells) == (4, 12, 11, 3)


@pytest.fixture
def codes(db):
    code_lists_ensure()


@pytest.mark.parametrize("stored_working_days", [22, 11])
def test_a_part_timers_sick_month_is_all_her_planned_work(unit_tree, codes, stored_working_days):
    """A 50 % part-timer alone in the unit, sick for the whole of March: 100 % (not 200 %), whatever working
    days Populus stored for her: the calendar's 22, or her own 11."""
    berg = _employment(2, "Berg Bertil", unit_tree["1010"], start=date(2020, 1, 1), percent=50)
    Absence.objects.create(
        employment=berg,
        unit=berg.unit,
        absence_type=AbsenceType.objects.get(code="101"),
        period=MARCH,
        reported_in=MARCH,
        start=MARCH,
        end=date(2026, 3, 31),
        calendar_days=31,
        working_days=stored_working_days,
        paid=True,
    )

    summary = absence_summary(unit_tree["1010"], MARCH)

    assert (summary.sick_planned_days, summary.planned_working_days, summary.sick_rate) == (
        Decimal(11),
        Decimal(11),
        Decimal("100.0"),
    )


def test_a_half_sick_day_is_half_a_planned_day(unit_tree, codes):
    aalto = _employment(1, "Aalto Anna", unit_tree["1010"], start=date(2020, 1, 1))
    Absence.objects.create(
        employment=aalto,
        unit=aalto.unit,
        absence_type=AbsenceType.objects.get(code="102"),
        period=MARCH,
        reported_in=MARCH,
        start=date(2026, 3, 2),
        end=date(2026, 3, 2),
        calendar_days=Decimal("0.5"),
        working_days=Decimal("0.5"),
        paid=True,
    )

    summary = absence_summary(unit_tree["1010"], MARCH)

    assert (summary.sick_planned_days, summary.sick_rate) == (Decimal("0.5"), Decimal("2.3"))


def test_sub_units_are_included_on_request(data):
    report = absence_report(data["unit"], MARCH, include_subunits=True)

    assert ("Cedergren Cecilia", "101", 2) in [(r.employee_name, r.type_code, r.working_days) for r in report.rows]
    assert report.current.sick_working_days == 8
    assert report.current.planned_working_days == Decimal(35)
    assert report.current.sick_rate == Decimal("20.0")  # Aalto 4, Berg 2 x 0.5, Cedergren 2: 7 of 35


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
    assert report.current.sick_rate == Decimal("17.9")


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


@pytest.mark.parametrize(
    ("ended", "next_started", "chained_with"),
    [
        (date(2026, 3, 27), date(2026, 3, 30), "E2-2"),  # Friday, then Monday
        (date(2026, 3, 26), date(2026, 3, 30), ""),  # Thursday, then Monday: not at work on Friday
    ],
)
def test_a_fixed_term_employment_continued_after_a_weekend_is_a_continuation(data, ended, next_started, chained_with):
    berg = data["berg"]
    Employment.objects.filter(pk=berg.pk).update(end=ended)
    Employment.objects.create(
        employment_id="E2-2", employee=berg.employee, unit=berg.unit, kind="fixed_term", start=next_started
    )

    report = employment_report(data["unit"], MARCH)

    assert [(row.employment_id, row.chained_with) for row in report.ended] == [("E2", chained_with)]
    assert [(row.employment_id, row.chained_with) for row in report.started if row.employment_id == "E2-2"] == [
        ("E2-2", "E2" if chained_with else "")
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
