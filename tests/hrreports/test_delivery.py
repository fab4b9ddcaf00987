"""Subscriptions and the monthly emails: scope, content, one email per (subscription, period) across
repeated and concurrent runs, failures logged and retried, the command and the cron job."""

import io
import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from hrreports.errors import SubscriptionError
from hrreports.models import Alert, Delivery, DeliveryRun, FetchRun, Source, Subscription
from hrreports.models.delivery import DeliveryStatus
from hrreports.models.fetching import RunStatus
from hrreports.models.organisation import SupervisorRole
from hrreports.services.delivery import subscription_save, unit_reports_send
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.pdf_text import pdf_text
from tests.hrreports.report_data import MARCH, _absence, _alert, build_report_data

REPORTS = ("absences", "salaries", "employments")


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
    with pytest.raises(SubscriptionError, match="is not a supervisor of 2010"):
        subscription_save(user=supervisor, unit=unit_tree["2010"], reports=["absences"])


def test_one_email_with_link_and_no_salary_figures(subscription):
    summary = unit_reports_send(period=MARCH)

    assert summary.line() == "period=2026-03 reports=3 emails=1 failed=0"
    [message] = mail.outbox
    assert message.to == ["esihenkilo-posti@example.invalid"]
    assert message.subject == "Unit reports Mar 2026: 1010 Yksikkö 1010"
    link = f"https://portaali.example.fi/staff/hr/reports/units/{subscription.unit_id}/absences/?period=2026-03"
    assert link in message.body
    assert "Absence spells: 5, working days: 13" in message.body  # with sub-unit 101010
    assert "Employments started: 1, ended: 1" in message.body
    html = message.alternatives[0][0]
    assert "Open the report in the portal" in html
    # The unit's Finnish name in an English email, marked so for a screen reader (WCAG 3.1.2).
    assert '<h1>Monthly reports of <span lang="fi">1010 Yksikkö 1010</span>, Mar 2026</h1>' in html
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


def test_a_forced_resend_that_fails_keeps_the_time_the_email_was_sent(subscription, settings, client_as):
    """Sending a month again on purpose (the supervisor lost the email) that the mail server refused
    cleared the delivery's sent time: its record said the supervisor never got the email they had."""
    from django.urls import reverse

    from tests.hrreports.test_report_views import in_english

    unit_reports_send(period=MARCH)
    sent_at = Delivery.objects.get().sent_at
    settings.EMAIL_BACKEND = "tests.hrreports.test_delivery.RefusingBackend"

    forced = unit_reports_send(period=MARCH, force=True)

    delivery = Delivery.objects.get()
    assert (forced.failed, delivery.status, delivery.attempts) == (1, DeliveryStatus.FAILED, 2)
    assert delivery.sent_at == sent_at
    page = in_english(client_as(Role.HR_ADMIN)).get(reverse("hrreports:delivery-run", args=[forced.run.pk])).text
    failed = " ".join(page.split('id="failed-heading"')[1].split("</section>")[0].split())
    assert "Last sent" in failed
    assert f"{timezone.localtime(sent_at):%d/%m/%Y %H:%M}" in failed


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


def test_a_month_without_data_sends_nothing_and_waits_for_the_fetch(subscription, english):
    april = date(2026, 4, 1)

    first = unit_reports_send(period=april)
    assert (first.emails, first.failed, first.waiting, mail.outbox) == (0, 0, 1, [])
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.reason) == (DeliveryStatus.PENDING, "No data has been fetched for Apr 2026 yet.")

    FetchRun.objects.create(source=Source.objects.get(), period=april, status=RunStatus.DONE)
    assert unit_reports_send(period=april).emails == 1
    assert Delivery.objects.get().attempts == 1


