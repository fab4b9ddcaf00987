"""`manage.py survey_report`: writes the PDF or XLSX report of a campaign and names the file."""

import io

import openpyxl
import pypdf
import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from kuntaportaali.roles import Role
from tests.surveys.results_factory import small_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(role_users):
    return small_campaign(role_users[Role.SURVEY_MANAGER])


def run(*args) -> str:
    out = io.StringIO()
    call_command("survey_report", *args, stdout=out)
    return out.getvalue()


def test_writes_the_pdf_in_the_chosen_language(campaign, tmp_path):
    path = tmp_path / "raportti.pdf"

    output = run("--campaign", "pieni", "--format", "pdf", "--output", str(path), "--language", "sv")

    data = path.read_bytes()
    assert output.strip().splitlines()[-1] == (f"campaign=pieni format=pdf language=sv file={path} bytes={len(data)}")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Motionerar du varje vecka?" in text


def test_writes_the_workbook(campaign, tmp_path):
    path = tmp_path / "raportti.xlsx"

    output = run("--campaign", "pieni", "--format", "xlsx", "--output", str(path))

    assert output.endswith(f"bytes={path.stat().st_size}\n")
    questions = openpyxl.load_workbook(path)["Kysymykset"]
    assert questions.max_row == 11  # the header and the options of the age, yes/no and scale questions


def test_unknown_campaign_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No campaign called 'ei-ole'"):
        run("--campaign", "ei-ole", "--format", "pdf", "--output", str(tmp_path / "x.pdf"))


def test_missing_folder_is_a_clear_error(campaign, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run("--campaign", "pieni", "--format", "pdf", "--output", str(tmp_path / "puuttuu" / "x.pdf"))


def test_unknown_slug_exits_with_status_1(db, tmp_path, capsys):
    argv = ["manage.py", "survey_report", "--campaign", "ei-ole", "--format", "xlsx", "--output", str(tmp_path / "x")]

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(argv)

    assert exit_info.value.code == 1
    assert "No campaign called 'ei-ole'" in capsys.readouterr().err
