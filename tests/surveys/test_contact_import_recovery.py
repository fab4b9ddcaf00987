"""An uploaded contact file is kept, encrypted, until a worker imports it: a job Redis lost (restarted
without its data) left it "waiting for a worker" until the nightly purge threw the upload away a day
later, and the survey manager had to upload it again."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from kuntaportaali.roles import Role
from surveys.jobs import import_contacts
from surveys.models import ContactImport, ContactImportChunk, ContactImportStatus
from surveys.services.contacts import CONTACT_IMPORT_JOB_GRACE, contact_import_job_id, contact_import_upload
from tests.conftest import rq_queue_empty

pytestmark = pytest.mark.django_db

LATER = CONTACT_IMPORT_JOB_GRACE + timedelta(seconds=1)


@pytest.fixture
def uploaded(campaign, rq_queues, django_capture_on_commit_callbacks) -> ContactImport:
    with django_capture_on_commit_callbacks(execute=True):
        return contact_import_upload(
            campaign=campaign, file=io.BytesIO(b"puhelin\n0401234567\n0501234567\n"), filename="lista.csv", by=None
        )


def status(client, report: ContactImport) -> dict:
    url = reverse("surveys:contact-import-status", kwargs={"slug": report.campaign.slug, "pk": report.pk})
    return client.get(url).json()


def test_an_upload_whose_job_redis_lost_is_queued_again_and_imported(client_as, uploaded, rq_queues):
    rq_queue_empty(rq_queues["imports"])  # Redis restarted without its data
    client = client_as(Role.SURVEY_MANAGER)

    assert status(client, uploaded)["status"] == ContactImportStatus.PENDING
    assert rq_queues["imports"].get_job_ids() == [], "within the grace its job may still be on its way"
    with time_machine.travel(timezone.now() + LATER):
        assert status(client, uploaded)["status"] == ContactImportStatus.PENDING
        assert status(client, uploaded)["status"] == ContactImportStatus.PENDING

    assert rq_queues["imports"].get_job_ids() == [contact_import_job_id(uploaded.pk)]
    assert import_contacts(uploaded.pk) == "done: imported=2 invalid=0"
    assert uploaded.campaign.contacts.count() == 2


def test_an_upload_whose_worker_was_killed_is_shown_failed(client_as, uploaded, rq_queues):
    """The import is one transaction: a killed worker stored nothing of it, and the page must say so
    instead of "running" until the nightly purge."""
    ContactImport.objects.filter(pk=uploaded.pk).update(status=ContactImportStatus.RUNNING, started_at=timezone.now())
    queue = rq_queues["imports"]
    job = Job.fetch(contact_import_job_id(uploaded.pk), connection=queue.connection)
    queue.remove(job)
    with queue.connection.pipeline() as pipeline:
        job.set_status(JobStatus.FAILED, pipeline=pipeline)
        FailedJobRegistry(queue=queue).add(job, exc_string="Work-horse terminated unexpectedly", pipeline=pipeline)
        pipeline.execute()

    with time_machine.travel(timezone.now() + LATER):
        answer = status(client_as(Role.SURVEY_MANAGER), uploaded)

    assert (answer["status"], answer["finished"]) == (ContactImportStatus.FAILED, True)
    uploaded.refresh_from_db()
    assert uploaded.error == {"code": "contacts_import_failed", "params": {}}
    assert not ContactImportChunk.objects.filter(contact_import=uploaded).exists()
    assert uploaded.campaign.contacts.count() == 0


def test_an_upload_whose_job_waits_is_left_to_it(client_as, uploaded, rq_queues):
    with time_machine.travel(timezone.now() + LATER):
        assert status(client_as(Role.SURVEY_MANAGER), uploaded)["status"] == ContactImportStatus.PENDING

    assert rq_queues["imports"].get_job_ids() == [contact_import_job_id(uploaded.pk)]
