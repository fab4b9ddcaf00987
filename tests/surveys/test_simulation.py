"""The simulator carrier and its synthetic residents, through the real dialer and webhook views."""

import io
import json
import re
from collections import Counter, defaultdict
from datetime import date

import django_rq
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from surveys.calling_window import is_open
from surveys.models import (
    Answer,
    CallAttempt,
    CallStatus,
    Campaign,
    CampaignStatus,
    ConsentEvent,
    Contact,
    ContactStatus,
)
from surveys.services.dialing import DIALER_QUEUE, dial_tick, place_call_job_id
from tests.surveys.calls import HELSINKI, NOON, add_questions, running_campaign

pytestmark = pytest.mark.django_db(transaction=True)
SUMMARY = re.compile(r"^numbers=(\d+) calls=(\d+) answered=(\d+) consented=(\d+) complete=(\d+) rr1=([\d.]+)$")


@pytest.fixture
def running(make_campaign, rq_queues):
    campaign = make_campaign("simulaatio", max_concurrent_calls=10, calls_per_second=2, min_gap_minutes=120)
    add_questions(campaign)
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])
    return campaign


def rq_queue_job_ids() -> list[str]:
    return django_rq.get_queue(DIALER_QUEUE).get_job_ids()


def simulate(*args) -> str:
    stdout = io.StringIO()
    call_command("simulate_campaign", "--campaign", "simulaatio", *args, stdout=stdout)
    return stdout.getvalue().splitlines()[-1]


@pytest.mark.slow
def test_a_simulated_campaign_calls_every_number_inside_the_window_and_prints_its_funnel(running):
    line = simulate("--contacts", "60", "--seed", "7")

    numbers, calls, answered, consented, complete, rr1 = SUMMARY.match(line).groups()
    assert int(numbers) == 60
    assert int(calls) >= 60
    assert int(calls) >= int(answered) >= int(consented) >= int(complete)
    attempts = CallAttempt.objects.filter(contact__campaign=running)
    assert all(is_open(running, attempt.placed_at) for attempt in attempts.exclude(placed_at=None))
    assert not Contact.objects.filter(campaign=running, status__in=[ContactStatus.PENDING, ContactStatus.IN_PROGRESS])
    most = Contact.objects.filter(campaign=running).annotate(n=Count("attempts")).order_by("-n").first().n
    assert 1 <= most <= running.max_attempts
    assert Contact.objects.filter(campaign=running, attempts__isnull=True).count() == 0
    assert Answer.objects.filter(response__campaign=running).exists()
    assert 0 <= float(rr1) <= 1
    machines = CallAttempt.objects.filter(contact__campaign=running, status=CallStatus.MACHINE)
    assert machines.exists()
    # Hung up at the detection's verdict, a few seconds after the pick-up; never told the survey.
    assert set(machines.values_list("duration_seconds", flat=True)) == {3}
    assert not machines.filter(message_left=True).exists()
    machine_contacts = machines.values("contact__pseudonym")
    only_machines = Contact.objects.filter(campaign=running, pseudonym__in=machine_contacts).exclude(
        attempts__status__in=[CallStatus.COMPLETED]
    )
    assert not ConsentEvent.objects.filter(contact_ref__in=only_machines.values("pseudonym")).exists()
    # A person's call carries the detection's verdict too.
    assert CallAttempt.objects.filter(contact__campaign=running, answered_by="human").exists()


def test_json_summary_and_the_same_seed_gives_the_same_population(running):
    # Three calling days are enough for the summary (each day simulated takes time).
    Campaign.objects.filter(pk=running.pk).update(end_date=date(2025, 12, 10))

    line = simulate("--contacts", "10", "--seed", "3", "--json")

    assert set(json.loads(line)) == {
        "numbers",
        "calls",
        "answered",
        "consented",
        "complete",
        "rr1",
        "full_responses",
        "completes_by_age_group",
        "completes_by_mode",
        "sms_sent",
        "cost_eur",
        "questions",
    }
    summary = json.loads(line)
    assert summary["numbers"] == 10
    # Without SMS follow-up every complete is by phone and no message is sent.
    assert summary["completes_by_mode"] == {"phone": summary["complete"], "web": 0}
    assert summary["sms_sent"] == 0


def test_the_call_jobs_of_other_campaigns_stay_for_the_workers(running, make_campaign):
    other = running_campaign(make_campaign, "toinen", numbers=("0401234599",), is_demo_window=True)
    assert dial_tick(campaign=other, now=NOON) == 1
    waiting = rq_queue_job_ids()
    Campaign.objects.filter(pk=running.pk).update(end_date=running.start_date)

    simulate("--contacts", "5", "--seed", "2")

    assert rq_queue_job_ids() == waiting == [place_call_job_id(other.contacts.get().attempts.get().pk)]
    assert other.contacts.get().attempts.get().status == CallStatus.QUEUED


def test_a_campaign_that_is_not_running_is_refused(make_campaign):
    make_campaign("simulaatio")

    with pytest.raises(CommandError, match="start it first"):
        simulate()


def test_a_campaign_that_leaves_messages_leaves_one_on_each_simulated_machine(running):
    # Three calling days are enough for machines to answer (each day simulated takes time).
    Campaign.objects.filter(pk=running.pk).update(leave_machine_message=True, end_date=date(2025, 12, 10))

    simulate("--contacts", "15", "--seed", "7")

    machines = CallAttempt.objects.filter(contact__campaign=running, status=CallStatus.MACHINE)
    assert machines.exists()
    assert not machines.filter(message_left=False).exists()
    # The greeting (12 s) and the message read out after the beep.
    assert min(machines.values_list("duration_seconds", flat=True)) > 12


@pytest.mark.slow
def test_a_simulated_campaign_is_paced_over_its_days_and_retries_on_other_days(running):
    simulate("--contacts", "20", "--seed", "5")

    attempts = CallAttempt.objects.filter(contact__campaign=running).exclude(placed_at=None)
    days = {attempt.pk: attempt.placed_at.astimezone(HELSINKI).date() for attempt in attempts}
    first_calls = Counter(days[attempt.pk].day for attempt in attempts if attempt.number == 1)
    # 20 numbers over the eight days before the two kept for retries (8-19 December, weekdays).
    assert first_calls == {8: 3, 9: 3, 10: 3, 11: 3, 12: 2, 15: 2, 16: 2, 17: 2}
    by_contact = defaultdict(list)
    for attempt in attempts:
        by_contact[attempt.contact_id].append(days[attempt.pk])
    assert all(len(set(called)) == len(called) for called in by_contact.values())
    assert {day.day for day in days.values()} >= {18, 19}


def test_a_database_error_in_a_simulation_inside_a_transaction_is_the_error_raised(db):
    """Inside a planning run's transaction, the commits' setting is left alone: resetting it after an
    error would raise "current transaction is aborted" instead of the error itself."""
    from django.db import DatabaseError, connection, transaction

    from surveys.simulation import _commits_without_disk_wait

    with (
        pytest.raises(DatabaseError, match="no_such_table"),
        transaction.atomic(),
        _commits_without_disk_wait(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT * FROM no_such_table")