def test_smtp_failure_is_logged_and_retried(subscription, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    failed = unit_reports_send(period=MARCH)
    delivery = Delivery.objects.get()
    assert failed.line() == "period=2026-03 reports=0 emails=0 failed=1"
    assert delivery.status == DeliveryStatus.FAILED and "Connection" in delivery.reason

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert unit_reports_send(period=MARCH).emails == 1


class SilentMailServer:
    """A mail server that takes the connection and never says a word (hung, or behind a firewall that
    drops its packets); it lets go of each connection after GIVE_UP_SECONDS, so a client without a
    timeout fails this test instead of hanging it."""

    GIVE_UP_SECONDS = 30

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                peer, _address = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Timer(self.GIVE_UP_SECONDS, peer.close).start()

    def close(self):
        self.listener.close()


def test_a_mail_server_that_never_answers_fails_the_email_after_the_timeout_and_the_retry_sends_it(
    subscription, settings
):
    """Without a timeout Django's SMTP connection waits for the server's greeting for ever: a mail server
    hung on the monthly day held the whole delivery run (and its emails' row locks) until RQ killed the job
    hours later, and the emails after it were never tried."""
    server = SilentMailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    try:
        failed = unit_reports_send(period=MARCH, processes=1)
    finally:
        server.close()

    delivery = Delivery.objects.get()
    assert server.connections == 1
    assert failed.line() == "period=2026-03 reports=0 emails=0 failed=1"
    assert (delivery.status, delivery.reason, delivery.attempts) == (
        DeliveryStatus.FAILED,
        "SMTPServerDisconnected: Connection unexpectedly closed: timed out",
        1,
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert unit_reports_send(period=MARCH).emails == 1


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the message, quoting a number from it."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPDataError(554, "5.7.1 Message rejected: it mentions 040 123 4567")


def test_a_mail_servers_refusal_is_stored_with_numbers_masked(subscription, settings):
    settings.EMAIL_BACKEND = "tests.hrreports.test_delivery.RefusingBackend"

    unit_reports_send(period=MARCH)

    assert Delivery.objects.get().reason == "SMTPDataError: (554, '5.7.1 Message rejected: it mentions +35840*****67')"


def test_open_alerts_are_reminded(subscription, data, default_rules):
    _absence(data["aalto"], "101", date(2026, 3, 31) - timedelta(days=29), date(2026, 3, 31) - timedelta(days=0))
    call_command("send_unit_reports", "--period", "2026-03", stdout=io.StringIO())

    # One person's month of sick leave meets several rules: one case for the supervisor to discuss, as the
    # portal's home and the PDF list it, and one "discussed" closes it.
    assert Alert.objects.filter(employee=data["aalto"].employee, acknowledged_at=None).count() > 1
    body = mail.outbox[0].body
    reminder = "Reminder: 1 early-support case is waiting for your action."
    assert f"{reminder}\nhttps://portaali.example.fi/staff/hr/reports/#cases-heading\n" in body
    assert "alerts are waiting" not in body


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
    settings.HR_REPORT_PROCESSES = 1  # the in-memory outbox is this process's; other processes: see below
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


def test_monthly_job_holds_the_emails_of_a_month_not_fetched(subscription, monkeypatch):
    from hrreports import jobs

    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 5, 6))
    assert jobs.unit_reports_monthly() == "period=2026-04 reports=0 emails=0 failed=0"
    assert Delivery.objects.get(period=date(2026, 4, 1)).status == DeliveryStatus.PENDING

    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 4, 6))
    assert jobs.unit_reports_monthly() == "period=2026-03 reports=3 emails=1 failed=0"
    run = DeliveryRun.objects.get(period=MARCH)
    assert (run.trigger, run.period, run.reports) == ("schedule", MARCH, 3)


def test_the_monthly_reports_missed_on_their_day_go_out_the_next_day_once(subscription, monkeypatch):
    """RQ's cron scheduler runs a job at its minute only: a cron process restarting at that minute (Redis out,
    a deploy, a reboot) skipped the month's reports, and no run, page or retry said so - the daily retry
    looks only at the emails of a run. The job runs daily now and sends the month once, from its day on."""
    from hrreports import jobs

    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 4, 5))
    assert jobs.unit_reports_monthly() == "not due: the reports of 2026-03 go out from day 6"
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 4, 7))  # the 6th was missed
    assert jobs.unit_reports_monthly() == "period=2026-03 reports=3 emails=1 failed=0"
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 4, 8))
    assert jobs.unit_reports_monthly() == "done: the reports of 2026-03 went out already"

    assert DeliveryRun.objects.get().trigger == "schedule"
    assert len(mail.outbox) == 1


