"""The simulator: deterministic by seed, the promised size, and realistic patterns."""

from collections import Counter, defaultdict
from datetime import date

import pytest

from hrreports.periods import period_last_day, period_shift
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


@pytest.mark.slow
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


SICK = ("101", "102")


@pytest.fixture(scope="module")
def sick_year():
    """A real simulated year (2026) of the default source: the monthly sick-leave rates as the absence
    report computes them, every sick spell since 2025 (for 12-month windows) and each month's staff."""
    rates, spells, staff = {}, {}, {}
    for offset in range(24):
        month = period_shift(date(2025, 1, 1), offset)
        first, last = month, period_last_day(month)
        sick = 0
        for row in rows("absences", month):
            if row["absence_code"] in SICK:
                spells[(row["employment_id"], row["absence_code"], row["start"])] = row
                sick += working_days(max(row["start"], first), min(row["end"], last))
        if month.year == 2026:
            employments = rows("employments", month)
            staff[month] = {row["person_number"] for row in employments}
            planned = sum(
                working_days(max(e["start"], first), min(e["end"] or last, last)) * e["working_time_percent"] / 100
                for e in employments
            )
            rates[month] = (sick, planned)
    return rates, list(spells.values()), staff


def _window_figures(spells: list[dict], period: date) -> dict[str, tuple[int, int]]:
    """Per person: (spells, calendar days) of sick leave in the 12 months ending with `period`."""
    first, last = period_shift(period, -11), period_last_day(period)
    figures: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for row in spells:
        if row["start"] <= last and row["end"] >= first:
            count, days = figures[row["person_number"]]
            inside = (min(row["end"], last) - max(row["start"], first)).days + 1
            figures[row["person_number"]] = (count + 1, days + inside)
    return figures


@pytest.mark.slow
def test_the_sick_leave_rate_is_about_4_to_5_percent_a_year_higher_in_winter(sick_year):
    rates, _spells, _staff = sick_year
    percent = {month: 100 * sick / planned for month, (sick, planned) in rates.items()}

    year = 100 * sum(sick for sick, _ in rates.values()) / sum(planned for _, planned in rates.values())
    assert 4.0 <= year <= 5.0
    assert all(5.5 <= percent[date(2026, month, 1)] <= 7.0 for month in (1, 2))
    assert 1.5 <= percent[date(2026, 7, 1)] <= 2.5
    assert max(percent, key=percent.get).month in (1, 2, 12)


@pytest.mark.slow
def test_short_spells_are_the_most_frequent_and_long_leaves_carry_many_days(sick_year):
    _rates, spells, staff = sick_year
    in_2026 = [row for row in spells if row["start"].year == 2026]
    lengths = Counter(
        "1-3" if days <= 3 else "4-5" if days <= 5 else "6-29" if days < 30 else "30+"
        for days in (row["calendar_days"] for row in in_2026)
    )
    working = Counter()
    for row in in_2026:
        working[row["calendar_days"] <= 3] += row["working_days"]

    assert lengths.most_common(1)[0][0] == "1-3"
    assert lengths["1-3"] + lengths["4-5"] > 0.6 * len(in_2026)
    assert 0.15 <= working[True] / sum(working.values()) <= 0.4  # short spells: roughly a third of the days
    people = len(set().union(*staff.values()))
    assert 1.5 <= len(in_2026) / people <= 2.5  # sick spells per person and year


@pytest.mark.slow
def test_a_realistic_share_reaches_early_support_and_the_checkpoints_every_month(sick_year):
    _rates, spells, staff = sick_year
    before = _window_figures(spells, date(2025, 12, 1))
    yearly: Counter = Counter()
    for offset in range(12):
        month = date(2026, 1 + offset, 1)
        now = _window_figures(spells, month)
        # Rule (a): 5 spells or 20 days in the 12 months ending with the month.
        reached = sum(1 for person in staff[month] if now[person][0] >= 5 or now[person][1] >= 20)
        assert 0.05 <= reached / len(staff[month]) <= 0.10, (month, reached)
        crossed = [
            sum(1 for p in staff[month] if now[p][1] >= threshold and before[p][1] < threshold)
            for threshold in (30, 60, 90)
        ]
        assert 3 <= sum(crossed) <= 40, (month, crossed)  # a handful pass the day 30/60/90 checkpoints
        yearly.update(dict(zip((30, 60, 90), crossed, strict=True)))
        before = now
    assert all(20 <= yearly[threshold] <= 150 for threshold in (30, 60, 90)), yearly
