"""What a sick-leave spell is, as HR counts it by hand: one continuous absence of a person, however many
rows Populus gives it (a self-reported start extended by doctor's certificates, the part in each month,
the same days on each of the person's concurrent employments). The early-support rules and the absence
report count spells and days that way."""

from datetime import date
from decimal import Decimal

import pytest

from hrreports.models import Absence, AbsenceType, Alert, Employment, Rule, WorkUnit
from hrreports.models.early_support import RuleKind
from hrreports.models.fetching import RunStatus
from hrreports.reports import absence_report
from hrreports.services.early_support import alerts_evaluate
from hrreports.services.fetch import populus_fetch
from hrreports.workdays import working_days
from tests.hrreports.conftest import absence_line, salary_line
from tests.hrreports.report_data import _employment

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)
PAY = [salary_line("03/2026", "13.3.2026", "1001", "3 912,40")]

# One sick leave of 15 days (2.-16.3.2026) in five rows: three days on the employee's own notice (102),
# then four doctor's certificates (101), each starting the day after the one before ended.
EXTENDED = [
    absence_line("102", "2.3.2026", "4.3.2026", "3", "3"),
    absence_line("101", "5.3.2026", "7.3.2026", "3", "2"),
    absence_line("101", "8.3.2026", "10.3.2026", "3", "2"),
    absence_line("101", "11.3.2026", "13.3.2026", "3", "3"),
    absence_line("101", "14.3.2026", "16.3.2026", "3", "1"),
]


@pytest.fixture
def extended_sick_leave(sample_source, month_files, default_rules):
    month_files(MARCH, absences=EXTENDED, salaries=PAY)
    run = populus_fetch(source=sample_source, period=MARCH)
    assert run.status == RunStatus.DONE, run.error
    return WorkUnit.objects.get(code="101010")


def test_a_sick_leave_extended_by_certificates_is_one_spell_for_the_early_support_rules(extended_sick_leave):
    alerts_evaluate(period=MARCH)

    # 1 spell and 15 days: neither 5 spells nor 20 days, so no early-support discussion yet.
    assert not Alert.objects.exists()


def test_the_absence_report_counts_an_extended_sick_leave_once_in_the_row_where_it_began(extended_sick_leave):
    report = absence_report(extended_sick_leave, MARCH)

    assert [(row.type_code, row.spells, row.calendar_days, row.working_days) for row in report.rows] == [
        ("101", 0, 12, 8),
        ("102", 1, 3, 3),
    ]
    assert (report.current.spells, report.current.sick_spells, report.current.calendar_days) == (1, 1, 15)


def test_a_sick_leave_changing_its_code_at_the_turn_of_the_month_is_one_spell(unit_tree, default_rules):
    Rule.objects.all().delete()
    rule = Rule.objects.create(
        name="2 jaksoa", kind=RuleKind.WINDOW, months=2, spells_at_least=2, categories=["sick_leave"]
    )
    employment = _employment(1, "Aalto Anna", unit_tree["1010"], start=date(2020, 1, 1))
    _stored(employment, "102", MARCH, date(2026, 3, 30), date(2026, 3, 31))
    _stored(employment, "101", APRIL, date(2026, 4, 1), date(2026, 4, 10))

    alerts_evaluate(period=APRIL)

    assert not Alert.objects.filter(rule=rule).exists()


@pytest.fixture
def two_employments(unit_tree, default_rules):
    """Aalto's main employment in 1010 and a side job in 2010 at the same time: Populus records her sick
    leave on both."""
    main = _employment(1, "Aalto Anna", unit_tree["1010"], start=date(2020, 1, 1))
    side = Employment.objects.create(
        employment_id="E1-2", employee=main.employee, unit=unit_tree["2010"], start=date(2024, 1, 1)
    )
    return main, side


def _stored(employment, code, period, start, end, *, calendar_days=None) -> Absence:
    return Absence.objects.create(
        employment=employment,
        unit=employment.unit,
        absence_type=AbsenceType.objects.get(code=code),
        period=period,
        reported_in=period,
        start=start,
        end=end,
        calendar_days=calendar_days if calendar_days is not None else (end - start).days + 1,
        working_days=working_days(start, end),
        paid=True,
    )


def test_the_same_days_on_two_concurrent_employments_count_once(two_employments):
    main, side = two_employments
    for employment in (main, side):
        _stored(employment, "101", MARCH, date(2026, 3, 2), date(2026, 3, 13))  # 12 days

    alerts_evaluate(period=MARCH)

    # 12 sick days and 1 spell, not 24 days: below the 20 days of the early-support discussion.
    assert not Alert.objects.exists()


