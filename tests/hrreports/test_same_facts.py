"""The same facts count the same however Populus brought them: in the month's own file or a later one,
split into rows differently, corrected by a later file's P/U pair, or fetched again in any order."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from hrreports.models import Alert, Employee, Rule, WorkUnit
from hrreports.models.early_support import RuleKind
from hrreports.models.fetching import RunStatus
from hrreports.reports import absence_report, absence_summary
from hrreports.services.early_support import alerts_evaluate
from hrreports.services.fetch import populus_fetch
from kuntaportaali.roles import Role
from tests.hrreports.conftest import ABSENCES_HEADER, AINO, absence_line, salary_line

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)
MARCH_PAY = [salary_line("03/2026", "13.3.2026", "1001", "3 912,40")]
APRIL_PAY = [salary_line("04/2026", "15.4.2026", "1001", "3 912,40")]


def fetched(source, period):
    run = populus_fetch(source=source, period=period)
    assert run.status == RunStatus.DONE, run.error
    assert run.rejected_count == 0, list(run.rejected_rows.values_list("row", "code"))
    return run


def figures(period):
    summary = absence_summary(WorkUnit.objects.get(code="101010"), period)
    return summary.spells, summary.calendar_days, summary.working_days


def changes_file(file_root, period, lines):
    """The month's absences file with the record kind column: "U" added, "P" deleted."""
    header = ABSENCES_HEADER + ";Tietuelaji"
    (file_root / "samples" / f"poissaolot_{period:%Y%m}.csv").write_text("\n".join([header, *lines]) + "\n")


# --- An absence registered late that continues into the fetched month -----------------------------

# Aino's sick leave 25.3.-5.4.2026 (Wednesday to Easter Sunday): 12 calendar days, 7 working days, of which
# 25.-31.3. are 7 calendar days and 5 working days.
ACROSS = absence_line("101", "25.3.2026", "5.4.2026", "12", "7")
# Somebody else's absence in another unit, for a month's file that has none of Aino's.
OTHERS = ["230469-9041;Lindqvist Johan;2001004;2010;200;Vuosiloma;23.3.2026;29.3.2026;7;5;K"]


@pytest.mark.parametrize("registered", ["on_time", "late"])
def test_a_sick_leave_into_the_next_month_counts_the_same_whichever_file_brought_it(
    sample_source, month_files, registered
):
    """Registered late, April's file has the sick leave 25.3.-5.4. that March's file did not: March's part
    was counted nowhere, so March's figures and the alerts evaluated over March never saw 25.-31.3."""
    Rule.objects.all().delete()
    rule = Rule.objects.create(
        name="10 pv", kind=RuleKind.WINDOW, months=2, days_at_least=10, categories=["sick_leave"]
    )
    month_files(MARCH, absences=[ACROSS] if registered == "on_time" else OTHERS, salaries=MARCH_PAY)
    fetched(sample_source, MARCH)
    month_files(APRIL, absences=[ACROSS], salaries=APRIL_PAY)
    fetched(sample_source, APRIL)

    assert figures(MARCH) == (1, 7, 5)
    assert figures(APRIL) == (1, 5, 2)
    alerts_evaluate(period=APRIL)
    alert = Alert.objects.get(rule=rule)
    assert (alert.spells, alert.days, alert.reached_on) == (1, Decimal("12.00"), date(2026, 4, 3))


def test_a_sick_leave_into_the_next_month_is_said_late_only_when_its_months_file_did_not_have_it(
    sample_source, month_files
):
    month_files(MARCH, absences=[ACROSS], salaries=MARCH_PAY)
    fetched(sample_source, MARCH)
    month_files(APRIL, absences=[ACROSS], salaries=APRIL_PAY)
    fetched(sample_source, APRIL)

    report = absence_report(WorkUnit.objects.get(code="101010"), APRIL)
    assert [(s.period, s.reported_late) for s in report.summaries[:2]] == [(APRIL, 0), (MARCH, 0)]

    month_files(MARCH, absences=OTHERS, salaries=MARCH_PAY)
    fetched(sample_source, MARCH)

    report = absence_report(WorkUnit.objects.get(code="101010"), APRIL)
    assert [(s.period, s.reported_late) for s in report.summaries[:2]] == [(APRIL, 0), (MARCH, 1)]


