"""Importing contact files: contacts with their encrypted numbers, dedupe, the do-not-call registry,
counts that add up, uploads imported in the background - and nothing half-written, ever."""

import io
import string

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.contact_files import ContactFileRejected
from surveys.errors import SurveyError
from surveys.models import (
    CampaignStatus,
    Contact,
    ContactImport,
    ContactImportChunk,
    ContactImportStatus,
    ContactNumber,
    DoNotCall,
)
from surveys.phone_numbers import phone_decrypt, phone_hash
from surveys.services import contacts
from surveys.services.contact_store import MAX_PROBLEMS_KEPT
from surveys.services.contacts import (
    contact_import_choose_columns,
    contact_import_run,
    contact_import_upload,
    contact_imports_expire,
    contacts_import,
)
from tests.surveys.test_contact_files import xlsx

pytestmark = pytest.mark.usefixtures("english")

SAMPLE = """puhelinnumero;syntymävuosi;postinumero;kieli
040 123 4567;1980;01900;fi
+358 50 765 4321;;01900;sv
0401234567;1990;;fi
040123;1970;;fi
;1960;01900;fi
kissa;1950;;fi
"""


def run_import(campaign, text: str | bytes, *, by=None, filename: str = "numerot.csv", **options) -> ContactImport:
    data = text.encode() if isinstance(text, str) else text
    return contacts_import(campaign=campaign, file=data, filename=filename, by=by, **options)


def numbers_of(campaign) -> dict[str, Contact]:
    return {
        phone_decrypt(number.phone_encrypted): number.contact
        for number in ContactNumber.objects.filter(campaign=campaign).select_related("contact")
    }


def test_valid_rows_become_contacts_with_encrypted_numbers_and_the_rest_is_reported(campaign, survey_manager):
    report = run_import(campaign, SAMPLE, by=survey_manager)

    assert (report.rows_read, report.imported, report.duplicates, report.invalid, report.opted_out) == (6, 2, 1, 3, 0)
    assert (report.status, report.numbers, report.imported_by) == (ContactImportStatus.DONE, 2, survey_manager)
    assert [(problem["row"], problem["column"], problem["value"], problem["code"]) for problem in report.problems] == [
        (5, "puhelinnumero", "040123", "phone_not_in_plan"),
        (6, "puhelinnumero", "", "phone_empty"),
        (7, "puhelinnumero", "kissa", "phone_letters"),
    ]
    contacts = numbers_of(campaign)
    assert set(contacts) == {"+358401234567", "+358507654321"}
    assert (contacts["+358401234567"].birth_year, contacts["+358401234567"].postal_code) == (1980, "01900")
    assert contacts["+358507654321"].language == "sv"
    assert all(contact.source_import == report for contact in contacts.values())


def test_people_whose_language_the_survey_is_not_in_are_imported_and_counted(campaign):
    DoNotCall.objects.create(phone_hash=phone_hash("+358501234567"), source="web")

    report = run_import(campaign, "puhelin;kieli\n0401234567;ru\n0501234567;venäjä\n0441234567;sv\n")

    assert (report.imported, report.opted_out, report.languages_defaulted) == (2, 1, 1)
    assert sorted(Contact.objects.values_list("language", flat=True)) == ["fi", "sv"]


def test_an_import_keeps_no_cell_of_the_file_in_its_layout(campaign):
    report = run_import(campaign, "Nimi;Puhelin\nAnna Virtanen;040 123 4567\n")

    assert all(column["examples"] == [] for column in report.layout["columns"])
    assert "Anna Virtanen" not in str(report.layout)


def test_the_number_is_not_stored_in_clear(campaign):
    run_import(campaign, SAMPLE)

    number = ContactNumber.objects.get(phone_hash=phone_hash("+358401234567"))
    assert b"+358401234567" not in bytes(number.phone_encrypted)
    assert "401234567" not in number.phone_hash


def test_a_person_with_two_numbers_is_one_contact_with_both_in_calling_order(campaign):
    report = run_import(campaign, "Matkapuhelin;Kotipuhelin\n040 123 4567;09 123 4567\n050 765 4321;\n")

    assert (report.imported, report.numbers) == (2, 3)
    first = ContactNumber.objects.get(phone_hash=phone_hash("+358401234567")).contact
    assert [phone_decrypt(number.phone_encrypted) for number in first.numbers.order_by("position")] == [
        "+358401234567",
        "+35891234567",
    ]


def test_a_row_sharing_a_number_with_an_earlier_row_is_a_duplicate(campaign):
    report = run_import(campaign, "Puhelin 1;Puhelin 2\n040 123 4567;\n050 765 4321;040 123 4567\n")

    assert (report.imported, report.duplicates) == (1, 1)


