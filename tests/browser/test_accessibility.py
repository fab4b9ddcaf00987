"""axe-core's WCAG 2.1 A and AA rules on each role's main page, in Finnish, Swedish and English, and the
keyboard on it: Tab reaches every control, each shows where the focus is, and Tab leaves the page again
(no trap). Plus "no CDN": every page is built only from what the portal itself serves."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
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

# page id -> (role to log in as, or None for an anonymous visitor; path, or the URL name of a residents' page,
# whose address is translated)
PAGES = {
    "login": (None, "/accounts/login/"),
    "public-home": (None, "/"),
    "residents-surveys": (None, "surveys-public:index"),
    "staff-home-admin": (Role.ADMIN, "/staff/"),
    "staff-home-supervisor": (Role.SUPERVISOR, "/staff/"),
    "two-factor-supervisor": (Role.SUPERVISOR, "/staff/two-factor/"),
    "campaigns-survey-manager": (Role.SURVEY_MANAGER, "/staff/surveys/campaigns/"),
    "announcements-communications": (Role.COMMUNICATIONS, "/staff/surveys/announcements/"),
    "results-councillor": (Role.COUNCILLOR, "/staff/surveys/results/"),
    "hr-home-hr-admin": (Role.HR_ADMIN, "/staff/hr/"),
}
# Finnish with every `make test`; the Swedish and English pages (the same templates, other catalogs) with
# every test: they are a third of the browser tests' time.
LANGUAGES = ("fi", pytest.param("sv", marks=pytest.mark.slow), pytest.param("en", marks=pytest.mark.slow))

# Every control the keyboard should reach, in the order of the page: what is shown and not disabled.
TABBABLE = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
  .filter((element) => !element.disabled && element.getClientRects().length
          && getComputedStyle(element).visibility !== 'hidden')"""
# Where the focus is now, and whether it is drawn (an outline or a ring), or null when it has left the page.
FOCUSED = """(tabbable) => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const drawn = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  return {index: tabbable.indexOf(element), drawn, html: element.outerHTML.slice(0, 120)};
}"""


def address(path: str, language: str) -> str:
    """The page's path in `language`: a residents' page is given by its URL name."""
    if path.startswith("/"):
        return path
    with translation.override(language):
        return reverse(path)


def keyboard_problems(page: Page) -> list[str]:
    """Tab from the top of the page to its end: controls never reached, focus not drawn, a trap."""
    tabbable = page.evaluate_handle(TABBABLE)
    count = tabbable.evaluate("(elements) => elements.length")
    # Out of the page first (a field may have the focus on load), so that the walk starts at its top.
    for _press in range(count + 1):
        if tabbable.evaluate(FOCUSED) is None:
            break
        page.keyboard.press("Tab")
    else:
        return [f"Tab did not leave the page after {count + 1} presses (a keyboard trap?)"]
    reached, problems = set(), []
    for _press in range(count + 1):
        page.keyboard.press("Tab")
        focused = tabbable.evaluate(FOCUSED)
        if focused is None:
            break
        reached.add(focused["index"])
        if not focused["drawn"]:
            problems.append(f"the focus is not drawn on {focused['html']}")
    else:
        problems.append(f"Tab did not leave the page after {count + 1} presses (a keyboard trap?)")
    missing = set(range(count)) - reached
    if missing:
        names = tabbable.evaluate(
            "(elements, missing) => missing.map((i) => elements[i].outerHTML.slice(0, 120))", sorted(missing)
        )
        problems.append(f"Tab never reached {names}")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_id", list(PAGES))
def test_page_has_no_serious_accessibility_violations_works_with_the_keyboard_and_makes_no_foreign_requests(
    page: Page, live_server, create_role_user, request_log: list[str], axe_path: Path, page_id: str, language: str
):
    role, path = PAGES[page_id]
    path, shown_path = address(path, "fi"), address(path, language)
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    if role is not None:
        login(page, live_server, create_role_user(role).username)
    page.goto(path)
    if language != "fi":
        switch_language(page, language)

    expect(page.locator("html")).to_have_attribute("lang", language)
    assert page.url == f"{live_server.url}{shown_path}"
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
    problems = keyboard_problems(page)
    assert not problems, f"the keyboard on {path} ({language}):\n" + "\n".join(problems)
