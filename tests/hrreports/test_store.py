"""Storing a fetched month: a month's file is the truth about that month. Rows of another month are
rejected; absences are stored per fetched month and counted once; salary corrections are kept."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import translation

from hrreports.models import Absence, Alert, Employee, Employment, Rule, SalaryPayment, WorkUnit
from hrreports.models.early_support import RuleKind
from hrreports.models.fetching import RunStatus
from hrreports.person_numbers import person_number_decrypt
from hrreports.reports import absence_report, absence_summary, salary_report
from hrreports.services.early_support import alerts_evaluate
from hrreports.services.fetch import populus_fetch
from hrreports.services.store import batches_store
from tests.hrreports.conftest import ABSENCES_HEADER, AINO, absence_line, salary_line

FEBRUARY, MARCH, APRIL = date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)
PAY = [salary_line("02/2026", "13.2.2026", "1001", "3 912,40")]


def fetched(source, period):
    run = populus_fetch(source=source, period=period)
    assert run.status == RunStatus.DONE, run.error
    return run


@pytest.fixture
def threshold(settings):
    settings.POPULUS_REJECT_THRESHOLD = 1


# --- Rows of another month ----------------------------------------------------------------------


def test_an_absence_after_the_month_is_rejected_naming_the_month(sample_source, month_files, threshold):
    month_files(
        MARCH,
        absences=[
            absence_line("102", "2.3.2026", "3.3.2026", "2", "2"),
            absence_line("200", "6.4.2026", "10.4.2026", "5", "4"),  # planned annual leave: April's file's
        ],
        salaries=[salary_line("03/2026", "13.3.2026", "1001", "3 912,40")],
    )

    run = fetched(sample_source, MARCH)

    assert list(run.rejected_rows.values_list("row", "field", "value", "code", "params")) == [
        (
            3,
            "start",
            "6.4.2026",
            "absence_outside_month",
            {"start": "2026-04-06", "end": "2026-04-10", "month": "2026-03"},
        )
    ]
    assert list(Absence.objects.values_list("start", flat=True)) == [date(2026, 3, 2)]


def test_an_absence_older_than_the_months_corrected_is_rejected_naming_them(
    sample_source, month_files, threshold, settings
):
    settings.HR_ABSENCE_CORRECTION_MONTHS = 2
    month_files(
        APRIL,
        absences=[absence_line("102", "2.1.2026", "3.1.2026", "2", "1")],
        salaries=[salary_line("04/2026", "15.4.2026", "1001", "3 912,40")],
    )

    run = fetched(sample_source, APRIL)

    assert list(run.rejected_rows.values_list("field", "value", "code", "params")) == [
        (
            "start",
            "2.1.2026",
            "absence_before_months_corrected",
            {"start": "2026-01-02", "end": "2026-01-03", "month": "2026-04", "first_month": "2026-02"},
        )
    ]
    assert not Absence.objects.exists()


# --- Absences registered late -------------------------------------------------------------------

MARCH_PAY = [salary_line("03/2026", "13.3.2026", "1001", "3 912,40")]
APRIL_PAY = [salary_line("04/2026", "15.4.2026", "1001", "3 912,40")]


@pytest.fixture
def registered_late(sample_source, month_files):
    """March's file has Aino's sick leave 2.-3.3.; her doctor's certificate for 16.-20.3. reached Populus after
    March was fetched, so April's file has it, with March's dates, beside her April absence."""
    month_files(MARCH, absences=[absence_line("102", "2.3.2026", "3.3.2026", "2", "2")], salaries=MARCH_PAY)
    fetched(sample_source, MARCH)
    month_files(
        APRIL,
        absences=[
            absence_line("101", "16.3.2026", "20.3.2026", "5", "5"),
            absence_line("102", "14.4.2026", "14.4.2026", "1", "1"),
        ],
        salaries=APRIL_PAY,
    )
    run = fetched(sample_source, APRIL)
    assert run.rejected_count == 0
    return WorkUnit.objects.get(code="101010")


def test_a_sick_leave_registered_after_its_month_was_fetched_corrects_that_months_figures(registered_late):
    assert figures(registered_late, MARCH) == (2, 7, 7)
    assert figures(registered_late, APRIL) == (1, 1, 1)


def test_the_report_says_which_months_figures_came_late(registered_late):
    """The supervisor got March's report without the late certificate: April's report says March's figures
    now count it."""
    report = absence_report(registered_late, APRIL)
    assert [(s.period, s.reported_late) for s in report.summaries] == [(APRIL, 0), (MARCH, 1), (date(2025, 4, 1), 0)]

    with translation.override("fi"):
        note = render_to_string("hrreports/includes/absence_reported_late.html", {"summaries": report.summaries})

    assert "3/2026: 1 poissaolo tuli myöhemmän kuukauden tiedostossa" in note
    assert "4/2026" not in note


def test_a_sick_leave_registered_late_raises_the_alert_it_completes(registered_late):
    """Two spells in March make the rule's threshold, known only from April's file: the alert is raised with
    April's, on the day the threshold was reached in March."""
    Rule.objects.all().delete()
    rule = Rule.objects.create(
        name="2 jaksoa", kind=RuleKind.WINDOW, months=2, spells_at_least=2, categories=["sick_leave"]
    )

    alerts_evaluate(period=APRIL)

    alert = Alert.objects.get(rule=rule)
    assert (alert.period, alert.reached_on, alert.spells) == (APRIL, date(2026, 3, 16), 3)