def test_numbers_spreadsheets_mangled_are_stored_as_meant(campaign):
    run_import(campaign, "puhelin;postinumero\n4.01234567E8;23500.0\n401234575.0;00100\n")
    run_import(campaign, xlsx([["Puhelin"], [401234576.0]]), filename="numerot.xlsx")

    contacts = numbers_of(campaign)
    assert set(contacts) == {"+358401234567", "+358401234575", "+358401234576"}
    assert contacts["+358401234567"].postal_code == "23500"


def test_formulas_and_numbers_no_resident_answers_are_never_stored(campaign):
    text = 'puhelin\n=HYPERLINK("http://x/1433799")\n0600 12345\n0700 12345\n0800 12345\n0100 123\n020 123 4567\n'

    report = run_import(campaign, text + "040 123 4567\n")

    assert (report.imported, report.invalid) == (1, 6)
    assert set(numbers_of(campaign)) == {"+358401234567"}


def test_age_becomes_a_birth_year(campaign):
    run_import(campaign, "puhelin;ikä\n0401234567;40\n")

    assert Contact.objects.get().birth_year == timezone.localdate().year - 40


def test_numbers_already_in_the_campaign_are_duplicates(campaign):
    run_import(campaign, "puhelin\n0401234567\n")

    report = run_import(campaign, "puhelin\n+358 40 123 4567\n0501234567\n")

    assert (report.imported, report.duplicates) == (1, 1)
    assert campaign.contacts.count() == 2


def test_the_same_number_may_be_in_two_campaigns(make_campaign):
    first, second = make_campaign("syksy"), make_campaign("kevat")

    run_import(first, "puhelin\n0401234567\n")
    report = run_import(second, "puhelin\n0401234567\n")

    assert report.imported == 1


def test_a_person_with_a_number_on_the_do_not_call_registry_is_left_out(campaign):
    DoNotCall.objects.create(phone_hash=phone_hash("+358401234567"), source="web")

    report = run_import(campaign, "puhelin;matkapuhelin\n09 123 4567;040 123 4567\n0501234567;\n")

    assert (report.imported, report.numbers, report.opted_out) == (1, 1, 1)
    assert set(numbers_of(campaign)) == {"+358501234567"}


def test_xlsx_upload(campaign):
    report = run_import(campaign, xlsx([["Phone", "Age"], [401234567, 30], ["bad", 40]]), filename="list.xlsx")

    assert (report.rows_read, report.imported, report.invalid) == (2, 1, 1)
    assert report.problems == [{"row": 3, "column": "Phone", "value": "bad", "code": "phone_letters", "params": {}}]


def test_a_workbook_whose_formulas_a_program_left_uncalculated_is_refused_not_read_as_empty(campaign):
    """A broker's script that filled the postal codes with =TEXT(...) through openpyxl leaves no results: each
    postal code would be stored as not given."""
    data = xlsx([["Puhelin", "Postinumero"], ["040 123 4567", '=TEXT(100,"00000")']])

    with pytest.raises(ContactFileRejected) as error:
        run_import(campaign, data, filename="list.xlsx")

    assert error.value.problem.code == "file_xlsx_formulas_not_calculated"
    assert (ContactImport.objects.count(), Contact.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    "data",
    [b"", b"puhelin\n", b"puhelin;ika\n", b"nimi\nMatti\n", bytes(range(256)), b"PK\x03\x04broken"],
    ids=["empty", "header-only", "header-only-two-columns", "no-phone-column", "binary", "broken-xlsx"],
)
def test_unusable_file_writes_nothing(campaign, data):
    with pytest.raises(SurveyError):
        run_import(campaign, data)

    assert ContactImport.objects.count() == 0
    assert Contact.objects.count() == 0


def test_a_file_that_does_not_say_its_phone_columns_is_refused_until_they_are_named(campaign):
    text = "a;b\n040 123 4567;050 765 4321\n"

    with pytest.raises(ContactFileRejected) as error:
        run_import(campaign, text)

    assert str(error.value) == (
        "The file does not say plainly which columns hold the phone numbers: choose them (columns that look like "
        "phone numbers: 1 (a), 2 (b))."
    )
    assert run_import(campaign, text, phone_columns=[1]).imported == 1
    assert set(numbers_of(campaign)) == {"+358507654321"}


@override_settings(CONTACT_FILE_MAX_ROWS=5)
def test_a_file_with_more_rows_than_allowed_writes_nothing(campaign):
    with pytest.raises(SurveyError, match="more than 5 rows"):
        run_import(campaign, "puhelin\n" + "".join(f"040123456{digit}\n" for digit in range(9)))

    assert Contact.objects.count() == 0


