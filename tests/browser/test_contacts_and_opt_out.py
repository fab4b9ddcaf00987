"""In a real browser: a survey manager uploads a contact file with bad rows and reads the report; a
resident opts out in Swedish. axe-core checks each page (WCAG 2.1 AA, no serious or critical violation)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from kuntaportaali.roles import Role
from surveys.models import Campaign, ContactImport, DoNotCall, Survey, SurveyVersion
from surveys.phone_numbers import phone_hash
from surveys.services.contacts import contact_import_run
from tests.browser.conftest import assert_accessible, login

CONTACT_FILE = (
    "puhelinnumero;syntymävuosi;postinumero;kieli\n"
    "040 123 4567;1980;01900;fi\n"
    "040 12;1975;01900;fi\n"
    "0501234567;1990;01940;sv\n"
    "soita illalla;1962;;fi\n"
    "+358 40 123 4567;1980;01900;fi\n"
)


@pytest.fixture
def campaign(transactional_db, create_role_user) -> Campaign:
    owner = create_role_user(Role.ADMIN)
    survey = Survey.objects.create(slug="strategia", organiser="Esimerkkilän kunta", created_by=owner)
    version = SurveyVersion.objects.create(
        survey=survey, number=1, title_fi="Kuntastrategia", purpose_fi="Mikä on sinulle tärkeää?"
    )
    return Campaign.objects.create(
        slug="strategia-2025",
        name="Kuntastrategia 2025",
        survey_version=version,
        caller_number="+358191234567",
        start_date=date(2025, 12, 8),
        end_date=date(2025, 12, 19),
        number_source="Esimerkkivälittäjä Oy",
        information_notice_fi="Tietosuojaseloste.",
        created_by=owner,
    )


def test_survey_manager_uploads_a_file_and_sees_the_bad_rows(
    page: Page, live_server, create_role_user, campaign, axe_path, tmp_path
):
    login(page, live_server, create_role_user(Role.SURVEY_MANAGER).username)
    page.goto(reverse("surveys:campaign-contacts", kwargs={"slug": campaign.slug}))
    assert_accessible(page, live_server, axe_path)
    upload = tmp_path / "numerot.csv"
    upload.write_text(CONTACT_FILE, encoding="utf-8")

    file_input = page.locator("main form input[type=file]")
    expect(file_input).to_have_attribute("id", "id_file")
    expect(page.locator("label[for=id_file]")).to_be_visible()
    file_input.set_input_files(upload)
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(f"{live_server.url}/staff/surveys/campaigns/{campaign.slug}/contacts/*/")
    expect(page.locator("main progress")).to_be_visible()
    expect(page.locator("label[for=import-progress]")).to_be_visible()
    assert_accessible(page, live_server, axe_path)

    contact_import_run(import_id=ContactImport.objects.get().pk)  # what the worker on the imports queue does

    # The page follows the import and shows its report when it has finished.
    counts = page.locator("main table").first.locator("td")
    # read, contacts, numbers, duplicates, invalid, opted out, called in Finnish
    expect(counts).to_have_text(["5", "2", "2", "1", "2", "0", "0"], timeout=20_000)
    # The keyboard is on the news that the import has finished, not back at the top of the page.
    expect(page.locator("#import-status")).to_have_text("Tuonti on valmis.")
    expect(page.locator("#import-status")).to_be_focused()
    problem_rows = page.locator("main section table tbody tr")
    expect(problem_rows).to_have_count(2)
    expect(problem_rows.nth(0).locator("td").nth(0)).to_have_text("3")
    expect(problem_rows.nth(0).locator("td").nth(2)).to_have_text("040 12")
    expect(problem_rows.nth(1).locator("td").nth(0)).to_have_text("5")
    expect(problem_rows.nth(1).locator("td").nth(2)).to_have_text("soita illalla")
    expect(problem_rows.nth(1).locator("td").nth(3)).to_have_text(
        "Solussa on kirjaimia tai muuta tekstiä puhelinnumeron lisäksi."
    )
    assert_accessible(page, live_server, axe_path)


def test_survey_manager_chooses_the_phone_columns_of_a_file_that_does_not_name_them(
    page: Page, live_server, create_role_user, campaign, axe_path, tmp_path
):
    login(page, live_server, create_role_user(Role.SURVEY_MANAGER).username)
    page.goto(reverse("surveys:campaign-contacts", kwargs={"slug": campaign.slug}))
    upload = tmp_path / "numerot.csv"
    upload.write_text("Nimi;Puhelin;Numero\nAnna;040 123 4567;050 765 4321\nPekka;040 111 2222;\n", encoding="utf-8")
    page.locator("main form input[type=file]").set_input_files(upload)
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(f"{live_server.url}/staff/surveys/campaigns/{campaign.slug}/contacts/*/")
    choices = page.get_by_role("checkbox")
    expect(choices).to_have_count(2)
    expect(page.get_by_label("2. Puhelin (040 ••• ••67, 040 ••• ••22)")).to_be_checked()
    assert_accessible(page, live_server, axe_path)
    page.get_by_label("3. Numero (050 ••• ••21)").focus()
    page.keyboard.press("Space")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("main progress")).to_be_visible()
    contact_import_run(import_id=ContactImport.objects.get().pk)
    counts = page.locator("main table").first.locator("td")
    expect(counts).to_have_text(["2", "2", "3", "0", "0", "0", "0"], timeout=20_000)

    page.goto(reverse("surveys:campaign-contacts", kwargs={"slug": campaign.slug}))
    expect(page.locator("main")).to_contain_text("numerot.csv")
    assert campaign.contacts.count() == 2


def test_resident_opts_out_in_swedish(page: Page, live_server, transactional_db, axe_path, fresh_opt_out_limit):
    with translation.override("sv"):
        form_path = reverse("surveys-public:opt-out")
        done_path = reverse("surveys-public:opt-out-done")
        field_label = gettext("Your phone number")
    assert form_path.startswith("/sv/")

    page.goto(form_path)
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert_accessible(page, live_server, axe_path)
    field = page.get_by_label(field_label)
    expect(field).to_have_attribute("autocomplete", "tel")
    expect(field).to_have_attribute("inputmode", "tel")
    field.fill("040 765 4321")
    field.press("Enter")

    page.wait_for_url(f"{live_server.url}{done_path}")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    with translation.override("sv"):
        expect(page.locator("h1")).to_have_text(gettext("Your request has been received"))
    assert_accessible(page, live_server, axe_path)
    assert list(DoNotCall.objects.values_list("phone_hash", flat=True)) == [phone_hash("+358407654321")]


def test_invalid_number_is_announced_on_the_field(page: Page, live_server, transactional_db, fresh_opt_out_limit):
    with translation.override("sv"):
        page.goto(reverse("surveys-public:opt-out"))
    page.locator("main input[name=phone]").fill("12")
    page.locator("main form button[type=submit]").click()

    field = page.locator("main input[name=phone]")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main .errorlist")).to_be_visible()
    assert not DoNotCall.objects.exists()