def test_fetching_march_again_keeps_what_aprils_file_added_to_march(registered_late, sample_source):
    fetched(sample_source, MARCH)

    assert figures(registered_late, MARCH) == (2, 7, 7)


def test_a_later_files_word_on_an_absence_replaces_the_earlier_until_that_file_is_fetched_again(
    sample_source, month_files
):
    """March's file had Aino sick 2.-6.3.; the certificate extending it to 13.3. reached Populus in April."""
    month_files(MARCH, absences=[absence_line("101", "2.3.2026", "6.3.2026", "5", "5")], salaries=MARCH_PAY)
    fetched(sample_source, MARCH)
    month_files(APRIL, absences=[absence_line("101", "2.3.2026", "13.3.2026", "12", "10")], salaries=APRIL_PAY)
    fetched(sample_source, APRIL)
    unit = WorkUnit.objects.get(code="101010")

    assert figures(unit, MARCH) == (1, 12, 10)

    month_files(APRIL, absences=[absence_line("102", "14.4.2026", "14.4.2026", "1", "1")], salaries=APRIL_PAY)
    fetched(sample_source, APRIL)

    assert figures(unit, MARCH) == (1, 5, 5)


def test_a_payment_made_in_another_month_is_rejected_naming_the_month(sample_source, month_files, threshold):
    month_files(
        MARCH,
        absences=[absence_line("102", "2.3.2026", "3.3.2026", "2", "2")],
        salaries=[
            salary_line("03/2026", "13.3.2026", "1001", "3 912,40"),
            salary_line("03/2026", "15.4.2026", "2101", "120,00"),  # a correction for March, paid in April
        ],
    )

    run = fetched(sample_source, MARCH)

    assert list(run.rejected_rows.values_list("row", "field", "value", "code", "params")) == [
        (
            3,
            "payment_date",
            "15.4.2026",
            "salary_paid_outside_month",
            {"payment_date": "2026-04-15", "month": "2026-03"},
        )
    ]
    assert SalaryPayment.objects.count() == 1


# --- Absences across months ---------------------------------------------------------------------

# 25.2.-10.3.2026: 4 calendar days and 3 working days (25.-27.2.) in February, 10 and 7 in March.
IN_FEBRUARYS_FILE = absence_line("101", "25.2.2026", "10.3.2026", "14", "10")
IN_MARCHS_FILE = absence_line("101", "1.3.2026", "10.3.2026", "10", "7")  # clipped to March by the export


