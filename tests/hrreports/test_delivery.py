"""Subscriptions and the monthly emails: scope, content, one email per (subscription, period) across
repeated and concurrent runs, failures logged and retried, the command and the cron job."""

import io
import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from openpyxl import load_workbook

from hrreports.errors import PopulusError
from hrreports.models import Delivery, FetchRun, Source
from hrreports.models.delivery import DeliveryStatus
from hrreports.models.fetching import RunStatus
from hrreports.models.organisation import SupervisorRole
from hrreports.services.delivery import subscription_save, unit_reports_send
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.report_data import MARCH, _absence, build_report_data


@pytest.fixture
def data(unit_tree, settings):
    settings.PUBLIC_BASE_URL = "https://portaali.example.fi"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_report_data(unit_tree)


@pytest.fixture
def supervisor(data):
    user = make_user("esihenkilo-posti", Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    return user


@pytest.fixture
def subscription(supervisor, data):
    return subscription_save(
        user=supervisor, unit=data["unit"], reports=["absences", "salaries", "employments"], language="en"
    )


def test_subscribing_to_a_unit_outside_the_scope_is_refused(supervisor, unit_tree, english):
    with pytest.raises(PopulusError, match="is not a supervisor of 2010"):
        subscription_save(user=supervisor, unit=unit_tree["2010"], reports=["absences"])


def test_one_email_with_link_and_no_salary_figures(subscription):
    summary = unit_reports_send(period=MARCH)

    assert summary.line() == "period=2026-03 reports=3 emails=1 failed=0"
    [message] = mail.outbox
    assert message.to == ["esihenkilo-posti@example.invalid"]
    assert message.subject == "Unit reports 2026-03: 1010 Yksikkö 1010"
    link = f"https://portaali.example.fi/staff/hr/reports/units/{subscription.unit_id}/absences/?period=2026-03"
    assert link in message.body
    assert "Absence spells: 5, working days: 13" in message.body  # with sub-unit 101010
    assert "Employments started: 1, ended: 1" in message.body
    html = message.alternatives[0][0]
    assert "Open the report in the portal" in html
    for figure in ("3000", "4350", "6850", "1200"):
        assert figure not in message.body and figure not in html
    assert message.attachments == []


def test_never_sent_twice_unless_forced(subscription):
    unit_reports_send(period=MARCH)
    again = unit_reports_send(period=MARCH)
    forced = unit_reports_send(period=MARCH, force=True)

    assert (again.emails, forced.emails, len(mail.outbox)) == (0, 1, 2)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_xlsx_attachment_carries_the_salary_figures(subscription, supervisor, data):
    subscription_save(user=supervisor, unit=data["unit"], reports=["salaries"], format="xlsx", language="en")

    unit_reports_send(period=MARCH)

    [(name, content, _mime)] = mail.outbox[0].attachments
    sheet = load_workbook(io.BytesIO(content)).active
    assert name == "salaries-1010-2026-03.xlsx"
    assert [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)] == [3000, 150.5, 1200, 2500]


def test_absence_categories_tailor_the_email(subscription, supervisor, data):
    subscription_save(
        user=supervisor, unit=data["unit"], reports=["absences"], categories=["annual_leave"], language="en"
    )

    unit_reports_send(period=MARCH)

    assert "Absence spells: 1, working days: 5" in mail.outbox[0].body


def test_a_month_without_data_sends_nothing_and_is_retried_after_the_fetch(subscription, english):
    april = date(2026, 4, 1)

    first = unit_reports_send(period=april)
    assert (first.emails, first.failed, mail.outbox) == (0, 1, [])
    assert "No data has been fetched" in Delivery.objects.get().reason

    FetchRun.objects.create(source=Source.objects.get(), period=april, status=RunStatus.DONE)
    assert unit_reports_send(period=april).emails == 1
    assert Delivery.objects.get().attempts == 2


def test_smtp_failure_is_logged_and_retried(subscription, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    failed = unit_reports_send(period=MARCH)
    delivery = Delivery.objects.get()
    assert failed.line() == "period=2026-03 reports=0 emails=0 failed=1"
    assert delivery.status == DeliveryStatus.FAILED and "Connection" in delivery.reason

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert unit_reports_send(period=MARCH).emails == 1


def test_open_alerts_are_reminded(subscription, data, default_rules):
    _absence(data["aalto"], "101", date(2026, 3, 31) - timedelta(days=29), date(2026, 3, 31) - timedelta(days=0))
    call_command("send_unit_reports", "--period", "2026-03", stdout=io.StringIO())

    assert "early-support alerts are waiting for your action" in mail.outbox[0].body


def test_command_prints_the_summary_last(subscription, unit_tree):
    out = io.StringIO()
    call_command("send_unit_reports", "--period", "2026-03", "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[-1] == "period=2026-03 reports=3 emails=1 failed=0"
    assert mail.outbox == []

    out = io.StringIO()
    call_command("send_unit_reports", "--period", "2026-03", "--unit", "2010", stdout=out)
    assert out.getvalue().splitlines()[-1] == "period=2026-03 reports=0 emails=0 failed=0"

    out = io.StringIO()
    call_command("send_unit_reports", "--period", "2026-03", "--unit", "1010", stdout=out)
    assert out.getvalue().splitlines()[-1] == "period=2026-03 reports=3 emails=1 failed=0"


def test_command_rejects_a_bad_period(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("send_unit_reports", "--period", "03/2026")


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_exactly_one_email(unit_tree, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    data = build_report_data(unit_tree)
    user = make_user("esihenkilo-rinnakkain", Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    subscription_save(user=user, unit=data["unit"], reports=["absences"])
    barrier = threading.Barrier(4)
    results = []

    def run():
        from django.db import connection

        barrier.wait()
        try:
            results.append(unit_reports_send(period=MARCH).emails)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 0, 0, 1]
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().attempts == 1


def test_monthly_job_waits_for_the_fetch(subscription, monkeypatch):
    from hrreports import jobs

    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 5, 6))
    assert jobs.unit_reports_monthly() == "not fetched"

    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 4, 6))
    assert jobs.unit_reports_monthly() == "period=2026-03 reports=3 emails=1 failed=0"


def test_cron_registers_the_monthly_reports(settings):
    import django_rq
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=django_rq.get_connection("email"))
    scheduler.load_config_from_file("kuntaportaali.cron")

    [job] = [job for job in scheduler.get_jobs() if job.name == "hrreports-unit-reports-monthly"]
    assert job.cron == f"0 {settings.UNIT_REPORTS_HOUR} {settings.UNIT_REPORTS_DAY} * *"
    assert job.queue_name == "email"