def test_the_months_failed_emails_are_tried_again_daily_a_few_times(subscription, settings, monkeypatch):
    """A mail server down on the monthly day left the supervisors without their reports until someone ran
    the month again by hand (the README said the next run retries them, and no run came)."""
    from hrreports import jobs

    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 4, 7))
    settings.EMAIL_BACKEND = "tests.hrreports.test_delivery.RefusingBackend"
    assert jobs.unit_reports_monthly() == "period=2026-03 reports=0 emails=0 failed=1"
    assert jobs.unit_reports_failed_retry() == "period=2026-03 reports=0 emails=0 failed=1"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert jobs.unit_reports_failed_retry() == "period=2026-03 reports=3 emails=1 failed=0"
    assert jobs.unit_reports_failed_retry() == "nothing to retry"

    runs = DeliveryRun.objects.order_by("pk")
    assert [(run.trigger, run.emails, run.failed) for run in runs] == [
        ("schedule", 0, 1),
        ("retry", 0, 1),
        ("retry", 1, 0),
    ]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, len(mail.outbox)) == (DeliveryStatus.SENT, 3, 1)


def test_an_email_that_keeps_failing_is_left_for_hr_after_its_last_attempt(subscription, settings, monkeypatch):
    from hrreports import jobs
    from hrreports.services.delivery import DELIVERY_ATTEMPTS

    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 4, 7))
    settings.EMAIL_BACKEND = "tests.hrreports.test_delivery.RefusingBackend"
    jobs.unit_reports_monthly()
    for _retry in range(DELIVERY_ATTEMPTS - 1):
        assert jobs.unit_reports_failed_retry().endswith("failed=1")

    assert jobs.unit_reports_failed_retry() == "nothing to retry"
    assert Delivery.objects.get().attempts == DELIVERY_ATTEMPTS
    assert DeliveryRun.objects.count() == DELIVERY_ATTEMPTS


def test_cron_registers_the_monthly_reports(settings):
    import django_rq
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=django_rq.get_connection("email"))
    scheduler.load_config_from_file("kuntaportaali.cron")

    jobs = {job.name: job for job in scheduler.get_jobs()}
    monthly, retry = jobs["hrreports-unit-reports-monthly"], jobs["hrreports-unit-reports-retry"]
    # Daily: the job sends the month's reports from UNIT_REPORTS_DAY on, once (below).
    assert monthly.cron == f"0 {settings.UNIT_REPORTS_HOUR} * * *"
    assert retry.cron == f"30 {settings.UNIT_REPORTS_HOUR} * * *"
    assert monthly.queue_name == retry.queue_name == "email"


def test_pdf_attachments_carry_the_figures_and_the_body_does_not(subscription, supervisor, data):
    subscription_save(user=supervisor, unit=data["unit"], reports=list(REPORTS), format="pdf", language="en")

    unit_reports_send(period=MARCH)

    [message] = mail.outbox
    attachments = {name: (content, mime) for name, content, mime in message.attachments}
    assert sorted(attachments) == [
        "absences-1010-2026-03.pdf",
        "employments-1010-2026-03.pdf",
        "salaries-1010-2026-03.pdf",
    ]
    assert {mime for _content, mime in attachments.values()} == {"application/pdf"}
    salaries = pdf_text(attachments["salaries-1010-2026-03.pdf"][0])
    assert "Paid salaries: 1010 Yksikkö 1010, Mar 2026" in salaries
    assert "6,850.50" in salaries  # the unit total with sub-unit 101010
    assert "Cedergren Cecilia 101010 1001 Tehtäväkohtainen palkka 2,500.00" in salaries
    assert "(with its sub-units)" in salaries
    absences = pdf_text(attachments["absences-1010-2026-03.pdf"][0])
    # Only March was fetched: the other two months are "–", not zeros.
    assert "Sick-leave working days by working time 7.0 – – Planned working days 35.0 – –" in absences
    assert "Sick-leave rate % 20.0 – –" in absences
    assert "The salary figures are in the attachment." in message.body
    html = message.alternatives[0][0]
    for figure in ("6850", "6,850", "3000", "3,000", "2500", "2,500"):
        assert figure not in message.body and figure not in html


