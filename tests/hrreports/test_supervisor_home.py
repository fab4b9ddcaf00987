"""The supervisor's home reads: the month at a glance over the supervisor's units (figures worked out by
hand from report_data.py), and the early-support cases grouped by person and folded by the rules."""

from datetime import date
from decimal import Decimal

import pytest

from hrreports.models import FetchRun, Source, WorkUnit
from hrreports.models.organisation import SupervisorRole
from hrreports.services.organisation import supervisor_assign
from hrreports.supervisor_home import early_support_cases, glance_period, month_at_glance, open_case_count
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.report_data import APRIL_DAY, MARCH, _alert, _employment, build_report_data

FEBRUARY, MARCH_2025 = date(2026, 2, 1), date(2025, 3, 1)


def _supervisor(username, *units):
    user = make_user(username, Role.SUPERVISOR)
    for unit in units:
        supervisor_assign(unit=unit, user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    return user


@pytest.fixture
def data(unit_tree):
    return build_report_data(unit_tree, fetched=(MARCH, FEBRUARY, MARCH_2025))


@pytest.fixture
def supervisor(unit_tree):
    return _supervisor("esihenkilo-koti", unit_tree["1010"])


def test_glance_over_the_supervisors_units_and_their_sub_units(data, supervisor):
    glance = month_at_glance(supervisor, today=APRIL_DAY)

    # 1010, 101010 and 101020. Sick working days in March: Aalto 1 + 3, Berg 2, Cedergren 2 = 8; by working
    # time (Berg 50 %) 7 of 22 + 12 * 0.5 + 7 = 35 planned: 20.0 %.
    assert (glance.period, glance.unit_count, glance.fetched) == (MARCH, 3, True)
    assert (glance.current.sick_working_days, glance.current.planned_working_days) == (8, Decimal(35))
    assert glance.current.sick_planned_days == Decimal(7)
    assert glance.current.sick_rate == Decimal("20.0")
    # February: Aalto's 3 sick working days of 20 + 20 planned (Berg had not started): 7.5 %.
    assert glance.previous_month.other.sick_rate == Decimal("7.5")
    assert glance.previous_month.change == Decimal("12.5")
    # March 2025: no sick leave in 21 + 21 planned working days.
    assert glance.previous_year.other.period == MARCH_2025
    assert glance.previous_year.change == Decimal("20.0")
    assert (glance.started, glance.ended) == (1, 1)  # Berg started, Cedergren ended
    assert (glance.salaries, glance.previous_salaries) == (Decimal("6850.50"), Decimal("2900.00"))


def test_glance_trend_is_twelve_months_up_to_the_month(data, supervisor):
    trend = month_at_glance(supervisor, today=APRIL_DAY).trend

    assert [summary.period for summary in (trend[0], trend[-1])] == [date(2025, 4, 1), MARCH]
    assert len(trend) == 12
    assert [summary.period for summary in trend if summary.fetched] == [FEBRUARY, MARCH]


def test_a_second_supervisors_glance_leaves_the_first_ones_units_out(data, unit_tree):
    other = _supervisor("esihenkilo-toinen", unit_tree["2010"])

    glance = month_at_glance(other, today=APRIL_DAY)

    assert glance.unit_count == 1
    assert glance.current.sick_rate is None  # nobody is employed in 2010
    assert (glance.started, glance.ended, glance.salaries) == (0, 0, Decimal("0.00"))
    assert glance.previous_month.change is None


def test_no_glance_without_units(db):
    assert month_at_glance(make_user("ilman-yksikkoa", Role.SUPERVISOR), today=APRIL_DAY) is None


def test_the_glance_shows_the_newest_fetched_month_up_to_the_last_full_one(db):
    source = Source.objects.create(name="testi", kind="simulator")
    assert glance_period(today=APRIL_DAY) == MARCH  # nothing fetched: the last full month
    FetchRun.objects.create(source=source, period=FEBRUARY, status="done")
    FetchRun.objects.create(source=source, period=MARCH, status="failed")
    FetchRun.objects.create(source=source, period=date(2026, 4, 1), status="done")
    assert glance_period(today=APRIL_DAY) == FEBRUARY


# --- Early-support cases ------------------------------------------------------------------------


@pytest.fixture
def cases(data, default_rules, unit_tree):
    aalto, ceder = data["aalto"], data["ceder"]
    foreign = _employment(9, "Vieras Ville", unit_tree["2010"], start=date(2020, 1, 1))
    return {
        # Aalto reached three rules in March: one case.
        "aalto": [
            _alert(aalto, 10, MARCH, reached_on=date(2026, 3, 12)),
            _alert(aalto, 30, MARCH, reached_on=date(2026, 3, 25)),
            _alert(aalto, 20, MARCH, reached_on=date(2026, 3, 20)),
        ],
        # Cedergren's alert of February 2025 is past its rule's 12 months (April 2025 - March 2026);
        # Berg's was discussed.
        "ceder_expired": _alert(ceder, 10, date(2025, 2, 1), reached_on=date(2025, 2, 20)),
        "ceder_current": _alert(ceder, 20, date(2025, 4, 1)),
        "berg_closed": _alert(data["berg"], 10, MARCH, acknowledged=True),
        "foreign": _alert(foreign, 10, MARCH),
    }


def test_open_cases_are_one_per_person_with_the_furthest_rule_first(supervisor, cases):
    found = early_support_cases(supervisor, today=APRIL_DAY)

    assert [case.employee.name for case in found.open] == ["Cedergren Cecilia", "Aalto Anna"]  # longest waiting first
    aalto = found.open[1]
    assert [alert.rule.order for alert in aalto.alerts] == [30, 20, 10]
    assert aalto.next_step == cases["aalto"][1]
    assert aalto.since == date(2026, 3, 12)
    ceder = found.open[0]
    assert ceder.alerts == [cases["ceder_current"]]
    assert ceder.since == date(2025, 4, 1)  # no day recorded: the alert's month


def test_acknowledged_and_expired_alerts_fold_into_earlier_cases(supervisor, cases):
    earlier = early_support_cases(supervisor, today=APRIL_DAY).earlier

    assert [(case.employee.name, case.alerts) for case in earlier] == [
        ("Berg Bertil", [cases["berg_closed"]]),
        ("Cedergren Cecilia", [cases["ceder_expired"]]),
    ]
    assert not earlier[0].alerts[0].is_open and earlier[1].alerts[0].is_open


def test_the_window_moves_with_the_newest_month_of_data(supervisor, cases):
    FetchRun.objects.create(source=Source.objects.get(), period=date(2026, 4, 1), status="done")

    found = early_support_cases(supervisor, today=date(2026, 5, 3))

    # April 2025 is now past the 12 months of May 2025 - April 2026.
    assert [case.employee.name for case in found.open] == ["Aalto Anna"]
    assert cases["ceder_current"] in [alert for case in found.earlier for alert in case.alerts]


def test_cases_of_other_units_are_left_out(supervisor, cases, unit_tree):
    mine = early_support_cases(supervisor, today=APRIL_DAY)
    names = {case.employee.name for case in mine.open + mine.earlier}
    other = early_support_cases(_supervisor("esihenkilo-2010", unit_tree["2010"]), today=APRIL_DAY)

    assert "Vieras Ville" not in names
    assert [case.employee.name for case in other.open] == ["Vieras Ville"]
    assert other.earlier == []


def test_cases_narrowed_to_a_reports_units(supervisor, cases, unit_tree):
    only_1010 = early_support_cases(supervisor, today=APRIL_DAY, units=WorkUnit.objects.filter(pk=unit_tree["1010"].pk))

    assert [case.employee.name for case in only_1010.open] == ["Aalto Anna"]


def test_open_case_count_counts_people(supervisor, cases):
    assert open_case_count(supervisor) == 2