@pytest.fixture
def across_months(sample_source, month_files):
    month_files(FEBRUARY, absences=[IN_FEBRUARYS_FILE], salaries=PAY)
    month_files(MARCH, absences=[IN_MARCHS_FILE], salaries=[salary_line("03/2026", "13.3.2026", "1001", "3 912,40")])
    fetched(sample_source, FEBRUARY)
    fetched(sample_source, MARCH)
    return WorkUnit.objects.get(code="101010")


def figures(unit, period):
    summary = absence_summary(unit, period)
    return summary.spells, summary.calendar_days, summary.working_days


def test_an_absence_in_two_months_files_is_stored_with_the_month_each_came_from(across_months):
    stored = Absence.objects.order_by("period").values_list("period", "start", "end", "calendar_days", "working_days")

    assert list(stored) == [
        (FEBRUARY, date(2026, 2, 25), date(2026, 3, 10), Decimal("14.00"), Decimal("10.00")),
        (MARCH, date(2026, 3, 1), date(2026, 3, 10), Decimal("10.00"), Decimal("7.00")),
    ]


def test_an_absence_clipped_to_the_month_in_the_next_months_file_is_counted_once(across_months):
    assert figures(across_months, FEBRUARY) == (1, 4, 3)
    assert figures(across_months, MARCH) == (1, 10, 7)
    [row] = absence_report(across_months, MARCH).rows
    assert (row.spells, row.calendar_days, row.working_days) == (1, 10, 7)


def test_the_pieces_of_one_absence_in_two_months_are_one_spell_for_the_early_support_rules(across_months):
    Rule.objects.all().delete()
    spells = Rule.objects.create(
        name="2 spells", kind=RuleKind.WINDOW, months=3, spells_at_least=2, categories=["sick_leave"]
    )
    days = Rule.objects.create(
        name="14 days", kind=RuleKind.WINDOW, months=3, days_at_least=14, categories=["sick_leave"]
    )

    alerts_evaluate(period=MARCH)

    assert not Alert.objects.filter(rule=spells).exists()
    alert = Alert.objects.get(rule=days)
    assert (alert.spells, alert.days, alert.reached_on) == (1, Decimal("14.00"), date(2026, 3, 10))


def test_refetching_a_month_replaces_only_that_months_rows(across_months, sample_source, month_files):
    month_files(FEBRUARY, absences=[absence_line("101", "25.2.2026", "12.3.2026", "16", "12")], salaries=PAY)

    fetched(sample_source, FEBRUARY)

    stored = Absence.objects.order_by("period").values_list("period", "end")
    assert list(stored) == [(FEBRUARY, date(2026, 3, 12)), (MARCH, date(2026, 3, 10))]
    assert figures(across_months, MARCH) == (1, 10, 7)


def test_half_days_are_stored_and_counted_as_halves(sample_source, month_files):
    month_files(
        MARCH,
        absences=[
            absence_line("300", "4.3.2026", "4.3.2026", "0,5", "0,5"),
            absence_line("102", "9.3.2026", "10.3.2026", "2", "1,5"),
        ],
        salaries=[salary_line("03/2026", "13.3.2026", "1001", "3 912,40")],
    )

    fetched(sample_source, MARCH)

    unit = WorkUnit.objects.get(code="101010")
    assert sorted(Absence.objects.values_list("calendar_days", "working_days")) == [
        (Decimal("0.50"), Decimal("0.50")),
        (Decimal("2.00"), Decimal("1.50")),
    ]
    assert figures(unit, MARCH) == (2, Decimal("2.5"), 2)
    assert [(r.type_code, r.calendar_days, r.working_days) for r in absence_report(unit, MARCH).rows] == [
        ("102", 2, Decimal("1.5")),
        ("300", Decimal("0.5"), Decimal("0.5")),
    ]


