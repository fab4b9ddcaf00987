"""PostgreSQL drops the worker's connection in the middle of a fetch (a restart, a failover, an idle
timeout on the way): the run ends failed with that reason, nothing of the month stored, and a scheduled
fetch is tried again the next day, as after a worker that was killed."""

import pytest
from django.db import connection

from hrreports.models import Absence, FetchRun
from hrreports.models.fetching import RunStatus, RunTrigger
from hrreports.services import fetch
from hrreports.services.fetch import PASSING_RUN_ERRORS, fetch_run_create, fetch_run_execute
from hrreports.sources.simulator import SimulatorSource
from tests.hrreports.conftest import SAMPLE_PERIOD

pytestmark = pytest.mark.django_db(transaction=True)


def database_connection_dropped() -> None:
    import psycopg

    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.parametrize("stage", ["fetching", "storing"])
def test_a_fetch_whose_database_connection_dropped_ends_failed_and_is_tried_again(simulator_source, monkeypatch, stage):
    """The run's failure was written over the connection that had just dropped: that failed too, and the run
    showed "running" until the hourly sweep ended it, three hours on, as one whose worker had stopped."""
    if stage == "fetching":
        real_fetch = SimulatorSource.fetch

        def fetch_losing_the_database(self, report_type, period):
            batch = real_fetch(self, report_type, period)
            database_connection_dropped()
            return batch

        monkeypatch.setattr(SimulatorSource, "fetch", fetch_losing_the_database)
    else:
        real_store = fetch.batches_store

        def store_losing_the_database(**kwargs):
            database_connection_dropped()
            return real_store(**kwargs)

        monkeypatch.setattr(fetch, "batches_store", store_losing_the_database)
    run = fetch_run_create(source=simulator_source, period=SAMPLE_PERIOD, trigger=RunTrigger.SCHEDULE)

    fetch_run_execute(run=run)

    run = FetchRun.objects.get(pk=run.pk)
    assert (run.status, run.error_code, run.error_params) == (
        RunStatus.FAILED,
        "run_database_lost",
        {"error": "OperationalError"},
    )
    assert run.error_code in PASSING_RUN_ERRORS
    assert Absence.objects.count() == 0
