"""Each work unit and each employment is supplied by one source. Rows about a unit or an employment that
another active source supplies are rejected naming that source, so a second source over the same data
neither doubles the salaries nor takes the absences or the unit tree over; nothing stored is lost. A
source switched off hands its units and employments to the source that supplies them next."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from hrreports.models import Absence, Employment, RejectedRow, SalaryPayment, Source, WorkUnit
from hrreports.models.fetching import RunStatus
from hrreports.reports import absence_report
from hrreports.services.fetch import populus_fetch
from hrreports.sources.files import DEFAULT_FILES, FileSource
from tests.hrreports.conftest import SAMPLE_PERIOD, SAMPLES, SMALL_SIMULATION, make_unit

SAMPLE_SALARIES = Decimal("18836.79")  # the payments of palkat_202603.csv


@pytest.fixture
def copy_source(db, file_root):
    """`copy_source(name)`: a file source reading its own copy of docs/samples/populus/."""

    def create(name: str) -> Source:
        folder = file_root / name
        folder.mkdir()
        for sample in SAMPLES.iterdir():
            if sample.is_file():
                (folder / sample.name).write_bytes(sample.read_bytes())
        return Source.objects.create(name=name, kind="files", config=FileSource.config_defaults() | {"folder": name})

    return create


def salaries_total() -> Decimal:
    return SalaryPayment.objects.aggregate(total=Sum("amount"))["total"]


def fetched(source: Source, period: date = SAMPLE_PERIOD):
    run = populus_fetch(source=source, period=period)
    assert run.status == RunStatus.DONE, run.error
    return run


def test_a_second_source_over_the_same_employments_is_refused_naming_the_first_and_loses_nothing(copy_source, english):
    first, second = copy_source("palkat-a"), copy_source("palkat-b")
    fetched(first)
    absences = list(Absence.objects.values_list("pk", "source__name", "calendar_days"))

    run = populus_fetch(source=second, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.FAILED
    assert salaries_total() == SAMPLE_SALARIES
    assert list(Absence.objects.values_list("pk", "source__name", "calendar_days")) == absences
    reasons = {row.reason for row in RejectedRow.objects.filter(run=run)}
    assert "employment 2001001 is supplied by the source palkat-a" in " ".join(reasons)
    assert "unit 2010 is supplied by the source palkat-a" in " ".join(reasons)


def test_rows_about_another_sources_employments_are_rejected_even_when_the_run_succeeds(copy_source, settings, english):
    settings.POPULUS_REJECT_THRESHOLD = 1
    first, second = copy_source("palkat-a"), copy_source("palkat-b")
    fetched(first)

    run = fetched(second)

    assert run.counts == {"units": 0, "employments": 0, "absences": 0, "salaries": 0}
    assert salaries_total() == SAMPLE_SALARIES
    assert set(Absence.objects.values_list("source__name", flat=True)) == {"palkat-a"}
    assert set(Employment.objects.values_list("source__name", flat=True)) == {"palkat-a"}
    codes = {(row.report_type, row.code) for row in RejectedRow.objects.filter(run=run)}
    assert codes == {
        ("units", "unit_of_another_source"),
        ("employments", "employment_of_another_source"),
        ("absences", "employment_of_another_source"),
        ("salaries", "employment_of_another_source"),
    }


def test_the_samples_units_do_not_rename_or_move_the_simulators(copy_source, english):
    simulator = Source.objects.create(name="simulaattori", kind="simulator", config=dict(SMALL_SIMULATION))
    fetched(simulator)
    before = WorkUnit.objects.get(code="2010")

    run = populus_fetch(source=copy_source("samples"), period=SAMPLE_PERIOD)

    after = WorkUnit.objects.get(code="2010")
    assert (after.name, after.parent_id, after.source_id) == (before.name, before.parent_id, simulator.pk)
    assert run.status == RunStatus.FAILED
    [row] = RejectedRow.objects.filter(run=run, report_type="units", value="2010")
    assert row.reason.startswith("unit 2010 is supplied by the source simulaattori:")


def test_a_source_switched_off_hands_its_employments_over_without_doubling_the_month(copy_source):
    old, new = copy_source("vanha"), copy_source("uusi")
    fetched(old)
    old.active = False
    old.save()

    fetched(new)

    assert salaries_total() == SAMPLE_SALARIES
    assert set(SalaryPayment.objects.values_list("source__name", flat=True)) == {"uusi"}
    assert set(Absence.objects.values_list("source__name", flat=True)) == {"uusi"}
    assert set(Employment.objects.values_list("source__name", flat=True)) == {"uusi"}
    assert set(WorkUnit.objects.values_list("source__name", flat=True)) == {"uusi"}


def split(tree: Source, payroll: Source) -> None:
    """`tree` reads only the units file, `payroll` everything but it (a supported set-up: files.py)."""
    tree.config["files"] = {"units": "yksikot*"}
    payroll.config["files"] = {kind: pattern for kind, pattern in DEFAULT_FILES.items() if kind != "units"}
    tree.save()
    payroll.save()


def test_the_unit_tree_from_one_source_and_the_payroll_data_from_another_tree_first(copy_source):
    tree, payroll = copy_source("puu"), copy_source("palkat")
    split(tree, payroll)
    fetched(tree)

    fetched(payroll)
    fetched(tree, date(2026, 4, 1))

    assert salaries_total() == SAMPLE_SALARIES
    assert set(WorkUnit.objects.values_list("source__name", flat=True)) == {"puu"}
    assert set(Employment.objects.values_list("source__name", flat=True)) == {"palkat"}
    assert absence_report(WorkUnit.objects.get(code="10"), SAMPLE_PERIOD, include_subunits=True).fetched


def test_the_monthly_fetch_reads_the_unit_trees_before_the_payroll_data(copy_source, monkeypatch):
    """The sources went by name: 'palkat' before 'puu', so on the first month every row of the payroll
    data named a unit not yet known, and the payroll run failed."""
    from hrreports import jobs

    tree, payroll = copy_source("puu"), copy_source("palkat")
    split(tree, payroll)
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 4, 6))

    assert jobs.populus_fetch_monthly() == "puu=done palkat=done"
    assert salaries_total() == SAMPLE_SALARIES


def test_the_unit_tree_from_one_source_and_the_payroll_data_from_another_payroll_first(copy_source):
    """The units were made by hand (or by an earlier source): a payroll source storing rows in them does
    not become their tree's source, so the tree source's units file is taken afterwards."""
    for line in (SAMPLES / "yksikot.csv").read_text().splitlines()[1:]:
        code, name, parent, _valid = line.split(";")
        make_unit(code, WorkUnit.objects.get(code=parent) if parent else None, name=f"käsin {name}")
    tree, payroll = copy_source("puu"), copy_source("palkat")
    split(tree, payroll)
    fetched(payroll)

    fetched(tree)
    fetched(payroll)

    assert salaries_total() == SAMPLE_SALARIES
    assert WorkUnit.objects.get(code="1010").name == "Keskustan koulu"
    assert set(WorkUnit.objects.values_list("source__name", flat=True)) == {"puu"}
