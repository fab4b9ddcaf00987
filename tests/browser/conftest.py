"""Browser tests: the system's headless Chromium, driven by Playwright, against pytest-django's live server.

Chromium comes from the system (CHROMIUM_PATH, default /usr/bin/chromium-headless-shell: Debian's
build of Chromium's headless shell, which Playwright runs headless tests on too, at about half the
CPU of the full browser's headless mode; Playwright's bundled browsers are never used) and axe-core
from node_modules. When either is missing the tests fail
instead of skipping: CI installs both, and a skipped accessibility check would look like a pass.

Every test gets a fresh browser context (Finnish locale) on one browser shared by the package.
Pages may only reach the live server: any other request is aborted, and `request_log` keeps every
URL the page asked for so a test can assert that nothing came from a CDN.
"""

import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from hrreports.models import Alert, Rule
from hrreports.models.organisation import SupervisorRole
from hrreports.services.early_support import rule_defaults_ensure
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from surveys.services import campaigns as campaign_services
from tests.conftest import TEST_PASSWORD, authenticator_give, client_login, make_user, totp_code
from tests.hrreports.conftest import make_unit
from tests.hrreports.report_data import MARCH, _employment, build_report_data
from tests.surveys.factories import build_campaign, build_survey, make_launch_ready

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
# Screenshots of the pages the tests walk through (var/ is not committed), taken when BROWSER_SCREENSHOTS=1.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SCREENSHOTS_WANTED = os.environ.get("BROWSER_SCREENSHOTS", "") == "1"
# The smallest text a chart may show, in CSS pixels as drawn (after the SVG is scaled to its box).
CHART_TEXT_MIN_PX = 11


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
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium-headless-shell")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"No Chromium executable at {path!r}. Install the system's Chromium (Debian: apt-get install"
            " chromium-headless-shell, or chromium with CHROMIUM_PATH=/usr/bin/chromium)"
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


def screenshot(page: Page, name: str) -> None:
    """The whole page as var/screenshots/<name>.png (not committed), for anyone to look at, when
    BROWSER_SCREENSHOTS=1. Off by default: nothing is asserted on them, a phone's full page at three
    device pixels a CSS pixel costs a second, and the viewport a full-page capture resizes has made
    the next click miss its element on a loaded machine."""
    if not SCREENSHOTS_WANTED:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)


def page_width(page: Page) -> int:
    """How wide the page's content is (wider than the viewport: it scrolls sideways), once the page
    has loaded: after a click, a test finds the new page's elements as soon as they are parsed,
    before its stylesheet applies."""
    page.wait_for_load_state("load")
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


def login(page: Page, live_server, username: str) -> None:
    """Sign the page in as `username` past both login steps and open the staff home. The session is
    made by Django's test client and handed to the browser as its cookie: walking the forms takes a
    second a test, and `login_through_forms` (the navigation tests) and test_two_factor.py walk them."""
    client = client_login(Client(), get_user_model().objects.get(username=username))
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}])
    page.goto(f"{live_server.url}/staff/")