@pytest.mark.parametrize("status", [CampaignStatus.RUNNING, CampaignStatus.COMPLETED, CampaignStatus.CANCELLED])
def test_only_draft_ready_or_paused_campaigns_take_contacts(make_campaign, status):
    campaign = make_campaign(status=status)

    with pytest.raises(SurveyError, match="draft, ready or paused"):
        run_import(campaign, "puhelin\n0401234567\n")

    assert Contact.objects.count() == 0


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.READY, CampaignStatus.PAUSED])
def test_importable_statuses(make_campaign, status):
    assert run_import(make_campaign(status=status), "puhelin\n0401234567\n").imported == 1


def test_problem_list_is_capped_but_the_count_is_not(campaign):
    bad_rows = MAX_PROBLEMS_KEPT + 50

    # Premium-rate numbers: the column still holds phone numbers, none of them one to call.
    report = run_import(campaign, "puhelin\n0401234567\n" + "0600 12345\n" * bad_rows)

    assert report.invalid == bad_rows
    assert len(report.problems) == MAX_PROBLEMS_KEPT


def test_a_large_file_in_one_go(campaign):
    numbers = [f"040{index:07d}" for index in range(12_000)]

    report = run_import(campaign, "puhelin\n" + "\n".join(numbers + numbers[:10]) + "\n")

    assert (report.rows_read, report.imported, report.duplicates) == (12_010, 12_000, 10)
    assert ContactNumber.objects.filter(campaign=campaign).count() == 12_000


# --- Uploads imported by a worker ---------------------------------------------------------------


def upload(campaign, text: str | bytes, by=None) -> ContactImport:
    data = text.encode() if isinstance(text, str) else text
    return contact_import_upload(campaign=campaign, file=io.BytesIO(data), filename="numerot.csv", by=by)


def test_an_upload_is_kept_encrypted_until_a_worker_imports_it(
    campaign, rq_queues, survey_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = upload(campaign, SAMPLE, by=survey_manager)

    assert report.status == ContactImportStatus.PENDING
    assert Contact.objects.count() == 0
    assert b"040 123 4567" not in b"".join(bytes(chunk.data) for chunk in report.file_chunks.all())
    assert rq_queues["imports"].job_ids == [f"contact-import-{report.pk}"]

    finished = contact_import_run(import_id=report.pk)

    assert (finished.status, finished.imported, finished.invalid) == (ContactImportStatus.DONE, 2, 3)
    assert ContactImportChunk.objects.count() == 0
    assert contact_import_run(import_id=report.pk).imported == 2
    assert Contact.objects.count() == 2


def test_a_file_that_cannot_be_imported_is_refused_at_upload_and_nothing_is_kept(campaign, rq_queues):
    with pytest.raises(ContactFileRejected, match="header row but no data rows"):
        upload(campaign, "puhelin;ikä\n")

    assert (ContactImport.objects.count(), ContactImportChunk.objects.count()) == (0, 0)
    assert rq_queues["imports"].job_ids == []


@override_settings(CONTACT_FILE_MAX_BYTES=64)
def test_an_upload_over_the_size_limit_is_refused_before_it_is_read_and_nothing_is_kept(campaign, rq_queues):
    with pytest.raises(ContactFileRejected, match="at most 64 bytes"):
        upload(campaign, "puhelin\n" + "0401234567\n" * 10)

    assert (ContactImport.objects.count(), ContactImportChunk.objects.count()) == (0, 0)


def test_an_upload_whose_phone_columns_are_unclear_waits_for_them_to_be_chosen(
    campaign, rq_queues, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = upload(campaign, "Puhelin;Numero\n040 123 4567;050 765 4321\n")

    assert report.status == ContactImportStatus.CHOOSING
    assert rq_queues["imports"].job_ids == []
    assert contact_import_run(import_id=report.pk).status == ContactImportStatus.CHOOSING

    with django_capture_on_commit_callbacks(execute=True):
        contact_import_choose_columns(contact_import=report, phone_columns=[0, 1])
    assert rq_queues["imports"].job_ids == [f"contact-import-{report.pk}"]
    finished = contact_import_run(import_id=report.pk)

    assert (finished.imported, finished.numbers) == (1, 2)
    with pytest.raises(SurveyError, match="chosen already"):
        contact_import_choose_columns(contact_import=report, phone_columns=[1])


def test_an_import_that_fails_in_the_worker_stores_nothing_and_says_why(campaign, rq_queues):
    report = upload(campaign, "puhelin\n0401234567\n0501234567\n")
    campaign.status = CampaignStatus.RUNNING
    campaign.save()

    finished = contact_import_run(import_id=report.pk)

    assert finished.status == ContactImportStatus.FAILED
    assert finished.error == {"code": "contacts_campaign_closed", "params": {}}
    assert (Contact.objects.count(), ContactImportChunk.objects.count(), finished.imported) == (0, 0, 0)


def test_a_reason_quoting_the_file_is_stored_with_numbers_masked(campaign, rq_queues, monkeypatch):
    report = upload(campaign, "puhelin\n0401234567\n")

    def broken(*args, **kwargs):
        raise ContactFileRejected.of("file_csv_broken", line=2, detail="unexpected text after 040 123 4567")

    monkeypatch.setattr(contacts, "contacts_store", broken)
    finished = contact_import_run(import_id=report.pk)

    assert finished.error == {
        "code": "file_csv_broken",
        "params": {"line": 2, "detail": "unexpected text after +35840*****67"},
    }


def test_uploads_left_waiting_are_deleted_after_a_day(campaign, rq_queues):
    waiting = upload(campaign, "Puhelin;Numero\n040 123 4567;050 765 4321\n")
    ContactImport.objects.filter(pk=waiting.pk).update(imported_at=timezone.now() - timezone.timedelta(days=2))
    fresh = upload(campaign, "Puhelin;Numero\n040 123 4567;050 765 4321\n")

    assert contact_imports_expire(now=timezone.now()) == 1

    waiting.refresh_from_db()
    assert (waiting.status, waiting.error["code"]) == (ContactImportStatus.FAILED, "contacts_file_expired")
    assert not waiting.file_chunks.exists()
    assert all(column["examples"] == [] for column in waiting.layout["columns"])
    assert fresh.file_chunks.exists()


def test_an_import_whose_worker_died_is_ended_as_failed_once_no_job_can_still_run(campaign, rq_queues):
    report = upload(campaign, "puhelin\n0401234567\n")
    started = timezone.now() - timezone.timedelta(hours=3)
    ContactImport.objects.filter(pk=report.pk).update(status=ContactImportStatus.RUNNING, started_at=started)
    recent = upload(campaign, "puhelin\n0501234567\n")
    ContactImport.objects.filter(pk=recent.pk).update(status=ContactImportStatus.RUNNING, started_at=timezone.now())

    assert contact_imports_expire(now=timezone.now()) == 1

    report.refresh_from_db()
    assert (report.status, report.error_message) == (
        ContactImportStatus.FAILED,
        "The import stopped on an unexpected error; nothing was imported. Try again.",
    )
    assert not report.file_chunks.exists()
    assert ContactImport.objects.get(pk=recent.pk).status == ContactImportStatus.RUNNING


# Property tests: whatever the file, the importer either refuses it whole (SurveyError, nothing
# written) or imports it with counts that add up to the rows it read.

HEADERS = ["puhelin", "Puhelinnumero", "telefon", "phone", "ikä", "syntymävuosi", "postinumero", "kieli", "nimi", ""]
CELLS = st.one_of(
    st.sampled_from(
        ["040 123 4567", "0401234567", "+358501234567", "018 12345", "=1+1", "@SUM(A1)", "-", "1980", "", "0600 1234"]
    ),
    st.from_regex(r"\+?[0-9 ()-]{0,16}", fullmatch=True),
    st.text(alphabet=string.printable + "äöåÄÖÅ€\u00a0\u2013", max_size=20),
)
PROPERTY_SETTINGS = settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@st.composite
def csv_texts(draw) -> str:
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    width = draw(st.integers(min_value=1, max_value=5))
    header = [draw(st.sampled_from(HEADERS)) for _column in range(width)]
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=width + 1), max_size=25))
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return "\n".join(lines)


