"""Property tests: no file crashes the parser, every row is accounted for, and a run never half-writes."""

import csv
import io

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hrreports.errors import PopulusError
from hrreports.models import Absence, Employee, Employment, SalaryPayment
from hrreports.models.fetching import RunStatus
from hrreports.services.fetch import populus_fetch
from hrreports.sources.base import rejected_row_count
from hrreports.sources.files import FileOptions, file_parse
from kuntaportaali.tabular.values import is_blank
from tests.hrreports.conftest import SAMPLE_PERIOD

OPTIONS = st.builds(
    FileOptions,
    encoding=st.sampled_from(["auto", "utf-8", "utf-16", "windows-1252"]),
    delimiter=st.sampled_from(["auto", ";", ",", "\t", "|"]),
    has_header=st.booleans(),
    title_rows=st.integers(min_value=0, max_value=3),
)
REPORTS = st.sampled_from(["units", "employments", "absences", "salaries"])
CELL = st.one_of(
    st.sampled_from(
        [
            "",
            "010175-901V",
            "2001001",
            "101010",
            "102",
            "2.3.2026",
            "20260303",
            "31.2.2026",
            "1 234,50",
            "K",
            "E",
            "vakinainen",
            "Henkilötunnus",
            "Alkupvm",
            '"',
            "ä",
            "-1",
            "NaN",
            "1e999",
        ]
    ),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None, database=None)
@given(data=st.binary(max_size=600), filename=st.sampled_from(["x.csv", "x.xlsx"]), report=REPORTS, options=OPTIONS)
def test_no_bytes_crash_the_parser(data, filename, report, options):
    try:
        batch = file_parse(data=data, filename=filename, report_type=report, options=options)
    except PopulusError as error:
        assert str(error)
    else:
        assert all(rejection.problem.message() for rejection in batch.rejected)


@settings(max_examples=200, deadline=None, database=None)
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=12), min_size=1, max_size=15), report=REPORTS)
@example(rows=[["010175-901V"], ["\xad"]], report="units")
def test_every_data_row_is_either_taken_or_rejected(rows, report):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    options = FileOptions(has_header=False, delimiter=";")
    try:
        batch = file_parse(data=buffer.getvalue().encode(), filename="x.csv", report_type=report, options=options)
    except PopulusError:
        return
    # Blank as the reader judges it: whitespace and the invisible characters (a soft hyphen) alike.
    records = [r for r in csv.reader(io.StringIO(buffer.getvalue()), delimiter=";") if not all(map(is_blank, r))]
    assert batch.total == len(batch.rows) + rejected_row_count(batch.rejected) == len(records)
    assert {r.row for r in batch.rejected}.isdisjoint({row["_row"] for row in batch.rows})


def snapshot():
    return (
        list(Employee.objects.order_by("pk").values_list("person_number_hash", "name")),
        list(Employment.objects.order_by("pk").values_list("employment_id", "unit_id", "end")),
        list(Absence.objects.order_by("pk").values_list("employment_id", "absence_type_id", "start", "end")),
        list(SalaryPayment.objects.order_by("pk").values_list("employment_id", "salary_type_id", "amount")),
    )


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.integers(min_value=0, max_value=40), max_size=12), cut=st.integers(min_value=0, max_value=2000)
)
def test_a_run_stores_everything_or_nothing(sample_source, file_root, picks, cut):
    folder = file_root / "samples"
    original = (folder / "poissaolot_202603.csv").read_bytes()
    populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    before = snapshot()
    lines = original.decode().splitlines()
    mutations = [
        lambda line: line,
        lambda line: line.replace(";102;", ";999;"),
        lambda line: line.replace("2026;", "2026x;", 1),
        lambda line: line.replace(";101010;", ";404;"),
        lambda line: line[: len(line) // 2],
        lambda line: line.replace(";2;", ";0,5;"),
    ]
    body = [mutations[pick % len(mutations)](lines[1 + pick % (len(lines) - 1)]) for pick in picks]
    mangled = ("\n".join([lines[0], *body]) + "\n").encode()[: max(cut, len(lines[0]) + 1)]
    (folder / "poissaolot_202603.csv").write_bytes(mangled)
    try:
        run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    finally:
        (folder / "poissaolot_202603.csv").write_bytes(original)

    if run.status == RunStatus.DONE:
        assert Absence.objects.filter(start__gte=SAMPLE_PERIOD).count() == run.counts["absences"]
        assert run.rows_read == sum(run.counts.values()) + run.rejected_count
    else:
        assert run.status == RunStatus.FAILED and run.error
        assert snapshot() == before
