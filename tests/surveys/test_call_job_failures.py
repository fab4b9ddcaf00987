"""A call job that fails on every run (the row's data make it raise, the carrier's SDK raises something
unexpected for one number) is run a few times, then its attempt ends with the job's error and the
number goes on as the dialing rules say; the rest of the campaign is dialed meanwhile. Redis losing
the job is no failure of it."""

from datetime import date, time, timedelta

import django_rq
import pytest
import time_machine
from django.conf import settings
from rq import Queue, SimpleWorker

from surveys.models import (
    CallAttempt,
    CallStatus,
    Campaign,
    Contact,
    ContactNumber,
    ContactStatus,
    SmsLinkRequest,
    SmsMessage,
)
from surveys.services import dialing
from surveys.services.dialing import (
    CALL_JOB_TRIES,
    STALE_DIALING_AFTER,
    attempts_recover_stale,
    dial_tick,
    place_call_job_id,
)
from tests.conftest import rq_queue_empty
from tests.surveys.calls import NOON, UNPACED_AT_NOON, queued_attempt, running_campaign

NUMBERS = ("0401234500", "0401234501", "0401234502")


def script_unreadable(version, *, language, offers_link=False):
    raise ValueError(f"The survey's script has no text in {language!r}.")


@pytest.fixture
def queued(make_campaign, rq_queues, django_capture_on_commit_callbacks) -> list[CallAttempt]:
    """Three attempts queued by a tick at noon, their call jobs on the real `dialer` queue."""
    campaign = running_campaign(make_campaign, numbers=NUMBERS, max_concurrent_calls=5, calls_per_second=1)
    Campaign.objects.filter(pk=campaign.pk).update(**UNPACED_AT_NOON)
    campaign.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        dial_tick(campaign=campaign, now=NOON)
    return list(CallAttempt.objects.order_by("pk"))


def dialer_worker(rq_queues) -> SimpleWorker:
    return SimpleWorker([rq_queues["dialer"]], connection=django_rq.get_connection(settings.WORKER_QUEUES[0]))


def test_a_call_job_failing_every_run_ends_its_attempt_after_a_few_runs_and_the_campaign_goes_on(
    queued, rq_queues, django_capture_on_commit_callbacks, monkeypatch
):
    """An attempt whose row makes its job raise before it is dialed stayed queued, and every tick's
    sweep found its job failed and queued it again: a job failing every five seconds for ever."""
    broken = queued[0]
    CallAttempt.objects.filter(pk=broken.pk).update(language="sv")
    # Calling days left after noon's: the number's next attempt has a time to be made in.
    Campaign.objects.update(end_date=date(2025, 12, 19), daily_end=time(20))
    real_script = dialing.call_script
    monkeypatch.setattr(
        dialing,
        "call_script",
        lambda version, *, language, **kwargs: (
            script_unreadable(version, language=language)
            if language == "sv"
            else real_script(version, language=language, **kwargs)
        ),
    )
    worker = dialer_worker(rq_queues)

    requeued = []
    with time_machine.travel(NOON):
        for run in range(1, CALL_JOB_TRIES + 2):
            with django_capture_on_commit_callbacks(execute=True):
                worker.work(burst=True)
                requeued.append(attempts_recover_stale(now=NOON + timedelta(seconds=5 * run)).requeued)

    assert requeued == [1] * (CALL_JOB_TRIES - 1) + [0, 0]
    broken.refresh_from_db()
    assert (broken.status, broken.placed_at, broken.failed_jobs) == (CallStatus.CANCELED, None, CALL_JOB_TRIES)
    assert broken.error.startswith(f"The call job failed {CALL_JOB_TRIES} times: ")
    assert broken.error.endswith("ValueError: The survey's script has no text in 'sv'.")
    following = CallAttempt.objects.get(contact=broken.contact, number=2)
    assert (following.status, following.phone_id, following.failed_jobs) == (CallStatus.PENDING, broken.phone_id, 0)
    assert following.scheduled_for > NOON
    assert [attempt.status for attempt in CallAttempt.objects.filter(pk__in=[a.pk for a in queued[1:]])] == [
        CallStatus.DIALING
    ] * 2


def test_the_last_attempt_whose_job_fails_every_run_finishes_the_number(
    queued, rq_queues, django_capture_on_commit_callbacks, monkeypatch
):
    broken = queued[0]
    CallAttempt.objects.filter(pk=queued[0].pk).update(number=broken.contact.campaign.max_attempts)
    CallAttempt.objects.filter(pk__in=[attempt.pk for attempt in queued[1:]]).update(status=CallStatus.CANCELED)
    monkeypatch.setattr(dialing, "call_script", script_unreadable)
    worker = dialer_worker(rq_queues)

    with time_machine.travel(NOON):
        for run in range(1, CALL_JOB_TRIES + 1):
            with django_capture_on_commit_callbacks(execute=True):
                worker.work(burst=True)
                attempts_recover_stale(now=NOON + timedelta(seconds=5 * run))

    broken.refresh_from_db()
    assert broken.status == CallStatus.CANCELED
    assert CallAttempt.objects.filter(contact=broken.contact).count() == 1
    assert Contact.objects.get(pk=broken.contact_id).status == ContactStatus.FINISHED