def assert_import_is_all_or_nothing(campaign, data: bytes) -> None:
    contacts_before = Contact.objects.count()
    imports_before = ContactImport.objects.count()
    try:
        report = contacts_import(campaign=campaign, file=data, filename="x.csv", by=None, phone_columns=None)
    except SurveyError as error:
        assert str(error)
        assert Contact.objects.count() == contacts_before
        assert ContactImport.objects.count() == imports_before
        return
    assert report.rows_read == report.imported + report.duplicates + report.invalid + report.opted_out
    assert Contact.objects.count() == contacts_before + report.imported
    assert len(report.problems) == min(report.invalid, MAX_PROBLEMS_KEPT)


@PROPERTY_SETTINGS
@given(data=st.binary(max_size=2_000))
def test_random_bytes_never_crash_the_importer(campaign, data):
    assert_import_is_all_or_nothing(campaign, data)


@PROPERTY_SETTINGS
@given(text=csv_texts(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_random_csv_files_import_with_counts_that_add_up(campaign, text, encoding):
    assert_import_is_all_or_nothing(campaign, text.encode(encoding, errors="replace"))


@PROPERTY_SETTINGS
@given(rows=st.lists(st.lists(st.one_of(CELLS, st.integers(), st.floats(allow_nan=False), st.none()), max_size=4)))
def test_random_xlsx_files_import_with_counts_that_add_up(campaign, rows):
    safe_rows = [[cell if not isinstance(cell, str) or cell.isprintable() else "" for cell in row] for row in rows]
    assert_import_is_all_or_nothing(campaign, xlsx([["puhelin", "ikä"], *safe_rows]))
