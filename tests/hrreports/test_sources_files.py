"""The file source on the sample exports and on hand-made nasty files."""

from datetime import date
from decimal import Decimal

import pytest

from hrreports.errors import PopulusError
from hrreports.models import Absence, Employment, SalaryPayment, Source, WorkUnit
from hrreports.models.fetching import RunStatus
from hrreports.services.fetch import populus_fetch
from hrreports.sources.files import FileOptions, FileSource, file_parse
from kuntaportaali.tabular.problems import Problem
from tests.hrreports.conftest import SAMPLE_PERIOD, SAMPLES

HEADER = (
    "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Poissaolokoodi;Poissaolon nimi;"
    "Alkupvm;Loppupvm;Kalenteripäivät;Työpäivät;Palkallinen"
)
GOOD = "010175-901V;Mäkinen Aino;2001001;101010;102;Sairauspoissaolo;2.3.2026;3.3.2026;2;2;K"


def parse(text: str | bytes, *, report_type: str = "absences", filename: str = "poissaolot_202603.csv", **options):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return file_parse(data=data, filename=filename, report_type=report_type, options=FileOptions(**options))


def test_sample_exports_are_fetched_completely(sample_source):
    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.DONE, run.error
    assert run.rejected_count == 0
    assert run.counts == {"units": 7, "employments": 6, "absences": 7, "salaries": 10}
    assert WorkUnit.objects.get(code="101020").path == "/10/1010/101020/"
    assert Employment.objects.get(employment_id="2001003").end == date(2026, 5, 31)
    assert SalaryPayment.objects.get(employment__employment_id="2001002").amount == Decimal("4388.15")
    unpaid = Absence.objects.get(absence_type__code="500")
    assert (unpaid.paid, unpaid.working_days, unpaid.start) == (False, 10, date(2026, 3, 2))


def test_windows_1252_files_without_header_with_column_positions(sample_source, file_root):
    folder = file_root / "siirto"
    folder.mkdir()
    for sample in (SAMPLES / "windows-1252-no-header").iterdir():
        (folder / sample.name).write_bytes(sample.read_bytes())
    source = Source.objects.create(
        name="siirto",
        kind="files",
        config=FileSource.config_defaults() | {"folder": "siirto", "encoding": "windows-1252", "has_header": False},
    )

    run = populus_fetch(source=source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.DONE, run.error
    assert run.counts == {"units": 7, "employments": 6, "absences": 7, "salaries": 10}
    assert Employment.objects.get(employment_id="2001005").employee.name == "Nieminen Päivi"


def test_header_names_from_a_custom_column_map_and_comma_delimiter():
    text = "Pvm alku,Pvm loppu,Koodi,Yks,Ps,Hetu\n2.3.2026,3.3.2026,102,101010,2001001,010175-901V\n"
    columns = {
        "absences": {
            "person_number": "Hetu",
            "employment_id": "Ps",
            "unit_code": "yks",
            "absence_code": "Koodi",
            "start": "Pvm alku",
            "end": "Pvm loppu",
        }
    }

    batch = parse(text, delimiter=",", columns=columns)

    assert batch.rejected == []
    assert batch.rows[0]["start"] == date(2026, 3, 2)
    assert batch.rows[0]["absence_code"] == "102"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"\r\n  \r\n", "is empty"),
        ((HEADER + "\n" + GOOD).encode("cp1252"), "not valid UTF-8"),
        (b"PK\x03\x04 truncated zip", "not a readable Excel workbook"),
        (HEADER.replace(";Alkupvm", ";Alku").encode(), "no column “Alkupvm”"),
        (HEADER.replace(";", ",").encode() + b"\n", "separated by ','"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff", "not valid UTF-8"),
    ],
    ids=["empty", "blank", "wrong-encoding", "broken-xlsx", "missing-column", "wrong-delimiter", "binary"],
)
def test_whole_file_problems_fail_with_a_clear_reason(data, message):
    with pytest.raises(PopulusError, match=message):
        parse(data)


def test_utf8_file_read_as_windows_1252_is_refused():
    with pytest.raises(PopulusError, match="is UTF-8, but the source reads Windows-1252"):
        parse(HEADER + "\n" + GOOD, encoding="windows-1252")


def test_positions_needed_without_header():
    with pytest.raises(PopulusError, match="give column numbers"):
        parse(GOOD, has_header=False, columns={"absences": {"person_number": "Henkilötunnus"}})


