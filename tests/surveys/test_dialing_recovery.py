"""The sweep of every dial tick: attempts a killed worker, a lost job or a lost callback left behind
are enqueued again or closed, and none is ever dialed a second time."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from surveys.jobs import dial_tick as dial_tick_job
from surveys.jobs import place_call
from surveys.models import CallAttempt, CallStatus, Campaign, Contact, ContactStatus
from surveys.services.dialing import (
    CALL_END_MARGIN,
    CALL_TIME_LIMIT,
    STALE_DIALING_AFTER,
    attempt_place,
    attempts_recover_stale,
    call_status_apply,
    call_time_limit_seconds,
    dial_tick,
    place_call_job_id,
)
from surveys.telephony import StatusUpdate
from tests.surveys.calls import NOON, UNPACED_AT_NOON, queued_attempt, running_campaign
from tests.surveys.telephony_fakes import twilio_error

NUMBERS = ("0401234500", "0401234501", "0401234502")


@pytest.fixture
def campaign(make_campaign):
    return running_campaign(make_campaign, numbers=NUMBERS, max_concurrent_calls=5, calls_per_second=1)


@pytest.fixture
def queued(campaign, rq_queues, django_capture_on_commit_callbacks) -> list[CallAttempt]:
    """Three attempts queued by a tick at noon, their call jobs on the real `dialer` queue."""
    Campaign.objects.filter(pk=campaign.pk).update(**UNPACED_AT_NOON)
    campaign.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        dial_tick(campaign=campaign, now=NOON)
    return list(CallAttempt.objects.order_by("pk"))


def job_ids(rq_queues) -> list[str]:
    return rq_queues["dialer"].get_job_ids()


def dialing(campaign, *, number: int = 1, **fields) -> CallAttempt:
    """The first contact's attempt left `dialing` at noon, as a worker killed mid-call leaves it."""
    contact = campaign.contacts.order_by("pk").first()
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.IN_PROGRESS)
    ends_by = NOON + timedelta(seconds=call_time_limit_seconds(campaign, language="fi") + settings.TWILIO_RING_TIMEOUT)
    values = {"status": CallStatus.DIALING, "placed_at": NOON, "ends_by": ends_by} | fields
    return queued_attempt(contact, number=number, **values)


def test_queued_attempts_whose_jobs_wait_are_left_alone(queued, rq_queues):
    assert attempts_recover_stale(now=NOON).requeued == 0
    assert len(job_ids(rq_queues)) == 3


def test_a_queued_attempt_whose_job_was_lost_gets_its_job_again(queued, rq_queues):
    lost = queued[0]
    rq_queues["dialer"].remove(place_call_job_id(lost.pk))
    Job.fetch(place_call_job_id(lost.pk), connection=rq_queues["dialer"].connection).delete()

    assert attempts_recover_stale(now=NOON).requeued == 1

    assert sorted(job_ids(rq_queues)) == sorted(place_call_job_id(attempt.pk) for attempt in queued)
    with time_machine.travel(NOON):
        assert place_call(lost.pk) == "placed"


def test_a_queued_attempt_whose_job_failed_is_enqueued_again_and_leaves_the_failed_list(queued, rq_queues):
    queue = rq_queues["dialer"]
    job = Job.fetch(place_call_job_id(queued[0].pk), connection=queue.connection)
    queue.remove(job)
    failed = FailedJobRegistry(queue=queue)
    with queue.connection.pipeline() as pipeline:
        job.set_status(JobStatus.FAILED, pipeline=pipeline)
        failed.add(job, pipeline=pipeline)
        pipeline.execute()

    assert attempts_recover_stale(now=NOON).requeued == 1

    assert job.get_status() == JobStatus.QUEUED
    assert place_call_job_id(queued[0].pk) in job_ids(rq_queues)
    assert place_call_job_id(queued[0].pk) not in failed.get_job_ids()


def test_an_attempt_left_dialing_is_closed_and_the_number_gets_its_next_attempt(campaign):
    attempt = dialing(campaign)

    assert attempts_recover_stale(now=NOON + STALE_DIALING_AFTER - timedelta(seconds=1)).closed == 0
    closed_at = NOON + STALE_DIALING_AFTER + timedelta(seconds=1)
    assert attempts_recover_stale(now=closed_at).closed == 1

    attempt.refresh_from_db()
    assert (attempt.status, attempt.ended_at, attempt.placed_at) == (CallStatus.CANCELED, closed_at, NOON)
    assert attempt.error == "The call job stopped while placing the call; the carrier never reported it."
    retry = CallAttempt.objects.get(contact=attempt.contact, number=2)
    assert retry.status == CallStatus.PENDING
    assert retry.scheduled_for >= closed_at + timedelta(minutes=campaign.min_gap_minutes)
    assert Contact.objects.get(pk=attempt.contact_id).status == ContactStatus.PENDING


