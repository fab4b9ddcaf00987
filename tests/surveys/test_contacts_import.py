"""contacts_import: encrypted contacts, dedupe, do-not-call filtering, counts, and nothing half-written."""

import string

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.errors import SurveyError
from surveys.models import CampaignStatus, Contact, ContactImport, DoNotCall
from surveys.phone_numbers import phone_decrypt, phone_hash
from surveys.services.contacts import MAX_PROBLEMS_KEPT, contacts_import
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


def run_import(campaign, text: str | bytes, *, by=None, filename: str = "numerot.csv") -> ContactImport:
    data = text.encode() if isinstance(text, str) else text
    return contacts_import(campaign=campaign, data=data, filename=filename, by=by)


def test_valid_rows_become_encrypted_contacts_and_the_rest_is_reported(campaign, survey_manager):
    report = run_import(campaign, SAMPLE, by=survey_manager)

    assert (report.rows_read, report.imported, report.duplicates, report.invalid, report.opted_out) == (6, 2, 1, 3, 0)
    assert report.imported_by == survey_manager
    assert report.filename == "numerot.csv"
    assert [problem["row"] for problem in report.problems] == [5, 6, 7]
    assert [problem["value"] for problem in report.problems] == ["040123", "", "kissa"]
    assert all(problem["reason"] for problem in report.problems)
    contacts = {phone_decrypt(contact.phone_encrypted): contact for contact in campaign.contacts.all()}
    assert set(contacts) == {"+358401234567", "+358507654321"}
    assert contacts["+358401234567"].phone_hash == phone_hash("+358401234567")
    assert (contacts["+358401234567"].birth_year, contacts["+358401234567"].postal_code) == (1980, "01900")
    assert contacts["+358507654321"].language == "sv"


def test_the_number_is_not_stored_in_clear(campaign):
    run_import(campaign, SAMPLE)

    contact = Contact.objects.get(phone_hash=phone_hash("+358401234567"))
    assert b"+358401234567" not in bytes(contact.phone_encrypted)
    assert "401234567" not in contact.phone_hash


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


def test_numbers_on_the_do_not_call_registry_are_left_out(campaign):
    DoNotCall.objects.create(phone_hash=phone_hash("+358401234567"), source="web")

    report = run_import(campaign, "puhelin\n040 123 4567\n0501234567\n")

    assert (report.imported, report.opted_out) == (1, 1)
    assert not campaign.contacts.filter(phone_hash=phone_hash("+358401234567")).exists()


def test_xlsx_upload(campaign):
    report = run_import(campaign, xlsx([["Phone", "Age"], [401234567, 30], ["bad", 40]]), filename="list.xlsx")

    assert (report.rows_read, report.imported, report.invalid) == (2, 1, 1)
    assert report.problems == [{"row": 3, "value": "bad", "reason": report.problems[0]["reason"]}]


@pytest.mark.parametrize(
    "data",
    [b"", b"nimi\nMatti\n", bytes(range(256)), b"PK\x03\x04broken"],
    ids=["empty", "no-phone-column", "binary", "broken-xlsx"],
)
def test_unusable_file_writes_nothing(campaign, data):
    with pytest.raises(SurveyError):
        run_import(campaign, data)

    assert ContactImport.objects.count() == 0
    assert Contact.objects.count() == 0


@override_settings(CONTACT_FILE_MAX_BYTES=64)
def test_file_over_the_size_limit_writes_nothing(campaign):
    with pytest.raises(SurveyError, match="at most 64 bytes"):
        run_import(campaign, "puhelin\n" + "0401234567\n" * 10)

    assert ContactImport.objects.count() == 0


@pytest.mark.parametrize("status", [CampaignStatus.RUNNING, CampaignStatus.COMPLETED, CampaignStatus.CANCELLED])
def test_only_draft_ready_or_paused_campaigns_take_contacts(make_campaign, status):
    campaign = make_campaign(status=status)

    with pytest.raises(SurveyError, match="draft, ready or paused"):
        run_import(campaign, "puhelin\n0401234567\n")

    assert Contact.objects.count() == 0


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.READY, CampaignStatus.PAUSED])
def test_importable_statuses(make_campaign, status):
    assert run_import(make_campaign(status=status), "puhelin\n0401234567\n").imported == 1


@override_settings(CONTACT_FILE_MAX_BYTES=10_000_000)
def test_problem_list_is_capped_but_the_count_is_not(campaign):
    bad_rows = MAX_PROBLEMS_KEPT + 50

    report = run_import(campaign, "puhelin\n" + "123\n" * bad_rows)

    assert report.invalid == bad_rows
    assert len(report.problems) == MAX_PROBLEMS_KEPT


def test_a_large_file_in_one_go(campaign):
    numbers = [f"040{index:07d}" for index in range(3000)]

    report = run_import(campaign, "puhelin\n" + "\n".join(numbers + numbers[:10]) + "\n")

    assert (report.rows_read, report.imported, report.duplicates) == (3010, 3000, 10)


# Property tests: whatever the file, the importer either refuses it whole (SurveyError, nothing
# written) or imports it with counts that add up to the rows it read.

HEADERS = ["puhelin", "Puhelinnumero", "telefon", "phone", "ikä", "syntymävuosi", "postinumero", "kieli", "nimi", ""]
CELLS = st.one_of(
    st.sampled_from(["040 123 4567", "0401234567", "+358501234567", "018 12345", "=1+1", "@SUM(A1)", "-", "1980", ""]),
    st.from_regex(r"\+?[0-9 ()-]{0,16}", fullmatch=True),
    st.text(alphabet=string.printable + "äöåÄÖÅ€\u00a0\u2013", max_size=20),
)
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
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
        report = contacts_import(campaign=campaign, data=data, filename="x.csv", by=None)
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
@given(text=csv_texts(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_random_csv_files_import_with_counts_that_add_up(campaign, text, encoding):
    assert_import_is_all_or_nothing(campaign, text.encode(encoding, errors="replace"))


@PROPERTY_SETTINGS
@given(rows=st.lists(st.lists(st.one_of(CELLS, st.integers(), st.floats(allow_nan=False), st.none()), max_size=4)))
def test_random_xlsx_files_import_with_counts_that_add_up(campaign, rows):
    safe_rows = [[cell if not isinstance(cell, str) or cell.isprintable() else "" for cell in row] for row in rows]
    assert_import_is_all_or_nothing(campaign, xlsx([["puhelin", "ikä"], *safe_rows]))
