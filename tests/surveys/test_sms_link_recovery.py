"""The survey link's SMS is owed from the moment it is asked for (the call's "send me a link" key, the
last unanswered call of a campaign with SMS follow-up) until a sending settles it: its job lives in
Redis, and a job Redis lost (restarted without its data, or out of reach when the job was queued) is
queued again once it is overdue, never sending a second message."""

import shutil
from datetime import timedelta

import django_rq.settings
import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from rq import SimpleWorker

from surveys.jobs import send_survey_link, sms_links_recover
from surveys.models import (
    CallAttempt,
    CallStatus,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactNumber,
    ContactStatus,
    SmsLinkRequest,
    SmsMessage,
    SmsStatus,
)
from surveys.services.sms import (
    LINK_JOB_OVERDUE_AFTER,
    LINK_JOB_TRIES,
    SmsOutcome,
    sms_link_requests_recover,
    sms_link_send,
)
from tests.conftest import rq_queue_empty
from tests.surveys.calls import NOON, queued_attempt, running_campaign
from tests.surveys.test_sms_follow_up import LINK_GOODBYE, finish, finnish, intro, link_jobs, start

LATER = LINK_JOB_OVERDUE_AFTER + timedelta(seconds=1)


@pytest.fixture
def follow_up(make_campaign):
    return running_campaign(make_campaign, slug="sekamuoto", sms_follow_up=True, max_attempts=1)


@pytest.fixture
def link_call(follow_up):
    contact = follow_up.contacts.get()
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.IN_PROGRESS)
    return queued_attempt(contact, status=CallStatus.RINGING, provider_call_id="SIM1", answered_by="human")


def asked_for_the_link(client, attempt, capture) -> None:
    start(client, attempt)
    with capture(execute=True):
        intro(client, attempt, "3")


def test_a_link_job_redis_lost_is_queued_again_once_overdue_and_sends_one_message(
    client, link_call, rq_queues, django_capture_on_commit_callbacks
):
    asked_for_the_link(client, link_call, django_capture_on_commit_callbacks)
    contact = link_call.contact
    rq_queue_empty(rq_queues["dialer"])  # Redis restarted without its data

    assert sms_link_requests_recover(now=timezone.now()) == 0
    assert sms_link_requests_recover(now=timezone.now() + LATER) == 1
    assert link_jobs(rq_queues) == [(contact.pk, link_call.phone_id)]
    assert sms_link_requests_recover(now=timezone.now() + LATER) == 0, "queued again only once overdue again"

    with time_machine.travel(NOON):
        assert send_survey_link(contact.pk, link_call.phone_id) == SmsOutcome.SENT
        assert send_survey_link(contact.pk, link_call.phone_id) == SmsOutcome.ALREADY_SENT

    assert SmsMessage.objects.get().phone_id == link_call.phone_id
    assert not SmsLinkRequest.objects.exists()
    assert sms_link_requests_recover(now=timezone.now() + 2 * LATER) == 0


def test_a_link_job_only_late_in_a_busy_queue_is_not_queued_a_second_time(
    client, link_call, rq_queues, django_capture_on_commit_callbacks
):
    """At the morning opening the dialer queue holds thousands of call jobs: a link job still waiting
    there ten minutes on is late, not lost, and a copy of it would be one more job in the same queue."""
    asked_for_the_link(client, link_call, django_capture_on_commit_callbacks)

    assert sms_link_requests_recover(now=timezone.now() + LATER) == 0
    assert link_jobs(rq_queues) == [(link_call.contact_id, link_call.phone_id)]


def test_a_link_job_that_fails_every_time_is_tried_a_few_times_then_recorded_as_failed(
    client, link_call, rq_queues, django_capture_on_commit_callbacks
):
    """The number cannot be read (its encryption key was retired): every run of the job fails. It must
    not be queued again every ten minutes for ever, and staff must see why the link never went."""
    worker = SimpleWorker([rq_queues["dialer"]], connection=django_rq.get_connection(settings.WORKER_QUEUES[0]))
    with time_machine.travel(NOON):
        asked_for_the_link(client, link_call, django_capture_on_commit_callbacks)
        ContactNumber.objects.filter(pk=link_call.phone_id).update(phone_encrypted=b"not a token")
        requeued = []
        for round_number in range(1, LINK_JOB_TRIES + 1):
            worker.work(burst=True)
            requeued.append(sms_link_requests_recover(now=timezone.now() + round_number * LATER))

    assert requeued == [1] * (LINK_JOB_TRIES - 1) + [0]
    assert link_jobs(rq_queues) == []
    assert not SmsLinkRequest.objects.exists()
    message = SmsMessage.objects.get()
    assert (message.contact_id, message.status, message.phone_id) == (
        link_call.contact_id,
        SmsStatus.FAILED,
        link_call.phone_id,
    )
    assert message.error == f"The link's job failed {LINK_JOB_TRIES} times: cryptography.fernet.InvalidToken"
    assert sms_link_requests_recover(now=timezone.now() + 10 * LATER) == 0


