"""Ending a supervisor's assignment takes effect at once: from that moment the supervisor opens none of the
unit's reports and gets no monthly mail of it. An end date set in advance still counts to the day's end."""

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from hrreports.models import ReportAccess, SupervisorAssignment
from hrreports.models.access import AccessKind
from hrreports.models.organisation import SupervisorRole
from hrreports.selectors import units_visible_to
from hrreports.services.delivery import subscription_save, unit_reports_send
from hrreports.services.organisation import supervisor_assign, supervisor_assignment_end
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.report_data import MARCH, build_report_data


@pytest.fixture
def data(unit_tree, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_report_data(unit_tree)


@pytest.fixture
def supervisor(data):
    user = make_user("esihenkilo-paattyy", Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    return user


def report_url(unit) -> str:
    return reverse("hrreports:unit-report", args=[unit.pk, "absences"]) + "?period=2026-03"


def end_a_second_ago(user) -> SupervisorAssignment:
    return supervisor_assignment_end(
        assignment=SupervisorAssignment.objects.get(user=user), now=timezone.now() - timedelta(seconds=1)
    )


def test_a_supervisor_whose_assignment_was_ended_a_second_ago_is_refused_the_units_reports(client, supervisor, data):
    client.force_login(supervisor)
    assert client.get(report_url(data["unit"])).status_code == 200

    end_a_second_ago(supervisor)

    assert client.get(report_url(data["unit"])).status_code == 404
    assert ReportAccess.objects.filter(user=supervisor, kind=AccessKind.DENIED).exists()
    assert not units_visible_to(supervisor).exists()


def test_no_monthly_mail_after_the_assignment_was_ended(supervisor, data):
    subscription_save(user=supervisor, unit=data["unit"], reports=["absences"], language="en")
    end_a_second_ago(supervisor)

    summary = unit_reports_send(period=MARCH)

    assert mail.outbox == []
    assert summary.emails == 0


def test_ending_records_the_moment_and_makes_today_the_last_day(supervisor):
    moment = timezone.now() - timedelta(seconds=1)

    ended = supervisor_assignment_end(assignment=SupervisorAssignment.objects.get(user=supervisor), now=moment)

    ended.refresh_from_db()
    assert ended.ended_at == moment
    assert ended.valid_until == timezone.localdate(moment)


def test_the_days_before_the_end_still_count_for_reading_what_was_in_scope(supervisor, data):
    end_a_second_ago(supervisor)

    yesterday = timezone.localdate() - timedelta(days=1)
    assert set(units_visible_to(supervisor, on=yesterday).values_list("code", flat=True)) >= {"1010"}


def test_an_end_date_set_in_advance_still_counts_until_that_day_is_over(unit_tree):
    user = make_user("esihenkilo-ennakkoon", Role.SUPERVISOR)
    today = timezone.localdate()
    supervisor_assign(
        unit=unit_tree["2010"],
        user=user,
        role=SupervisorRole.SUPERVISOR,
        valid_from=date(2025, 1, 1),
        valid_until=today,
    )
    supervisor_assign(
        unit=unit_tree["1020"],
        user=user,
        role=SupervisorRole.DEPUTY,
        valid_from=date(2025, 1, 1),
        valid_until=today + timedelta(days=30),
    )

    assert set(units_visible_to(user).values_list("code", flat=True)) == {"2010", "1020"}
    assert set(units_visible_to(user, on=today + timedelta(days=1)).values_list("code", flat=True)) == {"1020"}


def test_ending_an_assignment_that_has_not_started_removes_it(unit_tree):
    user = make_user("esihenkilo-tuleva", Role.SUPERVISOR)
    assignment = supervisor_assign(
        unit=unit_tree["20"],
        user=user,
        role=SupervisorRole.SUPERVISOR,
        valid_from=timezone.localdate() + timedelta(days=7),
    )

    supervisor_assignment_end(assignment=assignment)

    assert not SupervisorAssignment.objects.filter(pk=assignment.pk).exists()


def test_hr_ends_an_assignment_from_the_unit_page_with_immediate_effect(client_as, supervisor, data):
    hr = client_as(Role.HR_ADMIN)
    hr.cookies["kuntaportaali_language"] = "en"
    assignment = SupervisorAssignment.objects.get(user=supervisor)

    page = hr.get(reverse("hrreports:unit-detail", args=[data["unit"].pk])).content.decode()
    response = hr.post(reverse("hrreports:assignment-end", args=[assignment.pk]), follow=True)

    assert "now" in page.split('id="end-assignment-' + str(assignment.pk) + '"')[1].split("</button>")[0]
    assignment.refresh_from_db()
    assert assignment.ended_at is not None
    assert not units_visible_to(supervisor).exists()
    after = response.content.decode()
    assert f'id="end-assignment-{assignment.pk}"' not in after
    assert 'class="assignment-ended"' in after


def test_an_end_given_a_stale_copy_of_an_assignment_already_ended_keeps_the_first_end(supervisor):
    first_copy = SupervisorAssignment.objects.get(user=supervisor)
    second_copy = SupervisorAssignment.objects.get(user=supervisor)
    first, second = timezone.now() - timedelta(minutes=5), timezone.now() - timedelta(seconds=1)

    supervisor_assignment_end(assignment=first_copy, now=first)
    ended = supervisor_assignment_end(assignment=second_copy, now=second)

    assert ended.ended_at == first
    assert SupervisorAssignment.objects.get(user=supervisor).ended_at == first


@pytest.mark.django_db(transaction=True)
def test_ending_waits_for_another_transaction_holding_the_assignment_and_then_sees_its_end(unit_tree):
    user = make_user("esihenkilo-kilpa", Role.SUPERVISOR)
    assignment = supervisor_assign(
        unit=unit_tree["1010"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1)
    )
    earlier = timezone.now() - timedelta(minutes=5)
    locked, finished = threading.Event(), threading.Event()
    ended_while_locked = []

    def other_admin():
        try:
            with transaction.atomic():
                held = SupervisorAssignment.objects.select_for_update().get(pk=assignment.pk)
                locked.set()
                ended_while_locked.append(finished.wait(0.5))
                held.ended_at, held.valid_until = earlier, timezone.localdate(earlier)
                held.save(update_fields=["ended_at", "valid_until"])
        finally:
            connection.close()

    holder = threading.Thread(target=other_admin)
    holder.start()
    assert locked.wait(5)
    ended = supervisor_assignment_end(assignment=assignment)
    finished.set()
    holder.join()

    assert ended_while_locked == [False]
    assert ended.ended_at == earlier
    assert SupervisorAssignment.objects.get(pk=assignment.pk).ended_at == earlier
