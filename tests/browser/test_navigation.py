"""What each role sees and does in a real browser: its navigation, the language switch, logging out,
and getting around with the keyboard alone."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from kuntaportaali.roles import Role
from kuntaportaali.sections import SECTIONS
from tests.browser.conftest import login_through_forms, switch_language
from tests.conftest import TEST_PASSWORD
from tests.kuntaportaali.test_staff_home import EXPECTED_SECTION_KEYS

SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


def test_the_table_covers_every_role_and_names_real_sections():
    assert set(EXPECTED_SECTION_KEYS) == set(Role)
    assert {key for keys in EXPECTED_SECTION_KEYS.values() for key in keys} <= set(SECTIONS_BY_KEY)


def translated(message: str, language: str) -> str:
    with translation.override(language):
        return gettext(message)


def expected_nav_texts(role: Role, language: str) -> list[str]:
    with translation.override(language):
        return [gettext("Home"), *(str(SECTIONS_BY_KEY[key].title) for key in EXPECTED_SECTION_KEYS[role])]


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_role_sees_its_sections_reads_swedish_and_logs_out(page: Page, live_server, create_role_user, role):
    user = create_role_user(role)

    login_through_forms(page, live_server, user.username)

    html = page.locator("html")
    nav_links = page.locator("nav.site-nav a")
    expect(html).to_have_attribute("lang", "fi")  # Finnish is the default
    expect(nav_links).to_have_text(expected_nav_texts(role, "fi"))
    expect(nav_links.first).to_have_attribute("aria-current", "page")

    switch_language(page, "sv")

    assert urlsplit(page.url).path == "/staff/", "the language switch returns to the page it was used on"
    log_out = translated("Log out", "sv")
    logout_button = page.locator("header form[action='/accounts/logout/'] button")
    expect(logout_button).to_have_text(log_out)
    expect(nav_links).to_have_text(expected_nav_texts(role, "sv"))

    logout_button.click()

    page.wait_for_url(f"{live_server.url}/")
    expect(html).to_have_attribute("lang", "sv")  # the language choice outlives the session
    expect(page.get_by_role("button", name=log_out)).to_have_count(0)
    expect(logout_button).to_have_count(0)
    expect(page.locator("nav.site-nav")).to_have_count(0)

    page.goto("/staff/")

    redirected = urlsplit(page.url)
    assert redirected.path == "/accounts/login/"
    assert parse_qs(redirected.query) == {"next": ["/staff/"]}


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Page):
    page.goto("/")

    page.keyboard.press("Tab")

    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    expect(skip_link).to_have_text(translated("Skip to content", "fi"))
    expect(skip_link).to_be_in_viewport()  # visible while focused, not only to screen readers

    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/#main$"))
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), (
        "after the skip link the next Tab stop is inside the main content, past the header"
    )


def test_login_form_works_with_the_keyboard_alone(page: Page, live_server, create_role_user):
    user = create_role_user(Role.COUNCILLOR)
    page.goto("/accounts/login/")

    focused_name = "document.activeElement && document.activeElement.name"
    for _press in range(20):  # the username field may have autofocus; otherwise Tab down to it
        if page.evaluate(focused_name) == "username":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("20 presses of Tab never reached the username field")

    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    assert page.evaluate(focused_name) == "password", "Tab from the username goes to the password"
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/staff/")
    expect(page.locator("nav.site-nav a")).to_have_text(expected_nav_texts(Role.COUNCILLOR, "fi"))