def test_the_emailed_absence_pdf_has_the_cases_one_per_person_and_the_reminder_counts_the_open_ones(
    subscription, supervisor, data, default_rules
):
    subscription_save(user=supervisor, unit=data["unit"], reports=["absences"], format="pdf", language="en")
    _alert(data["aalto"], 10, MARCH, reached_on=date(2026, 3, 12))
    _alert(data["aalto"], 20, MARCH, reached_on=date(2026, 3, 20))
    _alert(data["ceder"], 10, date(2025, 2, 1))  # past its rule's 12 months: folded away, not waiting

    unit_reports_send(period=MARCH)

    [message] = mail.outbox
    assert "Reminder: 1 early-support case is waiting for your action." in message.body  # one person, two alerts
    [(_name, content, _mime)] = message.attachments
    text = pdf_text(content)
    cases = text[text.index("Open early-support cases") : text.index("Earlier and closed cases")]
    earlier = text[text.index("Earlier and closed cases") : text.index("Absences per employee and type")]
    assert cases.count("Aalto Anna") == 1 and "Cedergren" not in cases
    assert "Cedergren Cecilia (101010) Early-support discussion (5 spells or 20 days / 12 months), Feb 2025: not " in (
        earlier
    )


def test_pdf_attachment_is_in_the_subscribers_language(subscription, supervisor, data):
    subscription_save(user=supervisor, unit=data["unit"], reports=["salaries"], format="pdf", language="fi")

    unit_reports_send(period=MARCH)

    [(_name, content, _mime)] = mail.outbox[0].attachments
    text = pdf_text(content)
    assert "Maksetut palkat: 1010 Yksikkö 1010, 3/2026" in text
    assert "6 850,50" in text


def test_the_chosen_columns_shape_the_emailed_xlsx_and_pdf(subscription, supervisor, data):
    columns = {"salaries": ["employee_name", "amount"], "absences": ["employee_name", "type_name", "working_days"]}
    subscription_save(
        user=supervisor,
        unit=data["unit"],
        reports=["absences", "salaries"],
        format="xlsx",
        language="en",
        columns=columns,
    )
    unit_reports_send(period=MARCH)
    subscription_save(
        user=supervisor, unit=data["unit"], reports=["salaries"], format="pdf", language="en", columns=columns
    )
    unit_reports_send(period=MARCH, force=True)

    xlsx = {name: load_workbook(io.BytesIO(content)).active for name, content, _mime in mail.outbox[0].attachments}
    assert [cell.value for cell in xlsx["salaries-1010-2026-03.xlsx"][1]] == ["Employee", "Amount (EUR)"]
    assert [cell.value for cell in xlsx["absences-1010-2026-03.xlsx"][1]] == [
        "Employee",
        "Absence type",
        "Working days",
    ]
    salaries = xlsx["salaries-1010-2026-03.xlsx"]
    assert (salaries["A2"].value, salaries["B2"].value) == ("Aalto Anna", 3000)
    [(_name, content, _mime)] = mail.outbox[1].attachments
    text = pdf_text(content)
    assert "Employee Amount (EUR) Aalto Anna 3,000.00" in text
    assert "Salary type code" not in text


def test_an_unknown_column_is_refused(supervisor, data, english):
    with pytest.raises(SubscriptionError, match="Unknown report column: ssn"):
        subscription_save(user=supervisor, unit=data["unit"], reports=["absences"], columns={"absences": ["ssn"]})