def login_through_forms(page: Page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
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


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
BLOCKING_IMPACTS = {"serious", "critical"}
AXE_URL_PATH = "/__browser-tests__/axe.min.js"  # never reaches the server: the test's route answers it

RUN_AXE = """async (options) => {
  const results = await axe.run(document, options);
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({target: node.target, html: node.html, summary: node.failureSummary})),
  }));
}"""


def axe_violations(page: Page, live_server, axe_path: Path) -> list[dict]:
    # The portal's Content-Security-Policy allows only same-origin scripts, so an inline <script> with
    # axe would be refused. Serve axe as if it came from the portal instead: the page keeps its real
    # CSP, and is checked as residents get it.
    url = f"{live_server.url}{AXE_URL_PATH}"
    page.route(url, lambda route: route.fulfill(path=axe_path, content_type="text/javascript"))
    page.add_script_tag(url=url)
    return page.evaluate(RUN_AXE, AXE_OPTIONS)


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        first = violation["nodes"][0] if violation["nodes"] else {"target": "?", "html": "?", "summary": ""}
        lines.append(
            f"- {violation['id']} ({violation['impact']}, {len(violation['nodes'])} element(s)): {violation['help']}"
            f" <{violation['helpUrl']}>\n    first element: {first['target']} {first['html']}"
            f"\n    {' '.join((first['summary'] or '').split())}"
        )
    return "\n".join(lines)


def assert_accessible(page: Page, live_server, axe_path: Path) -> None:
    """axe-core finds nothing serious or critical on the page as it is now."""
    blocking = [v for v in axe_violations(page, live_server, axe_path) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe found serious or critical violations on {page.url}:\n" + describe(blocking)


CHART_TEXT_PROBLEMS = """(minimum) => {
  const problems = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const box = svg.getBoundingClientRect();
    if (!box.width || !box.height) continue;  // folded away in a closed <details>
    const chart = svg.querySelector("title")?.textContent ?? "a chart";
    const texts = [...svg.querySelectorAll("text")].filter((text) => text.getBoundingClientRect().width > 0);
    const boxes = texts.map((text) => text.getBoundingClientRect());
    texts.forEach((text, index) => {
      const matrix = text.getScreenCTM();
      const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(matrix.a, matrix.b);
      const own = boxes[index];
      const label = `${chart}: "${text.textContent}"`;
      if (size < minimum - 0.05) problems.push(`${label} is ${size.toFixed(1)} px`);
      if (own.left < box.left - 0.5 || own.right > box.right + 0.5 || own.top < box.top - 0.5
          || own.bottom > box.bottom + 0.5) problems.push(`${label} is cut off by the chart's edge`);
      boxes.slice(0, index).forEach((other, earlier) => {
        const across = Math.min(own.right, other.right) - Math.max(own.left, other.left);
        const down = Math.min(own.bottom, other.bottom) - Math.max(own.top, other.top);
        if (across > 1 && down > 1) problems.push(`${label} overlaps "${texts[earlier].textContent}"`);
      });
    });
  }
  return problems;
}"""


def chart_text_problems(page: Page) -> list[str]:
    """What makes the text of the page's shown charts hard to read: drawn smaller than
    CHART_TEXT_MIN_PX, cut off by the chart's edge, or on top of other text."""
    return page.evaluate(CHART_TEXT_PROBLEMS, CHART_TEXT_MIN_PX)


def switch_language(page: Page, language: str) -> None:
    """Click the language switcher's button and wait until the same page is back in that language."""
    html = page.locator("html")
    assert html.get_attribute("lang") != language, f"the page is already in {language!r}"
    page.locator(".language-switcher").get_by_role("button", name=LANGUAGE_BUTTONS[language], exact=True).click()
    expect(html).to_have_attribute("lang", language)
    page.wait_for_load_state("load")


# What the pages of more than one test module show.
OPEN_PEOPLE = 6


def _alert(employment, rule, period, *, discussed=False):
    return Alert.objects.create(
        employee=employment.employee,
        unit=employment.unit,
        rule=rule,
        period=period,
        spells=5,
        days=Decimal(30),
        reached_on=period.replace(day=20),
        acknowledged_at=datetime(2026, 4, 2, 9, tzinfo=UTC) if discussed else None,
        action_date=date(2026, 4, 2) if discussed else None,
        action_note="Keskusteltu." if discussed else "",
    )


@pytest.fixture
def supervisor_with_cases(transactional_db, create_role_user):
    """A supervisor of unit 1010 (report_data.py's March, with February and the March before fetched
    to compare with) with many early-support alerts: six people each under three rules in March and
    one of a year ago, and four people whose case was discussed."""
    units = {"10": make_unit("10")}
    units["1010"] = make_unit("1010", units["10"])
    units["101010"] = make_unit("101010", units["1010"])
    data = build_report_data(units, fetched=(date(2025, 3, 1), date(2026, 2, 1), MARCH))
    rule_defaults_ensure()
    window, day_30, discussion = (Rule.objects.get(order=order) for order in (20, 30, 10))
    for number in range(OPEN_PEOPLE):
        employment = _employment(100 + number, f"Henkilö {number:02d}", units["1010"], start=date(2020, 1, 1))
        for rule in (discussion, window, day_30):  # the same person under three rules in March
            _alert(employment, rule, MARCH)
        _alert(employment, discussion, date(2025, 1, 1))  # a year ago, past the rule's window
    for number in range(4):
        employment = _employment(200 + number, f"Keskusteltu {number}", units["101010"], start=date(2020, 1, 1))
        _alert(employment, discussion, MARCH, discussed=True)
    user = create_role_user(Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    return user


@pytest.fixture
def fresh_opt_out_limit():
    """The opt-out form's limit per connection, counted from zero (every test comes from 127.0.0.1)."""
    key = "ratelimit:opt-out:127.0.0.1"
    cache.delete(key)
    yield
    cache.delete(key)


@pytest.fixture
def survey_rounds(create_role_user) -> dict:
    """Two rounds of one survey: the autumn's calls, the spring's are paused."""
    manager, communications = create_role_user(Role.SURVEY_MANAGER), create_role_user(Role.COMMUNICATIONS)
    survey = build_survey(manager)
    started = {}
    for slug, name in (("syksy", "Syksyn kierros"), ("kevat", "Kevään kierros")):
        campaign = build_campaign(survey, manager, slug=slug, name=name, start=timezone.localdate() - timedelta(days=1))
        make_launch_ready(campaign, manager=manager, communications=communications)
        started[slug] = campaign_services.campaign_start(campaign=campaign, by=manager)
    campaign_services.campaign_transition(campaign=started["kevat"], to="paused", by=manager)
    return started
