"""Fetch runs from the simulator: counts, idempotent re-fetching, failing whole, state machine."""

from datetime import date

import pytest
from django.db import DataError
from django.utils import translation

from hrreports.models import Absence, Employee, Employment, FetchRun, SalaryPayment, WorkUnit
from hrreports.models.fetching import RunStatus
from hrreports.services.fetch import fetch_run_create, fetch_run_execute, populus_fetch
from tests.hrreports.conftest import SAMPLE_PERIOD

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
    # Each absence of the file is stored for the month, and one begun before it for its earlier months too
    # (those of the 12 months corrected).
    assert run.counts["absences"] == Absence.objects.filter(period=PERIOD).count() > 0
    earlier = Absence.objects.exclude(period=PERIOD)
    assert earlier.exists() and not earlier.filter(end__lt=PERIOD).exists()
    assert min(earlier.values_list("period", flat=True)) >= date(2025, 2, 1)
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
    same_payment = SalaryPayment.objects.filter(
        employment=amount.employment,
        pay_period=amount.pay_period,
        payment_date=amount.payment_date,
        salary_type=amount.salary_type,
    )
    assert list(same_payment.values_list("amount", flat=True)) == [amount.amount]


def test_refetch_removes_what_the_source_no_longer_reports(simulator_source):
    populus_fetch(source=simulator_source, period=PERIOD)
    absence = Absence.objects.filter(start__gte=PERIOD).first()
    extra = Absence.objects.create(
        employment=absence.employment,
        unit=absence.unit,
        absence_type=absence.absence_type,
        period=PERIOD,
        reported_in=PERIOD,
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
    assert "nothing was stored for Mar 2026" in run.error
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


# --- All or nothing, through the file source -----------------------------------------------------


def absences_file_lines(file_root) -> list[str]:
    return (file_root / "samples" / "poissaolot_202603.csv").read_text(encoding="utf-8").splitlines()


def absences_file_write(file_root, lines: list[str], encoding: str = "utf-8") -> None:
    (file_root / "samples" / "poissaolot_202603.csv").write_bytes(("\n".join(lines) + "\n").encode(encoding))


def test_a_nul_byte_in_a_cell_rejects_that_row_and_the_run_records_it(sample_source, file_root, settings):
    settings.POPULUS_REJECT_THRESHOLD = 0.5
    lines = absences_file_lines(file_root)
    lines[3] = lines[3].replace("Heikkilä Sanna", "Heikki\x00lä Sanna")
    lines[5] = lines[5].replace(";102;", ";1\x0002;")
    absences_file_write(file_root, lines)

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.DONE, run.error
    assert run.counts["absences"] == Absence.objects.count() == 5
    rejected = [(r.row, r.field, r.value, r.code) for r in run.rejected_rows.order_by("row")]
    assert rejected == [
        (4, "employee_name", "Heikki\u2400lä Sanna", "value_control_character"),
        (6, "absence_code", "1\u240002", "value_control_character"),
    ]
    assert run.rejected_count == 2


def test_a_stray_quote_fails_the_run_with_its_line_and_keeps_what_was_stored(sample_source, file_root):
    """Read leniently, the quote opened on row 3 was closed by row 4's, the two rows read as one with the
    header's cells and the next row's dates, row 4 was lost, and the run said nothing was rejected."""
    assert populus_fetch(source=sample_source, period=SAMPLE_PERIOD).status == RunStatus.DONE
    stored = sorted(Absence.objects.values_list("employment__employee__name", "start", "end"))
    lines = absences_file_lines(file_root)
    lines[2] = lines[2].replace("Sairauspoissaolo, lääkärintodistus", '"Sairauspoissaolo (lääkärintodistus')
    lines[3] = lines[3].replace("Tilapäinen hoitovapaa", '"Tilapäinen hoitovapaa"')
    absences_file_write(file_root, lines, encoding="cp1252")

    with translation.override("en"):
        run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.FAILED
    assert "poissaolot_202603.csv" in run.error
    assert "The row that begins on line 3 of the file has a value in quotation marks that does not end" in run.error
    assert sorted(Absence.objects.values_list("employment__employee__name", "start", "end")) == stored


def test_a_utf16_file_on_a_source_set_to_windows_1252_is_read_as_utf16(sample_source, file_root):
    sample_source.config = sample_source.config | {"encoding": "windows-1252"}
    sample_source.save()
    for other in ("yksikot.csv", "palkat_202603.csv"):
        path = file_root / "samples" / other
        path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    lines = [line.replace(";", "\t") for line in absences_file_lines(file_root)]
    absences_file_write(file_root, lines, encoding="utf-16")

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.DONE, run.error
    assert run.counts["absences"] == 7
    assert Absence.objects.filter(employment__employee__name="Järvinen Eero").count() == 1


class RefusedOnce:
    """bulk_create of rejected rows that the database refuses `times` times, as PostgreSQL refuses a value."""

    def __init__(self, monkeypatch, times: int):
        from hrreports.models import RejectedRow

        self.left = times
        self.original = RejectedRow.objects.bulk_create
        monkeypatch.setattr(RejectedRow.objects, "bulk_create", self)

    def __call__(self, objects, **kwargs):
        if self.left and objects:
            self.left -= 1
            raise DataError("value refused")
        return self.original(objects, **kwargs)


def test_when_the_runs_end_cannot_be_recorded_nothing_is_stored_and_the_run_fails_with_its_rejected_rows(
    sample_source, file_root, settings, monkeypatch
):
    settings.POPULUS_REJECT_THRESHOLD = 0.5
    lines = absences_file_lines(file_root)
    lines[2] = lines[2].replace(";101;", ";999;")
    absences_file_write(file_root, lines)
    RefusedOnce(monkeypatch, times=1)

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    run.refresh_from_db()
    assert (run.status, run.error_code, run.rejected_count) == (RunStatus.FAILED, "run_end_not_recorded", 1)
    assert run.error_params == {"error": "DataError", "month": "2026-03"}
    assert list(run.rejected_rows.values_list("row", "field", "code")) == [(3, "absence_code", "absence_code_unknown")]
    assert snapshot() == {"units": 0, "employees": 0, "employments": 0, "absences": 0, "salaries": 0}


def test_when_even_the_rejected_rows_are_refused_the_run_still_fails_with_its_reason_and_count(
    sample_source, file_root, settings, monkeypatch
):
    settings.POPULUS_REJECT_THRESHOLD = 0.5
    lines = absences_file_lines(file_root)
    lines[2] = lines[2].replace(";101;", ";999;")
    absences_file_write(file_root, lines)
    RefusedOnce(monkeypatch, times=2)

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    run.refresh_from_db()
    assert (run.status, run.error_code, run.rejected_count) == (
        RunStatus.FAILED,
        "run_rejected_rows_not_recorded",
        1,
    )
    assert run.error_params["reason"]["code"] == "run_end_not_recorded"
    assert not run.rejected_rows.exists()
    with translation.override("en"):
        assert run.error_message == (
            "The rows were read, but the database refused to record the run's end (DataError): nothing was stored "
            "for Mar 2026. See the worker's log. The 1 rejected rows could not be recorded (DataError); "
            "see the worker's log."
        )
    assert Absence.objects.count() == 0


def test_an_unexpected_error_while_storing_keeps_the_rejected_rows_of_the_files(
    sample_source, file_root, settings, monkeypatch
):
    settings.POPULUS_REJECT_THRESHOLD = 0.5
    lines = absences_file_lines(file_root)
    lines[2] = lines[2].replace("9.3.2026", "31.2.2026")
    absences_file_write(file_root, lines)

    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr("hrreports.services.fetch.batches_store", broken)

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert (run.status, run.error_code) == (RunStatus.FAILED, "run_unexpected_error")
    assert list(run.rejected_rows.values_list("row", "field", "code")) == [(3, "start", "value_not_a_real_date")]
    assert snapshot()["absences"] == 0
