"""`manage.py fetch_populus`, the monthly job and its cron registration."""

from datetime import date, timedelta

import django_rq
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hrreports.jobs import populus_fetch_monthly
from hrreports.models import FetchRun, Source, WorkUnit
from hrreports.models.fetching import RunStatus, RunTrigger
from hrreports.services.fetch import SCHEDULED_FETCH_TRIES


def last_line(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_fetch_prints_the_summary_line(simulator_source, capsys):
    call_command("fetch_populus", "--period", "2026-02", "--source", "simulaattori")

    run = FetchRun.objects.get()
    assert last_line(capsys) == (
        f"period=2026-02 absences={run.count('absences')} salaries={run.count('salaries')} "
        f"employments={run.count('employments')} rejected=0 status=ok"
    )
    assert run.trigger == RunTrigger.COMMAND


def test_refetch_gives_the_same_line(simulator_source, capsys):
    call_command("fetch_populus", "--period", "2026-02")
    first = last_line(capsys)
    call_command("fetch_populus", "--period", "2026-02")

    assert last_line(capsys) == first


def test_failed_run_exits_with_1(db, file_root, capsys):
    Source.objects.create(name="tyhja", kind="files", config={"folder": ""})

    with pytest.raises(SystemExit) as exit_info:
        call_command("fetch_populus", "--period", "2026-03")

    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert captured.out.strip().splitlines()[-1] == (
        "period=2026-03 absences=0 salaries=0 employments=0 rejected=0 status=failed"
    )
    assert "No file of employments for Mar 2026" in captured.err


@pytest.mark.parametrize("period", ["2026-3", "202603", "2026-13", "maaliskuu"])
def test_bad_period_is_a_clear_command_error(db, period):
    with pytest.raises(CommandError, match="not a month in the form YYYY-MM"):
        call_command("fetch_populus", "--period", period)


def test_unknown_source_names_the_configured_ones(simulator_source):
    with pytest.raises(CommandError, match="No Populus source is named 'muu' \\(configured: simulaattori\\)"):
        call_command("fetch_populus", "--period", "2026-02", "--source", "muu")


def test_monthly_job_fetches_the_last_full_month_of_active_sources(simulator_source, time_machine_today):
    Source.objects.create(name="pois", kind="simulator", active=False, config=simulator_source.config)

    assert populus_fetch_monthly() == "simulaattori=done"

    run = FetchRun.objects.get()
    assert (run.period, run.trigger, run.status) == (date(2026, 2, 1), RunTrigger.SCHEDULE, RunStatus.DONE)


def test_a_monthly_fetch_missed_on_its_day_is_made_up_the_next_day_once(simulator_source, monkeypatch):
    """RQ's cron scheduler runs a job at its minute only: a cron process restarting at that minute (Redis out,
    a deploy, a reboot) skipped the month's fetch, and every unit report of the month waited for it."""
    from hrreports import jobs

    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 3, 4))
    assert populus_fetch_monthly() == "not due: the fetch of 2026-02 starts on day 5"
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 3, 6))  # the 5th was missed
    assert populus_fetch_monthly() == "simulaattori=done"
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 3, 7))
    assert populus_fetch_monthly() == "done: every active source has its scheduled fetch of 2026-02"

    run = FetchRun.objects.get()
    assert (run.period, run.trigger, run.status) == (date(2026, 2, 1), RunTrigger.SCHEDULE, RunStatus.DONE)


def failed_scheduled_runs(source: Source, error_code: str, count: int = 1) -> None:
    """`count` scheduled runs of 2026-02 that failed with `error_code`, as the earlier days' jobs left them."""
    for _ in range(count):
        FetchRun.objects.create(
            source=source,
            period=date(2026, 2, 1),
            trigger=RunTrigger.SCHEDULE,
            status=RunStatus.FAILED,
            error_code=error_code,
        )