def test_a_unit_name_with_line_breaks_is_emailed_on_one_line(subscription, supervisor, data):
    """A quoted CSV cell may hold line breaks (Alt+Enter in Excel); the name is stored as given, but an
    email header may not hold one (Django refused the message, so the unit's email failed every month)."""
    from hrreports.models import WorkUnit

    name = "Yksikkö 1010\r\nPäiväkoti\n\n Aurinko"
    WorkUnit.objects.filter(pk=data["unit"].pk).update(name=name)
    subscription_save(user=supervisor, unit=data["unit"], reports=["salaries"], format="pdf", language="en")

    unit_reports_send(period=MARCH)

    assert Delivery.objects.get().status == DeliveryStatus.SENT
    [message] = mail.outbox
    assert message.subject == "Unit reports Mar 2026: 1010 Yksikkö 1010 Päiväkoti Aurinko"
    assert "Monthly reports of 1010 Yksikkö 1010 Päiväkoti Aurinko, Mar 2026" in message.body
    [(_name, content, _mime)] = message.attachments
    document = pypdf.PdfReader(io.BytesIO(content))
    assert document.metadata.title == "Paid salaries: 1010 Yksikkö 1010 Päiväkoti Aurinko, Mar 2026"
    assert WorkUnit.objects.get(pk=data["unit"].pk).name == name


def test_absence_categories_narrow_the_attachment_too(subscription, supervisor, data):
    subscription_save(
        user=supervisor,
        unit=data["unit"],
        reports=["absences"],
        categories=["annual_leave"],
        format="xlsx",
        language="en",
    )

    unit_reports_send(period=MARCH)

    [(_name, content, _mime)] = mail.outbox[0].attachments
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[2]) for row in rows] == [("Aalto Anna", "200")]


def test_each_run_is_recorded_with_the_time_it_saved(subscription, settings):
    settings.HR_MANUAL_MINUTES_PER_REPORT = 25

    summary = unit_reports_send(period=MARCH)
    unit_reports_send(period=MARCH)

    first, second = DeliveryRun.objects.order_by("pk")
    assert summary.run == first
    assert (first.reports, first.emails, first.minutes_per_report, first.minutes_saved) == (3, 1, 25, 75)
    assert first.hours_saved == Decimal("1.3")
    assert first.finished_at is not None
    assert (second.reports, second.skipped, second.minutes_saved) == (0, 1, 0)
    assert summary.time_saved_line() == "time saved: 3 reports x 25 min = 75 min = 1.3 h"


def test_command_prints_the_time_saved_before_the_summary_line(subscription, settings):
    settings.HR_MANUAL_MINUTES_PER_REPORT = 20
    out = io.StringIO()

    call_command("send_unit_reports", "--period", "2026-03", stdout=out)

    assert out.getvalue().splitlines()[-3:] == [
        "teams notices: sent=0 failed=0",
        "time saved: 3 reports x 20 min = 60 min = 1.0 h",
        "period=2026-03 reports=3 emails=1 failed=0",
    ]


@pytest.mark.django_db(transaction=True)
def test_several_processes_send_each_email_once(unit_tree, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    data = build_report_data(unit_tree)
    for number, unit in enumerate([data["unit"], data["sub"], unit_tree["2010"]]):
        user = make_user(f"esihenkilo-prosessi-{number}", Role.SUPERVISOR)
        supervisor_assign(unit=unit, user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
        subscription_save(user=user, unit=unit, reports=list(REPORTS), format="pdf", language="en")

    summary = unit_reports_send(period=MARCH, processes=2)
    again = unit_reports_send(period=MARCH, processes=2)

    assert summary.line() == "period=2026-03 reports=9 emails=3 failed=0"
    assert (again.emails, again.skipped) == (0, 3)
    messages = sorted(path.read_text() for path in tmp_path.iterdir())
    assert len(messages) == 3
    assert sorted(line for message in messages for line in message.splitlines() if line.startswith("To: ")) == [
        f"To: esihenkilo-prosessi-{number}@example.invalid" for number in range(3)
    ]
    assert all(message.count("Content-Type: application/pdf") == 3 for message in messages)
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}


def test_running_a_month_again_after_a_killed_run_sends_only_what_it_had_not(subscription, data, settings):
    from hrreports.jobs import hr_runs_sweep

    second = make_user("esihenkilo-toinen", Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=second, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    other = subscription_save(user=second, unit=data["unit"], reports=["absences"], language="en")
    # What a worker killed in the middle of the month's run leaves: one email sent, one delivery waiting.
    killed = DeliveryRun.objects.create(period=MARCH, minutes_per_report=20)
    DeliveryRun.objects.filter(pk=killed.pk).update(
        started_at=killed.started_at - timedelta(minutes=settings.HR_RUN_STALE_MINUTES + 1)
    )
    Delivery.objects.create(subscription=subscription, period=MARCH, status=DeliveryStatus.SENT, attempts=1)
    Delivery.objects.create(subscription=other, period=MARCH)

    hr_runs_sweep()
    summary = unit_reports_send(period=MARCH)

    assert DeliveryRun.objects.get(pk=killed.pk).error.startswith("The worker stopped")
    assert (summary.emails, summary.skipped, summary.reports) == (1, 1, 1)
    assert [message.to for message in mail.outbox] == [["esihenkilo-toinen@example.invalid"]]
    assert set(Delivery.objects.values_list("subscription", "status", "attempts")) == {
        (subscription.pk, DeliveryStatus.SENT, 1),
        (other.pk, DeliveryStatus.SENT, 1),
    }


def test_a_subscription_ended_after_its_email_failed_or_was_never_tried_is_left_out_of_the_retry(
    subscription, data, settings, monkeypatch
):
    """The retry picked up the pending or failed email of a subscription switched off since, the run
    then left it out, and every day of the month the retry made an empty run and told Teams of it."""
    from hrreports import jobs

    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 4, 8))
    Delivery.objects.create(subscription=subscription, period=MARCH)
    Subscription.objects.filter(pk=subscription.pk).update(active=False)

    assert jobs.unit_reports_failed_retry() == "nothing to retry"
    assert not DeliveryRun.objects.exists()


