"""`manage.py import_contacts --campaign SLUG FILE`: its last line and its exit codes."""

import io

import pytest
from django.core.management import call_command

from surveys.models import Contact, ContactImport, DoNotCall
from surveys.phone_numbers import phone_hash

pytestmark = pytest.mark.usefixtures("english")


def run(*args) -> tuple[int, list[str], str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("import_contacts", *args, stdout=stdout, stderr=stderr)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, stdout.getvalue().splitlines(), stderr.getvalue()


def test_summary_is_the_last_line_and_exit_code_is_0(campaign, tmp_path):
    DoNotCall.objects.create(phone_hash=phone_hash("+358441112233"), source="web")
    path = tmp_path / "numerot.csv"
    path.write_text("puhelin;ikä\n0401234567;30\n040 123 4567;31\n0441112233;40\n12;50\n0501234567;60\n")

    code, lines, _stderr = run("--campaign", campaign.slug, str(path))

    assert code == 0
    assert lines[-1] == "imported=2 duplicates=1 invalid=1 opted_out=1"
    assert lines[0] == "row 5 (puhelin): '12': The number does not exist in the numbering plan."
    assert ContactImport.objects.get().filename == "numerot.csv"


def test_import_by_a_named_user(campaign, survey_manager, tmp_path):
    path = tmp_path / "numerot.csv"
    path.write_text("phone\n0401234567\n")

    code, lines, _stderr = run("--campaign", campaign.slug, "--user", survey_manager.username, str(path))

    assert (code, lines[-1]) == (0, "imported=1 duplicates=0 invalid=0 opted_out=0")
    assert ContactImport.objects.get().imported_by == survey_manager


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"nimi\nMatti\n", "No column holds phone numbers"),
        (bytes(range(256)) * 4, "neither UTF-8, UTF-16 nor Windows-1252"),
        (b"", "empty"),
        (b"puhelin;ika\n", "a header row but no data rows"),
    ],
)
def test_file_rejected_whole_exits_1_with_the_reason_and_imports_nothing(campaign, tmp_path, content, reason):
    path = tmp_path / "numerot.csv"
    path.write_bytes(content)

    code, lines, stderr = run("--campaign", campaign.slug, str(path))

    assert code == 1
    assert lines[-1] == "imported=0 duplicates=0 invalid=0 opted_out=0"
    assert reason in stderr
    assert (Contact.objects.count(), ContactImport.objects.count()) == (0, 0)


def test_phone_columns_the_file_does_not_name_plainly_are_given_on_the_command_line(campaign, tmp_path):
    path = tmp_path / "numerot.csv"
    path.write_text("Puhelin;Numero\n040 123 4567;050 765 4321\n")

    code, lines, stderr = run("--campaign", campaign.slug, str(path))

    assert code == 1
    assert "columns that look like phone numbers: 1 (Puhelin), 2 (Numero)" in stderr
    assert "--phone-column" in stderr
    assert lines[-1] == "imported=0 duplicates=0 invalid=0 opted_out=0"

    code, lines, _stderr = run("--campaign", campaign.slug, "--phone-column", "1", "--phone-column", "2", str(path))

    assert (code, lines[-1]) == (0, "imported=1 duplicates=0 invalid=0 opted_out=0")
    assert Contact.objects.get().numbers.count() == 2


def test_unknown_campaign_or_missing_file_exits_1(campaign, tmp_path):
    assert run("--campaign", "no-such", str(tmp_path / "x.csv"))[0] == 1
    code, _lines, stderr = run("--campaign", campaign.slug, str(tmp_path / "missing.csv"))
    assert code == 1
    assert "Cannot read" in stderr


def test_help_is_one_line(capsys):
    from surveys.management.commands.import_contacts import Command

    assert "\n" not in Command.help
