"""The file source on the sample exports and on hand-made nasty files."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from hrreports.errors import PopulusError
from hrreports.models import Absence, Employment, SalaryPayment, Source, WorkUnit
from hrreports.models.fetching import RunStatus
from hrreports.services.fetch import populus_fetch
from hrreports.sources.files import FileOptions, FileSource, file_parse
from hrreports.sources.schema import default_column_map
from kuntaportaali.tabular.problems import Problem
from tests.hrreports.conftest import SAMPLE_PERIOD, SAMPLES

HEADER = (
    "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Poissaolokoodi;Poissaolon nimi;"
    "Alkupvm;Loppupvm;Kalenteripäivät;Työpäivät;Palkallinen"
)
GOOD = "010175-901V;Mäkinen Aino;2001001;101010;102;Sairauspoissaolo;2.3.2026;3.3.2026;2;2;K"


FILE = "poissaolot_202603.csv"


def parse(text: str | bytes, *, report_type: str = "absences", filename: str = FILE, **options):
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
    ("data", "options", "problem"),
    [
        (b"", {}, Problem("file_unreadable", {"file": FILE, "reason": Problem("file_empty")})),
        (b"\r\n  \r\n", {}, Problem("file_unreadable", {"file": FILE, "reason": Problem("file_empty")})),
        (
            (HEADER + "\n" + GOOD).encode("cp1252"),
            {"encoding": "utf-8"},
            Problem("file_unreadable", {"file": FILE, "reason": Problem("file_not_utf8", {"byte": 7})}),
        ),
        (
            b"PK\x03\x04 truncated zip",
            {},
            Problem("file_unreadable", {"file": FILE, "reason": Problem("file_xlsx_damaged")}),
        ),
        (
            (HEADER.replace(";Alkupvm", ";Alku") + "\n" + GOOD).encode(),
            {},
            Problem(
                "file_columns_missing",
                {"file": FILE, "missing": "“Alkupvm”", "found": HEADER.replace(";Alkupvm", ";Alku").replace(";", ", ")},
            ),
        ),
        (
            (HEADER + "\n" + GOOD).replace(";", ",").encode(),
            {"delimiter": ";"},
            Problem("file_wrong_delimiter", {"file": FILE, "found": "“,”", "expected": "“;”"}),
        ),
        (
            HEADER.encode() + b"\n",
            {},
            Problem("file_unreadable", {"file": FILE, "reason": Problem("file_no_data_rows")}),
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff",
            {"encoding": "utf-8"},
            Problem("file_unreadable", {"file": FILE, "reason": Problem("file_not_utf8", {"byte": 1})}),
        ),
        (
            (HEADER + "\n" + GOOD).encode(),
            {"encoding": "windows-1252"},
            Problem("file_unreadable", {"file": FILE, "reason": Problem("file_utf8_read_as_windows1252")}),
        ),
    ],
    ids=[
        "empty",
        "blank",
        "wrong-encoding",
        "broken-xlsx",
        "missing-column",
        "wrong-delimiter",
        "header-only",
        "binary",
        "utf8-as-windows-1252",
    ],
)
def test_whole_file_problems_fail_with_the_file_and_a_clear_reason(data, options, problem):
    with pytest.raises(PopulusError) as caught:
        parse(data, **options)

    assert caught.value.problem == problem


def test_a_column_map_name_two_columns_have_fails_the_file_instead_of_taking_the_first(english):
    """A report with the unit's "Nimi" before the employee's: the unit's name was stored as hers."""
    header = HEADER.replace(
        "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;", "Kustannuspaikka;Nimi;Henkilötunnus;Nimi;Palvelussuhde;"
    )
    line = GOOD.replace(
        "010175-901V;Mäkinen Aino;2001001;101010;", "101010;Keskustan koulu;010175-901V;Mäkinen Aino;2001001;"
    )

    with pytest.raises(PopulusError) as error:
        parse(f"{header}\n{line}\n")

    assert error.value.code == "file_column_twice"
    assert error.value.params["columns"] == "2, 4"


