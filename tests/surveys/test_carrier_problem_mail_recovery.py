"""The email telling a campaign's managers that the carrier's refusal paused its calling is owed from the
pause until it is sent: its job lives in Redis, and a job Redis lost (restarted without its data, or out of
reach as the job was queued) or that failed (the mail server down) is queued again once it is overdue."""

from datetime import timedelta

import django_rq
import pytest
import time_machine
from rq import SimpleWorker

from surveys.jobs import mail_carrier_problem, mails_recover
from surveys.models import Campaign, CampaignStatus
from surveys.services.campaigns import (
    CARRIER_PROBLEM_MAIL_OVERDUE_AFTER,
    campaign_pause_for_carrier,
    campaign_transition,
)
from surveys.telephony.base import ErrorKind, ProviderError
from tests.conftest import rq_queue_empty
from tests.surveys.calls import NOON

MAIL_JOB = "surveys.jobs.mail_carrier_problem"


@pytest.fixture
def paused(make_campaign, rq_queues, django_capture_on_commit_callbacks) -> Campaign:
    """A running campaign the carrier's refusal paused at noon, its email's job queued on the real Redis."""
    campaign = make_campaign("katkos", status=CampaignStatus.RUNNING)
    error = ProviderError("Authenticate (code 20003)", kind=ErrorKind.ACCOUNT, code=20003)
    with time_machine.travel(NOON), django_capture_on_commit_callbacks(execute=True):
        campaign_pause_for_carrier(campaign=campaign, error=error)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PAUSED
    return campaign


def mail_jobs(rq_queues) -> list[tuple]:
    return [job.args for job in rq_queues["email"].get_jobs() if job.func_name == MAIL_JOB]


def email_worker(rq_queues) -> SimpleWorker:
    return SimpleWorker([rq_queues["email"]], connection=django_rq.get_connection("email"))


def recover_at(moment) -> str:
    with time_machine.travel(moment):
        return mails_recover().split()[0]


def test_the_email_whose_job_redis_lost_is_sent_once_it_is_overdue(paused, rq_queues, mailoutbox):
    """Redis lost the job: the campaign's page showed the carrier's problem, and nobody was told."""
    assert mail_jobs(rq_queues) == [(paused.pk,)]
    rq_queue_empty(rq_queues["email"])

    assert recover_at(NOON + CARRIER_PROBLEM_MAIL_OVERDUE_AFTER - timedelta(seconds=1)) == "carrier_problem=0"
    assert recover_at(NOON + CARRIER_PROBLEM_MAIL_OVERDUE_AFTER + timedelta(seconds=1)) == "carrier_problem=1"
    email_worker(rq_queues).work(burst=True)

    [mail] = mailoutbox
    assert paused.name in mail.subject
    later = NOON + 3 * CARRIER_PROBLEM_MAIL_OVERDUE_AFTER
    assert recover_at(later) == "carrier_problem=0"
    assert mail_jobs(rq_queues) == []
    assert len(mailoutbox) == 1


def test_a_job_only_waiting_in_the_queue_is_left_to_run(paused, rq_queues, mailoutbox):
    assert recover_at(NOON + 2 * CARRIER_PROBLEM_MAIL_OVERDUE_AFTER) == "carrier_problem=0"
    assert mail_jobs(rq_queues) == [(paused.pk,)]

    email_worker(rq_queues).work(burst=True)

    assert len(mailoutbox) == 1


def test_the_email_job_run_twice_tells_the_managers_once(paused, rq_queues, mailoutbox):
    assert mail_carrier_problem(paused.pk) == "sent"
    assert mail_carrier_problem(paused.pk) == "nothing to tell"

    assert len(mailoutbox) == 1


def test_a_failed_email_job_is_queued_again(paused, rq_queues, mailoutbox, settings):
    """The mail server refused: the job failed, and the managers were never told."""
    settings.EMAIL_BACKEND = "tests.surveys.test_carrier_problem_mail_recovery.RefusingBackend"
    email_worker(rq_queues).work(burst=True)
    assert mailoutbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert recover_at(NOON + CARRIER_PROBLEM_MAIL_OVERDUE_AFTER + timedelta(seconds=1)) == "carrier_problem=1"
    email_worker(rq_queues).work(burst=True)

    assert len(mailoutbox) == 1
    assert rq_queues["email"].failed_job_registry.get_job_ids() == []


def test_a_campaign_resumed_before_its_email_went_owes_none(paused, rq_queues, mailoutbox):
    rq_queue_empty(rq_queues["email"])
    campaign_transition(campaign=paused, to=CampaignStatus.RUNNING, by=paused.created_by)

    assert recover_at(NOON + 2 * CARRIER_PROBLEM_MAIL_OVERDUE_AFTER) == "carrier_problem=0"
    assert mailoutbox == []


def test_the_cron_recovers_the_staff_emails_every_five_minutes_on_the_email_queue(db):
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=django_rq.get_connection("email"))
    scheduler.load_config_from_file("kuntaportaali.cron")

    job = {job.name: job for job in scheduler.get_jobs()}["surveys-mails-recover"]
    assert (job.func, job.queue_name, job.interval) == (mails_recover, "email", 300)


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("The mail server refused the connection.")


def test_the_email_whose_worker_was_killed_sending_it_is_queued_again(paused, rq_queues, mailoutbox):
    """A worker killed (SIGKILL, out of memory) while it ran the job leaves it `started` in Redis for good:
    it read as still running, and the managers were never told."""
    worker = email_worker(rq_queues)
    [job] = rq_queues["email"].get_jobs()
    rq_queues["email"].remove(job)
    # What the worker had written when it was killed: the job taken and started, its heartbeat soon stale.
    with time_machine.travel(NOON):
        worker.prepare_execution(job)
        worker.prepare_job_execution(job)
    assert job.get_status() == "started"

    assert recover_at(NOON + CARRIER_PROBLEM_MAIL_OVERDUE_AFTER + timedelta(hours=1)) == "carrier_problem=1"
    email_worker(rq_queues).work(burst=True)

    assert len(mailoutbox) == 1
