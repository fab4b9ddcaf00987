"""Redis stopped: the queues and the cache point at a redis-server of the test's own, which the test
stops. A resident's opt-out is still stored (its rate limit fails open); a report file, an HR fetch
and a contact upload end failed at once with the reason, nothing is left pending, and no page
answers 500."""

import shutil
from datetime import timedelta

import django_rq.settings
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from hrreports.models import FetchRun
from hrreports.models.fetching import RunStatus
from hrreports.services.fetch import fetch_runs_stale_fail
from kuntaportaali.roles import Role
from surveys.models import (
    ContactImport,
    ContactImportChunk,
    ContactImportStatus,
    DoNotCall,
    ReportFile,
    ReportFileStatus,
)
from tests.conftest import client_login

pytestmark = [
    pytest.mark.processes,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server program"),
]


@pytest.fixture
def redis_stopped(redis_server, monkeypatch):
    """The queues and the cache on the test's redis-server, then the server killed."""
    queues = {name: config | {"URL": redis_server.url} for name, config in django_rq.settings.QUEUES.items()}
    # django-rq reads its queues once at import (django_rq.settings.QUEUES), not from the settings.
    monkeypatch.setattr(django_rq.settings, "QUEUES", queues)
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_server.url}}
    # The portal enqueues once the request's transaction has committed (kuntaportaali/queueing.py), outside
    # any transaction, where django-rq's "on_db_commit" enqueues at once. A test's transaction never
    # commits (its callbacks run inside it), so here django-rq enqueues at once as it does at that moment.
    rq = settings.RQ | {"COMMIT_MODE": "auto"}
    with override_settings(CACHES=cache, RQ=rq):
        redis_server.kill()
        yield


def signed_in(world, role: Role) -> Client:
    return client_login(Client(), world.users[role])


def test_a_resident_opts_out_while_redis_is_down(db, world, redis_stopped, client, caplog):
    response = client.post(reverse("surveys-public:opt-out"), {"phone": "040 765 4321"})

    assert "The opt-out limit was not counted, the opt-out let through" in caplog.text
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys-public:opt-out-done")
    assert DoNotCall.objects.count() == 1
    assert client.get(response["Location"]).status_code == 200


def test_work_for_the_workers_ends_failed_at_once_with_the_reason(
    db, world, redis_stopped, django_capture_on_commit_callbacks
):
    councillor, hr, manager = (signed_in(world, role) for role in (Role.COUNCILLOR, Role.HR_ADMIN, Role.SURVEY_MANAGER))
    results = world.results_campaign.slug
    upload = SimpleUploadedFile("numerot.csv", b"puhelin\n0401234567\n0507654321\n", content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        report = councillor.post(
            reverse("surveys:report-file-create", args=[results]), {"file_format": "pdf", "language": "sv"}
        )
        fetch = hr.post(reverse("hrreports:run-create"), {"source": world.source.pk, "period": "2026-02"})
        contacts = manager.post(reverse("surveys:campaign-contacts", args=[world.campaign.slug]), {"file": upload})

    report_file = ReportFile.objects.get(campaign=world.results_campaign, language="sv")
    assert (report.status_code, report_file.status) == (302, ReportFileStatus.FAILED)
    assert report_file.error.startswith("Not queued: ")
    run = FetchRun.objects.get(period="2026-02-01")
    assert (fetch.status_code, fetch["Location"]) == (302, reverse("hrreports:run-detail", args=[run.pk]))
    assert (run.status, run.error_code) == (RunStatus.FAILED, "run_not_queued")
    assert "Connection refused" in run.error_params["error"] and run.finished_at is not None
    upload_record = ContactImport.objects.filter(campaign=world.campaign).exclude(pk=world.contact_import.pk).get()
    assert contacts.status_code == 302
    assert (upload_record.status, upload_record.error["code"]) == (
        ContactImportStatus.FAILED,
        "contacts_import_not_queued",
    )
    assert not ContactImportChunk.objects.exists()
    assert not ReportFile.objects.filter(status=ReportFileStatus.PENDING).exists()
    assert not FetchRun.objects.filter(status=RunStatus.PENDING).exists()
    assert not ContactImport.objects.filter(status=ContactImportStatus.PENDING).exists()
    assert fetch_runs_stale_fail(now=timezone.now() + timedelta(hours=1)) == []
    # The pages that show the failures, and the ones a user opens next, answer without a 500.
    for client, path in [
        (councillor, report["Location"]),
        (hr, fetch["Location"]),
        (manager, contacts["Location"]),
        (hr, reverse("hrreports:runs")),
        (manager, reverse("surveys:campaign", args=[world.campaign.slug])),
        (signed_in(world, Role.ADMIN), reverse("system-status")),
    ]:
        assert client.get(path).status_code == 200, path
    assert Client().get(reverse("healthz")).status_code == 503
