"""The contact list pages: who may open them, upload, the import report and its invalid rows."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.models import CampaignStatus, Contact, ContactImport, ContactImportStatus
from surveys.services.contacts import contact_import_run, contacts_import

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "contacts-sample.csv"
BAD_FILE = "puhelin;ikä\n040 123 4567;30\n040 12;40\n=cmd|' /C calc'!A0;50\n050 123 4567;60\n044 123 4567;70\n"


def contacts_url(campaign) -> str:
    return reverse("surveys:campaign-contacts", kwargs={"slug": campaign.slug})


@pytest.mark.parametrize("role", list(Role))
def test_only_survey_managers_and_admins_open_the_contacts_pages(client_as, campaign, role):
    report = contacts_import(campaign=campaign, file=b"puhelin\n0401234567\n12\n", filename="x.csv", by=None)
    client = client_as(role)
    allowed = role in (Role.ADMIN, Role.SURVEY_MANAGER)
    urls = [
        contacts_url(campaign),
        reverse("surveys:contact-import", kwargs={"slug": campaign.slug, "pk": report.pk}),
        reverse("surveys:contact-import-problems", kwargs={"slug": campaign.slug, "pk": report.pk}),
        reverse("surveys:contact-import-status", kwargs={"slug": campaign.slug, "pk": report.pk}),
    ]

    assert [client.get(url).status_code for url in urls] == [200 if allowed else 403] * 4
    assert client.post(import_url(report), {"columns": ["0"]}).status_code == (200 if allowed else 403)


def test_anonymous_visitor_is_sent_to_login(client, campaign):
    response = client.get(contacts_url(campaign))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def import_url(report, name: str = "surveys:contact-import") -> str:
    return reverse(name, kwargs={"slug": report.campaign.slug, "pk": report.pk})


def test_an_upload_is_imported_by_a_worker_while_its_page_shows_the_progress(client_as, campaign, rq_queues):
    client = client_as(Role.SURVEY_MANAGER)

    response = client.post(contacts_url(campaign), {"file": SimpleUploadedFile("lista.csv", BAD_FILE.encode())})

    report = ContactImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == import_url(report)
    waiting = client.get(response["Location"])
    assert "<progress" in waiting.text
    assert "Odottaa työjonoa" in waiting.text
    assert client.get(import_url(report, "surveys:contact-import-status")).json() == {
        "status": "pending",
        "status_label": "Odottaa työjonoa",
        "rows_done": 0,
        "progress": None,
        "finished": False,
    }

    contact_import_run(import_id=report.pk)

    page = client.get(response["Location"])
    assert [row.record["row"] for row in page.context["problems"].rows] == [3, 4]
    assert "040 12" in page.text
    assert "Numeroa ei ole olemassa numerointisuunnitelmassa." in page.text
    assert "<caption>" in page.text
    assert client.get(import_url(report, "surveys:contact-import-status")).json()["finished"] is True
    assert ContactImport.objects.get().imported_by.username == "user-survey_manager"


def test_a_running_import_shows_how_many_rows_its_worker_has_read(client_as, campaign, rq_queues):
    client = client_as(Role.SURVEY_MANAGER)
    text = "puhelin\n" + "".join(f"040 123 {index:04d}\n" for index in range(40))
    client.post(contacts_url(campaign), {"file": SimpleUploadedFile("lista.csv", text.encode())})
    report = ContactImport.objects.get()
    contact_import_run(import_id=report.pk)  # the worker tells its progress as it goes; the last word stays
    ContactImport.objects.filter(pk=report.pk).update(status=ContactImportStatus.RUNNING)

    status = client.get(import_url(report, "surveys:contact-import-status")).json()
    page = client.get(import_url(report))

    assert (status["rows_done"], status["progress"], status["finished"]) == (40, 97, False)
    assert 'value="97"' in page.text
    assert "40 riviä luettu" in page.text


def test_phone_columns_the_file_does_not_name_plainly_are_chosen_on_the_import_page(client_as, campaign, rq_queues):
    client = client_as(Role.SURVEY_MANAGER)
    text = "Nimi;Puhelin;Numero\nAnna;040 123 4567;050 765 4321\nPekka;040 111 2222;\n"
    client.post(contacts_url(campaign), {"file": SimpleUploadedFile("lista.csv", text.encode())})
    report = ContactImport.objects.get()

    page = client.get(import_url(report))

    assert report.status == ContactImportStatus.CHOOSING
    assert 'type="checkbox"' in page.text
    assert "2. Puhelin (040 ••• ••67, 040 ••• ••22)" in page.text
    assert "3. Numero (050 ••• ••21)" in page.text

    response = client.post(import_url(report), {"columns": ["1", "2"]})

    assert response.status_code == 302
    contact_import_run(import_id=report.pk)
    report.refresh_from_db()
    assert (report.status, report.imported, report.numbers) == (ContactImportStatus.DONE, 2, 3)


def test_the_import_page_reads_in_swedish(client_as, campaign, rq_queues, settings):
    client = client_as(Role.SURVEY_MANAGER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    client.post(contacts_url(campaign), {"file": SimpleUploadedFile("lista.csv", BAD_FILE.encode())})
    report = ContactImport.objects.get()
    contact_import_run(import_id=report.pk)

    page = client.get(import_url(report))

    assert 'lang="sv"' in page.text
    assert "Importerade kontakter" in page.text
    assert "Cellen innehåller en formel, inte ett telefonnummer." in page.text


def test_an_import_refused_in_the_worker_shows_why(client_as, campaign, rq_queues):
    client = client_as(Role.SURVEY_MANAGER)
    client.post(contacts_url(campaign), {"file": SimpleUploadedFile("lista.csv", b"puhelin\n0401234567\n")})
    report = ContactImport.objects.get()
    campaign.status = CampaignStatus.RUNNING
    campaign.save()
    contact_import_run(import_id=report.pk)

    page = client.get(import_url(report))

    assert "Kampanja käynnistettiin tai päätettiin tiedoston tuonnin aikana: mitään ei tuotu." in page.text


def test_unusable_file_is_refused_on_the_form_with_the_reason(client_as, campaign):
    response = client_as(Role.SURVEY_MANAGER).post(
        contacts_url(campaign), {"file": SimpleUploadedFile("lista.csv", b"nimi\nMatti\n")}
    )

    assert response.status_code == 200
    assert "Yksikään sarake ei sisällä puhelinnumeroita." in response.text
    assert not ContactImport.objects.exists()


def test_a_file_wider_than_a_spreadsheet_is_refused_on_the_form_with_the_reason(client_as, campaign):
    # A small file of separators is millions of columns: working out their layout took a minute and a
    # gigabyte for each 8 MB, in the request. No spreadsheet holds more than Excel's 16 384 columns.
    wide = ("puhelin;" + "x;" * 20_000 + "\n" + "040 123 4567;" + "a;" * 20_000 + "\n").encode()

    response = client_as(Role.SURVEY_MANAGER).post(
        contacts_url(campaign), {"file": SimpleUploadedFile("lista.csv", wide)}
    )

    assert response.status_code == 200
    assert "Tiedoston rivillä 1 on yli 16 384 saraketta." in response.text
    assert not ContactImport.objects.exists()


def test_missing_file_is_a_form_error(client_as, campaign):
    response = client_as(Role.SURVEY_MANAGER).post(contacts_url(campaign), {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_a_finished_campaign_offers_no_upload(client_as, make_campaign):
    campaign = make_campaign(status=CampaignStatus.COMPLETED)
    client = client_as(Role.SURVEY_MANAGER)

    page = client.get(contacts_url(campaign))
    refused = client.post(contacts_url(campaign), {"file": SimpleUploadedFile("x.csv", b"puhelin\n0401234567\n")})

    assert 'type="file"' not in page.text
    assert "numeroita voi lisätä vain luonnos-, valmis- tai keskeytettyyn kampanjaan" in refused.text
    assert not Contact.objects.exists()


def test_previous_imports_are_listed(client_as, campaign):
    contacts_import(campaign=campaign, file=b"puhelin\n0401234567\n", filename="ensimmainen.csv", by=None)

    page = client_as(Role.SURVEY_MANAGER).get(contacts_url(campaign))

    assert "ensimmainen.csv" in page.text
    assert page.context["contact_count"] == 1


def test_invalid_rows_download_escapes_formulas(client_as, campaign):
    report = contacts_import(campaign=campaign, file=BAD_FILE.encode(), filename="x.csv", by=None)

    response = client_as(Role.SURVEY_MANAGER).get(
        reverse("surveys:contact-import-problems", kwargs={"slug": campaign.slug, "pk": report.pk})
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[:3] for row in rows[1:]] == [["3", "puhelin", "040 12"], ["4", "puhelin", "'=cmd|' /C calc'!A0"]]


def test_the_sample_files_import_with_their_bad_rows_reported(campaign):
    csv_report = contacts_import(campaign=campaign, file=SAMPLE, filename=SAMPLE.name, by=None)
    xlsx = SAMPLE.with_suffix(".xlsx")
    xlsx_report = contacts_import(campaign=campaign, file=xlsx, filename=xlsx.name, by=None)

    assert (csv_report.rows_read, csv_report.imported, csv_report.duplicates, csv_report.invalid) == (61, 56, 1, 4)
    assert (xlsx_report.rows_read, xlsx_report.duplicates, xlsx_report.invalid) == (61, 57, 4)
    assert xlsx.stat().st_size < 20_000
