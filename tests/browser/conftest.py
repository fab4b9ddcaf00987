"""Browser tests: the system's headless Chromium, driven by Playwright, against pytest-django's live server.

Chromium comes from the system (CHROMIUM_PATH, default /usr/bin/chromium; Playwright's bundled
browsers are never used) and axe-core from node_modules. When either is missing the tests fail
instead of skipping: CI installs both, and a skipped accessibility check would look like a pass.

Every test gets a fresh browser context (Finnish locale) on one browser shared by the package.
Pages may only reach the live server: any other request is aborted, and `request_log` keeps every
URL the page asked for so a test can assert that nothing came from a CDN.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from kuntaportaali.roles import Role
from tests.conftest import TEST_PASSWORD, authenticator_give, make_user, totp_code

BROWSER_TESTS_DIR = Path(__file__).resolve().parent
AXE_PATH = BROWSER_TESTS_DIR.parents[1] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What a user reads on the language buttons: each language's own name (Django's LANG_INFO), never translated.
LANGUAGE_BUTTONS = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
TIMEOUT_MS = 5_000
PHONE_WIDTH = 390
# Screenshots of the pages the tests walk through (var/ is not committed).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def pytest_itemcollected(item: pytest.Item) -> None:
    """Every test in this package is a browser test, so `-m "not browser"` leaves them all out."""
    if BROWSER_TESTS_DIR in Path(item.path).resolve().parents:
        item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package", autouse=True)
def _browser_package() -> Iterator[None]:
    """What the browser tests change outside themselves, set while they run and undone after them.

    Playwright's sync API keeps an asyncio event loop running in the test thread, and Django's ORM
    refuses to run in a thread with a running loop: DJANGO_ALLOW_ASYNC_UNSAFE lets the test thread
    create users and flush the database (the live server does the real work, in its own thread).
    It is set only for this package: set for the whole session it would leak into the rest of the
    suite, e.g. into `manage.py check --deploy`, which rightly refuses it.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"No Chromium executable at {path!r}. Install the system's Chromium (Debian: apt-get install chromium)"
            " or point CHROMIUM_PATH at one; the browser tests never use Playwright's bundled browsers.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="package")
def axe_path() -> Path:
    if not AXE_PATH.is_file():
        pytest.fail(f"axe-core is missing at {AXE_PATH}. Run `npm ci` in {AXE_PATH.parents[2]}.", pytrace=False)
    return AXE_PATH


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Package scope, not session: once the browser tests are done the event loop goes away, and the
    # rest of the suite runs in an ordinary thread again.
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Playwright, chromium_path: str) -> Iterator[Browser]:
    try:
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
    except PlaywrightError as error:
        pytest.fail(f"Chromium at {chromium_path!r} did not start:\n{error}", pytrace=False)
    yield chromium
    chromium.close()


@pytest.fixture
def request_log() -> list[str]:
    """Every URL the test's page requested, in order (filled by the `page` fixture)."""
    return []


@pytest.fixture
def page(browser: Browser, live_server, request_log: list[str]) -> Iterator[Page]:
    yield from _page_in(browser.new_context(locale="fi-FI", base_url=live_server.url), live_server, request_log)


@pytest.fixture
def phone_page(browser: Browser, live_server, request_log: list[str]) -> Iterator[Page]:
    """A page on a phone: 390 x 844 CSS pixels, touch, a mobile browser's user agent."""
    context = browser.new_context(
        locale="fi-FI",
        base_url=live_server.url,
        viewport={"width": PHONE_WIDTH, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    yield from _page_in(context, live_server, request_log)


def _page_in(context, live_server, request_log: list[str]) -> Iterator[Page]:
    context.set_default_timeout(TIMEOUT_MS)
    context.on("request", lambda request: request_log.append(request.url))
    # Nothing may leave the machine: requests to any other origin are recorded above, then aborted.
    context.route(lambda url: not is_live_server_url(url, live_server), lambda route: route.abort("blockedbyclient"))
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """The whole page as var/screenshots/<name>.png (not committed), for anyone to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def page_width(page: Page) -> int:
    """How wide the page's content is (wider than the viewport: it scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def create_role_user(live_server, transactional_db) -> Callable[[Role], object]:
    """`create_role_user(Role.X)` makes user-<role> with that one role, committed where the live server sees it."""

    def create(role: Role):
        return make_user(f"user-{role.value}", role)

    return create


def is_live_server_url(url: str, live_server) -> bool:
    server = urlsplit(live_server.url)
    requested = urlsplit(url)
    return (requested.scheme, requested.netloc) == (server.scheme, server.netloc)


def login(page: Page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
    """Log in through the real login forms, the password and then the code of the user's authenticator
    app (set up now if the user has none), and wait for the staff home."""
    device = authenticator_give(get_user_model().objects.get(username=username))
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/?**")
    code_form = page.locator("#authenticator-code-form")
    code_form.locator("input[name=code]").fill(totp_code(device))
    code_form.locator("button[type=submit]").click()
    try:
        page.wait_for_url(f"{live_server.url}/staff/")
    except PlaywrightTimeoutError:
        errors = [" ".join(text.split()) for text in page.locator("main .errorlist").all_inner_texts()]
        pytest.fail(f"Logging in as {username!r} did not reach /staff/: the page is {page.url}, form errors {errors}")


def switch_language(page: Page, language: str) -> None:
    """Click the language switcher's button and wait until the same page is back in that language."""
    html = page.locator("html")
    assert html.get_attribute("lang") != language, f"the page is already in {language!r}"
    page.locator(".language-switcher").get_by_role("button", name=LANGUAGE_BUTTONS[language], exact=True).click()
    expect(html).to_have_attribute("lang", language)
    page.wait_for_load_state("load")
