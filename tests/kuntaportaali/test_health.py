import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rq.utils import utcformat

from kuntaportaali.models import WorkerHeartbeat


def beat_all(age: timedelta):
    for queue in settings.WORKER_QUEUES:
        WorkerHeartbeat.objects.update_or_create(queue=queue, defaults={"beat_at": timezone.now() - age})


@pytest.mark.django_db
def test_healthz_is_200_when_database_redis_workers_and_scheduler_are_fine(client, live_scheduler):
    client.get("/healthz")  # the first request of a test process imports the views, for seconds at times
    beat_all(timedelta(seconds=30))
    live_scheduler.heartbeat()  # as a running one does every second

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["checks"]["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["checks"]["redis"] == {"ok": True}
    ages = body["checks"]["workers"]["heartbeat_age_seconds"]
    assert ages == {q: pytest.approx(30, abs=1) for q in settings.WORKER_QUEUES}
    ages = body["checks"]["scheduler"]["heartbeat_age_seconds"]
    assert ages == {q: pytest.approx(0, abs=1) for q in settings.WORKER_QUEUES}
    assert body["checks"]["scheduler"]["overdue_jobs"] == {q: 0 for q in settings.WORKER_QUEUES}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_names_the_queue_whose_worker_is_silent(client, live_scheduler):
    beat_all(timedelta(seconds=10))
    WorkerHeartbeat.objects.filter(queue="populus").update(beat_at=timezone.now() - timedelta(minutes=10))
    WorkerHeartbeat.objects.filter(queue="email").delete()

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["workers"]
    assert body["checks"]["workers"]["stale_queues"] == ["email", "populus"]
    assert body["checks"]["workers"]["heartbeat_age_seconds"]["email"] is None


@pytest.mark.django_db
def test_healthz_names_redis_when_it_cannot_be_reached(client, settings):
    beat_all(timedelta(seconds=5))
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    settings.RQ_QUEUES = {name: {"URL": "redis://127.0.0.1:1/0"} for name in settings.WORKER_QUEUES}

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis", "scheduler"]
    assert body["checks"]["redis"] == {"ok": False, "error": "ConnectionError"}
    assert body["checks"]["scheduler"] == {"ok": False, "error": "redis unavailable"}


@pytest.mark.django_db
def test_healthz_reveals_no_secrets_or_addresses(client, settings):
    beat_all(timedelta(seconds=5))

    text = client.get("/healthz").content.decode()

    for secret in (settings.SECRET_KEY, settings.REDIS_URL, settings.DATABASES["default"]["HOST"] or "127.0.0.1"):
        assert secret not in text
    assert set(json.loads(text)) == {"status", "failing", "checks"}


@pytest.mark.django_db
def test_healthz_names_the_scheduler_when_no_worker_runs_one(client, rq_queues):
    beat_all(timedelta(seconds=5))

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["scheduler"]
    assert body["checks"]["scheduler"]["stale_queues"] == sorted(settings.WORKER_QUEUES)
    assert body["checks"]["scheduler"]["heartbeat_age_seconds"] == {q: None for q in settings.WORKER_QUEUES}


@pytest.mark.django_db
def test_healthz_names_the_scheduler_when_its_heartbeat_stopped(client, live_scheduler):
    beat_all(timedelta(seconds=5))
    # A process killed without a word keeps its locks and hash until they expire.
    live_scheduler.connection.hset(
        live_scheduler.key, "last_heartbeat", utcformat(timezone.now() - timedelta(seconds=45))
    )

    body = client.get("/healthz").json()

    assert body["failing"] == ["scheduler"]
    assert body["checks"]["scheduler"]["stale_queues"] == sorted(settings.WORKER_QUEUES)


@pytest.mark.django_db
def test_healthz_names_the_scheduler_when_a_job_waits_past_its_time(client, live_scheduler, rq_queues):
    beat_all(timedelta(seconds=5))
    rq_queues["dialer"].enqueue_at(timezone.now() - timedelta(minutes=2), "os.getpid")
    rq_queues["email"].enqueue_at(timezone.now() - timedelta(seconds=5), "os.getpid")

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["scheduler"]
    assert body["checks"]["scheduler"]["stale_queues"] == []
    assert body["checks"]["scheduler"]["overdue_jobs"] == {q: int(q == "dialer") for q in settings.WORKER_QUEUES}


@pytest.mark.django_db
def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_tells_the_public_only_the_status(client):
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.66")

    assert set(response.json()) == {"status"}
    assert response.json()["status"] in ("ok", "fail")


@pytest.mark.django_db
def test_behind_the_proxy_the_details_go_only_to_internal_addresses(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    public = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66").json()
    internal = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1").json()

    assert set(public) == {"status"}
    assert "checks" in internal


@pytest.mark.django_db
def test_monitoring_with_the_token_reads_the_details_from_anywhere(client, settings):
    settings.HEALTHZ_TOKEN = "valvonta-" + "x" * 24

    with_token = client.get(
        "/healthz", REMOTE_ADDR="203.0.113.66", HTTP_AUTHORIZATION=f"Bearer {settings.HEALTHZ_TOKEN}", secure=True
    ).json()
    wrong_token = client.get(
        "/healthz", REMOTE_ADDR="203.0.113.66", HTTP_AUTHORIZATION="Bearer arvaus", secure=True
    ).json()

    assert "checks" in with_token and "workers" in with_token["checks"]
    assert set(wrong_token) == {"status"}


@pytest.mark.django_db
def test_the_token_over_plain_http_reads_no_details(client, settings):
    """/healthz answers plain HTTP (a monitor on the machine): a token sent over it went in the clear,
    and a monitor set up with http:// would never notice."""
    settings.HEALTHZ_TOKEN = "valvonta-" + "x" * 24

    over_http = client.get(
        "/healthz", REMOTE_ADDR="203.0.113.66", HTTP_AUTHORIZATION=f"Bearer {settings.HEALTHZ_TOKEN}"
    ).json()

    assert set(over_http) == {"status"}
