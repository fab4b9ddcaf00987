"""Why a row was rejected is stored as a reason code with its parameters and worded in the reader's
language when shown: on the run page, in the preview, in the downloads."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

import kuntaportaali.tabular.problems as problems
from hrreports.services.fetch import populus_fetch
from kuntaportaali.roles import Role
from kuntaportaali.tabular.problems import problem_codes, problem_message
from tests.hrreports.conftest import SAMPLE_PERIOD, absence_line, salary_line

HRREPORTS = Path(__file__).resolve().parents[2] / "hrreports"


@pytest.fixture
def marked_translations(monkeypatch):
    """Every message shows the language it was worded in: '[fi] unknown employment'."""
    monkeypatch.setattr(problems, "gettext", lambda message: f"[{translation.get_language()}] {message}")


def absences_with_unknown_code(file_root, settings) -> None:
    settings.POPULUS_REJECT_THRESHOLD = 1
    path = file_root / "samples" / "poissaolot_202603.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";102;", ";999;", 1), encoding="utf-8")


def test_a_rejected_row_is_stored_as_a_reason_code_with_its_parameters(sample_source, file_root, settings):
    settings.POPULUS_REJECT_THRESHOLD = 1
    path = file_root / "samples" / "poissaolot_202603.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    [rejected] = run.rejected_rows.all()
    assert (rejected.code, rejected.params, rejected.row) == ("absence_duplicate", {"row": 2}, 9)
    assert (rejected.field, rejected.value) == ("start", "2.3.2026")  # as the file wrote it
    with translation.override("en"):
        assert rejected.reason == "duplicate row: the same absence is already on row 2"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_run_page_words_rejections_in_the_readers_language(
    client_as, sample_source, file_root, settings, marked_translations, language
):
    absences_with_unknown_code(file_root, settings)
    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    client = client_as(Role.HR_ADMIN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get(reverse("hrreports:run-detail", args=[run.pk]))

    assert f"[{language}] unknown absence code: add it to the absence types first" in response.text


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_preview_words_rejections_in_the_pages_language(
    client_as, sample_source, file_root, settings, marked_translations, language
):
    data = (file_root / "samples" / "poissaolot_202603.csv").read_text(encoding="utf-8")
    upload = SimpleUploadedFile("poissaolot.csv", data.replace("2.3.2026", "31.2.2026", 1).encode())
    client = client_as(Role.HR_ADMIN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.post(
        reverse("hrreports:source-preview", args=[sample_source.pk]),
        {"report_type": "absences", "file": upload, "period": "2026-03"},
    )

    assert f"[{language}] not a real calendar date" in response.text


def test_every_reason_code_the_hr_reports_give_is_registered():
    given = set()
    for path in HRREPORTS.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        given |= set(re.findall(r'(?:Problem|ValueProblem|PopulusError\.of)\(\s*"([a-z0-9_]+)"', text))
        given |= set(re.findall(r'(?:code|unknown_code)="([a-z0-9_]+)"', text))
    assert {"unit_unknown", "absence_duplicate", "value_code_too_long", "row_value_missing"} <= given
    assert given - problem_codes() == set()


def test_a_failed_runs_reason_is_stored_as_a_code_and_worded_in_the_readers_language(
    client_as, sample_source, file_root, settings, marked_translations
):
    absences_with_unknown_code(file_root, settings)
    settings.POPULUS_REJECT_THRESHOLD = 0
    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    client = client_as(Role.HR_ADMIN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"

    response = client.get(reverse("hrreports:run-detail", args=[run.pk]))

    assert (run.error_code, run.error_params) == (
        "run_too_many_rejected",
        {"rejected": 1, "rows": 30, "threshold": "0", "month": "2026-03"},
    )
    assert "[sv] 1 of 30 rows were rejected, more than the permitted 0 %" in response.text
    assert run.error.startswith("[en] 1 of 30 rows were rejected")  # English, for logs and commands


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_the_rejected_rows_download_words_the_reasons_in_the_readers_language(
    client_as, sample_source, file_root, settings, marked_translations, export
):
    absences_with_unknown_code(file_root, settings)
    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    client = client_as(Role.HR_ADMIN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"

    response = client.get(reverse("hrreports:run-detail", args=[run.pk]), {"export": export})

    if export == "csv":
        lines = response.content.decode("utf-8-sig").splitlines()
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        lines = [
            ";".join("" if cell is None else str(cell) for cell in row) for row in sheet.iter_rows(values_only=True)
        ]
    assert response["Content-Disposition"] == f'attachment; filename="avvisade-rader-korning-{run.pk}.{export}"'
    assert lines[1].endswith(
        ";poissaolot_202603.csv;2;frånvarokod;999;[sv] unknown absence code: add it to the absence types first"
    )


# --- The portal's own dates and months in a reason: stored as machines read them, shown in the reader's style

ABSENCE_OUTSIDE = "the absence %s has no day in %s, the month fetched: it belongs to the file of its own month"
READERS_STYLE = [  # (language, 3.-5.10.2026, 15.4.2026, 11/2026)
    ("fi", "3.10.2026–5.10.2026", "15.4.2026", "11/2026"),
    ("sv", "3.10.2026–5.10.2026", "15.4.2026", "11/2026"),
    ("en", "03/10/2026–05/10/2026", "15/04/2026", "Nov 2026"),
]
STORED_NOW = {"start": "2026-10-03", "end": "2026-10-05", "payment_date": "2026-04-15", "month": "2026-11"}
STORED_BEFORE = {"start": "3.10.2026", "end": "5.10.2026", "payment_date": "15.4.2026", "month": "2026-11"}


@pytest.mark.parametrize("stored", [STORED_NOW, STORED_BEFORE], ids=["iso", "stored-before-as-d.m.yyyy"])
@pytest.mark.parametrize(("language", "days", "paid", "month"), READERS_STYLE)
def test_a_reasons_dates_and_months_are_worded_in_the_readers_style(
    marked_translations, stored, language, days, paid, month
):
    start_end = {name: stored[name] for name in ("start", "end", "month")}
    payment = {name: stored[name] for name in ("payment_date", "month")}

    with translation.override(language):
        assert problem_message("absence_outside_month", start_end) == f"[{language}] " + ABSENCE_OUTSIDE % (
            days,
            month,
        )
        assert problem_message("salary_paid_outside_month", payment).startswith(
            f"[{language}] paid on {paid}, not in {month}, the month fetched"
        )
        assert problem_message("run_nothing_delivered", {"month": "2026-11"}) == (
            f"[{language}] The source delivered no rows at all for {month}."
        )


def test_a_value_a_reason_quotes_from_the_file_is_shown_as_the_file_wrote_it(marked_translations):
    with translation.override("en"):
        message = problem_message("value_working_time_ambiguous", {"value": "0,8", "percent": "80"})

    assert message.startswith("[en] 0,8 could mean 0,8 % or 80 %")


@pytest.fixture
def april_absence_in_march(month_files, settings):
    """A fetch of March whose absences file holds an absence of April (rejected: not in the month)."""
    settings.POPULUS_REJECT_THRESHOLD = 1
    month_files(
        SAMPLE_PERIOD,
        absences=[
            absence_line("102", "2.3.2026", "3.3.2026", "2", "2"),
            absence_line("102", "2.4.2026", "5.4.2026", "4", "4"),
        ],
        salaries=[salary_line("03/2026", "13.3.2026", "1001", "3 912,40")],
    )
    return SAMPLE_PERIOD


def run_page(client_as, settings, run, language: str, **query) -> HttpResponse:
    client = client_as(Role.HR_ADMIN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("hrreports:run-detail", args=[run.pk]), query)


def test_a_rejected_rows_dates_and_month_are_stored_as_machines_read_them(sample_source, april_absence_in_march):
    run = populus_fetch(source=sample_source, period=april_absence_in_march)

    [rejected] = run.rejected_rows.all()
    assert (rejected.code, rejected.params, rejected.value) == (
        "absence_outside_month",
        {"start": "2026-04-02", "end": "2026-04-05", "month": "2026-03"},
        "2.4.2026",  # the value as the file wrote it
    )


@pytest.mark.parametrize("stored", ["now", "before"])
@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("sv", "[sv] the absence 2.4.2026–5.4.2026 has no day in 3/2026"),
        ("en", "[en] the absence 02/04/2026–05/04/2026 has no day in Mar 2026"),
    ],
)
def test_the_run_page_words_a_rejected_rows_dates_and_month_in_the_readers_style(
    client_as, sample_source, april_absence_in_march, settings, marked_translations, stored, language, reason
):
    run = populus_fetch(source=sample_source, period=april_absence_in_march)
    if stored == "before":
        run.rejected_rows.update(params={"start": "2.4.2026", "end": "5.4.2026", "month": "2026-03"})

    response = run_page(client_as, settings, run, language)

    assert reason in response.text


@pytest.mark.parametrize("export", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("sv", "3;börjar;2.4.2026;[sv] the absence 2.4.2026–5.4.2026 has no day in 3/2026"),
        ("en", "3;start;2.4.2026;[en] the absence 02/04/2026–05/04/2026 has no day in Mar 2026"),
    ],
)
def test_the_rejected_rows_download_words_dates_and_months_in_the_readers_style(
    client_as, sample_source, april_absence_in_march, settings, marked_translations, export, language, line
):
    run = populus_fetch(source=sample_source, period=april_absence_in_march)

    response = run_page(client_as, settings, run, language, export=export)

    if export == "csv":
        delimiter = ";" if language == "sv" else ","
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))
    else:
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert line in ";".join(str(cell) for cell in rows[1])


@pytest.mark.parametrize(("language", "month"), [("fi", "3/2026"), ("sv", "3/2026"), ("en", "Mar 2026")])
def test_a_failed_runs_month_is_stored_as_machines_read_it_and_worded_in_the_readers_style(
    client_as, sample_source, file_root, settings, marked_translations, language, month
):
    (file_root / "samples" / "palvelussuhteet_202603.xlsx").unlink()
    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    response = run_page(client_as, settings, run, language)

    assert (run.error_code, run.error_params["month"]) == ("file_missing", "2026-03")
    assert f"[{language}] No file of [{language}] employments for {month} in " in response.text