def test_two_columns_of_one_name_are_read_by_position_when_the_map_gives_one():
    header = HEADER.replace(
        "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;", "Kustannuspaikka;Nimi;Henkilötunnus;Nimi;Palvelussuhde;"
    )
    line = GOOD.replace(
        "010175-901V;Mäkinen Aino;2001001;101010;", "101010;Keskustan koulu;010175-901V;Mäkinen Aino;2001001;"
    )
    columns = {"absences": default_column_map("absences", has_header=True) | {"employee_name": 4}}

    batch = parse(f"{header}\n{line}\n", columns=columns)

    assert [row["employee_name"] for row in batch.rows] == ["Mäkinen Aino"]


def test_a_utf8_file_with_one_windows_1252_row_is_refused_not_read_as_garbled_names(english):
    """One row pasted in from a Windows-1252 export made the whole UTF-8 file read as Windows-1252: "Mäkinen
    Aino" was stored as "MÃ¤kinen Aino" (a header-less file has no header to notice it by)."""
    data = f"{GOOD}\n{GOOD}\n{GOOD}\n".encode() + GOOD.replace("Mäkinen Aino", "Mäkelä Eino").encode("cp1252")

    with pytest.raises(PopulusError) as error:
        parse(data + b"\n", has_header=False)

    assert error.value.params["reason"]["code"] == "file_encoding_mixed"
    first_bad = data.index("ä".encode("cp1252")) + 1
    assert f"byte {first_bad} " in str(error.value)


def test_positions_needed_without_header(english):
    with pytest.raises(PopulusError, match="give column numbers"):
        parse(GOOD, has_header=False, columns={"absences": {"person_number": "Henkilötunnus"}})