def test_the_emails_a_killed_monthly_run_never_tried_go_out_with_the_daily_retry(
    subscription, data, settings, monkeypatch
):
    """A worker killed in the middle of the month's run (a restart, memory running out) left the emails
    it had not reached pending with no reason: the daily retry sent only failed ones, so those supervisors
    got nothing unless HR noticed the failed run and ran the month again by hand."""
    from hrreports import jobs

    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 4, 8))
    second = make_user("esihenkilo-kesken", Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=second, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    other = subscription_save(user=second, unit=data["unit"], reports=["absences"], language="en")
    killed = DeliveryRun.objects.create(period=MARCH, minutes_per_report=20, trigger="schedule")
    DeliveryRun.objects.filter(pk=killed.pk).update(
        started_at=killed.started_at - timedelta(minutes=settings.HR_RUN_STALE_MINUTES + 1)
    )
    Delivery.objects.create(subscription=subscription, period=MARCH, status=DeliveryStatus.SENT, attempts=1)
    Delivery.objects.create(subscription=other, period=MARCH)
    jobs.hr_runs_sweep()

    assert jobs.unit_reports_failed_retry() == "period=2026-03 reports=1 emails=1 failed=0"
    assert jobs.unit_reports_failed_retry() == "nothing to retry"

    assert [message.to for message in mail.outbox] == [["esihenkilo-kesken@example.invalid"]]
    assert set(Delivery.objects.values_list("subscription", "status", "attempts")) == {
        (subscription.pk, DeliveryStatus.SENT, 1),
        (other.pk, DeliveryStatus.SENT, 1),
    }
    assert DeliveryRun.objects.get(trigger="retry").emails == 1


@pytest.mark.django_db(transaction=True)
def test_a_delivery_is_sent_while_another_transaction_holds_its_subscriber_and_unit(unit_tree, settings):
    """The row lock taken for sending covers the delivery alone. Held on the subscriber's user row too,
    the process sending a supervisor's one unit made the process sending their next unit skip it
    (left pending, counted neither sent nor failed); a login updating the user row did the same."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from hrreports.models import WorkUnit

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    data = build_report_data(unit_tree)
    user = make_user("esihenkilo-lukittu", Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    subscription_save(user=user, unit=data["unit"], reports=["absences"])
    locked, release = threading.Event(), threading.Event()

    def hold_locks():
        try:
            with transaction.atomic():
                get_user_model().objects.select_for_update().get(pk=user.pk)
                WorkUnit.objects.select_for_update().get(pk=data["unit"].pk)
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_locks)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        summary = unit_reports_send(period=MARCH, processes=1)
    finally:
        release.set()
        holder.join()

    assert (summary.emails, summary.skipped, len(mail.outbox)) == (1, 0, 1)
    assert Delivery.objects.get().status == DeliveryStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_of_several_units_gets_each_units_email_from_several_processes(unit_tree, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    data = build_report_data(unit_tree)
    user = make_user("esihenkilo-kolme", Role.SUPERVISOR)
    units = [data["unit"], unit_tree["1020"], unit_tree["2010"]]
    for unit in units:
        supervisor_assign(unit=unit, user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
        subscription_save(user=user, unit=unit, reports=list(REPORTS), format="pdf", language="en")

    summary = unit_reports_send(period=MARCH, processes=2)

    assert (summary.line(), summary.skipped) == ("period=2026-03 reports=9 emails=3 failed=0", 0)
    assert len(list(tmp_path.iterdir())) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


class StallingBackend(BaseEmailBackend):
    """Writes each email as a file to the folder STALLING_MAIL_DIR names, except one to STALLED_RECIPIENT:
    its process writes its id to `stalled.pid` there and waits, as if rendering a report past its memory."""

    def send_messages(self, email_messages):
        folder = Path(os.environ["STALLING_MAIL_DIR"])
        for message in email_messages:
            if message.to == [STALLED_RECIPIENT]:
                (folder / "stalled.pid").write_text(str(os.getpid()))
                time.sleep(WAIT_SECONDS)
            (folder / f"{message.to[0]}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)


STALLED_RECIPIENT = "esihenkilo-kaatuva@example.invalid"
WAIT_SECONDS = 60


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_sending_process_killed_ends_the_run_with_its_email_failed_and_the_rest_sent(unit_tree, settings, tmp_path):
    """`send_unit_reports` with two processes; one is killed with SIGKILL (as the kernel ends the largest
    process when memory runs out) while it holds a delivery. A process pool that lost a process waited for
    its result until the job's timeout (3 h); now the run ends at once, the killed process's delivery is
    recorded failed with the reason and sent by the month's next run, and nothing else is sent twice."""
    from hrreports.models import DeliveryRun
    from tests.processes import child_pids, django_environment, wait_until

    data = build_report_data(unit_tree)
    for name, unit in (("kaatuva", data["unit"]), ("toinen", unit_tree["1020"]), ("kolmas", unit_tree["2010"])):
        user = make_user(f"esihenkilo-{name}", Role.SUPERVISOR)
        supervisor_assign(unit=unit, user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
        subscription_save(user=user, unit=unit, reports=["absences"], language="en")
    folder = tmp_path / "mail"
    folder.mkdir()
    environment = django_environment() | {
        "EMAIL_BACKEND": "tests.hrreports.test_delivery.StallingBackend",
        "STALLING_MAIL_DIR": str(folder),
    }
    command = [sys.executable, "manage.py", "send_unit_reports", "--period", "2026-03", "--processes", "2"]
    run = subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its processes are one group, killed together if it hangs
    )
    try:
        pid_file = folder / "stalled.pid"
        wait_until(lambda: pid_file.exists() and len(list(folder.glob("*.eml"))) == 2, "two emails, one stalled")
        stalled = int(pid_file.read_text())
        assert stalled in child_pids(run.pid)
        os.kill(stalled, signal.SIGKILL)
        out, err = run.communicate(timeout=WAIT_SECONDS)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()

    assert run.returncode == 1, err
    assert out.splitlines()[-1] == "period=2026-03 reports=2 emails=2 failed=1"
    failed = Delivery.objects.get(subscription__user__username="esihenkilo-kaatuva")
    assert failed.status == DeliveryStatus.FAILED
    # In the portal's language, as the command runs.
    assert failed.reason.startswith("Lähetys keskeytyi: ajon lähettävä prosessi pysähtyi")
    assert f"1010 Yksikkö 1010: {failed.reason}" in err
    assert DeliveryRun.objects.get().finished_at is not None
    assert sorted(path.name for path in folder.glob("*.eml")) == [
        "esihenkilo-kolmas@example.invalid.eml",
        "esihenkilo-toinen@example.invalid.eml",
    ]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    again = unit_reports_send(period=MARCH, processes=1)

    assert (again.emails, again.skipped) == (1, 2)
    assert [message.to for message in mail.outbox] == [[STALLED_RECIPIENT]]