# --- A later file's P/U pair against re-fetching ---------------------------------------------------

MARCH_RECORD = f"{AINO};101;Poissaolo;10.3.2026;14.3.2026;5;3;K;U"
APRILS_OWN = f"{AINO};102;Poissaolo;14.4.2026;14.4.2026;1;1;K;U"


@pytest.mark.parametrize(
    ("april_changes", "march_figures"),
    [
        # Cancelled in Populus after March was fetched.
        ([f"{AINO};101;Poissaolo;10.3.2026;14.3.2026;5;3;K;P"], (0, 0, 0)),
        # The start corrected from 10.3. to 9.3.: the old record deleted, the new one added.
        (
            [f"{AINO};101;Poissaolo;10.3.2026;14.3.2026;5;3;K;P", f"{AINO};101;Poissaolo;9.3.2026;14.3.2026;6;4;K;U"],
            (1, 6, 4),
        ),
    ],
)
@pytest.mark.parametrize("order", [(MARCH, APRIL, MARCH), (APRIL, MARCH), (MARCH, APRIL, APRIL, MARCH)])
def test_a_later_files_deletion_holds_whichever_file_is_fetched_again_or_first(
    sample_source, month_files, file_root, april_changes, march_figures, order
):
    """The P record of April's file is Populus' later word on March's absence: fetching March's file again
    (or only after April's) brought the cancelled absence back into March's figures."""
    month_files(MARCH, absences=[], salaries=MARCH_PAY)
    changes_file(file_root, MARCH, [MARCH_RECORD])
    month_files(APRIL, absences=[], salaries=APRIL_PAY)
    changes_file(file_root, APRIL, [*april_changes, APRILS_OWN])

    for period in order:
        fetched(sample_source, period)

    assert figures(MARCH) == march_figures
    assert figures(APRIL) == (1, 1, 1)


def test_a_later_file_fetched_again_without_its_deletion_gives_the_absence_back(sample_source, month_files, file_root):
    month_files(MARCH, absences=[], salaries=MARCH_PAY)
    changes_file(file_root, MARCH, [MARCH_RECORD])
    month_files(APRIL, absences=[], salaries=APRIL_PAY)
    changes_file(file_root, APRIL, [f"{AINO};101;Poissaolo;10.3.2026;14.3.2026;5;3;K;P", APRILS_OWN])
    fetched(sample_source, APRIL)
    fetched(sample_source, MARCH)

    changes_file(file_root, APRIL, [APRILS_OWN])
    fetched(sample_source, APRIL)

    assert figures(MARCH) == (1, 5, 3)


def test_the_employee_page_lists_the_absences_as_they_count_not_the_records_replaced(
    sample_source, month_files, file_root, client_as, settings
):
    """March's file had 10.-14.3. and 2.-6.3.; April's file changed the first to 9.-14.3. (a P/U pair) and
    extended the second to 13.3.: the page listed the replaced records beside the current ones."""
    month_files(MARCH, absences=[], salaries=MARCH_PAY)
    changes_file(file_root, MARCH, [MARCH_RECORD, f"{AINO};102;Poissaolo;2.3.2026;6.3.2026;5;5;K;U"])
    fetched(sample_source, MARCH)
    month_files(APRIL, absences=[], salaries=APRIL_PAY)
    april_changes = [
        f"{AINO};101;Poissaolo;10.3.2026;14.3.2026;5;3;K;P",
        f"{AINO};101;Poissaolo;9.3.2026;14.3.2026;6;4;K;U",
        f"{AINO};102;Poissaolo;2.3.2026;13.3.2026;12;10;K;U",
        APRILS_OWN,
    ]
    changes_file(file_root, APRIL, april_changes)
    fetched(sample_source, APRIL)
    client = client_as(Role.HR_ADMIN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("hrreports:employee-detail", args=[Employee.objects.get(name="Mäkinen Aino").pk]))

    listed = re.findall(r"<td >(\w{3} 2026)</td><td >(\d\d/\d\d/2026)</td><td >(\d\d/\d\d/2026)</td>", response.text)
    assert listed == [
        ("Apr 2026", "14/04/2026", "14/04/2026"),
        ("Mar 2026", "09/03/2026", "14/03/2026"),
        ("Mar 2026", "02/03/2026", "13/03/2026"),
    ]