@pytest.mark.parametrize(
    ("line", "field", "code"),
    [
        (GOOD.replace("2.3.2026", "31.2.2026"), "start", "value_not_a_real_date"),
        (GOOD.replace("2.3.2026", "maaliskuu"), "start", "value_not_a_date"),
        (GOOD.replace("3.3.2026", "1.3.2026"), "end", "row_end_before_start"),
        (GOOD.replace(";2;2;", ";kaksi;2;"), "calendar_days", "value_not_a_number"),
        (GOOD.replace(";2;2;", ";2,5555;2;"), "calendar_days", "value_too_many_decimals"),
        (GOOD.replace(";2;2;", ";2;-1;"), "working_days", "value_days_out_of_range"),
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
    assert batch.rejected[0].problem.params == {"found": 3, "needed": 11}


def test_a_last_row_cut_off_after_the_required_columns_is_rejected_not_stored_with_what_is_left():
    """The transfer stopped inside "12;10;K": 12 calendar days would be stored as 1, and the working days and
    pay computed, as if the file had not given them."""
    whole = "010175-901V;Mäkinen Aino;2001001;101010;101;Sairauspoissaolo;9.3.2026;20.3.2026;12;10;K"

    batch = parse(HEADER + "\n" + GOOD + "\n" + whole[: whole.index(";12;") + 2])

    assert [row["_row"] for row in batch.rows] == [2]
    assert [(r.row, r.problem.code, r.problem.params) for r in batch.rejected] == [
        (3, "row_too_few_columns", {"found": 9, "needed": 11})
    ]


def test_a_row_followed_by_others_may_leave_out_its_empty_cells_at_the_end():
    """Excel saves a CSV without the separators of empty cells at a row's end (after its first rows): an
    absence whose pay is not given is a whole row when the file goes on after it."""
    unpaid_not_given = GOOD.replace("102;", "101;").removesuffix(";K")

    batch = parse(HEADER + "\n" + unpaid_not_given + "\n" + GOOD + "\n")

    assert batch.rejected == []
    found = [(row["_row"], row["absence_code"], row["paid"]) for row in batch.rows]
    assert found == [(2, "101", None), (3, "102", True)]


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
        (9, "start", "2.3.2026"): ("absence_duplicate", {"row": 2}),
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
        ("salaries", 12, "amount", "3 912,40"): ("salary_repeated", {"row": 2, "file": "palkat_202603.csv"}),
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
    assert "No file of salaries for Mar 2026" in run.error
    assert Absence.objects.count() == before


def test_folder_outside_the_file_root_is_refused(file_root, db):
    source = Source.objects.create(name="ulos", kind="files", config={"folder": "../../etc"})

    run = populus_fetch(source=source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.FAILED
    assert "outside the permitted file root" in run.error


def test_an_export_file_linked_to_a_file_outside_the_root_is_refused(sample_source, file_root, tmp_path_factory):
    # Whoever may drop files into the folder (an SFTP account) could otherwise make a fetch read any file
    # the portal may read, its rows shown to HR administration as rejected ones.
    outside = tmp_path_factory.mktemp("muualla") / "salaisuudet.csv"
    outside.write_text("SECRET_KEY=salainen\n", encoding="utf-8")
    salaries = next((file_root / "samples").glob("palkat_*"))
    salaries.unlink()
    salaries.symlink_to(outside)

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.FAILED
    assert f"The file {salaries.name} leads outside the permitted file root" in run.error
    assert "salainen" not in run.error
    assert not run.rejected_rows.exists()


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


def test_a_data_row_taken_for_the_header_is_not_quoted(english):
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


def test_a_phone_number_in_a_wrongly_mapped_column_is_masked_in_the_rejection():
    batch = parse(HEADER + "\n" + GOOD.replace(";2.3.2026;", ";040 123 4567;") + "\n")

    [rejected] = batch.rejected
    assert (rejected.field, rejected.value) == ("start", "+35840*****67")


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


# --- File forms read through the shared reader ---------------------------------------------------


def workbook(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SALARY_HEADER = ["Henkilötunnus", "Nimi", "Palvelussuhde", "Kustannuspaikka", "Palkkakausi", "Maksupäivä", "Palkkalaji"]
SALARY_HEADER += ["Palkkalajin nimi", "Summa"]
SALARY = ["010175-901V", "Mäkinen Aino", "2001001", "101010", "03/2026", date(2026, 3, 13), "1001", "Palkka", 3912.4]


def test_two_title_rows_above_the_header_are_skipped():
    text = f"Poissaolot 1.3.2026-31.3.2026\nKeskustan kunta;;;\n\n{HEADER}\n{GOOD}\n"

    batch = parse(text)

    assert batch.rejected == []
    assert [(row["_row"], row["absence_code"]) for row in batch.rows] == [(5, "102")]


def test_data_on_the_second_sheet_is_read_and_a_cover_sheet_is_skipped():
    data = workbook(
        {
            "Kansilehti": [["Palkat maaliskuu 2026"], ["Tulostettu", date(2026, 4, 1)]],
            "Taul2": [SALARY_HEADER, SALARY, [*SALARY[:6], "1201", "Kokemuslisä", "kolme"]],
        }
    )

    batch = parse(data, report_type="salaries", filename="palkat.xlsx")

    assert [(row["_file"], row["_row"], row["amount"]) for row in batch.rows] == [
        ("palkat.xlsx › Taul2", 2, Decimal("3912.40"))
    ]
    assert [(r.file, r.row, r.field, r.problem.code) for r in batch.rejected] == [
        ("palkat.xlsx › Taul2", 3, "amount", "value_not_a_number")
    ]


def test_every_sheet_with_the_header_is_read():
    data = workbook({"Sivistys": [SALARY_HEADER, SALARY], "Tekniset": [["Palkat"], SALARY_HEADER, SALARY]})

    batch = parse(data, report_type="salaries", filename="palkat.xlsx")

    assert [(row["_file"], row["_row"]) for row in batch.rows] == [
        ("palkat.xlsx › Sivistys", 2),
        ("palkat.xlsx › Tekniset", 3),
    ]


def with_formula_results(data: bytes, result: str) -> bytes:
    """`data` as a program that writes formulas without calculating them leaves it (XlsxWriter writes 0 as
    every formula's result and asks Excel to calculate them when it opens the file; openpyxl writes none)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                content = content.replace(b"<v />", result.encode())
            target.writestr(item, content)
    return buffer.getvalue()


@pytest.mark.parametrize("result", ["<v>0</v>", "<v />"], ids=["xlsxwriter", "openpyxl"])
def test_formulas_a_program_wrote_without_their_results_refuse_the_file_not_read_as_zero(result, english):
    data = with_formula_results(workbook({"Palkat": [SALARY_HEADER, [*SALARY[:-1], "=3000+912.4"]]}), result)

    with pytest.raises(PopulusError) as error:
        parse(data, report_type="salaries", filename="palkat.xlsx")

    assert error.value.params["reason"]["code"] == "file_xlsx_formulas_not_calculated"
    assert "save it again" in str(error.value)


def test_cells_merged_over_rows_fail_the_file_instead_of_leaving_the_rows_below_blank(english):
    """ "E" (unpaid) merged over two absences showed for both; the second was stored as paid, its type's default."""
    from openpyxl import load_workbook

    header = HEADER.split(";")
    first = [*GOOD.split(";")[:-1], "E"]
    second = [*first[:6], "4.3.2026", "5.3.2026", "2", "2", None]
    book = load_workbook(io.BytesIO(workbook({"Poissaolot": [header, first, second]})))
    book["Poissaolot"].merge_cells("K2:K3")
    buffer = io.BytesIO()
    book.save(buffer)

    with pytest.raises(PopulusError) as error:
        parse(buffer.getvalue(), filename="poissaolot.xlsx")

    assert error.value.params["reason"]["code"] == "file_merged_data_cells"
    assert "K2:K3" in str(error.value)


def test_cells_merged_over_data_rows_in_a_column_not_read_do_not_fail_the_file():
    """A note (a column the column map does not read) merged over two absences it is about."""
    from openpyxl import load_workbook

    header = [*HEADER.split(";"), "Huomautus"]
    first = [*GOOD.split(";"), "Tarkistettu"]
    second = [*first[:6], "4.3.2026", "5.3.2026", "2", "2", "K", None]
    book = load_workbook(io.BytesIO(workbook({"Poissaolot": [header, first, second]})))
    book["Poissaolot"].merge_cells("L2:L3")
    buffer = io.BytesIO()
    book.save(buffer)

    batch = parse(buffer.getvalue(), filename="poissaolot.xlsx")

    assert batch.rejected == []
    assert [row["start"] for row in batch.rows] == [date(2026, 3, 2), date(2026, 3, 4)]


def test_a_hidden_sheet_with_the_header_fails_the_file_instead_of_adding_its_rows(english):
    """Rows someone hid on a sheet of their own (set aside, an old version) were stored with the visible ones."""
    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(
            workbook({"Palkat": [SALARY_HEADER, SALARY], "Vanhat": [SALARY_HEADER, [*SALARY[:6], "1201", "Lisä", 100]]})
        )
    )
    book["Vanhat"].sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)

    with pytest.raises(PopulusError) as error:
        parse(buffer.getvalue(), report_type="salaries", filename="palkat.xlsx")

    assert error.value.code == "file_sheet_hidden"
    assert "palkat.xlsx › Vanhat" in str(error.value)


def test_a_sheet_not_read_may_have_two_columns_of_one_name():
    """A sheet of the units and their supervisors ("Nimi" of each) lacks the report's columns and is not read:
    its names say nothing of the salaries sheet's columns."""
    units = [["Yksikkö", "Nimi", "Esihenkilö", "Nimi"], ["K1", "Keskustan koulu", "E1", "Virtanen Ville"]]
    data = workbook({"Palkat": [SALARY_HEADER, SALARY], "Yksiköt": units})

    batch = parse(data, report_type="salaries", filename="palkat.xlsx")

    assert [(row["_file"], row["employee_name"]) for row in batch.rows] == [("palkat.xlsx › Palkat", "Mäkinen Aino")]


def test_a_sheet_that_looks_like_data_with_a_missing_column_fails_instead_of_being_skipped():
    data = workbook({"Taul1": [SALARY_HEADER, SALARY], "Taul2": [SALARY_HEADER[:-1], SALARY[:-1]]})

    with pytest.raises(PopulusError) as caught:
        parse(data, report_type="salaries", filename="palkat.xlsx")

    assert caught.value.problem.code == "file_columns_missing"
    assert caught.value.problem.params["file"] == "palkat.xlsx › Taul2"
    assert caught.value.problem.params["missing"] == "“Summa”"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig", "cp1252"])
def test_utf16_tab_separated_and_other_exports_are_read_by_default(encoding):
    text = (HEADER + "\r\n" + GOOD + "\r\n").replace(";", "\t")

    batch = parse(text.encode(encoding))

    assert batch.rejected == []
    assert batch.rows[0]["employee_name"] == "Mäkinen Aino"


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_each_delimiter_is_found_or_can_be_set(delimiter):
    text = HEADER.replace(";", delimiter) + "\n" + GOOD.replace(";", delimiter) + "\n"

    found = parse(text)
    set_ = parse(text, delimiter=delimiter)

    assert found.rows[0]["start"] == set_.rows[0]["start"] == date(2026, 3, 2)


def test_header_less_files_skip_the_title_rows_set_for_the_source():
    text = f"POISSAOLOT 202603\n\n{GOOD}\n"

    batch = parse(text, has_header=False, title_rows=2)

    assert [(row["_row"], row["employment_id"]) for row in batch.rows] == [(3, "2001001")]
    assert batch.rejected == []


def test_a_file_problem_names_the_file_and_the_readers_reason():
    with pytest.raises(PopulusError) as caught:
        parse(b"PK\x03\x04 truncated zip", filename="palkat.xlsx")

    assert caught.value.problem.code == "file_unreadable"
    assert caught.value.problem.params == {
        "file": "palkat.xlsx",
        "reason": {"code": "file_xlsx_damaged", "params": {}},
    }


def test_sources_without_the_new_settings_read_any_encoding_and_delimiter_and_stored_ones_are_kept():
    assert FileOptions.from_config({}) == FileOptions(encoding="auto", delimiter="auto", columns={})
    assert FileSource.config_defaults()["encoding"] == FileSource.config_defaults()["delimiter"] == "auto"
    stored = FileOptions.from_config({"encoding": "windows-1252", "delimiter": ";", "has_header": False})
    assert (stored.encoding, stored.delimiter, stored.has_header, stored.title_rows) == ("windows-1252", ";", False, 0)


def test_an_excel_percent_cell_is_stored_in_per_cent():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Henkilötunnus", "Nimi", "Palvelussuhde", "Kustannuspaikka", "Alkupvm", "Työaika-%"])
    sheet.append(["010175-901V", "Mäkinen Aino", 2001001, "101010", date(2005, 8, 1), 0.8])
    sheet["F2"].number_format = "0 %"
    buffer = io.BytesIO()
    book.save(buffer)

    batch = parse(buffer.getvalue(), report_type="employments", filename="palvelussuhteet.xlsx")

    assert batch.rejected == []
    assert batch.rows[0]["working_time_percent"] == Decimal("80.00")
    assert batch.rows[0]["employment_id"] == "2001001"


def test_a_header_with_other_names_below_a_title_row_is_the_one_quoted():
    english = "Person;Name;Employment;Cost centre;Code;Absence;Start;End;Calendar days;Working days;Paid"

    with pytest.raises(PopulusError) as caught:
        parse(f"Poissaolot maaliskuu 2026\n{english}\n{GOOD}\n")

    assert caught.value.problem.code == "file_columns_missing"
    assert caught.value.problem.params["found"] == english.replace(";", ", ")


CANCELLED = GOOD.replace(";2.3.2026;3.3.2026;2;2;", ";9.3.2026;10.3.2026;2;2;")


@pytest.mark.parametrize("has_header", [False, True])
def test_a_column_of_added_and_deleted_marks_the_source_does_not_read_fails_the_file(has_header, english):
    """A file without a header row is read by the columns' positions, which leave out the record kind (a
    column added to the exports later): Populus' "P" rows, an absence deleted, were stored as absences.
    A header that names the column otherwise than Tietuelaji was read the same way."""
    rows = [f"{GOOD};U", f"{CANCELLED};P", f"{CANCELLED};U"]
    header = [HEADER + ";Muutoslaji"] if has_header else []

    with pytest.raises(PopulusError) as error:
        parse("\n".join(header + rows) + "\n", has_header=has_header)

    assert (error.value.code, error.value.params["column"]) == ("file_change_column_unread", 12)
    assert "only P and U" in str(error.value)


def test_the_same_column_read_as_the_record_kind_cancels_the_deleted_absence():
    rows = [f"{GOOD};U", f"{CANCELLED};P", f"{CANCELLED};U"]
    columns = default_column_map("absences", has_header=False) | {"change": 12}

    batch = parse("\n".join(rows) + "\n", has_header=False, columns={"absences": columns})

    assert [row["change"] for row in batch.rows] == ["added", "deleted", "added"]


@pytest.mark.parametrize("marks", [("P", "P", "P"), ("U", "U", "U"), ("P", "M", "U")])
def test_a_column_that_is_not_the_record_kind_is_left_unread(marks):
    """Every employment permanent ("P") or a column of other letters is no record kind."""
    rows = [f"{row};{mark}" for row, mark in zip((GOOD, CANCELLED, CANCELLED), marks, strict=True)]

    batch = parse("\n".join(rows) + "\n", has_header=False)

    assert len(batch.rows) == 3
