"""The retention purge of HR data: what goes at the cutoff and what stays, the command, the nightly job,
and that the reports of the retained months show the same figures afterwards."""

import threading
from datetime import date, datetime

import django_rq
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hrreports.jobs import hr_data_purge_daily
from hrreports.models import (
    Absence,
    AbsenceDeletion,
    AbsenceType,
    Alert,
    DeliveryRun,
    Employee,
    Employment,
    EmploymentMonth,
    FetchRun,
    RejectedRow,
    ReportAccess,
    Rule,
    SalaryPayment,
    Source,
)
from hrreports.models.access import AccessKind
from hrreports.models.fetching import RunStatus
from hrreports.person_numbers import person_number_hasher
from hrreports.reports import absence_report, absence_trend, employment_report, salary_report
from hrreports.services.codes import code_lists_ensure
from hrreports.services.retention import hr_data_purge
from tests.hrreports.report_data import MARCH, _absence, _employment, _salary, build_report_data

TODAY = date(2027, 4, 15)
# 25 months before April 2027: March 2025 is the oldest month kept.
CUTOFF = date(2025, 3, 1)
FEBRUARY_BEFORE = date(2025, 2, 1)
EVERYTHING_ONCE = (
    "hr_purged absences=2 salaries=2 employments=1 employees=1 alerts=2 rejected_rows=2 access_log=1 "
    "employment_months=1 absence_deletions=0"
)


@pytest.fixture(autouse=True)
def retention(settings):
    settings.HR_DATA_RETENTION_MONTHS = 25
    settings.HR_ACCESS_LOG_RETENTION_MONTHS = 24


