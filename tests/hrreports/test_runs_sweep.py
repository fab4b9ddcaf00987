"""Runs whose worker was killed: the sweep ends them as failed, the cron jobs call it, the pages show it."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from hrreports.errors import WORKER_STOPPED
from hrreports.jobs import fetch_run_enqueue
from hrreports.models import DeliveryRun, FetchRun
from hrreports.models.fetching import RunStatus
from hrreports.services.delivery import delivery_runs_stale_fail
from hrreports.services.fetch import fetch_runs_stale_fail
from kuntaportaali.roles import Role

PERIOD = date(2026, 2, 1)
MESSAGE = "The worker stopped before the run finished; start it again."


def fetch_run(source, *, status: str, minutes_ago: int, **fields) -> FetchRun:
    """A run of `source` created and started `minutes_ago` minutes ago."""
    run = FetchRun.objects.create(source=source, period=PERIOD, status=status, **fields)
    moment = timezone.now() - timedelta(minutes=minutes_ago)
    started = moment if status != RunStatus.PENDING else None
    FetchRun.objects.filter(pk=run.pk).update(created_at=moment, started_at=started)
    run.refresh_from_db()
    return run


def delivery_run(*, minutes_ago: int, finished: bool = False) -> DeliveryRun:
    run = DeliveryRun.objects.create(period=PERIOD, minutes_per_report=20)
    moment = timezone.now() - timedelta(minutes=minutes_ago)
    DeliveryRun.objects.filter(pk=run.pk).update(started_at=moment, finished_at=timezone.now() if finished else None)
    run.refresh_from_db()
    return run


def test_the_stored_message_is_the_english_msgid():
    assert WORKER_STOPPED == MESSAGE


def test_a_run_running_past_the_limit_is_failed_with_the_message(simulator_source, settings):
    settings.HR_RUN_STALE_MINUTES = 195
    run = fetch_run(simulator_source, status=RunStatus.RUNNING, minutes_ago=196, stage="storing")

    assert fetch_runs_stale_fail() == [run.pk]

    run.refresh_from_db()
    assert (run.status, run.error, run.stage, run.finished_at) == (RunStatus.FAILED, MESSAGE, "", None)


def test_a_running_run_within_the_limit_is_left_alone(simulator_source, settings):
    settings.HR_RUN_STALE_MINUTES = 195
    run = fetch_run(simulator_source, status=RunStatus.RUNNING, minutes_ago=120, stage="fetching absences")

    assert fetch_runs_stale_fail() == []

    run.refresh_from_db()
    assert (run.status, run.stage, run.error) == (RunStatus.RUNNING, "fetching absences", "")


def test_the_limit_is_the_setting(simulator_source, settings):
    settings.HR_RUN_STALE_MINUTES = 30
    old = fetch_run(simulator_source, status=RunStatus.RUNNING, minutes_ago=31)
    fetch_run(simulator_source, status=RunStatus.RUNNING, minutes_ago=29)

    assert fetch_runs_stale_fail() == [old.pk]


def test_done_and_failed_runs_are_untouched(simulator_source):
    done = fetch_run(simulator_source, status=RunStatus.DONE, minutes_ago=10_000)
    failed = fetch_run(simulator_source, status=RunStatus.FAILED, minutes_ago=10_000, error="The source said no.")

    assert fetch_runs_stale_fail() == []

    assert FetchRun.objects.get(pk=done.pk).status == RunStatus.DONE
    assert FetchRun.objects.get(pk=failed.pk).error == "The source said no."


def test_a_pending_run_without_a_job_is_failed_after_the_grace(simulator_source, rq_queues):
    orphan = fetch_run(simulator_source, status=RunStatus.PENDING, minutes_ago=11)
    just_created = fetch_run(simulator_source, status=RunStatus.PENDING, minutes_ago=2)

    assert fetch_runs_stale_fail() == [orphan.pk]

    assert FetchRun.objects.get(pk=orphan.pk).error == MESSAGE
    assert FetchRun.objects.get(pk=just_created.pk).status == RunStatus.PENDING


def test_a_pending_run_whose_job_waits_in_the_queue_is_left_alone(
    simulator_source, rq_queues, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = fetch_run_enqueue(source=simulator_source, period=PERIOD)
    assert rq_queues["populus"].count == 1

    assert fetch_runs_stale_fail(now=timezone.now() + timedelta(hours=5)) == []

    assert FetchRun.objects.get(pk=run.pk).status == RunStatus.PENDING


def test_a_pending_run_whose_job_was_lost_is_failed(simulator_source, rq_queues, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = fetch_run_enqueue(source=simulator_source, period=PERIOD)
    rq_queues["populus"].empty()  # what a flushed or restarted Redis leaves

    assert fetch_runs_stale_fail(now=timezone.now() + timedelta(minutes=11)) == [run.pk]


def test_a_delivery_run_unfinished_past_the_limit_is_failed(db, settings):
    settings.HR_RUN_STALE_MINUTES = 195
    dead = delivery_run(minutes_ago=196)
    recent = delivery_run(minutes_ago=60)
    finished = delivery_run(minutes_ago=10_000, finished=True)

    assert delivery_runs_stale_fail() == [dead.pk]

    dead.refresh_from_db()
    assert (dead.error, dead.finished_at, dead.is_running) == (MESSAGE, None, False)
    assert DeliveryRun.objects.get(pk=recent.pk).is_running
    assert DeliveryRun.objects.get(pk=finished.pk).error == ""


def test_the_hourly_job_sweeps_fetch_and_delivery_runs(simulator_source, rq_queues):
    from hrreports.jobs import hr_runs_sweep

    fetch = fetch_run(simulator_source, status=RunStatus.RUNNING, minutes_ago=24 * 60)
    delivery = delivery_run(minutes_ago=24 * 60)

    assert hr_runs_sweep() == "fetch runs failed=1 delivery runs failed=1"
    assert hr_runs_sweep() == "fetch runs failed=0 delivery runs failed=0"

    assert FetchRun.objects.get(pk=fetch.pk).status == RunStatus.FAILED
    assert DeliveryRun.objects.get(pk=delivery.pk).error == MESSAGE


def test_cron_registers_the_hourly_sweep(db):
    import django_rq
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=django_rq.get_connection("populus"))
    scheduler.load_config_from_file("kuntaportaali.cron")

    [job] = [job for job in scheduler.get_jobs() if job.name == "hrreports-runs-sweep"]
    assert (job.cron, job.queue_name) == ("40 * * * *", "populus")


def test_the_monthly_fetch_first_fails_the_dead_run_of_the_month(simulator_source, monkeypatch):
    from hrreports import jobs

    dead = fetch_run(simulator_source, status=RunStatus.RUNNING, minutes_ago=24 * 60)
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 3, 5))

    assert jobs.populus_fetch_monthly() == "simulaattori=done"

    assert FetchRun.objects.get(pk=dead.pk).status == RunStatus.FAILED
    assert FetchRun.objects.filter(period=PERIOD, status=RunStatus.DONE).count() == 1


def test_the_monthly_delivery_first_fails_the_dead_delivery_run(db, monkeypatch):
    from hrreports import jobs

    dead = delivery_run(minutes_ago=24 * 60)
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 3, 6))

    assert jobs.unit_reports_monthly() == "period=2026-02 reports=0 emails=0 failed=0"

    assert DeliveryRun.objects.get(pk=dead.pk).error == MESSAGE


def test_run_page_shows_a_swept_run_as_failed_and_stops_following_it(client_as, simulator_source):
    run = fetch_run(simulator_source, status=RunStatus.RUNNING, minutes_ago=24 * 60, stage="storing")
    fetch_runs_stale_fail()
    client = client_as(Role.HR_ADMIN)

    page = client.get(reverse("hrreports:run-detail", args=[run.pk])).text
    listing = client.get(reverse("hrreports:runs")).text

    with translation.override("fi"):
        message = gettext(MESSAGE)
    assert message in page
    assert 'run-status--failed" data-run-status>Epäonnistui<' in page
    assert "data-status-url" not in page
    assert "<span data-run-stage></span>" in page
    assert "Epäonnistui" in listing


def test_delivery_run_pages_show_a_swept_run_as_failed(client_as, db):
    run = delivery_run(minutes_ago=24 * 60)
    delivery_runs_stale_fail()
    client = client_as(Role.HR_ADMIN)

    page = client.get(reverse("hrreports:delivery-run", args=[run.pk])).text
    listing = client.get(reverse("hrreports:delivery-runs")).text

    with translation.override("fi"):
        message, not_finished = gettext(MESSAGE), gettext("not finished")
    assert message in page
    assert not_finished not in page
    assert 'run-status--failed">Epäonnistui</span>' in listing


def test_a_swept_pending_run_is_not_run_when_its_job_turns_up_late(simulator_source):
    from hrreports.jobs import fetch_run_job

    run = fetch_run(simulator_source, status=RunStatus.PENDING, minutes_ago=60)
    fetch_runs_stale_fail()

    assert fetch_run_job(run.pk) == RunStatus.FAILED
    assert FetchRun.objects.get(pk=run.pk).attempts == 0
