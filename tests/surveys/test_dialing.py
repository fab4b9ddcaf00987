"""The dialer: window, limits, budget, idempotent call jobs, order-tolerant callbacks, retries, opt-outs."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import django_rq
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rq.cron import CronScheduler

from surveys.calling_window import day_part
from surveys.jobs import place_call
from surveys.models import (
    AnsweredBy,
    CallAttempt,
    CallStatus,
    Campaign,
    CampaignStatus,
    Contact,
    ContactStatus,
    ResponseStatus,
)
from surveys.services.campaigns import campaign_transition
from surveys.services.dialing import attempt_place, call_status_apply, dial_tick, retry_moment
from surveys.services.privacy import contacts_purge_expired, opt_out_register
from surveys.telephony import StatusUpdate
from tests.surveys.calls import HELSINKI, NOON, UNPACED_AT_NOON, queued_attempt, running_campaign
from tests.surveys.interview_codes import response_answering
from tests.surveys.telephony_fakes import signed_post

NUMBERS = tuple(f"04012345{index:02d}" for index in range(12))


@pytest.fixture
def campaign(make_campaign):
    return running_campaign(make_campaign, numbers=NUMBERS, max_concurrent_calls=5, calls_per_second=1)


@pytest.fixture
def unpaced(make_campaign):
    """The same campaign, with every number free to start at NOON as far as pacing goes."""
    return running_campaign(
        make_campaign, numbers=NUMBERS, max_concurrent_calls=5, calls_per_second=1, **UNPACED_AT_NOON
    )


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    """dial_tick, with the jobs it enqueues on commit delivered to the real Redis queue."""

    def run(campaign, now) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return dial_tick(campaign=campaign, now=now)

    return run


def queued_job_ids(rq_queues) -> list[int]:
    return [job.args[0] for job in rq_queues["dialer"].get_jobs()]


def test_tick_queues_calls_up_to_the_concurrency_limit_and_enqueues_jobs(unpaced, rq_queues, tick):
    assert tick(unpaced, NOON) == 5

    attempts = CallAttempt.objects.all()
    assert {(attempt.number, attempt.status) for attempt in attempts} == {(1, CallStatus.QUEUED)}
    assert sorted(queued_job_ids(rq_queues)) == sorted(attempt.pk for attempt in attempts)
    assert rq_queues["dialer"].get_jobs()[0].func_name == "surveys.jobs.place_call"
    assert Contact.objects.filter(status=ContactStatus.IN_PROGRESS).count() == 5
    assert tick(unpaced, NOON) == 0


def test_calls_per_second_limits_one_tick(make_campaign, rq_queues, tick):
    campaign = running_campaign(
        make_campaign, numbers=NUMBERS, max_concurrent_calls=50, calls_per_second=Decimal("0.4"), **UNPACED_AT_NOON
    )

    assert tick(campaign, NOON) == 2


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2025, 12, 10, 9, 59, tzinfo=HELSINKI),
        datetime(2025, 12, 10, 20, 0, tzinfo=HELSINKI),
        datetime(2025, 12, 13, 12, 0, tzinfo=HELSINKI),  # Saturday
        datetime(2025, 12, 22, 12, 0, tzinfo=HELSINKI),  # after the last calling day
    ],
)
def test_no_calls_outside_the_window(campaign, rq_queues, moment, tick):
    assert tick(campaign, moment) == 0
    assert not CallAttempt.objects.exists()


@pytest.mark.parametrize("status", [CampaignStatus.PAUSED, CampaignStatus.CANCELLED, CampaignStatus.READY])
def test_only_running_campaigns_dial(campaign, rq_queues, status, tick):
    campaign.status = status
    campaign.save(update_fields=["status"])

    assert tick(campaign, NOON) == 0


def test_budget_cap_stops_dialing(campaign, rq_queues, tick):
    campaign.budget_cap = Decimal("0.18")
    campaign.save(update_fields=["budget_cap"])
    queued_attempt(campaign.contacts.first(), status=CallStatus.COMPLETED, cost=Decimal("0.18"))

    assert tick(campaign, NOON) == 0


def test_numbers_on_the_registry_are_not_dialed(campaign, rq_queues, tick):
    opt_out_register(raw_number=NUMBERS[0], source="web")

    tick(campaign, NOON)

    assert not CallAttempt.objects.filter(contact__status=ContactStatus.OPTED_OUT).exists()


def test_call_job_is_idempotent(campaign, rq_queues, tick):
    tick(campaign, NOON)
    attempt_id = queued_job_ids(rq_queues)[0]

    with time_machine.travel(NOON):  # the job runs at once, in the window
        assert place_call(attempt_id) == "placed"
        assert place_call(attempt_id) == "skipped"

    attempt = CallAttempt.objects.get(pk=attempt_id)
    assert attempt.status == CallStatus.DIALING
    assert attempt.provider_call_id.startswith("SIM")


def test_a_call_job_run_after_the_window_closed_dials_nobody_and_waits_for_the_next_opening(campaign, rq_queues, tick):
    """A call job queued by a tick in the window ran whenever a worker got to it: held up by a worker or
    Redis outage, or a queue backed up, it dialled the resident in the evening or at night."""
    tick(campaign, NOON)
    attempt_id = queued_job_ids(rq_queues)[0]

    assert attempt_place(attempt_id=attempt_id, now=NOON.replace(hour=21)) == "outside_window"

    attempt = CallAttempt.objects.select_related("contact").get(pk=attempt_id)
    assert (attempt.status, attempt.placed_at, attempt.provider_call_id) == (CallStatus.PENDING, None, None)
    assert attempt.contact.status == ContactStatus.PENDING
    next_morning = datetime(2025, 12, 11, 10, 0, tzinfo=HELSINKI)
    tick(campaign, next_morning)
    assert CallAttempt.objects.get(pk=attempt_id).status == CallStatus.QUEUED
    assert attempt_place(attempt_id=attempt_id, now=next_morning) == "placed"
    assert CallAttempt.objects.filter(contact=attempt.contact).count() == 1


def test_placing_a_call_reads_the_attempt_with_its_campaign_and_survey(campaign, rq_queues, tick):
    tick(campaign, NOON)
    [attempt_id] = queued_job_ids(rq_queues)

    with CaptureQueriesContext(connection) as captured:
        assert attempt_place(attempt_id=attempt_id, now=NOON) == "placed"

    # The survey's version and organiser size the call's time limit: joined to the attempt, not read
    # one by one after it.
    first, *others = [query["sql"] for query in captured if query["sql"].startswith("SELECT")]
    assert first.startswith('SELECT "surveys_callattempt"."id"')
    assert 'INNER JOIN "surveys_survey" ON' in first
    tables_read_after = {re.match(r'SELECT "(\w+)"', read).group(1) for read in others}
    assert not tables_read_after & {"surveys_contact", "surveys_campaign", "surveys_surveyversion", "surveys_survey"}


def test_a_machine_verdict_reads_its_campaign_with_the_attempt(campaign):
    attempt = dialed(campaign)
    call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=update(CallStatus.IN_PROGRESS), now=NOON)

    with CaptureQueriesContext(connection) as captured:
        machine = update("", answered_by=AnsweredBy.MACHINE)
        verdict = call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=machine, now=NOON)
        # What the verdict's call is told next depends on the campaign's setting: read with the attempt.
        assert verdict.contact.campaign.leave_machine_message is False

    [read] = [query["sql"] for query in captured if query["sql"].startswith("SELECT")]
    assert 'INNER JOIN "surveys_campaign" ON' in read
    assert (verdict.answered_by, verdict.verdict_arrived) == (AnsweredBy.MACHINE, True)


def test_a_person_who_completed_on_the_web_after_queueing_is_not_called(campaign, rq_queues, tick):
    tick(campaign, NOON)
    attempt = CallAttempt.objects.get(contact=Contact.objects.order_by("pk").first())
    contact = attempt.contact
    response_answering(contact, [1, 2, 3, 4], status=ResponseStatus.COMPLETE)

    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "canceled"

    attempt.refresh_from_db()
    assert (attempt.status, attempt.placed_at) == (CallStatus.CANCELED, None)
    assert Contact.objects.get(pk=contact.pk).status == ContactStatus.FINISHED


def test_a_person_who_answered_enough_on_the_web_to_be_a_complete_is_not_called(campaign, rq_queues, tick):
    # Every required question answered, the last page left unsent: the report's complete (AAPOR I).
    tick(campaign, NOON)
    attempt = CallAttempt.objects.get(contact=Contact.objects.order_by("pk").first())
    response_answering(attempt.contact, [1, 2, 3])

    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "canceled"


def test_a_person_who_answered_too_little_on_the_web_is_still_called(campaign, rq_queues, tick):
    tick(campaign, NOON)
    attempt = CallAttempt.objects.get(contact=Contact.objects.order_by("pk").first())
    response_answering(attempt.contact, [1, 2])  # 2 of 3: a partial interview (P)

    assert attempt_place(attempt_id=attempt.pk, now=NOON) != "canceled"


def test_opt_out_after_queueing_cancels_the_attempt(campaign, rq_queues, tick):
    tick(campaign, NOON)
    attempt = CallAttempt.objects.get(contact=Contact.objects.order_by("pk").first())

    opt_out_register(raw_number=NUMBERS[0], source="web")

    assert attempt_place(attempt_id=attempt.pk, now=NOON) == "canceled"
    attempt.refresh_from_db()
    assert attempt.status == CallStatus.CANCELED
    assert attempt.placed_at is None


def test_opt_out_cancels_a_waiting_retry_at_the_next_tick(campaign, rq_queues, tick):
    contact = campaign.contacts.order_by("pk").first()
    retry = queued_attempt(contact, number=2, status=CallStatus.PENDING, scheduled_for=NOON + timedelta(hours=3))

    opt_out_register(raw_number=NUMBERS[0], source="call")
    tick(campaign, NOON)

    retry.refresh_from_db()
    assert retry.status == CallStatus.CANCELED


def test_a_paused_campaign_keeps_its_queued_attempt_for_the_resume(campaign, rq_queues, tick):
    tick(campaign, NOON)
    attempt_id = queued_job_ids(rq_queues)[0]
    campaign.status = CampaignStatus.PAUSED
    campaign.save(update_fields=["status"])

    assert place_call(attempt_id) == "paused"

    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])
    rq_queues["dialer"].empty()
    tick(campaign, NOON)
    assert attempt_id in queued_job_ids(rq_queues)


def test_a_pause_takes_effect_at_the_next_tick_even_with_the_campaign_read_before_it(unpaced, rq_queues, tick):
    read_before = Campaign.objects.get(pk=unpaced.pk)
    campaign_transition(campaign=unpaced, to=CampaignStatus.PAUSED, by=unpaced.created_by)

    assert tick(read_before, NOON) == 0

    campaign_transition(campaign=unpaced, to=CampaignStatus.RUNNING, by=unpaced.created_by)
    assert tick(read_before, NOON) == 5


def test_cancelling_stops_the_queued_calls_within_one_tick(unpaced, rq_queues, tick):
    tick(unpaced, NOON)
    campaign_transition(campaign=unpaced, to=CampaignStatus.CANCELLED, by=unpaced.created_by)

    assert [place_call(attempt_id) for attempt_id in queued_job_ids(rq_queues)] == ["canceled"] * 5
    assert tick(unpaced, NOON + timedelta(seconds=5)) == 0
    assert not CallAttempt.objects.exclude(status=CallStatus.CANCELED).exists()
    assert not CallAttempt.objects.exclude(placed_at=None).exists()


def test_the_next_tick_cancels_a_queued_call_of_a_number_opted_out_meanwhile(campaign, rq_queues, tick):
    tick(campaign, NOON)
    attempt = CallAttempt.objects.get(contact=campaign.contacts.order_by("pk").first())

    opt_out_register(raw_number=NUMBERS[0], source="web")
    tick(campaign, NOON + timedelta(seconds=5))

    attempt.refresh_from_db()
    assert attempt.status == CallStatus.CANCELED
    assert place_call(attempt.pk) == "skipped"
    attempt.refresh_from_db()
    assert (attempt.status, attempt.placed_at) == (CallStatus.CANCELED, None)


def dialed(campaign) -> CallAttempt:
    contact = campaign.contacts.order_by("pk").first()
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.IN_PROGRESS)
    return queued_attempt(contact, status=CallStatus.DIALING, placed_at=NOON, provider_call_id="SIMx")


def update(status: str, **fields) -> StatusUpdate:
    return StatusUpdate(call_id="SIMx", status=status, **fields)


def test_completed_before_answered_is_accepted_and_billed_per_started_minute(campaign):
    attempt = dialed(campaign)
    ended = NOON + timedelta(minutes=3)

    call_status_apply(
        attempt_id=attempt.pk,
        provider=attempt.provider,
        update=update(CallStatus.COMPLETED, duration_seconds=121),
        now=ended,
    )
    call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=update(CallStatus.IN_PROGRESS), now=NOON)
    call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=update(CallStatus.RINGING), now=NOON)

    attempt.refresh_from_db()
    assert attempt.status == CallStatus.COMPLETED
    assert (attempt.duration_seconds, attempt.billed_minutes, attempt.cost) == (121, 3, Decimal("0.2700"))
    assert attempt.answered_at == ended - timedelta(seconds=121)


def test_duplicate_callbacks_change_nothing(campaign):
    attempt = dialed(campaign)
    final = update(CallStatus.NO_ANSWER, duration_seconds=0)

    call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=final, now=NOON + timedelta(minutes=1))
    call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=final, now=NOON + timedelta(minutes=5))

    attempt.refresh_from_db()
    assert attempt.ended_at == NOON + timedelta(minutes=1)
    assert CallAttempt.objects.filter(number=2).count() == 1


def _writes(captured) -> list[str]:
    return [query["sql"] for query in captured if query["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]


def test_a_status_callback_writes_only_what_it_changed(campaign):
    attempt = dialed(campaign)

    with CaptureQueriesContext(connection) as captured:
        ringing = update(CallStatus.RINGING, sequence=0)
        call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=ringing, now=NOON)

    # A callback comes several times a call, on the busiest path of a running campaign: the row is
    # read with the few columns a callback looks at and only the changed ones are written.
    [read] = [query["sql"] for query in captured if query["sql"].startswith("SELECT")]
    assert '"surveys_callattempt"."error"' not in read and '"surveys_callattempt"."price"' not in read
    [write] = _writes(captured)
    assert write.startswith('UPDATE "surveys_callattempt" SET "status" = ')
    assert re.findall(r'"(\w+)" = ', write.split(" WHERE ")[0]) == ["status", "status_sequence"]
    attempt.refresh_from_db()
    assert (attempt.status, attempt.status_sequence) == (CallStatus.RINGING, 0)


def test_a_repeated_or_late_status_callback_writes_nothing(campaign):
    attempt = dialed(campaign)
    in_progress = update(CallStatus.IN_PROGRESS, sequence=1)
    call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=in_progress, now=NOON)

    with CaptureQueriesContext(connection) as captured:
        call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=in_progress, now=NOON)
        late_ringing = update(CallStatus.RINGING, sequence=0)
        call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=late_ringing, now=NOON)

    assert _writes(captured) == []
    attempt.refresh_from_db()
    assert (attempt.status, attempt.status_sequence, attempt.answered_at) == (CallStatus.IN_PROGRESS, 1, NOON)


def test_the_final_callback_writes_the_attempts_changed_columns(campaign):
    attempt = dialed(campaign)

    with CaptureQueriesContext(connection) as captured:
        final = update(CallStatus.NO_ANSWER, duration_seconds=0, sequence=2)
        call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=final, now=NOON)

    first_write = _writes(captured)[0]
    assert re.findall(r'"(\w+)" = ', first_write.split(" WHERE ")[0]) == [
        "status",
        "ended_at",
        "duration_seconds",
        "status_sequence",
    ]
    attempt.refresh_from_db()
    assert (attempt.status, attempt.ended_at, attempt.duration_seconds) == (CallStatus.NO_ANSWER, NOON, 0)
    assert (attempt.billed_minutes, attempt.cost) == (0, Decimal("0"))


def test_a_completed_survey_call_finishes_the_contact(campaign):
    attempt = dialed(campaign)
    CallAttempt.objects.filter(pk=attempt.pk).update(current_step="closing", answered_at=NOON)

    call_status_apply(
        attempt_id=attempt.pk, provider=attempt.provider, update=update(CallStatus.COMPLETED, duration_seconds=200)
    )

    assert Contact.objects.get(pk=attempt.contact_id).status == ContactStatus.FINISHED
    assert CallAttempt.objects.count() == 1


@pytest.mark.parametrize("outcome", [CallStatus.NO_ANSWER, CallStatus.BUSY, CallStatus.FAILED, CallStatus.MACHINE])
def test_retry_goes_after_the_gap_to_another_part_of_the_day(campaign, outcome):
    attempt = dialed(campaign)

    call_status_apply(
        attempt_id=attempt.pk, provider=attempt.provider, update=update(outcome), now=NOON + timedelta(minutes=1)
    )

    retry = CallAttempt.objects.get(number=2)
    assert retry.status == CallStatus.PENDING
    assert retry.scheduled_for >= NOON + timedelta(minutes=1 + campaign.min_gap_minutes)
    assert day_part(retry.scheduled_for) != day_part(NOON)
    assert retry.contact.status == ContactStatus.PENDING


def test_a_retry_avoiding_every_tried_part_moves_to_the_third_part(campaign):
    contact = campaign.contacts.order_by("pk").first()
    queued_attempt(contact, number=1, status=CallStatus.NO_ANSWER, placed_at=NOON)
    evening = datetime(2025, 12, 10, 17, 0, tzinfo=HELSINKI)
    queued_attempt(contact, number=2, status=CallStatus.NO_ANSWER, placed_at=evening)

    moment = retry_moment(campaign, contact=contact, after=evening)

    # The next day's morning, at a moment of it chosen by the contact (retries spread over the part).
    assert datetime(2025, 12, 11, 10, 0, tzinfo=HELSINKI) <= moment < datetime(2025, 12, 11, 12, 0, tzinfo=HELSINKI)


def test_a_person_hanging_up_before_the_introduction_is_tried_again(campaign):
    attempt = dialed(campaign)

    call_status_apply(
        attempt_id=attempt.pk,
        provider=attempt.provider,
        update=update(CallStatus.COMPLETED, duration_seconds=2),
        now=NOON,
    )

    assert CallAttempt.objects.get(number=2).status == CallStatus.PENDING


def test_no_retry_after_the_last_attempt(campaign):
    contact = campaign.contacts.order_by("pk").first()
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.IN_PROGRESS)
    last = queued_attempt(contact, number=campaign.max_attempts, status=CallStatus.DIALING, placed_at=NOON)

    call_status_apply(attempt_id=last.pk, provider=last.provider, update=update(CallStatus.BUSY))

    assert CallAttempt.objects.count() == 1
    assert Contact.objects.get(pk=contact.pk).status == ContactStatus.FINISHED


def test_retry_is_not_scheduled_past_the_campaign(campaign):
    attempt = dialed(campaign)
    last_evening = datetime(2025, 12, 19, 19, 30, tzinfo=HELSINKI)

    call_status_apply(
        attempt_id=attempt.pk, provider=attempt.provider, update=update(CallStatus.NO_ANSWER), now=last_evening
    )

    assert CallAttempt.objects.count() == 1
    assert Contact.objects.get(pk=attempt.contact_id).status == ContactStatus.FINISHED


def test_due_retry_is_dialed_by_a_later_tick(campaign, rq_queues, tick):
    attempt = dialed(campaign)
    call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=update(CallStatus.BUSY), now=NOON)
    retry = CallAttempt.objects.get(number=2)
    CallAttempt.objects.exclude(pk__in=[attempt.pk, retry.pk]).delete()
    Contact.objects.exclude(pk=attempt.contact_id).update(status=ContactStatus.FINISHED)

    assert tick(campaign, retry.scheduled_for - timedelta(minutes=1)) == 0
    assert tick(campaign, retry.scheduled_for) == 1
    assert queued_job_ids(rq_queues) == [retry.pk]


def test_status_webhook_is_signed_and_idempotent(client, campaign):
    attempt = dialed(campaign)
    params = {"CallSid": "SIMx", "CallStatus": "completed", "CallDuration": "59"}

    first = signed_post(client, f"/telephony/status/{attempt.pk}/", params)
    second = signed_post(client, f"/telephony/status/{attempt.pk}/", params)

    assert first.status_code == second.status_code == 204
    attempt.refresh_from_db()
    assert (attempt.status, attempt.billed_minutes) == (CallStatus.COMPLETED, 1)


def test_purge_clears_call_metadata_of_expired_campaigns(campaign):
    attempt = dialed(campaign)
    campaign.status = CampaignStatus.COMPLETED
    campaign.save(update_fields=["status"])

    report = contacts_purge_expired(today=campaign.end_date + timedelta(days=campaign.number_retention_days + 1))

    assert report.removed["call_metadata"] == 1
    attempt.refresh_from_db()
    assert (attempt.provider_call_id, attempt.placed_at) == (None, None)
    assert attempt.status == CallStatus.DIALING


def test_jobs_are_enqueued_only_when_the_tick_commits(unpaced, rq_queues, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dial_tick(campaign=unpaced, now=NOON)

    assert queued_job_ids(rq_queues) == []
    for callback in callbacks:
        callback()
    assert len(queued_job_ids(rq_queues)) == 5, "the whole tick's jobs go to Redis in one batch after the commit"


def test_dial_tick_is_registered_every_few_seconds_on_the_dialer_queue():
    scheduler = CronScheduler(connection=django_rq.get_connection("dialer"))
    scheduler.load_config_from_file("kuntaportaali.cron")

    job = {job.name: job for job in scheduler.get_jobs()}["surveys-dial-tick"]

    assert (job.func_name, job.queue_name, job.interval) == ("surveys.jobs.dial_tick", "dialer", 5)