def test_overlapping_rows_count_each_day_once_and_the_threshold_day_follows(two_employments):
    main, side = two_employments
    Rule.objects.all().delete()
    rule = Rule.objects.create(
        name="10 pv", kind=RuleKind.WINDOW, months=1, days_at_least=10, categories=["sick_leave"]
    )
    _stored(main, "101", MARCH, date(2026, 3, 2), date(2026, 3, 9))  # 8 days
    _stored(side, "101", MARCH, date(2026, 3, 6), date(2026, 3, 12))  # 7 days, 4 of them the same

    alerts_evaluate(period=MARCH)

    alert = Alert.objects.get(rule=rule)
    # 2.-12.3. is 11 days of sick leave in one spell; the 10th day is 11.3.
    assert (alert.spells, alert.days, alert.reached_on) == (1, Decimal("11.00"), date(2026, 3, 11))


def test_a_half_day_beside_a_whole_day_of_the_other_employment_counts_as_the_whole_day(two_employments):
    main, side = two_employments
    Rule.objects.all().delete()
    rule = Rule.objects.create(name="1 pv", kind=RuleKind.WINDOW, months=1, days_at_least=1, categories=["sick_leave"])
    _stored(main, "102", MARCH, date(2026, 3, 2), date(2026, 3, 2), calendar_days=Decimal("0.5"))
    _stored(side, "102", MARCH, date(2026, 3, 2), date(2026, 3, 2))

    alerts_evaluate(period=MARCH)

    alert = Alert.objects.get(rule=rule)
    assert (alert.spells, alert.days, alert.reached_on) == (1, Decimal("1.00"), date(2026, 3, 2))


@pytest.mark.parametrize("stored_first", ["main", "side"])
def test_the_alert_of_a_sick_leave_on_two_employments_goes_to_the_main_employments_unit(two_employments, stored_first):
    """The supervisor who holds the early-support discussion is the one of the main job (100 %), not of the
    20 % side job whose row of the same days happened to be read last."""
    main, side = two_employments
    Employment.objects.filter(pk=main.pk).update(working_time_percent=100)
    Employment.objects.filter(pk=side.pk).update(working_time_percent=20)
    first, second = (main, side) if stored_first == "main" else (side, main)
    for employment in (first, second):
        _stored(employment, "101", MARCH, date(2026, 3, 2), date(2026, 3, 27))  # 26 days

    alerts_evaluate(period=MARCH)

    assert {alert.unit.code for alert in Alert.objects.all()} == {"1010"}


@pytest.fixture
def two_spells_rule(unit_tree, default_rules):
    Rule.objects.all().delete()
    return Rule.objects.create(
        name="2 jaksoa", kind=RuleKind.WINDOW, months=2, spells_at_least=2, categories=["sick_leave"]
    )


@pytest.mark.parametrize(
    "first, second",
    [
        # Thursday-Friday, then Monday-Tuesday: only a weekend between.
        ((date(2026, 3, 5), date(2026, 3, 6)), (date(2026, 3, 9), date(2026, 3, 10))),
        # Monday-Thursday before Easter, then Tuesday-Wednesday after it: Good Friday to Easter Monday between.
        ((date(2026, 3, 30), date(2026, 4, 2)), (date(2026, 4, 7), date(2026, 4, 8))),
    ],
)
def test_sick_leaves_with_only_days_off_between_are_one_spell(two_spells_rule, unit_tree, first, second):
    """Populus often records sick leave in working days: one illness over a weekend (or Easter) comes as two
    rows, and HR counts it as one spell."""
    employment = _employment(1, "Aalto Anna", unit_tree["1010"], start=date(2020, 1, 1))
    for start, end in (first, second):
        for period in sorted({start.replace(day=1), end.replace(day=1)}):  # each month's file reports it
            _stored(employment, "101", period, start, end)

    alerts_evaluate(period=APRIL)  # its two months include both

    assert not Alert.objects.filter(rule=two_spells_rule).exists()
    report = absence_report(unit_tree["1010"], second[0].replace(day=1))
    assert report.current.sick_spells == 1


def test_a_working_day_between_two_sick_leaves_makes_two_spells(two_spells_rule, unit_tree):
    employment = _employment(1, "Aalto Anna", unit_tree["1010"], start=date(2020, 1, 1))
    _stored(employment, "101", MARCH, date(2026, 3, 5), date(2026, 3, 6))  # Thursday-Friday
    _stored(employment, "101", MARCH, date(2026, 3, 10), date(2026, 3, 11))  # Tuesday-Wednesday: at work Monday

    alerts_evaluate(period=MARCH)

    alert = Alert.objects.get(rule=two_spells_rule)
    assert (alert.spells, alert.reached_on) == (2, date(2026, 3, 10))
    assert absence_report(unit_tree["1010"], MARCH).current.sick_spells == 2


def test_a_municipality_may_count_a_weekend_between_as_a_break(two_spells_rule, unit_tree, settings):
    settings.HR_SPELLS_JOIN_OVER_DAYS_OFF = False
    employment = _employment(1, "Aalto Anna", unit_tree["1010"], start=date(2020, 1, 1))
    _stored(employment, "101", MARCH, date(2026, 3, 5), date(2026, 3, 6))
    _stored(employment, "101", MARCH, date(2026, 3, 9), date(2026, 3, 10))

    alerts_evaluate(period=MARCH)

    assert Alert.objects.get(rule=two_spells_rule).spells == 2