# --- Days off inside a sick leave ------------------------------------------------------------------

SPLIT_BY_WORKING_WEEKS = [  # Monday to Friday each week, as Populus records sick leave in working days
    absence_line("101", "2.3.2026", "6.3.2026", "5", "5"),
    absence_line("101", "9.3.2026", "13.3.2026", "5", "5"),
    absence_line("101", "16.3.2026", "20.3.2026", "5", "5"),
    absence_line("101", "23.3.2026", "24.3.2026", "2", "2"),
]
SPLIT_BY_CALENDAR_WEEKS = [  # the same sick leave in certificates of a calendar week
    absence_line("101", "2.3.2026", "8.3.2026", "7", "5"),
    absence_line("101", "9.3.2026", "15.3.2026", "7", "5"),
    absence_line("101", "16.3.2026", "20.3.2026", "5", "5"),
    absence_line("101", "23.3.2026", "24.3.2026", "2", "2"),
]


@pytest.mark.parametrize("rows", [SPLIT_BY_WORKING_WEEKS, SPLIT_BY_CALENDAR_WEEKS], ids=["working", "calendar"])
def test_the_days_of_a_sick_leave_count_its_weekends_however_populus_split_it(
    sample_source, month_files, default_rules, rows
):
    """One sick leave 2.-24.3. (23 days): split into Monday-Friday rows its weekends were not counted, 17 days
    and no early-support discussion, while split into calendar weeks it made 21 days and the alert."""
    month_files(MARCH, absences=rows, salaries=MARCH_PAY)
    fetched(sample_source, MARCH)

    alerts_evaluate(period=MARCH)

    alerts = Alert.objects.values_list("rule__days_at_least", "spells", "days", "reached_on")
    assert list(alerts) == [(20, 1, Decimal("23.00"), date(2026, 3, 21))]


# --- Overlapping rows of one employment ------------------------------------------------------------


@pytest.mark.parametrize(
    "rows",
    [
        [absence_line("101", "2.3.2026", "6.3.2026", "5", "5")],
        # Three days on her own notice, and the doctor's certificate from the day of the visit, the third.
        [absence_line("102", "2.3.2026", "4.3.2026", "3", "3"), absence_line("101", "4.3.2026", "6.3.2026", "3", "3")],
        # The same certificate in the file twice over with another code: the own notice recorded as a certificate.
        [absence_line("101", "2.3.2026", "6.3.2026", "5", "5"), absence_line("102", "2.3.2026", "6.3.2026", "5", "5")],
    ],
    ids=["one_row", "overlapping_a_day", "the_same_days_twice"],
)
def test_a_sick_day_is_lost_working_time_once_however_many_rows_of_the_employment_cover_it(
    sample_source, month_files, rows
):
    """Aino was sick 2.-6.3. (5 working days): rows overlapping on a day lost that day's planned working time
    twice in the sick-leave rate."""
    month_files(MARCH, absences=rows, salaries=MARCH_PAY)
    fetched(sample_source, MARCH)

    summary = absence_summary(WorkUnit.objects.get(code="101010"), MARCH)

    assert (summary.sick_spells, summary.sick_planned_days) == (1, Decimal(5))


def test_a_later_files_deletion_of_an_absence_continuing_into_its_month_takes_out_the_earlier_months_part(
    sample_source, month_files, file_root
):
    """March's file had the sick leave 25.3.-5.4.; April's file deletes it (a "P" record alone): only a
    deletion of an absence ended before April took anything out of March, so 25.-31.3. stayed counted."""
    month_files(MARCH, absences=[], salaries=MARCH_PAY)
    changes_file(file_root, MARCH, [f"{AINO};101;Poissaolo;25.3.2026;5.4.2026;12;7;K;U"])
    fetched(sample_source, MARCH)
    month_files(APRIL, absences=[], salaries=APRIL_PAY)
    changes_file(file_root, APRIL, [f"{AINO};101;Poissaolo;25.3.2026;5.4.2026;12;7;K;P", APRILS_OWN])

    fetched(sample_source, APRIL)

    assert figures(MARCH) == (0, 0, 0)
    assert figures(APRIL) == (1, 1, 1)


