"""Dial ticks of one campaign running at the same time, each in its own thread and database
connection, on PostgreSQL: together they never start more calls than the campaign allows, and no
number gets a second attempt of the same number."""

import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from surveys.models import CallAttempt, CallStatus
from surveys.models.calls import ACTIVE_CALL_STATUSES
from surveys.services.dialing import attempt_place, dial_tick, place_call_job_id
from tests.surveys.calls import NOON, UNPACED_AT_NOON, running_campaign

pytestmark = pytest.mark.django_db(transaction=True)

TICKS_AT_ONCE = 8
NUMBERS = tuple(f"04012345{index:02d}" for index in range(40))


def ticks_at_once(campaign, now, *, threads: int = TICKS_AT_ONCE) -> list[int]:
    """`threads` dial ticks released together; what each queued."""
    start = threading.Barrier(threads)
    queued: list[int] = []
    errors: list[BaseException] = []

    def tick():
        try:
            start.wait()
            queued.append(dial_tick(campaign=campaign, now=now))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=tick) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    return queued


def in_progress(campaign) -> int:
    return CallAttempt.objects.filter(contact__campaign=campaign, status__in=ACTIVE_CALL_STATUSES).count()


def assert_each_number_once_per_attempt(campaign):
    pairs = Counter(CallAttempt.objects.filter(contact__campaign=campaign).values_list("contact_id", "number"))
    assert pairs and set(pairs.values()) == {1}


def test_ticks_at_once_start_no_more_calls_than_the_concurrency_cap(make_campaign, rq_queues):
    campaign = running_campaign(
        make_campaign, numbers=NUMBERS, max_concurrent_calls=4, calls_per_second=50, **UNPACED_AT_NOON
    )

    queued = ticks_at_once(campaign, NOON)

    assert sum(queued) == 4
    assert in_progress(campaign) == 4
    assert_each_number_once_per_attempt(campaign)
    job_ids = sorted(job.id for job in rq_queues["dialer"].get_jobs())
    attempts = CallAttempt.objects.filter(contact__campaign=campaign)
    assert job_ids == sorted(place_call_job_id(attempt.pk) for attempt in attempts)


def test_freed_slots_are_filled_once_by_ticks_at_once(make_campaign, rq_queues):
    campaign = running_campaign(
        make_campaign, numbers=NUMBERS, max_concurrent_calls=4, calls_per_second=50, **UNPACED_AT_NOON
    )
    ticks_at_once(campaign, NOON)
    ended = CallAttempt.objects.filter(contact__campaign=campaign).order_by("pk")[:3]
    CallAttempt.objects.filter(pk__in=[attempt.pk for attempt in ended]).update(
        status=CallStatus.COMPLETED, placed_at=NOON
    )

    queued = ticks_at_once(campaign, NOON + timedelta(minutes=1))

    assert sum(queued) == 3
    assert in_progress(campaign) == 4
    assert CallAttempt.objects.filter(contact__campaign=campaign).count() == 7
    assert_each_number_once_per_attempt(campaign)


def test_ticks_at_once_start_no_more_calls_than_a_ticks_worth_of_the_rate(make_campaign, rq_queues):
    campaign = running_campaign(
        make_campaign, numbers=NUMBERS, max_concurrent_calls=100, calls_per_second=Decimal("1"), **UNPACED_AT_NOON
    )

    queued = ticks_at_once(campaign, NOON)

    assert sum(queued) == 5, "1 call a second x a 5-second tick"
    assert_each_number_once_per_attempt(campaign)


def test_calls_dialed_in_the_last_tick_count_against_the_rate(make_campaign, rq_queues):
    campaign = running_campaign(
        make_campaign, numbers=NUMBERS, max_concurrent_calls=100, calls_per_second=Decimal("1"), **UNPACED_AT_NOON
    )
    ticks_at_once(campaign, NOON)
    for attempt in CallAttempt.objects.filter(contact__campaign=campaign):
        assert attempt_place(attempt_id=attempt.pk, now=NOON + timedelta(seconds=1)) == "placed"

    assert sum(ticks_at_once(campaign, NOON + timedelta(seconds=4))) == 0
    assert sum(ticks_at_once(campaign, NOON + timedelta(seconds=6))) == 5
    assert in_progress(campaign) == 10
    assert_each_number_once_per_attempt(campaign)
