"""Jobs enqueued by the portal run on a real RQ worker against the real Redis."""

from datetime import timedelta

import django_rq
import pytest
from django.conf import settings
from django.utils import timezone
from rq import SimpleWorker

from kuntaportaali.models import WorkerHeartbeat
from kuntaportaali.roles import Role


def run_worker_burst(queues) -> None:
    # SimpleWorker runs jobs in this process, inside the test's database transaction.
    worker = SimpleWorker(list(queues.values()), connection=django_rq.get_connection(settings.WORKER_QUEUES[0]))
    assert worker.work(burst=True)


@pytest.mark.django_db
def test_ping_button_enqueues_a_heartbeat_per_queue_that_a_worker_runs(
    client_as, rq_queues, live_scheduler, django_capture_on_commit_callbacks
):
    WorkerHeartbeat.objects.create(queue="dialer", beat_at=timezone.now() - timedelta(hours=1))
    client = client_as(Role.ADMIN)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/system/")

    assert response.status_code == 302
    assert {name: queue.count for name, queue in rq_queues.items()} == {name: 1 for name in settings.WORKER_QUEUES}

    run_worker_burst(rq_queues)

    assert all(queue.count == 0 for queue in rq_queues.values())
    beats = dict(WorkerHeartbeat.objects.values_list("queue", "beat_at"))
    assert set(beats) == set(settings.WORKER_QUEUES)
    assert all(timezone.now() - beat_at < timedelta(seconds=30) for beat_at in beats.values())
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_nothing_is_enqueued_when_the_request_rolls_back(client_as, rq_queues):
    # Without the commit hook firing, the worker must not get a job for a rolled-back transaction.
    client_as(Role.ADMIN).post("/staff/system/")

    assert all(queue.count == 0 for queue in rq_queues.values())


@pytest.mark.django_db
def test_heartbeat_job_is_idempotent(rq_queues, django_capture_on_commit_callbacks):
    from kuntaportaali.jobs import heartbeat

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            rq_queues["email"].enqueue(heartbeat, "email")
    run_worker_burst(rq_queues)

    assert WorkerHeartbeat.objects.filter(queue="email").count() == 1


def test_cron_config_registers_a_heartbeat_for_every_queue():
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=django_rq.get_connection(settings.WORKER_QUEUES[0]))
    scheduler.load_config_from_file("kuntaportaali.cron")

    jobs = {job.name: job for job in scheduler.get_jobs() if job.name.startswith("heartbeat-")}
    assert set(jobs) == {f"heartbeat-{queue}" for queue in settings.WORKER_QUEUES}
    assert all(job.interval == 60 and job.func_name == "kuntaportaali.jobs.heartbeat" for job in jobs.values())
    assert {job.queue_name: job.args for job in jobs.values()} == {q: (q,) for q in settings.WORKER_QUEUES}


@pytest.mark.django_db
def test_system_status_page_shows_each_queue(client_as):
    WorkerHeartbeat.objects.create(queue="reports", beat_at=timezone.now() - timedelta(seconds=42))

    response = client_as(Role.ADMIN).get("/staff/system/")

    assert response.status_code == 200
    assert response.context["health"].checks["workers"]["heartbeat_age_seconds"]["reports"] == 42
    assert '<th scope="row" >Raporttitiedostot <span class="code">(reports)</span></th><td >42</td>' in response.text