# --- A move to another unit while the absence runs --------------------------------------------------

EMPLOYMENTS_HEADER = (
    "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Nimike;Palvelussuhteen laji;Alkupvm;Loppupvm;Työaika-%"
)


@pytest.mark.parametrize("order", [(MARCH, APRIL), (APRIL, MARCH), (MARCH, APRIL, MARCH)])
def test_an_absence_over_a_move_counts_its_earlier_months_part_in_the_unit_of_that_month(
    sample_source, month_files, file_root, order
):
    """Aino moved from 101010 to 101020 on 1.4. while sick 25.3.-5.4.: April's file gives the sick leave with
    her new cost centre, and its word on March took 25.-31.3. out of the unit she was in in March."""
    month_files(MARCH, absences=[ACROSS], salaries=MARCH_PAY)
    moved = ACROSS.replace(";101010;", ";101020;")
    month_files(APRIL, absences=[moved], salaries=[APRIL_PAY[0].replace(";101010;", ";101020;")])
    (file_root / "samples" / "palvelussuhteet_202604.xlsx").unlink()
    (file_root / "samples" / "palvelussuhteet_202604.csv").write_text(
        f"{EMPLOYMENTS_HEADER}\n010175-901V;Mäkinen Aino;2001001;101020;sairaanhoitaja;vakinainen;1.1.2010;;100\n"
    )

    for period in order:
        fetched(sample_source, period)

    def unit_figures(code, period):
        summary = absence_summary(WorkUnit.objects.get(code=code), period)
        return summary.spells, summary.calendar_days, summary.working_days

    assert unit_figures("101010", MARCH) == (1, 7, 5)
    assert unit_figures("101020", MARCH) == (0, 0, 0)
    assert unit_figures("101020", APRIL) == (1, 5, 2)


# --- An employment ended and another begun on the same day ----------------------------------------


@pytest.mark.parametrize(
    "first_ends", [date(2026, 3, 13), date(2026, 3, 16)], ids=["ended_the_day_before", "ended_the_same_day"]
)
def test_a_day_an_employment_ends_and_the_next_begins_is_planned_once(
    sample_source, month_files, file_root, first_ends
):
    """Aino's contract is followed by the next on Monday 16.3.: Populus may end the first on the Friday
    before or on the Monday the next begins. Ended on the Monday, 16.3. was planned working time twice and
    March had 23 planned working days of her, one more than March has."""
    month_files(MARCH, absences=[absence_line("101", "2.3.2026", "6.3.2026", "5", "5")], salaries=MARCH_PAY)
    (file_root / "samples" / "palvelussuhteet_202603.xlsx").unlink()
    (file_root / "samples" / "palvelussuhteet_202603.csv").write_text(
        f"{EMPLOYMENTS_HEADER}\n"
        f"010175-901V;Mäkinen Aino;2001001;101010;sairaanhoitaja;määräaikainen;1.1.2026;{first_ends:%d.%m.%Y};100\n"
        "010175-901V;Mäkinen Aino;2001009;101010;sairaanhoitaja;määräaikainen;16.3.2026;31.12.2026;100\n"
    )
    fetched(sample_source, MARCH)

    summary = absence_summary(WorkUnit.objects.get(code="101010"), MARCH)

    assert (summary.planned_working_days, summary.sick_planned_days) == (Decimal(22), Decimal(5))