def test_a_closed_attempt_is_never_dialed_by_its_job(campaign, rq_queues):
    attempt = dialing(campaign)
    attempts_recover_stale(now=NOON + STALE_DIALING_AFTER + timedelta(seconds=1))

    assert place_call(attempt.pk) == "skipped"
    attempt.refresh_from_db()
    assert attempt.provider_call_id is None


def test_the_last_attempt_left_dialing_finishes_the_number(campaign):
    attempt = dialing(campaign, number=campaign.max_attempts)

    attempts_recover_stale(now=NOON + STALE_DIALING_AFTER + timedelta(seconds=1))

    assert CallAttempt.objects.count() == 1
    assert Contact.objects.get(pk=attempt.contact_id).status == ContactStatus.FINISHED


def test_the_last_attempt_whose_worker_was_killed_dialing_gets_the_sms_follow_up_once(
    make_campaign, rq_queues, django_capture_on_commit_callbacks
):
    """An attempt closed because its worker died placing the call reached nobody the portal knows of:
    with the campaign's SMS follow-up, the number's last one brings the link as an unanswered call does."""
    campaign = running_campaign(
        make_campaign, slug="sekamuoto", numbers=NUMBERS[:1], sms_follow_up=True, max_attempts=2
    )
    attempt = dialing(campaign, number=campaign.max_attempts)

    for seconds in (1, 6):
        with django_capture_on_commit_callbacks(execute=True):
            attempts_recover_stale(now=NOON + STALE_DIALING_AFTER + timedelta(seconds=seconds))

    assert Contact.objects.get(pk=attempt.contact_id).status == ContactStatus.FINISHED
    link_jobs = [job.args for job in rq_queues["dialer"].get_jobs() if job.func_name == "surveys.jobs.send_survey_link"]
    assert link_jobs == [(attempt.contact_id, attempt.phone_id)]


def test_a_call_the_carrier_took_is_waited_for_until_its_own_time_limit_has_passed(campaign, settings):
    """The carrier ends each call at the time limit it was given (a few times the survey's length), but the
    sweep waited for Twilio's longest call, four hours: a final status callback lost while the database or
    the web server was out kept the call's slot taken all that time, and a few such calls stopped the
    campaign's calling for the afternoon."""
    attempt = dialing(campaign, provider_call_id="CA1")
    limit = call_time_limit_seconds(campaign, language=attempt.language) + settings.TWILIO_RING_TIMEOUT
    ended = timedelta(seconds=limit) + CALL_END_MARGIN
    assert ended < CALL_TIME_LIMIT / 4

    assert attempts_recover_stale(now=NOON + ended - timedelta(seconds=1)).closed == 0
    assert attempts_recover_stale(now=NOON + ended + timedelta(seconds=1)).closed == 1

    attempt.refresh_from_db()
    assert (attempt.status, attempt.error) == (CallStatus.CANCELED, "No final status from the carrier.")
    assert CallAttempt.objects.get(contact=attempt.contact, number=2).status == CallStatus.PENDING


@pytest.mark.parametrize(("placed_with", "swept_with"), [(600, 15), (15, 600)])
def test_a_call_is_swept_by_the_ring_time_and_limit_it_was_placed_with(
    make_campaign, fake_twilio, settings, placed_with, swept_with
):
    """A deploy changed TWILIO_RING_TIMEOUT while calls were out: the sweep read the new value, so a call
    placed to ring 600 s was closed (its slot given to the next call) while the carrier could still be
    ringing or running it, and a call placed to ring 15 s held its slot almost ten minutes too long."""
    campaign = running_campaign(make_campaign, telephony_provider="twilio")
    attempt = queued_attempt(campaign.contacts.get())
    settings.TWILIO_RING_TIMEOUT = placed_with
    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "placed"
    [placed] = [request["form"] for request in fake_twilio.requests if request["path"].endswith("/Calls.json")]
    assert placed["Timeout"] == [str(placed_with)]
    limit = int(placed["TimeLimit"][0])
    settings.TWILIO_RING_TIMEOUT = swept_with
    fake_twilio.calls[-1].update(status="no-answer", duration="0")  # its final callback lost
    ended = NOON + timedelta(seconds=limit + placed_with) + CALL_END_MARGIN

    assert attempts_recover_stale(now=ended - timedelta(seconds=1)).closed == 0
    assert attempts_recover_stale(now=ended + timedelta(seconds=1)).closed == 1


