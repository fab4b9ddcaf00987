"""The simulator: deterministic by seed, the promised size, and realistic patterns."""

from collections import Counter
from datetime import date

import pytest

from hrreports.periods import period_shift
from hrreports.sources.simulator import SimulatorSource
from hrreports.workdays import working_days

FULL = SimulatorSource(name="sim", config=SimulatorSource.config_defaults())


def rows(report: str, period: date, source: SimulatorSource = FULL) -> list[dict]:
    batch = source.fetch(report, period)
    assert batch.rejected == []
    return batch.rows


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    again = SimulatorSource(name="again", config=SimulatorSource.config_defaults())
    other = SimulatorSource(name="other", config=SimulatorSource.config_defaults() | {"seed": 99})

    assert rows("absences", date(2026, 1, 1)) == rows("absences", date(2026, 1, 1), again)
    assert rows("salaries", date(2026, 1, 1)) != rows("salaries", date(2026, 1, 1), other)


def test_about_150_units_in_three_levels():
    units = rows("units", date(2026, 1, 1))
    by_code = {unit["code"]: unit for unit in units}

    def level(code: str) -> int:
        return 1 if not by_code[code]["parent_code"] else 1 + level(by_code[code]["parent_code"])

    assert len(units) == 150
    assert Counter(level(code) for code in by_code) == {1: 6, 2: 24, 3: 120}


def test_about_2500_employments_each_month_with_hires_and_leavers():
    months = [date(2025, month, 1) for month in range(1, 13)]
    counts, hires, leavers = [], 0, 0
    for month in months:
        employments = rows("employments", month)
        counts.append(len(employments))
        hires += sum(1 for e in employments if e["start"] >= month and e["start"].month == month.month)
        leavers += sum(1 for e in employments if e["end"] and e["end"].year == 2025 and e["end"].month == month.month)
    assert all(2400 <= count <= 2600 for count in counts)
    assert hires > 100 and leavers > 100


def test_short_sick_leave_is_seasonal_and_annual_leave_is_in_summer():
    january, july = Counter(), Counter()
    for row in rows("absences", date(2026, 1, 1)):
        january[row["absence_code"]] += row["start"].month == 1
    for row in rows("absences", date(2025, 7, 1)):
        july[row["absence_code"]] += row["start"].month == 7

    assert january["102"] > 2 * july["102"]
    assert july["200"] > 1000 > january["200"]


def test_a_few_long_sick_leaves_and_some_repeated_short_spells():
    spells: Counter = Counter()
    long_leaves = set()
    for offset in range(4):
        month = period_shift(date(2026, 1, 1), -offset)
        for row in rows("absences", month):
            if row["absence_code"] in ("101", "102") and row["start"] >= month:
                spells[row["employment_id"]] += 1
            if row["absence_code"] == "101" and row["calendar_days"] >= 30:
                long_leaves.add(row["employment_id"])
    assert 5 <= len(long_leaves) <= 150
    assert sum(1 for count in spells.values() if count >= 3) >= 10


def test_absence_days_are_consistent():
    for row in rows("absences", date(2026, 3, 1)):
        assert row["calendar_days"] == (row["end"] - row["start"]).days + 1
        assert row["working_days"] == working_days(row["start"], row["end"])
        assert row["paid"] is (row["absence_code"] not in ("420", "500"))


def test_monthly_payroll_with_holiday_bonus_in_july():
    february = rows("salaries", date(2026, 2, 1))
    july = rows("salaries", date(2025, 7, 1))

    base_paid = {row["employment_id"] for row in february if row["salary_type_code"] == "1001"}
    assert len(base_paid) == len(rows("employments", date(2026, 2, 1)))
    assert {row["payment_date"] for row in february} == {date(2026, 2, 13)}
    assert not any(row["salary_type_code"] == "3001" for row in february)
    assert sum(1 for row in july if row["salary_type_code"] == "3001") > 2000
    assert all(row["amount"] > 0 for row in february)


@pytest.mark.parametrize("report", ["employments", "absences", "salaries"])
def test_person_numbers_are_unique_per_employment_and_in_the_test_range(report):
    people = {}
    for row in rows(report, date(2026, 2, 1)):
        assert people.setdefault(row["employment_id"], row["person_number"]) == row["person_number"]
        assert row["person_number"][7] == "9"  # individual numbers 900-999: temporary/test range
    assert len(set(people.values())) == len(people)


def test_every_rare_absence_kind_occurs_in_a_year():
    codes: Counter = Counter()
    for month in range(1, 13):
        for row in rows("absences", date(2025, month, 1)):
            if row["start"].month == month and row["start"].year == 2025:
                codes[row["absence_code"]] += 1

    # Unpaid leave (500), accidents (110), family leave (410) and long sick leave: a few each.
    assert 10 <= codes["500"] <= 80
    assert 10 <= codes["110"] <= 60
    assert 10 <= codes["410"] <= 120
