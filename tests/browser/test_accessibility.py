"""axe-core's WCAG 2.1 A and AA rules on the main pages, in Finnish and in Swedish, plus "no CDN":
every page is built only from what the portal itself serves."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kuntaportaali.roles import Role
from tests.browser.conftest import (
    BLOCKING_IMPACTS,
    axe_violations,
    describe,
    is_live_server_url,
    login,
    switch_language,
)

# page id -> (role to log in as, or None for an anonymous visitor; path)
PAGES = {
    "login": (None, "/accounts/login/"),
    "public-home": (None, "/"),
    "staff-home-admin": (Role.ADMIN, "/staff/"),
    "staff-home-supervisor": (Role.SUPERVISOR, "/staff/"),
    "two-factor-supervisor": (Role.SUPERVISOR, "/staff/two-factor/"),
}
LANGUAGES = ("fi", "sv")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_id", list(PAGES))
def test_page_has_no_serious_accessibility_violations_and_no_foreign_requests(
    page: Page, live_server, create_role_user, request_log: list[str], axe_path: Path, page_id: str, language: str
):
    role, path = PAGES[page_id]
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    if role is not None:
        login(page, live_server, create_role_user(role).username)
    page.goto(path)
    if language != "fi":
        switch_language(page, language)

    expect(page.locator("html")).to_have_attribute("lang", language)
    assert page.url == f"{live_server.url}{path}"
    violations = axe_violations(page, live_server, axe_path)

    blocking = [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe found serious or critical WCAG 2.1 AA violations on {path} ({language}):\n" + describe(
        blocking
    )
    fetched = [url for url in request_log if not url.startswith(("data:", "blob:"))]
    foreign = [url for url in fetched if not is_live_server_url(url, live_server)]
    assert not foreign, f"{path} ({language}) requested other hosts than the portal: {foreign}"
    assert not console_errors, f"{path} ({language}) logged errors while loading (a CSP violation?): {console_errors}"
    assert any(url.endswith(".css") for url in request_log), "the stylesheet loaded, so colour contrast was checked"