def test_a_scheduled_fetch_whose_worker_was_killed_is_tried_again_the_next_day(simulator_source, monkeypatch):
    """The worker running the 5th's fetch was killed (a deploy, out of memory): the run stayed failed, the
    month's reports waited, and nothing tried it again until HR noticed and started it by hand."""
    from hrreports import jobs

    dead = FetchRun.objects.create(
        source=simulator_source, period=date(2026, 2, 1), trigger=RunTrigger.SCHEDULE, status=RunStatus.RUNNING
    )
    FetchRun.objects.filter(pk=dead.pk).update(started_at=timezone.now() - timedelta(days=1))
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 3, 6))

    assert populus_fetch_monthly() == "simulaattori=done"

    runs = list(FetchRun.objects.order_by("pk").values_list("trigger", "status", "error_code"))
    assert runs == [
        (RunTrigger.SCHEDULE, RunStatus.FAILED, "run_worker_stopped"),
        (RunTrigger.SCHEDULE, RunStatus.DONE, ""),
    ]


@pytest.mark.parametrize("error_code", ["http_no_answer", "http_host_unresolved", "file_missing"])
def test_a_scheduled_fetch_failed_on_a_passing_cause_is_tried_again_a_few_times(
    simulator_source, time_machine_today, error_code
):
    failed_scheduled_runs(simulator_source, error_code, count=SCHEDULED_FETCH_TRIES - 1)
    assert populus_fetch_monthly() == "simulaattori=done"

    FetchRun.objects.filter(status=RunStatus.DONE).delete()
    failed_scheduled_runs(simulator_source, error_code)
    assert populus_fetch_monthly() == (
        "done: every active source has its scheduled fetch of 2026-02; failed, left to HR: simulaattori"
    )


def test_a_scheduled_fetch_failed_on_bad_data_is_left_to_hr(simulator_source, time_machine_today):
    failed_scheduled_runs(simulator_source, "file_unreadable")

    assert populus_fetch_monthly() == (
        "done: every active source has its scheduled fetch of 2026-02; failed, left to HR: simulaattori"
    )
    assert FetchRun.objects.count() == 1


def test_a_failed_scheduled_fetch_that_hr_has_run_again_since_is_not_tried_again(simulator_source, time_machine_today):
    failed_scheduled_runs(simulator_source, "http_no_answer")
    FetchRun.objects.create(source=simulator_source, period=date(2026, 2, 1), status=RunStatus.DONE)

    assert populus_fetch_monthly() == "done: every active source has its scheduled fetch of 2026-02"
    assert FetchRun.objects.count() == 2


def test_monthly_job_refuses_a_simulator_source_of_a_site_that_offers_none(
    simulator_source, time_machine_today, settings
):
    settings.POPULUS_SOURCE_KINDS = {
        kind: path for kind, path in settings.POPULUS_SOURCE_KINDS.items() if kind != "simulator"
    }

    assert populus_fetch_monthly() == "simulaattori=failed"

    run = FetchRun.objects.get()
    assert run.error_code == "source_kind_demo_only"
    assert run.error.startswith("The source is the demo's simulator")
    assert not WorkUnit.objects.exists()


def test_monthly_job_skips_while_another_holds_the_lock(simulator_source):
    lock = django_rq.get_connection("populus").lock("kuntaportaali:hrreports:populus-monthly", timeout=60)
    assert lock.acquire(blocking=False)
    try:
        assert populus_fetch_monthly() == "skipped"
    finally:
        lock.release()
    assert not FetchRun.objects.exists()


def test_cron_registers_the_monthly_fetch_from_the_settings():
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=django_rq.get_connection("populus"))
    scheduler.load_config_from_file("kuntaportaali.cron")

    [job] = [job for job in scheduler.get_jobs() if job.name == "populus-fetch-monthly"]
    # Daily: the job fetches the month from POPULUS_FETCH_DAY on, once per source (below).
    assert job.cron == "0 6 * * *"
    assert job.queue_name == "populus"
    assert job.func is populus_fetch_monthly


@pytest.fixture
def time_machine_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 3, 5))