def test_stored_working_days_are_shared_between_months_by_the_absences_working_days(sample_source, month_files):
    # A part-time employee: 5 working days of absence over the 10 calendar working days of 25.2.-10.3.
    month_files(FEBRUARY, absences=[absence_line("101", "25.2.2026", "10.3.2026", "14", "5")], salaries=PAY)

    fetched(sample_source, FEBRUARY)

    assert figures(WorkUnit.objects.get(code="101010"), FEBRUARY) == (1, 4, Decimal("1.5"))


# --- Salary corrections -------------------------------------------------------------------------


def test_a_negative_correction_with_the_same_period_date_and_type_is_stored(sample_source, month_files):
    month_files(
        MARCH,
        absences=[absence_line("102", "2.3.2026", "3.3.2026", "2", "2")],
        salaries=[
            salary_line("03/2026", "13.3.2026", "1001", "3 912,40"),
            salary_line("03/2026", "13.3.2026", "1001", "312,99-"),
        ],
    )

    run = fetched(sample_source, MARCH)

    assert run.rejected_count == 0
    assert sorted(SalaryPayment.objects.values_list("amount", flat=True)) == [Decimal("-312.99"), Decimal("3912.40")]
    assert salary_report(WorkUnit.objects.get(code="101010"), MARCH).total == Decimal("3599.41")


def test_a_payment_row_repeated_exactly_is_stored_once_with_the_reason(sample_source, month_files, threshold):
    payment = salary_line("03/2026", "13.3.2026", "1001", "3 912,40")
    month_files(MARCH, absences=[absence_line("102", "2.3.2026", "3.3.2026", "2", "2")], salaries=[payment, payment])

    run = fetched(sample_source, MARCH)

    assert list(run.rejected_rows.values_list("row", "code", "params")) == [
        (3, "salary_repeated", {"row": 2, "file": "palkat_202603.csv"})
    ]
    assert SalaryPayment.objects.count() == 1


def test_a_payment_reversed_and_paid_again_is_paid_once(sample_source, month_files):
    month_files(
        MARCH,
        absences=[absence_line("102", "2.3.2026", "3.3.2026", "2", "2")],
        salaries=[
            salary_line("03/2026", "13.3.2026", "1001", "3 912,40"),
            salary_line("03/2026", "13.3.2026", "1001", "3 912,40-"),  # reversed in a correction run
            salary_line("03/2026", "13.3.2026", "1001", "3 912,40"),  # and paid again
        ],
    )

    run = fetched(sample_source, MARCH)

    assert run.rejected_count == 0
    assert SalaryPayment.objects.count() == 3
    assert salary_report(WorkUnit.objects.get(code="101010"), MARCH).total == Decimal("3912.40")


def test_a_row_repeated_beside_a_reversal_of_its_own_is_still_stored_once(sample_source, month_files, threshold):
    payment = salary_line("03/2026", "13.3.2026", "1001", "3 912,40")
    reversal = salary_line("03/2026", "13.3.2026", "1001", "3 912,40-")
    month_files(
        MARCH,
        absences=[absence_line("102", "2.3.2026", "3.3.2026", "2", "2")],
        salaries=[payment, reversal, payment, payment],
    )

    run = fetched(sample_source, MARCH)

    # One reversal lets one payment be made again; the third equal payment is a repeated row.
    assert list(run.rejected_rows.values_list("row", "code")) == [(5, "salary_repeated")]
    assert salary_report(WorkUnit.objects.get(code="101010"), MARCH).total == Decimal("3912.40")


def test_a_reversal_repeated_is_a_repeated_row_not_a_second_reversal(sample_source, month_files, threshold):
    """Each payment row let one more copy of its reversal through: paid once and the reversal line
    repeated by the export were stored as -3,912.40 for the month, with no rejected row."""
    payment = salary_line("03/2026", "13.3.2026", "1001", "3 912,40")
    reversal = salary_line("03/2026", "13.3.2026", "1001", "3 912,40-")
    month_files(
        MARCH,
        absences=[absence_line("102", "2.3.2026", "3.3.2026", "2", "2")],
        salaries=[payment, reversal, reversal, payment, reversal, reversal],
    )

    run = fetched(sample_source, MARCH)

    # Paid, reversed, paid again and reversed again: the repeats of a reversal right after a reversal go.
    assert list(run.rejected_rows.values_list("row", "code")) == [(4, "salary_repeated"), (7, "salary_repeated")]
    assert salary_report(WorkUnit.objects.get(code="101010"), MARCH).total == Decimal("0.00")


