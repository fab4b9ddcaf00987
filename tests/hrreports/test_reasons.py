"""Why a row was rejected is stored as a reason code with its parameters and worded in the reader's
language when shown: on the run page, in the preview, in the downloads."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

import kuntaportaali.tabular.problems as problems
from hrreports.services.fetch import populus_fetch
from kuntaportaali.roles import Role
from kuntaportaali.tabular.problems import problem_codes
from tests.hrreports.conftest import SAMPLE_PERIOD

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