def test_the_report_says_a_months_absence_a_later_file_deleted_as_it_says_one_a_later_file_added(
    sample_source, month_files, file_root
):
    """A later file's word on a month is said under the figures as they differ from the report sent for the
    month: an absence added was, while one deleted (a "P" record alone) changed the figures unsaid."""
    month_files(MARCH, absences=[], salaries=MARCH_PAY)
    changes_file(file_root, MARCH, [MARCH_RECORD])
    fetched(sample_source, MARCH)
    month_files(APRIL, absences=[], salaries=APRIL_PAY)
    changes_file(file_root, APRIL, [f"{AINO};101;Poissaolo;10.3.2026;14.3.2026;5;3;K;P", APRILS_OWN])
    fetched(sample_source, APRIL)

    report = absence_report(WorkUnit.objects.get(code="101010"), APRIL)
    with translation.override("fi"):
        note = render_to_string("hrreports/includes/absence_reported_late.html", {"summaries": report.summaries})

    assert [(s.period, s.reported_late, s.deleted_late) for s in report.summaries[:2]] == [(APRIL, 0, 0), (MARCH, 0, 1)]
    assert "3/2026: 1 poissaolo poistettiin myöhemmän kuukauden tiedostossa" in note


# --- Two records of one absence in one file ----------------------------------------------------------

SHORTER = absence_line("101", "2.3.2026", "6.3.2026", "5", "5")
LONGER = absence_line("101", "2.3.2026", "13.3.2026", "12", "10")


@pytest.mark.parametrize("rows", [[SHORTER, LONGER], [LONGER, SHORTER]], ids=["shorter_first", "longer_first"])
def test_two_added_records_of_one_absence_with_other_dates_are_both_refused_whichever_comes_first(
    sample_source, month_files, settings, rows
):
    """Two records added ("U") of one absence (employment, type, start) that end on other days, with no deleted
    record between: the first was stored and the second refused as its repeat, so the month's figures
    followed the file's order. Which is meant the file does not say; both are refused, naming each other."""
    settings.POPULUS_REJECT_THRESHOLD = 1
    month_files(MARCH, absences=[*rows, absence_line("102", "23.3.2026", "23.3.2026", "1", "1")], salaries=MARCH_PAY)

    run = populus_fetch(source=sample_source, period=MARCH)

    assert run.status == RunStatus.DONE, run.error
    assert sorted(run.rejected_rows.values_list("row", "field", "code", "params")) == [
        (2, "end", "absence_conflicting", {"row": 3}),
        (3, "end", "absence_conflicting", {"row": 2}),
    ]
    assert figures(MARCH) == (1, 1, 1)
    with translation.override("en"):
        assert run.rejected_rows.get(row=2).reason == (
            "another record of the same absence (its type and start) on row 3 ends on another day or gives other "
            "days: which one holds the file does not say (a change comes as the old record deleted and the new one "
            "added)"
        )


@pytest.mark.parametrize(
    "februarys",
    [
        [absence_line("101", "23.2.2026", "27.2.2026", "5", "5")],  # Monday to Friday
        [absence_line("101", "23.2.2026", "1.3.2026", "7", "5")],  # Monday to Sunday
    ],
    ids=["working_week", "calendar_week"],
)
def test_the_days_off_at_the_start_of_a_rules_months_count_however_the_week_before_was_recorded(
    sample_source, month_files, default_rules, februarys
):
    """A sick leave from Monday 23.2. to Friday 6.3.: the rule of March counts 1.-6.3. (Sunday the 1st is a day
    of the sick leave) whether February's week was recorded to the Friday or the Sunday."""
    Rule.objects.all().delete()
    rule = Rule.objects.create(name="6 pv", kind=RuleKind.WINDOW, months=1, days_at_least=6, categories=["sick_leave"])
    february = date(2026, 2, 1)
    month_files(february, absences=februarys, salaries=[salary_line("02/2026", "13.2.2026", "1001", "3 912,40")])
    fetched(sample_source, february)
    month_files(MARCH, absences=[*februarys, absence_line("101", "2.3.2026", "6.3.2026", "5", "5")], salaries=MARCH_PAY)
    fetched(sample_source, MARCH)

    alerts_evaluate(period=MARCH)

    alert = Alert.objects.get(rule=rule)
    assert (alert.days, alert.reached_on) == (Decimal("6.00"), date(2026, 3, 6))