def helsinki(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def access_at(when: datetime) -> ReportAccess:
    entry = ReportAccess.objects.create(kind=AccessKind.VIEW, what="absences")
    ReportAccess.objects.filter(pk=entry.pk).update(created_at=when)
    return entry


def alert(employment: Employment, period: date, **fields) -> Alert:
    return Alert.objects.create(
        employee=employment.employee,
        unit=employment.unit,
        rule=Rule.objects.order_by("order").first(),
        period=period,
        spells=5,
        days=21,
        **fields,
    )


def fetch_run(source: Source, period: date, rejected: int) -> FetchRun:
    run = FetchRun.objects.create(source=source, period=period, status=RunStatus.DONE, rejected_count=rejected)
    for row in range(rejected):
        RejectedRow.objects.create(
            run=run,
            report_type="absences",
            row=row + 2,
            field="employee_name",
            value="Berg Bertil",
            code="unit_unknown",
        )
    return run


@pytest.fixture
def records(unit_tree, default_rules) -> dict:
    """Aalto has data on both sides of the cutoff, Berg only before it, Cedergren ended before it but
    was paid for the cutoff month; each kind of record once on each side of the cutoff."""
    code_lists_ensure()
    unit = unit_tree["1010"]
    aalto = _employment(1, "Aalto Anna", unit, start=date(2020, 1, 1))
    berg = _employment(2, "Berg Bertil", unit, start=date(2019, 1, 1), end=date(2025, 2, 28))
    ceder = _employment(3, "Cedergren Cecilia", unit, start=date(2019, 1, 1), end=date(2025, 2, 28))
    records = {
        "aalto": aalto,
        "berg": berg,
        "ceder": ceder,
        "absence_before": _absence(aalto, "101", date(2025, 2, 24), date(2025, 2, 28)),
        "absence_into_cutoff": _absence(aalto, "102", date(2025, 2, 27), date(2025, 3, 1)),
        "berg_absence": _absence(berg, "101", date(2025, 1, 7), date(2025, 1, 9)),
        "salary_before": _salary(aalto, FEBRUARY_BEFORE, "1001", "2800.00"),
        "salary_at_cutoff": _salary(aalto, CUTOFF, "1001", "2850.00"),
        "berg_salary": _salary(berg, FEBRUARY_BEFORE, "1001", "2000.00"),
        "ceder_final_pay": _salary(ceder, CUTOFF, "1001", "500.00"),
        "alert_before": alert(aalto, FEBRUARY_BEFORE, action_note="Keskustelu pidetty", action_date=date(2025, 2, 20)),
        "alert_at_cutoff": alert(aalto, CUTOFF, action_note="Työterveyteen", action_date=date(2025, 4, 2)),
        "berg_alert": alert(berg, date(2025, 1, 1)),
    }
    for period in (FEBRUARY_BEFORE, CUTOFF):
        records[f"aalto_month_{period:%Y%m}"] = EmploymentMonth.objects.create(
            employment=aalto, period=period, unit=unit, start=aalto.start, working_time_percent=100
        )
    Alert.objects.filter(pk=records["berg_alert"].pk).update(acknowledged_at=helsinki(2025, 1, 20, 12, 0))
    source = Source.objects.create(name="testi", kind="simulator")
    records["run_before"] = fetch_run(source, FEBRUARY_BEFORE, rejected=2)
    records["run_at_cutoff"] = fetch_run(source, CUTOFF, rejected=1)
    records["access_before"] = access_at(helsinki(2025, 3, 31, 23, 59))
    records["access_kept"] = access_at(helsinki(2025, 4, 1, 0, 0))
    return records


def test_an_absence_ending_the_day_before_the_cutoff_goes_and_one_ending_on_it_stays(records):
    report = hr_data_purge(today=TODAY)

    assert report.cutoff == CUTOFF
    assert report.removed["absences"] == 2
    # The absence into the cutoff month is kept as both months' files reported it.
    assert sorted(Absence.objects.values_list("pk", flat=True)) == [row.pk for row in records["absence_into_cutoff"]]


def test_a_deleted_absence_record_goes_with_the_absences_of_its_days(records):
    """A later file's "P" record of an absence (AbsenceDeletion) names its days as the absence did."""
    aalto, sick = records["aalto"], AbsenceType.objects.get(code="101")
    kept = AbsenceDeletion.objects.create(
        employment=aalto, absence_type=sick, start=date(2025, 2, 27), end=date(2025, 3, 1), reported_in=CUTOFF
    )
    AbsenceDeletion.objects.create(
        employment=aalto, absence_type=sick, start=date(2025, 2, 20), end=date(2025, 2, 28), reported_in=CUTOFF
    )

    report = hr_data_purge(today=TODAY)

    assert report.removed["absence_deletions"] == 1
    assert list(AbsenceDeletion.objects.values_list("pk", flat=True)) == [kept.pk]


def test_an_employments_unit_and_working_time_of_months_before_the_cutoff_go(records):
    hr_data_purge(today=TODAY)

    assert list(EmploymentMonth.objects.values_list("pk", flat=True)) == [records["aalto_month_202503"].pk]


def test_salary_payments_of_periods_before_the_cutoff_month_go(records):
    hr_data_purge(today=TODAY)

    assert set(SalaryPayment.objects.values_list("pk", flat=True)) == {
        records["salary_at_cutoff"].pk,
        records["ceder_final_pay"].pk,
    }


def test_an_employee_with_old_and_new_data_keeps_the_new(records):
    hr_data_purge(today=TODAY)

    aalto = records["aalto"]
    assert Employment.objects.filter(pk=aalto.pk).exists()
    assert set(Absence.objects.filter(employment=aalto).values_list("start", flat=True)) == {date(2025, 2, 27)}
    assert list(SalaryPayment.objects.filter(employment=aalto).values_list("pay_period", flat=True)) == [CUTOFF]


def test_an_employee_with_only_old_data_is_deleted_with_the_employment(records):
    report = hr_data_purge(today=TODAY)

    assert not Employee.objects.filter(person_number_hash=person_number_hasher()("P2")).exists()
    assert not Employment.objects.filter(pk=records["berg"].pk).exists()
    assert (report.removed["employments"], report.removed["employees"]) == (1, 1)


def test_an_ended_employment_paid_for_the_cutoff_month_stays(records):
    hr_data_purge(today=TODAY)

    assert Employment.objects.filter(pk=records["ceder"].pk).exists()
    assert Employee.objects.filter(person_number_hash=person_number_hasher()("P3")).exists()


def test_alerts_of_months_before_the_cutoff_go_with_their_action_notes(records):
    report = hr_data_purge(today=TODAY)

    assert report.removed["alerts"] == 2
    assert list(Alert.objects.values_list("period", "action_note")) == [(CUTOFF, "Työterveyteen")]
    assert not Alert.objects.filter(action_note="Keskustelu pidetty").exists()


def test_rejected_rows_of_runs_before_the_cutoff_go_but_the_runs_and_their_counts_stay(records):
    report = hr_data_purge(today=TODAY)

    assert report.removed["rejected_rows"] == 2
    assert list(RejectedRow.objects.values_list("run_id", flat=True)) == [records["run_at_cutoff"].pk]
    assert FetchRun.objects.get(pk=records["run_before"].pk).rejected_count == 2


def test_delivery_runs_are_kept(records):
    run = DeliveryRun.objects.create(period=date(2024, 1, 1), minutes_per_report=20, reports=3)

    hr_data_purge(today=TODAY)

    assert DeliveryRun.objects.filter(pk=run.pk).exists()


def test_the_access_log_is_kept_for_its_own_months(records):
    report = hr_data_purge(today=TODAY)

    assert report.access_log_cutoff == date(2025, 4, 1)
    assert list(ReportAccess.objects.values_list("pk", flat=True)) == [records["access_kept"].pk]


def test_a_shorter_access_log_retention_leaves_the_hr_data_alone(records, settings):
    settings.HR_ACCESS_LOG_RETENTION_MONTHS = 12
    recent = access_at(helsinki(2026, 4, 1, 0, 0))
    access_at(helsinki(2026, 3, 31, 12, 0))

    report = hr_data_purge(today=TODAY)

    assert list(ReportAccess.objects.values_list("pk", flat=True)) == [recent.pk]
    assert report.removed["access_log"] == 3
    assert report.removed["absences"] == 2


def test_the_cutoff_follows_the_retention_setting(records, settings):
    settings.HR_DATA_RETENTION_MONTHS = 24

    report = hr_data_purge(today=TODAY)

    assert report.cutoff == date(2025, 4, 1)
    assert not Absence.objects.exists()
    assert list(SalaryPayment.objects.values_list("pk", flat=True)) == []


def test_a_second_run_removes_nothing(records):
    first = hr_data_purge(today=TODAY)
    second = hr_data_purge(today=TODAY)

    assert first.summary_line() == EVERYTHING_ONCE
    assert second.summary_line() == (
        "hr_purged absences=0 salaries=0 employments=0 employees=0 alerts=0 rejected_rows=0 access_log=0 "
        "employment_months=0 absence_deletions=0"
    )


def test_the_command_prints_the_counts_as_its_last_line(records, capsys):
    call_command("purge_hr_data", "--today", "2027-04-15")

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == EVERYTHING_ONCE
    assert lines[0] == "kept: HR records from 2025-03-01, access log from 2025-04-01"


def test_the_command_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("purge_hr_data", "--today", "15.4.2027")


def test_the_nightly_job_purges_as_of_today(records, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)

    assert hr_data_purge_daily() == EVERYTHING_ONCE


def test_cron_registers_the_nightly_purge():
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=django_rq.get_connection("populus"))
    scheduler.load_config_from_file("kuntaportaali.cron")

    [job] = [job for job in scheduler.get_jobs() if job.name == "hrreports-purge-hr-data"]
    assert job.cron == "45 3 * * *"
    assert job.queue_name == "populus"
    assert job.func is hr_data_purge_daily


