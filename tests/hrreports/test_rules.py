"""Early-support rules: every default rule at its threshold (one below, at, one above), idempotency,
and the supervisor's acknowledgement."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from hrreports.errors import AlertError
from hrreports.models import Alert, Rule
from hrreports.services.early_support import alerts_acknowledge, alerts_evaluate
from tests.hrreports.report_data import MARCH, _absence, _employment

MARCH_END = date(2026, 3, 31)
APRIL = date(2026, 4, 1)


@pytest.fixture
def employment(unit_tree, default_rules):
    from hrreports.services.codes import code_lists_ensure

    code_lists_ensure()
    return _employment(1, "Aalto Anna", unit_tree["1010"], start=date(2020, 1, 1))


def rule(order: int) -> Rule:
    return Rule.objects.get(order=order)


def one_day_spells(employment, count: int, code: str = "102"):
    """`count` one-day absences with a working day between each two, the last in March (on consecutive
    working days, or with only a weekend between, they would be one spell)."""
    days = [date(2026, 2, 1) + timedelta(days=offset) for offset in range(59)]
    every_other_working_day = [day for day in days if day.weekday() < 5][::-2]
    for day in every_other_working_day[:count]:
        _absence(employment, code, day, day)


def one_spell_ending_in_march(employment, days: int, code: str = "101"):
    _absence(employment, code, MARCH_END - timedelta(days=days - 1), MARCH_END)


def alerted(rule_order: int) -> bool:
    return Alert.objects.filter(rule__order=rule_order, period=MARCH).exists()


def test_the_defaults_are_seeded(default_rules):
    assert [(r.kind, r.months, r.spells_at_least, r.days_at_least) for r in Rule.objects.all()] == [
        ("window", 12, 5, 20),
        ("window", 12, 10, 30),
        ("checkpoint", 12, None, 30),
        ("checkpoint", 12, None, 60),
        ("checkpoint", 12, None, 90),
    ]
    assert all(r.guidance_fi and r.guidance_sv and r.guidance_en for r in Rule.objects.all())
    assert all(r.name and r.name_sv and r.name_en for r in Rule.objects.all())


@pytest.mark.parametrize(("rule_order", "threshold"), [(10, 5), (20, 10)])
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_spells_rules_at_threshold(employment, rule_order, threshold, delta):
    one_day_spells(employment, threshold + delta)
    alerts_evaluate(period=MARCH)

    assert alerted(rule_order) is (delta >= 0)


@pytest.mark.parametrize(("rule_order", "threshold"), [(10, 20), (20, 30)])
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_days_rules_at_threshold(employment, rule_order, threshold, delta):
    one_spell_ending_in_march(employment, threshold + delta)
    alerts_evaluate(period=MARCH)

    assert alerted(rule_order) is (delta >= 0)


@pytest.mark.parametrize("threshold", [30, 60, 90])
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_checkpoint_rules_at_threshold(employment, threshold, delta):
    one_spell_ending_in_march(employment, threshold + delta)
    alerts_evaluate(period=MARCH)

    assert alerted({30: 30, 60: 40, 90: 50}[threshold]) is (delta >= 0)


def test_checkpoint_counts_cumulative_days_of_several_spells(employment):
    _absence(employment, "101", date(2025, 6, 2), date(2025, 6, 21))  # 20 days
    _absence(employment, "101", date(2026, 3, 1), date(2026, 3, 10))  # 10 more in March: 30

    alerts_evaluate(period=MARCH)

    alert = Alert.objects.get(rule__order=30)
    assert (alert.spells, alert.days, alert.unit.code) == (2, 30, "1010")


def test_a_threshold_reached_earlier_does_not_alert_again(employment):
    one_spell_ending_in_march(employment, 31)
    alerts_evaluate(period=MARCH)

    assert alerts_evaluate(period=date(2026, 4, 1)) == 0


def raised() -> set[tuple[int, date, date, int]]:
    """Every alert as (rule order, period, the day its threshold was reached, days)."""
    return {(a.rule.order, a.period, a.reached_on, a.days) for a in Alert.objects.select_related("rule")}


def test_a_long_sick_leave_first_evaluated_on_day_83_gets_every_alert_it_missed(employment):
    # Sick from 8 January to the end of April; no month was evaluated before March (day 83).
    _absence(employment, "101", date(2026, 1, 8), date(2026, 4, 30))

    assert alerts_evaluate(period=MARCH) == 4
    in_march = {
        (10, MARCH, date(2026, 1, 27), 83),  # (a) the 20th day, in January
        (20, MARCH, date(2026, 2, 6), 83),  # (b) the 30th day, in February
        (30, MARCH, date(2026, 2, 6), 83),  # day 30
        (40, MARCH, date(2026, 3, 8), 83),  # day 60
    }
    assert raised() == in_march
    assert alerts_evaluate(period=MARCH) == 0
    assert alerts_evaluate(period=APRIL) == 1
    assert raised() == in_march | {(50, APRIL, date(2026, 4, 7), 113)}  # day 90; nothing of March again
    assert alerts_evaluate(period=APRIL) == 0


def test_a_person_still_over_a_threshold_is_alerted_again_after_the_rules_months(employment):
    one_spell_ending_in_march(employment, 31)
    alerts_evaluate(period=MARCH)
    _absence(employment, "101", date(2026, 12, 1), date(2027, 3, 31))

    alerts_evaluate(period=date(2027, 2, 1))
    # Days 60 and 90 count March 2026 too; rules (a), (b) and day 30 alerted less than 12 months ago.
    assert {(order, reached_on) for order, period, reached_on, _d in raised() if period.year == 2027} == {
        (40, date(2026, 12, 29)),
        (50, date(2027, 1, 28)),
    }
    assert alerts_evaluate(period=date(2027, 3, 1)) == 3
    assert {(order, reached_on) for order, period, reached_on, _d in raised() if period == date(2027, 3, 1)} == {
        (10, date(2026, 12, 20)),
        (20, date(2026, 12, 30)),
        (30, date(2026, 12, 30)),
    }


def test_other_absence_categories_do_not_count(employment):
    one_spell_ending_in_march(employment, 31, code="200")

    assert alerts_evaluate(period=MARCH) == 0


def test_evaluation_is_idempotent(employment):
    one_spell_ending_in_march(employment, 31)

    assert alerts_evaluate(period=MARCH) == 3  # (a) 20 days, (b) 30 days, day 30
    assert alerts_evaluate(period=MARCH) == 0
    assert Alert.objects.count() == 3


def test_inactive_rules_are_skipped(employment):
    Rule.objects.update(active=False)
    one_spell_ending_in_march(employment, 31)

    assert alerts_evaluate(period=MARCH) == 0


@pytest.fixture
def alert(employment):
    one_spell_ending_in_march(employment, 30)
    alerts_evaluate(period=MARCH)
    return Alert.objects.get(rule__order=30)


def test_acknowledging_records_the_action(alert, django_user_model):
    user = django_user_model.objects.create_user("esihenkilo-ack")

    alerts_acknowledge(alerts=[alert], by=user, action_date=date(2026, 4, 2), note="Soitin työterveyshuoltoon.")

    alert.refresh_from_db()
    assert (alert.is_open, alert.action_date, alert.action_note, alert.acknowledged_by) == (
        False,
        date(2026, 4, 2),
        "Soitin työterveyshuoltoon.",
        user,
    )


def test_acknowledging_needs_a_note_and_happens_once(alert, django_user_model, english):
    user = django_user_model.objects.create_user("esihenkilo-ack")

    with pytest.raises(AlertError, match="Describe the action taken"):
        alerts_acknowledge(alerts=[alert], by=user, action_date=date(2026, 4, 2), note="  ")
    alerts_acknowledge(alerts=[alert], by=user, action_date=date(2026, 4, 2), note="Keskustelu pidetty.")
    with pytest.raises(AlertError, match="already been acknowledged"):
        alerts_acknowledge(alerts=[alert], by=user, action_date=date(2026, 4, 2), note="Uudestaan.")


def test_half_days_count_as_halves_toward_a_days_threshold(employment):
    from hrreports.models import Absence
    from hrreports.models.early_support import RuleKind

    Rule.objects.all().delete()
    Rule.objects.create(name="1 day", kind=RuleKind.WINDOW, months=1, days_at_least=1, categories=["sick_leave"])
    for day in (2, 4, 6):
        _absence(employment, "102", date(2026, 3, day), date(2026, 3, day))
    Absence.objects.update(calendar_days="0.50", working_days="0.50")

    alerts_evaluate(period=MARCH)

    alert = Alert.objects.get()
    assert (alert.spells, alert.days, alert.reached_on) == (3, Decimal("1.50"), date(2026, 3, 4))