def test_a_link_whose_job_redis_lost_again_and_again_is_queued_again_each_time(
    client, link_call, rq_queues, django_capture_on_commit_callbacks
):
    """Redis restarted without its data several times in an outage: its losses are not the job's failures,
    and the link must not be given up for them."""
    asked_for_the_link(client, link_call, django_capture_on_commit_callbacks)

    requeued = []
    for round_number in range(1, LINK_JOB_TRIES + 2):
        rq_queue_empty(rq_queues["dialer"])
        requeued.append(sms_link_requests_recover(now=timezone.now() + round_number * LATER))

    assert requeued == [1] * (LINK_JOB_TRIES + 1)
    assert not SmsMessage.objects.exists()
    assert SmsLinkRequest.objects.get().failed_jobs == 0


def test_the_last_unanswered_calls_link_is_owed_until_sent(follow_up, rq_queues, django_capture_on_commit_callbacks):
    contact = follow_up.contacts.get()
    attempt = queued_attempt(contact, status=CallStatus.DIALING, placed_at=NOON, provider_call_id="SIM1")

    finish(attempt, CallStatus.NO_ANSWER, django_capture_on_commit_callbacks)

    request = SmsLinkRequest.objects.get()
    assert (request.contact_id, request.phone_id) == (contact.pk, attempt.phone_id)
    assert link_jobs(rq_queues) == [(contact.pk, attempt.phone_id)]


def test_a_link_put_off_to_the_next_calling_day_is_overdue_only_after_it(link_call, client, rq_queues):
    contact = link_call.contact
    SmsLinkRequest.objects.create(contact=contact, phone=link_call.phone, due_at=NOON)
    evening = NOON.replace(hour=21)

    result = sms_link_send(contact=contact, now=evening, phone_id=link_call.phone_id)

    assert result.outcome == SmsOutcome.OUTSIDE_WINDOW
    assert SmsLinkRequest.objects.get().due_at == result.retry_at + LINK_JOB_OVERDUE_AFTER
    assert sms_link_requests_recover(now=result.retry_at) == 0
    assert sms_link_requests_recover(now=result.retry_at + LATER) == 1


def test_a_link_that_may_never_be_sent_is_no_longer_owed(link_call, rq_queues):
    contact = link_call.contact
    SmsLinkRequest.objects.create(contact=contact, phone=link_call.phone, due_at=NOON)
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.OPTED_OUT)

    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.OPTED_OUT
    assert not SmsLinkRequest.objects.exists()
    assert sms_link_requests_recover(now=NOON + LATER) == 0


def test_the_cron_recovers_the_links_every_minute_on_the_dialer_queue(db):
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=django_rq.get_connection("dialer"))
    scheduler.load_config_from_file("kuntaportaali.cron")

    job = {job.name: job for job in scheduler.get_jobs()}["surveys-sms-links-recover"]
    assert (job.func, job.queue_name, job.interval) == (sms_links_recover, "dialer", 60)


@pytest.mark.processes
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server program")
@pytest.mark.django_db(transaction=True)
def test_a_link_asked_for_while_redis_is_down_ends_the_call_politely_and_goes_once_redis_is_back(
    follow_up, redis_server, monkeypatch
):
    """The link's job was queued after the call's step had committed, and Redis' error then failed the
    step: the resident heard the carrier's "application error" instead of the goodbye, and no message
    ever came, with nothing left to say one was owed."""
    contact = follow_up.contacts.get()
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.IN_PROGRESS)
    attempt = queued_attempt(contact, status=CallStatus.RINGING, provider_call_id="SIM1", answered_by="human")
    queues = {name: config | {"URL": redis_server.url} for name, config in django_rq.settings.QUEUES.items()}
    # django-rq reads its queues once at import (django_rq.settings.QUEUES), not from the settings.
    monkeypatch.setattr(django_rq.settings, "QUEUES", queues)
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_server.url}}
    client = Client(raise_request_exception=False)
    start(client, attempt)

    with override_settings(CACHES=cache):
        redis_server.kill()
        root = intro(client, attempt, "3")

    assert root.find("Say").text == finnish(LINK_GOODBYE)
    assert ConsentEvent.objects.filter(contact_ref=contact.pseudonym, kind=ConsentKind.WEB_LINK).count() == 1
    assert CallAttempt.objects.get().current_step == "link_requested"
    request = SmsLinkRequest.objects.get()

    redis_server.start()
    assert sms_link_requests_recover(now=request.due_at) == 1
    [job] = django_rq.get_queue("dialer").get_jobs()
    assert (job.func_name, job.args) == ("surveys.jobs.send_survey_link", (contact.pk, attempt.phone_id))
    with time_machine.travel(NOON):
        assert job.perform() == SmsOutcome.SENT
    assert SmsMessage.objects.filter(contact=contact).count() == 1
    assert not SmsLinkRequest.objects.exists()