def test_the_reports_of_a_month_13_months_back_show_the_same_figures_after_the_purge(unit_tree):
    """March 2026 was the newest report a year before April 2027: its comparison with March 2025
    and its 12-month trend must survive the default retention."""
    data = build_report_data(unit_tree, fetched=(MARCH, CUTOFF))
    _absence(data["aalto"], "101", date(2025, 3, 3), date(2025, 3, 4))
    _absence(data["aalto"], "101", date(2025, 2, 10), date(2025, 2, 12))
    _salary(data["aalto"], FEBRUARY_BEFORE, "1001", "2700.00")
    gone = _employment(4, "Dahl David", data["unit"], start=date(2018, 1, 1), end=date(2025, 1, 31))
    _salary(gone, date(2025, 1, 1), "1001", "2100.00")
    unit = data["unit"]

    def figures():
        return (
            absence_report(unit, MARCH, include_subunits=True),
            absence_trend(unit, MARCH, include_subunits=True),
            salary_report(unit, MARCH, include_subunits=True),
            employment_report(unit, MARCH, include_subunits=True),
        )

    before = figures()
    report = hr_data_purge(today=TODAY)

    assert report.summary_line() == (
        "hr_purged absences=1 salaries=2 employments=1 employees=1 alerts=0 rejected_rows=0 access_log=0 "
        "employment_months=0 absence_deletions=0"
    )
    assert figures() == before
    assert before[0].previous_year.sick_spells == 1
    assert before[0].previous_year.sick_working_days == 2


@pytest.mark.django_db(transaction=True)
def test_the_purge_waits_for_a_store_in_progress(simulator_source):
    """A fetch storing a month may be giving new rows to an employment the purge would delete as empty:
    the purge waits for the stores' lock. It waited for the source's row, which stores no longer lock."""
    from django.db import connection, transaction

    from hrreports.services.store import batches_store

    if connection.vendor != "postgresql":
        pytest.skip("the stores' lock is PostgreSQL's; SQLite serialises writers itself")
    stored, release, purged = threading.Event(), threading.Event(), threading.Event()

    def store():
        try:
            with transaction.atomic():
                batches_store(source=simulator_source, period=MARCH, batches={})
                stored.set()
                release.wait(10)
        finally:
            connection.close()

    def purge():
        try:
            hr_data_purge(today=date(2026, 12, 7))
            purged.set()
        finally:
            connection.close()

    storing = threading.Thread(target=store)
    storing.start()
    assert stored.wait(10)
    purging = threading.Thread(target=purge)
    purging.start()
    waited = not purged.wait(1.0)
    release.set()
    storing.join(10)
    purging.join(10)

    assert waited
    assert purged.is_set()
