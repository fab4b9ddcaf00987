"""In a real browser, on a desktop and on a 390 px phone: a resident reads on the front page which
survey calls and which is paused, and a browser asking for Swedish gets Swedish on its first visit
(the opt-out from the surveys list is the resident's walk in test_role_walks.py). axe-core checks
each page (WCAG 2.1 AA, no serious or critical violation)."""

from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    LANGUAGE_BUTTONS,
    PHONE_WIDTH,
    TIMEOUT_MS,
    assert_accessible,
    is_live_server_url,
    page_width,
    screenshot,
)

DEVICES = ["page", "phone_page"]


def assert_fits(page: Page, device: str) -> None:
    if device == "phone_page":
        assert page_width(page) <= PHONE_WIDTH, f"{page.url} is {page_width(page)} px wide on a phone"


@pytest.mark.parametrize("device", DEVICES)
def test_the_front_page_tells_the_calling_round_from_the_paused_one(
    request, device, live_server, survey_rounds, axe_path
):
    page: Page = request.getfixturevalue(device)

    page.goto("/")

    cards = page.locator("#current-surveys ~ .cards > .card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).locator(".campaign-name")).to_have_text("Syksyn kierros")
    expect(cards.nth(0).locator(".status")).to_have_class("status status--running")
    expect(cards.nth(1).locator(".campaign-name")).to_have_text("Kevään kierros")
    expect(cards.nth(1).locator(".status")).to_have_class("status status--paused")
    assert_fits(page, device)
    assert_accessible(page, live_server, axe_path)
    if device == "phone_page":
        screenshot(page, "front-page-phone")

    cards.nth(1).get_by_role("link").click()
    expect(page.locator("#calls-paused")).to_be_visible()
    assert_fits(page, device)
    assert_accessible(page, live_server, axe_path)


@pytest.fixture(params=["desktop", "phone"])
def swedish_page(request, browser: Browser, live_server) -> Iterator[Page]:
    """A page in a browser set to Swedish (Accept-Language: sv-FI, sv), on a desktop or a phone; like
    the `page` fixtures it may reach only the live server."""
    phone = {"viewport": {"width": PHONE_WIDTH, "height": 844}, "is_mobile": True, "has_touch": True}
    context = browser.new_context(
        locale="sv-FI", base_url=live_server.url, **(phone if request.param == "phone" else {})
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.route(lambda url: not is_live_server_url(url, live_server), lambda route: route.abort("blockedbyclient"))
    yield context.new_page()
    context.close()


def test_a_browser_asking_for_swedish_gets_swedish_on_its_first_visit(
    swedish_page: Page, live_server, survey_rounds, axe_path
):
    page = swedish_page
    with translation.override("sv"):
        list_path = reverse("surveys-public:index")

    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "sv")
    page.locator(f'main a[href="{list_path}"]').click()
    page.wait_for_url(f"{live_server.url}{list_path}")
    expect(html).to_have_attribute("lang", "sv")
    assert page_width(page) <= page.viewport_size["width"]
    assert_accessible(page, live_server, axe_path)

    # The switcher's choice is kept over the browser's language.
    page.locator(".language-switcher").get_by_role("button", name=LANGUAGE_BUTTONS["fi"], exact=True).click()
    expect(html).to_have_attribute("lang", "fi")
    page.goto("/")
    expect(html).to_have_attribute("lang", "fi")