def test_a_number_whose_last_attempt_is_given_up_gets_the_sms_follow_up_once(
    make_campaign, rq_queues, django_capture_on_commit_callbacks, monkeypatch
):
    """The campaign texts the web survey's link after the last call that reached nobody; an attempt our
    own call job failed on reached nobody either, yet ended cancelled and the resident got no link."""
    campaign = running_campaign(
        make_campaign, slug="sekamuoto", numbers=NUMBERS[:1], sms_follow_up=True, max_attempts=1
    )
    Campaign.objects.filter(pk=campaign.pk).update(**UNPACED_AT_NOON)
    campaign.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        dial_tick(campaign=campaign, now=NOON)
    [broken] = CallAttempt.objects.all()
    monkeypatch.setattr(dialing, "call_script", script_unreadable)
    worker = dialer_worker(rq_queues)

    with time_machine.travel(NOON):
        for run in range(1, CALL_JOB_TRIES + 3):
            with django_capture_on_commit_callbacks(execute=True):
                worker.work(burst=True)
                attempts_recover_stale(now=NOON + timedelta(seconds=5 * run))

    broken.refresh_from_db()
    assert (broken.status, broken.failed_jobs) == (CallStatus.CANCELED, CALL_JOB_TRIES)
    assert Contact.objects.get(pk=broken.contact_id).status == ContactStatus.FINISHED
    # The link's job ran on the same queue in the later rounds: one message, none owed any more.
    [message] = SmsMessage.objects.filter(contact_id=broken.contact_id)
    assert message.phone_id == broken.phone_id
    assert not SmsLinkRequest.objects.exists()


def test_call_jobs_redis_lost_again_and_again_are_no_failed_runs(queued, rq_queues):
    """Redis restarted without its data during an outage, more times than a job may fail: the attempts
    are not given up for it."""
    for run in range(1, CALL_JOB_TRIES + 2):
        rq_queue_empty(rq_queues["dialer"])
        assert attempts_recover_stale(now=NOON + timedelta(seconds=5 * run)).requeued == 3

    assert [(attempt.status, attempt.failed_jobs) for attempt in CallAttempt.objects.order_by("pk")] == [
        (CallStatus.QUEUED, 0)
    ] * 3


@pytest.fixture
def twilio_attempt(make_campaign, fake_twilio, rq_queues):
    campaign = running_campaign(make_campaign, numbers=NUMBERS[:1], telephony_provider="twilio")
    return queued_attempt(campaign.contacts.get())


def test_a_number_that_cannot_be_read_stops_no_sweep_and_its_attempt_ends(twilio_attempt, fake_twilio, rq_queues):
    """The call's job raised on the number (its encryption key retired) after the attempt was marked
    dialing; the sweep then asked Twilio whether it had placed the call, raised on the same number, and
    every tick after it failed before it reached any campaign: the dialer stopped for everyone."""
    ContactNumber.objects.filter(pk=twilio_attempt.phone_id).update(phone_encrypted=b"not a token")
    dialer = Queue("dialer", connection=rq_queues["dialer"].connection)
    dialer.enqueue("surveys.jobs.place_call", twilio_attempt.pk, job_id=place_call_job_id(twilio_attempt.pk))
    with time_machine.travel(NOON):
        dialer_worker(rq_queues).work(burst=True)
    assert CallAttempt.objects.get(pk=twilio_attempt.pk).status == CallStatus.DIALING

    recovered = attempts_recover_stale(now=NOON + STALE_DIALING_AFTER + timedelta(seconds=1))

    assert recovered.closed == 1
    twilio_attempt.refresh_from_db()
    assert (twilio_attempt.status, twilio_attempt.error) == (
        CallStatus.CANCELED,
        "The call job failed while placing the call: cryptography.fernet.InvalidToken",
    )
    assert not [request for request in fake_twilio.requests if request["method"] == "POST"]


def test_a_call_twilio_answers_unreadably_every_time_is_not_placed_again_for_ever(
    twilio_attempt, fake_twilio, rq_queues
):
    """Twilio's answer to the call made its SDK raise (not an error it reports): the attempt stayed
    dialing, the sweep asked Twilio, which had placed no call, and the attempt was placed again, and
    again, every five minutes, without end."""
    queue = Queue("dialer", connection=rq_queues["dialer"].connection)
    moment = NOON
    runs = 0
    while runs <= CALL_JOB_TRIES:
        runs += 1
        queue.enqueue("surveys.jobs.place_call", twilio_attempt.pk, job_id=place_call_job_id(twilio_attempt.pk))
        fake_twilio.reply = (201, ["not a call"])
        with time_machine.travel(moment):
            dialer_worker(rq_queues).work(burst=True)
        fake_twilio.reply = None
        moment += STALE_DIALING_AFTER + timedelta(seconds=1)
        attempts_recover_stale(now=moment)
        twilio_attempt.refresh_from_db()
        if twilio_attempt.status != CallStatus.PENDING:
            break
        # The next tick queues it again.
        CallAttempt.objects.filter(pk=twilio_attempt.pk).update(status=CallStatus.QUEUED)

    assert runs == CALL_JOB_TRIES
    assert (twilio_attempt.status, twilio_attempt.failed_jobs) == (CallStatus.CANCELED, CALL_JOB_TRIES)
    assert twilio_attempt.error.startswith(f"The call job failed {CALL_JOB_TRIES} times: ")
    assert len([request for request in fake_twilio.requests if request["method"] == "POST"]) == CALL_JOB_TRIES