@pytest.mark.parametrize(
    ("line", "field", "code"),
    [
        (GOOD.replace("2.3.2026", "31.2.2026"), "start", "value_not_a_real_date"),
        (GOOD.replace("2.3.2026", "maaliskuu"), "start", "value_not_a_date"),
        (GOOD.replace("3.3.2026", "1.3.2026"), "end", "row_end_before_start"),
        (GOOD.replace(";2;2;", ";kaksi;2;"), "calendar_days", "value_not_a_number"),
        (GOOD.replace(";2;2;", ";2,5;2;"), "calendar_days", "value_days_out_of_range"),
        (GOOD.replace(";K", ";ehkä"), "paid", "value_not_yes_or_no"),
        (GOOD.replace(";102;", ";;"), "absence_code", "row_value_missing"),
    ],
)
def test_bad_values_are_rejected_with_row_field_and_reason(line, field, code):
    batch = parse(HEADER + "\n" + GOOD + "\n" + line + "\n")

    assert len(batch.rows) == 1
    [rejected] = batch.rejected
    assert (rejected.file, rejected.row, rejected.field, rejected.problem.code) == (
        "poissaolot_202603.csv",
        3,
        field,
        code,
    )


def test_a_row_with_several_bad_values_has_a_reason_for_each():
    line = GOOD.replace("2.3.2026", "31.2.2026").replace(";K", ";ehkä")

    batch = parse(HEADER + "\n" + line + "\n")

    assert [(r.row, r.field, r.value, r.problem.code) for r in batch.rejected] == [
        (2, "start", "31.2.2026", "value_not_a_real_date"),
        (2, "paid", "ehkä", "value_not_yes_or_no"),
    ]
    assert batch.total == 1


def test_a_truncated_last_row_is_rejected():
    batch = parse(HEADER + "\n" + GOOD + "\n" + GOOD[:30])

    assert len(batch.rows) == 1
    assert (batch.rejected[0].row, batch.rejected[0].problem.code) == (3, "row_too_few_columns")
    assert batch.rejected[0].problem.params == {"found": 3, "needed": 8}


def test_person_numbers_never_appear_in_rejections():
    batch = parse(HEADER + "\n" + GOOD.replace("010175-901V", "x" * 40) + "\n")

    [rejected] = batch.rejected
    assert rejected.field == "person_number"
    assert rejected.value == "(hidden)"
    assert rejected.problem == Problem("value_code_too_long", {"limit": 32})


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("-12,5", "-12.50"),
        ("99.95", "99.95"),
        ("1\u00a0000", "1000.00"),
    ],
)
def test_finnish_amounts(amount, expected):
    header = "Henkilötunnus;Palvelussuhde;Kustannuspaikka;Palkkakausi;Maksupäivä;Palkkalaji;Summa"
    line = f"010175-901V;2001001;101010;3/2026;13.3.2026;1001;{amount}"

    batch = parse(header + "\n" + line, report_type="salaries", filename="palkat.csv")

    assert batch.rows[0]["amount"] == Decimal(expected)
    assert batch.rows[0]["pay_period"] == date(2026, 3, 1)


def test_unknown_units_codes_and_duplicates_are_rejected_in_the_run(sample_source, file_root, settings):
    settings.POPULUS_REJECT_THRESHOLD = 0.5
    folder = file_root / "samples"
    text = (folder / "poissaolot_202603.csv").read_text(encoding="utf-8").splitlines()
    text.append(text[1])  # duplicate row
    text.append(text[2].replace(";101;", ";999;"))  # unknown absence code
    text.append(text[3].replace(";101010;", ";777777;"))  # unknown unit
    (folder / "poissaolot_202603.csv").write_text("\n".join(text) + "\n", encoding="utf-8")

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.DONE, run.error
    assert run.counts["absences"] == 7
    rejected = {(r.row, r.field, r.value): (r.code, r.params) for r in run.rejected_rows.all()}
    assert rejected == {
        (9, "start", "2026-03-02"): ("absence_duplicate", {"row": 2}),
        (10, "absence_code", "999"): ("absence_code_unknown", {}),
        (11, "unit_code", "777777"): ("unit_unknown", {}),
    }


def test_unknown_salary_types_other_peoples_employments_and_duplicate_payments_are_rejected(
    sample_source, file_root, settings
):
    settings.POPULUS_REJECT_THRESHOLD = 0.5
    path = file_root / "samples" / "palkat_202603.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text.append(text[1])  # duplicate payment
    text.append(text[2].replace(";1001;", ";9999;"))  # unknown salary type
    text.append(text[3].replace("050592-9034;", "010175-901V;"))  # employment 2001003 is Heikkilä's
    path.write_text("\n".join(text) + "\n", encoding="utf-8")

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.DONE, run.error
    assert run.counts["salaries"] == SalaryPayment.objects.count() == 10
    rejected = {(r.report_type, r.row, r.field, r.value): (r.code, r.params) for r in run.rejected_rows.all()}
    assert rejected == {
        ("salaries", 12, "salary_type_code", "1001"): ("salary_duplicate", {"row": 2}),
        ("salaries", 13, "salary_type_code", "9999"): ("salary_type_unknown", {}),
        ("salaries", 14, "employment_id", "2001003"): ("employment_of_another_person", {}),
    }