def test_refetching_march_keeps_a_correction_for_march_paid_in_april(sample_source, month_files):
    absences = [absence_line("102", "2.3.2026", "3.3.2026", "2", "2")]
    month_files(MARCH, absences=absences, salaries=[salary_line("03/2026", "13.3.2026", "1001", "3 912,40")])
    april_absences = [absence_line("102", "1.4.2026", "1.4.2026", "1", "1")]
    april_pay = [
        salary_line("04/2026", "15.4.2026", "1001", "3 912,40"),
        salary_line("03/2026", "15.4.2026", "1001", "120,00"),  # March's correction, paid in April
    ]
    month_files(APRIL, absences=april_absences, salaries=april_pay)
    fetched(sample_source, MARCH)
    fetched(sample_source, APRIL)

    fetched(sample_source, MARCH)

    assert SalaryPayment.objects.filter(pay_period=MARCH).count() == 2
    assert salary_report(WorkUnit.objects.get(code="101010"), MARCH).total == Decimal("4032.40")


def test_a_transfer_between_cost_centres_is_not_taken_for_a_repeated_row(sample_source, month_files):
    to_the_other_unit = "010175-901V;Mäkinen Aino;2001001;101020;03/2026;13.3.2026;1001;Palkkalaji;3 912,40"
    month_files(
        MARCH,
        absences=[absence_line("102", "2.3.2026", "3.3.2026", "2", "2")],
        salaries=[
            salary_line("03/2026", "13.3.2026", "1001", "3 912,40"),
            salary_line("03/2026", "13.3.2026", "1001", "3 912,40-"),
            to_the_other_unit,
        ],
    )

    run = fetched(sample_source, MARCH)

    assert run.rejected_count == 0
    assert salary_report(WorkUnit.objects.get(code="101010"), MARCH).total == Decimal("0.00")
    assert salary_report(WorkUnit.objects.get(code="101020"), MARCH).total == Decimal("3912.40")


# --- An employment whose own row is rejected ----------------------------------------------------


def test_rows_about_an_employment_whose_own_row_was_rejected_are_rejected_too(
    sample_source, month_files, file_root, threshold
):
    march_pay = [salary_line("03/2026", "13.3.2026", "1001", "3 912,40")]
    month_files(MARCH, absences=[absence_line("102", "2.3.2026", "3.3.2026", "2", "2")], salaries=march_pay)
    (file_root / "samples" / "palvelussuhteet_202603_uudet.csv").write_text(
        "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Nimike;Palvelussuhteen laji;Alkupvm;Loppupvm;Työaika-%\n"
        "010190-9012;Uusi Ulla;2009999;101010;tuntiopettaja;Tuntiopettaja;1.3.2026;;60\n"
    )
    with (file_root / "samples" / "poissaolot_202603.csv").open("a") as absences:
        absences.write("010190-9012;Uusi Ulla;2009999;101010;102;Poissaolo;9.3.2026;9.3.2026;1;1;K\n")

    run = fetched(sample_source, MARCH)

    rejected = {(row.report_type, row.code) for row in run.rejected_rows.all()}
    assert rejected == {("employments", "value_employment_kind_unknown"), ("absences", "employment_row_rejected")}
    absence = run.rejected_rows.get(report_type="absences")
    assert absence.params == {"row": 2, "file": "palvelussuhteet_202603_uudet.csv"}
    assert not Employment.objects.filter(employment_id="2009999").exists()


