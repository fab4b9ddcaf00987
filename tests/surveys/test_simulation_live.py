"""The simulator carrier on the real clock: a real RQ worker plays the calls a dial tick placed."""

import time
from datetime import timedelta

import django_rq
import pytest
from django.conf import settings
from django.utils import timezone
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from surveys.models import CallAttempt, CallStatus
from surveys.models.calls import FINAL_CALL_STATUSES
from surveys.services.dialing import dial_tick
from tests.surveys.calls import running_campaign

pytestmark = pytest.mark.django_db(transaction=True)
NUMBERS = tuple(f"04012345{n:02d}" for n in range(12))
MAX_ROUNDS = 300


def work_until_no_call_is_left(queue) -> int:
    """Burst workers with the scheduler, one after another, until no job waits or is scheduled."""
    scheduled = ScheduledJobRegistry(queue=queue)
    for rounds in range(1, MAX_ROUNDS + 1):
        worker = SimpleWorker([queue], connection=django_rq.get_connection(settings.WORKER_QUEUES[0]))
        worker.work(burst=True, with_scheduler=True)
        if queue.count == 0 and scheduled.count == 0:
            return rounds
        time.sleep(0.01)  # the next step's job falls due
    raise AssertionError(f"calls still going on after {MAX_ROUNDS} worker runs")


def test_a_dial_tick_on_a_simulator_campaign_ends_in_final_statuses_on_a_real_worker(
    make_campaign, rq_queues, settings
):
    settings.SIMULATOR_LIVE_CALLS = True
    settings.SIMULATOR_LIVE_SPEED = 1000  # a call of minutes in a fraction of a second
    today = timezone.localdate()
    campaign = running_campaign(
        make_campaign,
        numbers=NUMBERS,
        start_date=today,
        end_date=today + timedelta(days=1),
        weekdays=list(range(7)),
        is_demo_window=True,
        exclude_holidays=False,
        max_concurrent_calls=len(NUMBERS),
        calls_per_second=len(NUMBERS),
    )

    assert dial_tick(campaign=campaign, now=timezone.now()) == len(NUMBERS)
    rounds = work_until_no_call_is_left(rq_queues["dialer"])

    first_attempts = CallAttempt.objects.filter(contact__campaign=campaign, number=1)
    assert first_attempts.count() == len(NUMBERS)
    assert all(attempt.status in FINAL_CALL_STATUSES for attempt in first_attempts)
    assert all(attempt.provider_call_id.startswith("SIM") for attempt in first_attempts)
    # Twilio's Timestamp has whole seconds.
    assert all(attempt.ended_at >= attempt.placed_at.replace(microsecond=0) for attempt in first_attempts)
    # Retries wait for the campaign's minimum gap: the next attempts are due, not dialed.
    assert set(CallAttempt.objects.filter(number=2).values_list("status", flat=True)) <= {CallStatus.PENDING}
    assert rounds > 3, "each step of a call is a job of its own, due after the step's delay"
