"""A report file whose job no worker will finish (its worker killed mid-build, Redis restarted without
its data while the file waited) is shown failed, and asking for the report again builds a new one: it
showed "running" or "waiting" for ever, and asking again returned the stuck file for half an hour."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from kuntaportaali.roles import Role
from surveys.jobs import generate_report_file
from surveys.models import ReportFile, ReportFileStatus
from surveys.services import report_files
from surveys.services.report_files import REPORT_JOB_GRACE, report_file_job_id, report_file_request
from tests.conftest import rq_queue_empty
from tests.surveys.results_factory import small_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(role_users):
    return small_campaign(role_users[Role.SURVEY_MANAGER])


@pytest.fixture
def requested(campaign, rq_queues, django_capture_on_commit_callbacks) -> ReportFile:
    """A PDF report asked for, its job waiting on the real `reports` queue."""
    with django_capture_on_commit_callbacks(execute=True):
        return report_file_request(campaign=campaign, file_format="pdf", language="fi", by=None)


def status(client, report_file: ReportFile) -> dict:
    url = reverse("surveys:report-file-status", args=[report_file.campaign.slug, report_file.pk])
    return client.get(url).json()


def worker_killed(report_file: ReportFile, rq_queues) -> None:
    """The build's worker killed at 40 %: the row left running, its job failed by RQ."""
    ReportFile.objects.filter(pk=report_file.pk).update(status=ReportFileStatus.RUNNING, progress=40)
    queue = rq_queues["reports"]
    job = Job.fetch(report_file_job_id(report_file.pk), connection=queue.connection)
    queue.remove(job)
    with queue.connection.pipeline() as pipeline:
        job.set_status(JobStatus.FAILED, pipeline=pipeline)
        FailedJobRegistry(queue=queue).add(job, exc_string="Work-horse terminated unexpectedly", pipeline=pipeline)
        pipeline.execute()


def test_a_report_whose_worker_was_killed_is_shown_failed(client_as, requested, rq_queues):
    worker_killed(requested, rq_queues)

    later = timezone.now() + REPORT_JOB_GRACE + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        answer = status(client_as(Role.COUNCILLOR), requested)

    assert (answer["status"], answer["finished"]) == (ReportFileStatus.FAILED, True)
    requested.refresh_from_db()
    assert requested.error == "The worker building the report stopped before it was finished; ask for it again."
    assert requested.finished_at == later


def test_asking_again_for_a_report_whose_worker_was_killed_builds_a_new_one(
    requested, rq_queues, django_capture_on_commit_callbacks
):
    worker_killed(requested, rq_queues)

    with (
        time_machine.travel(timezone.now() + REPORT_JOB_GRACE + timedelta(seconds=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        again = report_file_request(campaign=requested.campaign, file_format="pdf", language="fi", by=None)

    assert again.pk != requested.pk
    assert ReportFile.objects.get(pk=requested.pk).status == ReportFileStatus.FAILED
    assert rq_queues["reports"].get_job_ids() == [report_file_job_id(again.pk)]


def test_a_waiting_report_whose_job_redis_lost_is_shown_failed_once_its_job_is_overdue(client_as, requested, rq_queues):
    rq_queue_empty(rq_queues["reports"])  # Redis restarted without its data
    client = client_as(Role.COUNCILLOR)

    assert status(client, requested)["status"] == ReportFileStatus.PENDING
    with time_machine.travel(timezone.now() + REPORT_JOB_GRACE + timedelta(seconds=1)):
        assert status(client, requested)["status"] == ReportFileStatus.FAILED

    requested.refresh_from_db()
    assert requested.error == "The report's job was lost before a worker built it; ask for it again."


def test_a_report_whose_job_is_waiting_or_running_is_left_to_its_worker(client_as, requested, rq_queues):
    ReportFile.objects.filter(pk=requested.pk).update(status=ReportFileStatus.RUNNING, progress=40)

    with time_machine.travel(timezone.now() + REPORT_JOB_GRACE + timedelta(minutes=5)):
        answer = status(client_as(Role.COUNCILLOR), requested)

    assert (answer["status"], answer["progress"]) == (ReportFileStatus.RUNNING, 40)


def database_connection_dropped() -> None:
    """PostgreSQL ends this process's connection (a restart, a failover, an idle timeout on the way)."""
    import psycopg

    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_a_build_whose_database_connection_dropped_is_recorded_failed(role_users, monkeypatch):
    """The build's failure was written over the connection that had just dropped: the write failed too,
    and the file stayed "running" with no reason given."""
    campaign = small_campaign(role_users[Role.SURVEY_MANAGER], slug="yhteys")
    report_file = report_file_request(campaign=campaign, file_format="pdf", language="fi", by=None)

    def build_losing_the_database(**kwargs):
        database_connection_dropped()
        return ReportFile.objects.count()

    monkeypatch.setattr(report_files, "report_build", build_losing_the_database)

    assert generate_report_file(report_file.pk) == ReportFileStatus.FAILED
    report_file.refresh_from_db()
    assert report_file.status == ReportFileStatus.FAILED
    assert "terminating connection due to administrator command" in report_file.error