def test_an_identity_code_written_with_a_small_check_character_is_the_same_person(
    sample_source, month_files, threshold
):
    """010175-901v is 010175-901V: read as another person, Aino's absence was rejected as an employment of
    someone else, and a month written so would have made her a second employee."""
    aino_lower = AINO.replace("010175-901V", " 010175-901v ")
    month_files(
        MARCH,
        absences=[f"{aino_lower};102;Poissaolo;2.3.2026;3.3.2026;2;2;K"],
        salaries=[salary_line("03/2026", "13.3.2026", "1001", "3 912,40")],
    )

    run = fetched(sample_source, MARCH)

    assert list(run.rejected_rows.values_list("row", "code")) == []
    assert list(Absence.objects.values_list("employment__employment_id", "start")) == [("2001001", date(2026, 3, 2))]
    codes = [
        person_number_decrypt(token) for token in Employee.objects.values_list("person_number_encrypted", flat=True)
    ]
    assert codes.count("010175-901V") == 1 and "010175-901v" not in codes


def changes_file(file_root, period, lines):
    header = ABSENCES_HEADER + ";Tietuelaji"
    (file_root / "samples" / f"poissaolot_{period:%Y%m}.csv").write_text("\n".join([header, *lines]) + "\n")


@pytest.mark.parametrize(
    ("april_changes", "march_figures"),
    [
        # The start corrected from 10.3. to 9.3.: the old record deleted, the new one added.
        (
            [f"{AINO};101;Poissaolo;10.3.2026;14.3.2026;5;3;K;P", f"{AINO};101;Poissaolo;9.3.2026;14.3.2026;6;4;K;U"],
            (1, 6, 4),
        ),
        # Cancelled altogether.
        ([f"{AINO};101;Poissaolo;10.3.2026;14.3.2026;5;3;K;P"], (0, 0, 0)),
    ],
)
def test_a_later_files_deletion_of_an_earlier_months_absence_takes_it_out_of_that_month(
    sample_source, month_files, file_root, april_changes, march_figures
):
    month_files(MARCH, absences=[], salaries=MARCH_PAY)
    changes_file(file_root, MARCH, [f"{AINO};101;Poissaolo;10.3.2026;14.3.2026;5;3;K;U"])
    fetched(sample_source, MARCH)
    month_files(APRIL, absences=[], salaries=APRIL_PAY)
    changes_file(file_root, APRIL, [*april_changes, f"{AINO};102;Poissaolo;14.4.2026;14.4.2026;1;1;K;U"])

    fetched(sample_source, APRIL)

    assert figures(WorkUnit.objects.get(code="101010"), MARCH) == march_figures


def test_an_absence_changed_in_populus_is_stored_as_its_added_record_not_its_deleted_one(
    sample_source, month_files, file_root, threshold
):
    """Populus sends a change as a pair: the old record deleted ("P") and the new one added ("U"). The deleted
    2.3.-6.3. was stored and the 2.3.-4.3. it became rejected as its duplicate; a deletion alone was stored
    as an absence."""
    month_files(MARCH, absences=[], salaries=[salary_line("03/2026", "13.3.2026", "1001", "3 912,40")])
    header = ABSENCES_HEADER + ";Tietuelaji"
    lines = [
        f"{AINO};102;Poissaolo;2.3.2026;6.3.2026;5;5;K;P",
        f"{AINO};102;Poissaolo;2.3.2026;4.3.2026;3;3;K;U",
        f"{AINO};200;Vuosiloma;16.3.2026;20.3.2026;5;5;K;P",
        f"{AINO};300;Hoitovapaa;23.3.2026;24.3.2026;2;2;K;U",
    ]
    (file_root / "samples" / "poissaolot_202603.csv").write_text("\n".join([header, *lines]) + "\n")

    run = fetched(sample_source, MARCH)

    assert list(run.rejected_rows.values_list("row", "code")) == []
    assert sorted(Absence.objects.values_list("absence_type__code", "start", "end")) == [
        ("102", date(2026, 3, 2), date(2026, 3, 4)),
        ("300", date(2026, 3, 23), date(2026, 3, 24)),
    ]


