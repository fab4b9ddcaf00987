"""A survey manager builds a survey and a campaign in the browser and meets the launch gate (walked
to the start in test_launch.py);
communications announces it; a resident reads the questions in Swedish. axe-core checks the pages."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kuntaportaali.roles import Role
from surveys.models import Campaign, Survey
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, login, page_width, screenshot

QUESTIONS = [
    (
        "choice",
        "Mihin ikäryhmään kuulut?",
        "Vilken åldersgrupp hör du till?",
        ("18–29\n30–64\n65+", "18–29\n30–64\n65+"),
    ),
    ("yes_no", "Liikutko viikoittain?", "Motionerar du varje vecka?", None),
    ("scale", "Kuinka tyytyväinen olet asumiseen?", "Hur nöjd är du med boendet?", None),
    ("number", "Minä vuonna olet syntynyt?", "Vilket år är du född?", None),
    ("open", "Mitä kaupungin pitäisi kehittää?", "Vad borde staden utveckla?", None),
]


def test_survey_manager_builds_a_survey_and_is_stopped_by_the_launch_gate(
    page: Page, live_server, create_role_user, axe_path
):
    manager = create_role_user(Role.SURVEY_MANAGER)
    login(page, live_server, manager.username)

    page.goto("/staff/surveys/new/")
    page.get_by_label("Lyhyt nimi").fill("asukaskysely")
    page.get_by_label("Järjestäjä (suomeksi)").fill("Esimerkkilän kaupunki")
    page.get_by_label("Järjestäjä (ruotsiksi)").fill("Exempelby stad")
    page.get_by_label("Otsikko (suomeksi)").fill("Asukaskysely 2027")
    page.get_by_label("Otsikko (ruotsiksi)").fill("Invånarenkät 2027")
    page.get_by_label("Tarkoitus (suomeksi)").fill("Kysymme, mikä kaupungissa on tärkeää.")
    page.get_by_label("Tarkoitus (ruotsiksi)").fill("Vi frågar vad som är viktigt i staden.")
    page.get_by_label("Tarjotaan ruotsiksi").check()
    page.get_by_role("button", name="Tallenna").click()
    expect(page.locator("h1")).to_have_text("Asukaskysely 2027")

    for kind, finnish, swedish, options in QUESTIONS:
        page.get_by_role("link", name="Lisää kysymys").click()
        page.get_by_label("Tyyppi").select_option(kind)
        page.get_by_label("Kysymys (suomeksi)").fill(finnish)
        page.get_by_label("Kysymys (ruotsiksi)").fill(swedish)
        if options:
            page.get_by_label("Vastausvaihtoehdot suomeksi, yksi riville").fill(options[0])
            page.get_by_label("Vastausvaihtoehdot ruotsiksi").fill(options[1])
        page.get_by_role("button", name="Tallenna", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("lisättiin")

    version = Survey.objects.get(slug="asukaskysely").current_version
    assert list(version.questions.values_list("kind", flat=True)) == [kind for kind, *_rest in QUESTIONS]
    assert_accessible(page, live_server, axe_path)

    # Reorder with the keyboard: focus the button and press Enter.
    page.get_by_role("button", name="Siirrä kysymys 2 alas").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#question-3 h3")).to_have_text("3. Liikutko viikoittain?")

    page.get_by_role("link", name="Esikatsele puhelua").click()
    expect(page.locator("section.script")).to_have_count(2)
    expect(page.locator("section.script[lang=sv]")).to_contain_text(
        "Hej, det här är ett automatiskt samtal från Exempelby stad."
    )

    start = timezone.localdate() + timedelta(days=10)
    page.goto("/staff/surveys/campaigns/new/")
    page.get_by_label("Lyhyt nimi").fill("kevat")
    page.get_by_label("Nimi (suomeksi)").fill("Kevään asukaskysely")
    page.get_by_label("Nimi (ruotsiksi)").fill("Vårens invånarenkät")
    page.get_by_label("Kyselyn versio").select_option(str(version.pk))
    page.get_by_label("Soittajan numero:", exact=True).fill("09 310 1691")
    page.get_by_label("Ensimmäinen soittopäivä").fill(start.isoformat())
    page.get_by_label("Viimeinen soittopäivä").fill((start + timedelta(days=11)).isoformat())
    page.get_by_label("Puhelinnumeroiden lähde").fill("Esimerkkivälittäjä Oy")
    page.get_by_role("button", name="Tallenna").click()
    assert page.locator(".errorlist").all_inner_texts() == []
    expect(page.locator("h1")).to_contain_text("Kevään asukaskysely")
    assert_accessible(page, live_server, axe_path)

    page.get_by_role("button", name="Merkitse valmiiksi").click()

    messages = page.locator(".messages")
    expect(messages).to_contain_text("Kysymyksiä ei ole julkaistu asukkaiden sivulla.")
    expect(messages).to_contain_text("Käynnistyksen tarkistuslistaa ei ole vahvistettu.")
    expect(page.get_by_role("link", name="Aloita soittaminen")).to_have_count(0)
    assert Campaign.objects.get(slug="kevat").status == "draft"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_survey_manager_names_a_survey_by_its_title_and_adds_a_scale_question(
    request, live_server, create_role_user, axe_path, device
):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    manager = create_role_user(Role.SURVEY_MANAGER)
    login(page, live_server, manager.username)

    page.goto("/staff/surveys/new/")
    page.get_by_label("Järjestäjä (suomeksi)").fill("Esimerkkilän kaupunki")
    page.get_by_label("Otsikko (suomeksi)").fill("Asukaskysely 2027: mitä kuuluu?")
    expect(page.get_by_label("Lyhyt nimi")).to_have_attribute("placeholder", "asukaskysely-2027-mita-kuuluu")
    page.get_by_label("Tarkoitus (suomeksi)").fill("Kysymme, mikä kaupungissa on tärkeää.")
    page.get_by_role("button", name="Tallenna", exact=True).click()
    expect(page.locator("h1")).to_have_text("Asukaskysely 2027: mitä kuuluu?")
    assert list(Survey.objects.values_list("slug", flat=True)) == ["asukaskysely-2027-mita-kuuluu"]

    page.get_by_role("link", name="Lisää kysymys").click()
    page.get_by_label("Tyyppi").select_option("scale")
    expect(page.locator('[data-for-kind="scale"]')).to_be_visible()
    expect(page.locator("[data-kind-hint]")).to_be_hidden()
    for other in ("choice", "yes_no", "number", "open"):
        expect(page.locator(f'[data-for-kind="{other}"]')).to_be_hidden()
    expect(page.locator("textarea[name=text_sv], textarea[name=text_en]")).to_have_count(0)
    page.get_by_label("Kysymys (suomeksi)").fill("Kuinka tyytyväinen olet asumiseen?")
    assert_accessible(page, live_server, axe_path)
    screenshot(page, f"editor-question-{device}")
    if device == "phone":
        assert page_width(page) <= PHONE_WIDTH

    page.get_by_role("button", name="Tallenna ja lisää toinen").click()
    expect(page).to_have_url(re.compile(r"/questions/new/$"))
    expect(page.locator(".messages")).to_contain_text("Kysymys 1 lisättiin")
    expect(page.get_by_label("Kysymys (suomeksi)")).to_have_value("")
    page.get_by_label("Tyyppi").select_option("choice")
    expect(page.locator('[data-for-kind="scale"]')).to_be_hidden()
    page.get_by_label("Kysymys (suomeksi)").fill("Mikä on sinulle tärkeintä?")
    page.get_by_label("Vastausvaihtoehdot suomeksi, yksi riville").fill("Palvelut\nLuonto")
    page.get_by_role("button", name="Tallenna", exact=True).click()

    expect(page.locator("h1")).to_have_text("Asukaskysely 2027: mitä kuuluu?")
    scale = page.locator("#question-1")
    expect(scale.locator(".scale-ends")).to_have_text("1 (ei lainkaan) – 5 (erittäin paljon)")
    expect(scale.get_by_role("link", name="Muokkaa kysymystä 1")).to_have_class(re.compile(r"\bbutton\b"))
    expect(scale.get_by_role("button", name="Siirrä kysymys 1 alas")).to_be_visible()
    expect(page.locator("#question-2 .options li")).to_have_text(["1 = Palvelut", "2 = Luonto"])
    assert_accessible(page, live_server, axe_path)
    screenshot(page, f"editor-{device}")
    if device == "phone":
        assert page_width(page) <= PHONE_WIDTH


@pytest.fixture
def campaign(create_role_user):
    from tests.surveys.factories import build_campaign, build_survey

    manager = create_role_user(Role.SURVEY_MANAGER)
    return build_campaign(build_survey(manager), manager, slug="syksy")


def test_communications_publishes_the_page_and_an_announcement_and_a_resident_reads_it_in_swedish(
    page: Page, live_server, create_role_user, campaign, axe_path
):
    communications = create_role_user(Role.COMMUNICATIONS)
    login(page, live_server, communications.username)

    page.goto("/staff/surveys/announcements/")
    page.get_by_role("link", name=campaign.name).click()
    page.get_by_role("button", name="Julkaise asukkaiden sivulla").click()
    expect(page.locator(".messages")).to_contain_text("Kysymykset ovat julkisia asukkaiden sivulla.")
    page.get_by_role("link", name="Uutinen kaupungin verkkosivuilla").first.click()
    expect(page.get_by_label("Teksti")).to_contain_text("09 3101691")
    page.get_by_label("Julkaisupäivä").fill(timezone.localdate().isoformat())  # the campaign starts in 14 days
    page.get_by_role("button", name="Kirjaa julkaistuksi").click()
    expect(page.locator(".messages")).to_contain_text("Julkaisu kirjattiin nimissäsi.")

    page.context.clear_cookies()
    page.goto(f"/sv/enkater/{campaign.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("h1")).to_have_text("Vad är viktigt i staden?")
    expect(page.locator(".public-questions")).to_contain_text("Vilken åldersgrupp hör du till?")
    expect(page.locator(".phone").first).to_have_text("09 3101691")
    assert_accessible(page, live_server, axe_path)