def test_an_answered_call_without_its_final_status_ends_completed_without_a_retry(campaign):
    attempt = dialing(campaign, provider_call_id="CA1")
    CallAttempt.objects.filter(pk=attempt.pk).update(status=CallStatus.IN_PROGRESS, answered_at=NOON, current_step="q2")

    attempts_recover_stale(now=NOON + CALL_TIME_LIMIT + timedelta(seconds=1))

    attempt.refresh_from_db()
    assert attempt.status == CallStatus.COMPLETED
    assert CallAttempt.objects.count() == 1
    assert Contact.objects.get(pk=attempt.contact_id).status == ContactStatus.FINISHED


def test_a_late_status_callback_bills_a_closed_attempt_but_keeps_it_closed(campaign):
    attempt = dialing(campaign)
    attempts_recover_stale(now=NOON + STALE_DIALING_AFTER + timedelta(seconds=1))

    call_status_apply(
        attempt_id=attempt.pk,
        provider=attempt.provider,
        update=StatusUpdate(call_id="CA9", status=CallStatus.COMPLETED, duration_seconds=61),
        now=NOON + timedelta(minutes=6),
    )

    attempt.refresh_from_db()
    assert (attempt.status, attempt.provider_call_id, attempt.billed_minutes) == (CallStatus.CANCELED, "CA9", 2)
    assert CallAttempt.objects.filter(contact=attempt.contact).count() == 2


def test_the_dial_tick_job_reports_what_it_recovered(campaign, rq_queues):
    dialing(campaign)
    CallAttempt.objects.filter(status=CallStatus.DIALING).update(placed_at=NOON - timedelta(days=400))

    summary = dial_tick_job()

    assert summary.endswith("requeued=0 closed=1")


@pytest.fixture
def twilio_call(make_campaign, fake_twilio):
    """An attempt's call that Twilio took at noon, whose final status callback never came."""
    campaign = running_campaign(make_campaign, numbers=NUMBERS, telephony_provider="twilio")
    attempt = dialing(campaign, provider_call_id="CA1", status=CallStatus.RINGING)
    return attempt


def past_its_end(attempt) -> datetime:
    return attempt.ends_by + CALL_END_MARGIN + timedelta(seconds=1)


@pytest.mark.parametrize(
    ("twilio_says", "status", "retried"),
    [
        ({"status": "busy", "duration": "0"}, CallStatus.BUSY, True),
        ({"status": "no-answer", "duration": "0"}, CallStatus.NO_ANSWER, True),
        ({"status": "completed", "duration": "95", "answered_by": "human"}, CallStatus.COMPLETED, False),
    ],
)
def test_a_call_whose_final_status_was_lost_ends_as_the_carrier_says_it_ended(
    twilio_call, fake_twilio, twilio_says, status, retried
):
    """A lost final callback ended a call as cancelled ("No final status from the carrier."), or as completed
    with no length when it had been answered: a busy number and an unanswered one were stored as the same
    unknown, and a 95-second interview went unbilled, though Twilio had each call's end on record."""
    if twilio_says["status"] == "completed":
        CallAttempt.objects.filter(pk=twilio_call.pk).update(
            status=CallStatus.IN_PROGRESS, answered_at=NOON, current_step="q2"
        )
    fake_twilio.call_on_record("CA1", **twilio_says, end_time="Wed, 10 Dec 2025 10:05:00 +0000")

    assert attempts_recover_stale(now=past_its_end(twilio_call)).closed == 1

    attempt = CallAttempt.objects.get(pk=twilio_call.pk)
    assert (attempt.status, attempt.error) == (status, "")
    assert (attempt.duration_seconds, attempt.ended_at) == (int(twilio_says["duration"]), NOON + timedelta(minutes=5))
    assert CallAttempt.objects.filter(contact=attempt.contact, number=2).exists() == retried
    assert [request["path"] for request in fake_twilio.requests] == [
        f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Calls/CA1.json"
    ]


def test_a_call_the_carrier_still_has_in_progress_keeps_its_slot(twilio_call, fake_twilio):
    fake_twilio.call_on_record("CA1", status="in-progress")

    assert attempts_recover_stale(now=past_its_end(twilio_call)).closed == 0
    assert CallAttempt.objects.get(pk=twilio_call.pk).status == CallStatus.RINGING
    # Twilio ends every call within four hours: past that, its word is not waited for.
    assert attempts_recover_stale(now=NOON + CALL_TIME_LIMIT + timedelta(seconds=1)).closed == 1
    assert CallAttempt.objects.get(pk=twilio_call.pk).status == CallStatus.CANCELED


def test_a_call_whose_status_twilio_cannot_give_now_is_closed_as_unknown(twilio_call, fake_twilio):
    fake_twilio.reply = twilio_error(503, 20503, "Service Unavailable")

    assert attempts_recover_stale(now=past_its_end(twilio_call)).closed == 1

    attempt = CallAttempt.objects.get(pk=twilio_call.pk)
    assert (attempt.status, attempt.error) == (CallStatus.CANCELED, "No final status from the carrier.")
