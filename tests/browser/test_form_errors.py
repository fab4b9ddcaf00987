"""A staff form sent back with errors, used with the keyboard: the page opens on the summary of the
errors, and each of its links takes the focus to the field to correct (the markup of each form's summary
is checked in tests/kuntaportaali/test_form_errors.py)."""

from pathlib import Path

from playwright.sync_api import Page, expect

from kuntaportaali.roles import Role
from tests.browser.conftest import assert_accessible, login

TOO_LONG_OPTIONS = "Luontoa\n" + "Palveluita " * 20  # the second option 220 characters, 200 fit


def test_source_form_opens_on_its_errors_and_links_lead_to_the_fields(
    page: Page, live_server, create_role_user, axe_path: Path
):
    login(page, live_server, create_role_user(Role.HR_ADMIN).username)
    page.goto("/staff/hr/sources/new/")
    page.locator("#id_name").fill("ulos")
    page.locator("#id_kind").select_option("files")
    page.get_by_label("Kansio").fill("../..")
    page.get_by_role("button", name="Tallenna").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Korjaa seuraavat kohdat")
    folder_link = summary.get_by_role("link", name="Kansio:")
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    folder_link.focus()
    page.keyboard.press("Enter")
    folder = page.get_by_label("Kansio")
    expect(folder).to_be_focused()
    expect(folder).to_have_value("../..")
    expect(folder).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, live_server, axe_path)


def test_question_editor_links_an_error_to_its_field_in_the_kind_panel(page: Page, live_server, create_role_user):
    manager = create_role_user(Role.SURVEY_MANAGER)
    login(page, live_server, manager.username)
    page.goto("/staff/surveys/new/")
    page.get_by_label("Lyhyt nimi").fill("kysely")
    page.get_by_label("Järjestäjä (suomeksi)").fill("Esimerkkilän kaupunki")
    page.get_by_label("Otsikko (suomeksi)").fill("Asukaskysely")
    page.get_by_label("Tarkoitus (suomeksi)").fill("Kysymme.")
    page.get_by_role("button", name="Tallenna").click()
    page.get_by_role("link", name="Lisää kysymys").click()
    page.get_by_label("Tyyppi").select_option("choice")
    page.get_by_label("Kysymys (suomeksi)").fill("Mitä arvostat?")
    options = page.get_by_label("Vastausvaihtoehdot suomeksi, yksi riville")
    options.fill(TOO_LONG_OPTIONS)
    page.get_by_role("button", name="Tallenna", exact=True).click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.press("Enter")
    expect(options).to_be_focused()
    expect(options).to_have_value(TOO_LONG_OPTIONS)
