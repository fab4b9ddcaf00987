"""Fetch runs from the simulator: counts, idempotent re-fetching, failing whole, state machine."""

from datetime import date

import pytest

from hrreports.models import Absence, Employee, Employment, FetchRun, SalaryPayment, WorkUnit
from hrreports.models.fetching import RunStatus
from hrreports.services.fetch import fetch_run_create, fetch_run_execute, populus_fetch

PERIOD = date(2026, 2, 1)


def snapshot() -> dict[str, int]:
    return {
        "units": WorkUnit.objects.count(),
        "employees": Employee.objects.count(),
        "employments": Employment.objects.count(),
        "absences": Absence.objects.count(),
        "salaries": SalaryPayment.objects.count(),
    }


def test_simulator_fetch_stores_every_report(simulator_source):
    run = populus_fetch(source=simulator_source, period=PERIOD)

    assert run.status == RunStatus.DONE, run.error
    assert run.rejected_count == 0
    assert run.counts["units"] == WorkUnit.objects.count() == 6 + 12 + 24
    assert run.counts["employments"] == Employment.objects.count() > 100
    assert run.counts["absences"] == Absence.objects.count() > 0
    assert run.counts["salaries"] == SalaryPayment.objects.filter(pay_period=PERIOD).count() > 100
    assert run.started_at <= run.finished_at
    assert run.rows_read == sum(run.counts.values())


def test_refetching_a_period_updates_instead_of_duplicating(simulator_source):
    populus_fetch(source=simulator_source, period=PERIOD)
    first = snapshot()
    amount = SalaryPayment.objects.order_by("pk").first()
    SalaryPayment.objects.filter(pk=amount.pk).update(amount=1)

    again = populus_fetch(source=simulator_source, period=PERIOD)

    assert again.status == RunStatus.DONE
    assert snapshot() == first
    amount_after = SalaryPayment.objects.get(pk=amount.pk)
    assert amount_after.amount == amount.amount


def test_refetch_removes_what_the_source_no_longer_reports(simulator_source):
    populus_fetch(source=simulator_source, period=PERIOD)
    absence = Absence.objects.filter(start__gte=PERIOD).first()
    extra = Absence.objects.create(
        employment=absence.employment,
        unit=absence.unit,
        absence_type=absence.absence_type,
        start=date(2026, 2, 27),
        end=date(2026, 2, 27),
        calendar_days=1,
        working_days=1,
        paid=True,
        source=simulator_source,
    )

    populus_fetch(source=simulator_source, period=PERIOD)

    assert not Absence.objects.filter(pk=extra.pk).exists()


def test_a_run_is_executed_once_even_when_delivered_twice(simulator_source):
    run = fetch_run_create(source=simulator_source, period=PERIOD)

    first = fetch_run_execute(run=run)
    finished_at = first.finished_at
    second = fetch_run_execute(run=FetchRun.objects.get(pk=run.pk))

    assert second.status == RunStatus.DONE
    assert second.attempts == 1
    assert second.finished_at == finished_at


def test_next_months_fetch_adds_hires_and_leavers(simulator_source):
    populus_fetch(source=simulator_source, period=PERIOD)
    before = set(Employment.objects.values_list("employment_id", flat=True))

    populus_fetch(source=simulator_source, period=date(2026, 8, 1))

    after = set(Employment.objects.values_list("employment_id", flat=True))
    assert after - before, "someone was hired between February and August"


@pytest.mark.parametrize("threshold", [0.0])
def test_a_run_with_too_many_rejections_stores_nothing(simulator_source, settings, threshold):
    populus_fetch(source=simulator_source, period=PERIOD)
    before = snapshot()
    # One unknown absence code makes a single rejected row; with a zero threshold the run fails whole.
    from hrreports.models import AbsenceType

    AbsenceType.objects.filter(code="102").update(code="X102")
    settings.POPULUS_REJECT_THRESHOLD = threshold
    Absence.objects.filter(absence_type__code="X102").delete()
    before = snapshot()

    run = populus_fetch(source=simulator_source, period=date(2026, 3, 1))

    assert run.status == RunStatus.FAILED
    assert "nothing was stored for 2026-03" in run.error
    assert run.rejected_count > 0
    assert run.rejected_rows.filter(field="absence_code", value="102").exists()
    assert snapshot() == before


def test_an_unexpected_error_fails_the_run_instead_of_leaving_it_running(simulator_source, monkeypatch, caplog):
    from hrreports.sources.simulator import SimulatorSource

    quoted_row = "row 7: " + "010175-901V"  # what a database error might quote

    def broken(self, report_type, period):
        raise ZeroDivisionError(quoted_row)

    monkeypatch.setattr(SimulatorSource, "fetch", broken)
    run = fetch_run_create(source=simulator_source, period=PERIOD)

    run = fetch_run_execute(run=run)

    assert run.status == RunStatus.FAILED
    assert "ZeroDivisionError" in run.error
    assert "010175" not in run.error
    assert "ZeroDivisionError" in caplog.text
    assert "010175" not in caplog.text


def test_unknown_source_kind_fails_the_run_with_the_known_kinds(db):
    from hrreports.models import Source

    source = Source.objects.create(name="sftp", kind="sftp")

    run = populus_fetch(source=source, period=PERIOD)

    assert run.status == RunStatus.FAILED
    assert run.error == "Unknown source kind 'sftp'; the known kinds are files, http, simulator."