def test_refetch_updates_payments_and_removes_those_no_longer_reported(sample_source, file_root):
    populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    path = file_root / "samples" / "palkat_202603.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace(";3 912,40", ";3 999,00")
    path.write_text("\n".join(text[:-1]) + "\n", encoding="utf-8")  # Salo's holiday compensation corrected away

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.counts["salaries"] == SalaryPayment.objects.count() == 9
    assert not SalaryPayment.objects.filter(salary_type__code="3101").exists()
    assert SalaryPayment.objects.get(employment__employment_id="2001001", salary_type__code="1001").amount == Decimal(
        "3999.00"
    )


def test_missing_file_fails_the_run_and_keeps_previous_data(sample_source, file_root):
    populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    before = Absence.objects.count()
    (file_root / "samples" / "palkat_202603.csv").unlink()

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.FAILED
    assert "No salaries file for 2026-03" in run.error
    assert Absence.objects.count() == before


def test_folder_outside_the_file_root_is_refused(file_root, db):
    source = Source.objects.create(name="ulos", kind="files", config={"folder": "../../etc"})

    run = populus_fetch(source=source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.FAILED
    assert "outside the permitted file root" in run.error


def test_units_under_a_rejected_parent_are_rejected_too(sample_source, file_root, settings):
    settings.POPULUS_REJECT_THRESHOLD = 1
    path = file_root / "samples" / "yksikot.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines += ["30;Uusi toimiala;99;K", "3010;Uuden toimialan yksikkö;30;K", "4010;Yksikkö ilman ylempää;4010;K"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.DONE, run.error
    assert run.counts["units"] == 7
    assert sorted(run.rejected_rows.values_list("row", "value")) == [(9, "99"), (10, "30"), (11, "4010")]
    assert not WorkUnit.objects.filter(code__in=["30", "3010", "4010"]).exists()


def test_a_header_only_file_fails_instead_of_erasing_the_month(sample_source, file_root):
    populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    before = Absence.objects.count()
    (file_root / "samples" / "poissaolot_202603.csv").write_text(HEADER + "\n", encoding="utf-8")

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.FAILED
    assert "has a header row but no data rows" in run.error
    assert Absence.objects.count() == before > 0


def test_a_data_row_taken_for_the_header_is_not_quoted():
    with pytest.raises(PopulusError) as caught:
        parse(GOOD + "\n" + GOOD + "\n")

    assert "has no header row: its first row is data" in str(caught.value)
    assert "010175-901V" not in str(caught.value)
    assert "Mäkinen" not in str(caught.value)


def test_a_run_on_files_without_header_never_stores_person_numbers_in_its_error(sample_source, file_root):
    folder = file_root / "samples"
    lines = (folder / "poissaolot_202603.csv").read_text(encoding="utf-8").splitlines()
    (folder / "poissaolot_202603.csv").write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.FAILED
    assert "first row is data" in run.error
    assert "010175-901V" not in run.error


def test_a_person_number_in_a_wrongly_mapped_column_is_hidden_in_the_rejection():
    # The column map points the start date at column 1, which holds the person number.
    columns = {"person_number": 1, "employment_id": 3, "unit_code": 4, "absence_code": 5, "start": 1, "end": 8}

    batch = parse(GOOD, has_header=False, columns={"absences": columns})

    [rejected] = batch.rejected
    assert rejected.field == "start"
    assert rejected.value == "(hidden)"
    assert "010175-901V" not in str(rejected.problem.params)


def test_store_rejections_hide_person_numbers_too(sample_source, file_root, settings):
    settings.POPULUS_REJECT_THRESHOLD = 0.5
    folder = file_root / "samples"
    lines = (folder / "poissaolot_202603.csv").read_text(encoding="utf-8").splitlines()
    lines.append(lines[1].replace(";101010;", ";010175-901V;"))  # a person number where the unit belongs
    (folder / "poissaolot_202603.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    [rejected] = run.rejected_rows.all()
    assert (rejected.field, rejected.value) == ("unit_code", "(hidden)")


def test_unit_codes_with_a_slash_are_rejected():
    header = "Yksikkö;Yksikön nimi;Ylempi yksikkö;Voimassa"

    batch = parse(f"{header}\n10/5;Vinoviiva;;K\n20;Hyvä;10/5;K\n", report_type="units", filename="yksikot.csv")

    assert [(r.row, r.field, r.problem.code) for r in batch.rejected] == [
        (2, "code", "value_unit_code_slash"),
        (3, "parent_code", "value_unit_code_slash"),
    ]
