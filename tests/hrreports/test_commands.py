"""`manage.py fetch_populus`, the monthly job and its cron registration."""

from datetime import date

import django_rq
import pytest
from django.core.management import CommandError, call_command

from hrreports.jobs import populus_fetch_monthly
from hrreports.models import FetchRun, Source, WorkUnit
from hrreports.models.fetching import RunStatus, RunTrigger


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