def test_a_record_added_and_deleted_in_one_months_file_is_not_stored(sample_source, month_files, file_root):
    month_files(MARCH, absences=[], salaries=[salary_line("03/2026", "13.3.2026", "1001", "3 912,40")])
    header = ABSENCES_HEADER + ";Tietuelaji"
    lines = [
        f"{AINO};102;Poissaolo;2.3.2026;3.3.2026;2;2;K;U",
        f"{AINO};102;Poissaolo;2.3.2026;3.3.2026;2;2;K;P",
        f"{AINO};102;Poissaolo;2.3.2026;5.3.2026;4;4;K;U",
    ]
    (file_root / "samples" / "poissaolot_202603.csv").write_text("\n".join([header, *lines]) + "\n")

    run = fetched(sample_source, MARCH)

    assert list(run.rejected_rows.values_list("row", "code")) == []
    assert list(Absence.objects.values_list("start", "end")) == [(date(2026, 3, 2), date(2026, 3, 5))]


def test_a_working_time_the_file_does_not_give_is_stored_as_not_given(sample_source, month_files, file_root):
    march_pay = [salary_line("03/2026", "13.3.2026", "1001", "3 912,40")]
    month_files(MARCH, absences=[absence_line("102", "2.3.2026", "3.3.2026", "2", "2")], salaries=march_pay)
    (file_root / "samples" / "palvelussuhteet_202603_uudet.csv").write_text(
        "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Nimike;Palvelussuhteen laji;Alkupvm;Loppupvm;Työaika-%\n"
        "010190-9012;Uusi Ulla;2009999;101010;tuntiopettaja;määräaikainen;1.3.2026;;\n"
    )

    fetched(sample_source, MARCH)

    assert Employment.objects.get(employment_id="2009999").working_time_percent is None
    assert Employment.objects.get(employment_id="2001003").working_time_percent == Decimal(80)


def test_every_source_stores_under_one_lock_held_until_the_transaction_ends(simulator_source):
    """The ownership checks read which source supplies an employment: two sources storing side by side
    would each miss the other's claims not yet committed, so stores of all sources take turns."""
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite serialises writers itself")

    def advisory_locks() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
            return cursor.fetchone()[0]

    with transaction.atomic():
        assert advisory_locks() == 0
        batches_store(source=simulator_source, period=date(2026, 3, 1), batches={})
        assert advisory_locks() == 1


@pytest.mark.slow
def test_the_employments_of_a_city_the_size_of_helsinki_are_stored_in_one_month(db):
    """40,000 employments: marking from which month the source supplies them asked PostgreSQL for one
    parameter an employment twice over (server-side binding allows 65,535 in a statement), and the
    Helsinki-size month of `bench_populus` failed with OperationalError."""
    from hrreports.models import Source
    from hrreports.sources.base import SourceBatch

    source = Source.objects.create(name="kaupunki", kind="files", config={"folder": "kaupunki"})
    count = 40_000

    def month(period: date) -> dict[str, SourceBatch]:
        units, employments = SourceBatch("units"), SourceBatch("employments")
        units.row_add({"code": "10", "name": "Kaupunki", "parent_code": None, "active": True}, file="u", row=1)
        for number in range(count):
            row = {
                "person_number": f"P{number:06d}",
                "employee_name": f"Työntekijä {number}",
                "employment_id": f"E{number:06d}",
                "unit_code": "10",
                "kind": "Vakinainen",
                "start": "1.1.2020",
            }
            employments.row_add(row, file="e", row=number + 2)
        return {"units": units, "employments": employments}

    with transaction.atomic():
        counts, rejections = batches_store(source=source, period=MARCH, batches=month(MARCH))
    with transaction.atomic():
        batches_store(source=source, period=FEBRUARY, batches=month(FEBRUARY))

    assert (counts["employments"], rejections) == (count, [])
    # New employments are the source's from the start.
    assert Employment.objects.filter(source=source, source_since=None).count() == count
