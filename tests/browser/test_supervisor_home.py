"""The supervisor's home in the browser, on a desktop and on a phone: a supervisor with many early-support
alerts (the same person under three rules in one month, alerts from a year ago, ones already discussed)
sees the month's figures and the first open case on the first screen, one case per person, and the
reports after them. The page is axe-clean and no wider than the phone."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OPEN_PEOPLE, PHONE_WIDTH, assert_accessible, login, page_width, screenshot


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_supervisor_sees_the_month_and_the_open_cases_first(
    request, device, live_server, axe_path: Path, supervisor_with_cases
):
    page: Page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    login(page, live_server, supervisor_with_cases.username)
    page.goto("/staff/hr/reports/")

    cases = page.locator(".case")
    expect(cases).to_have_count(OPEN_PEOPLE)  # one per person, the year-old and discussed ones folded
    expect(cases.first).to_contain_text("Päivä 30")
    expect(page.locator(".home-earlier")).not_to_have_attribute("open", "")
    # report_data.py's 8 sick-leave working days, 7 by working time (Berg works 50 %), of its 35 planned and
    # 10 full-time people's 22 each: 2,7 %.
    expect(page.locator("#glance-sick-rate dd")).to_have_text("2,7 %")
    expect(page.locator("#glance-salaries dd")).to_contain_text("850,50")

    viewport = page.viewport_size
    figures = page.locator(".glance-figures").bounding_box()
    first_case = cases.first.bounding_box()
    reports = page.locator("#reports-heading").bounding_box()
    # The month's figures and the first case on the first screen (a phone's shows the case's beginning),
    # before the reports.
    assert figures["y"] + figures["height"] <= viewport["height"]
    assert first_case["y"] < viewport["height"] and first_case["y"] < reports["y"]
    if device == "desktop":
        assert first_case["y"] + first_case["height"] <= viewport["height"]
    else:
        assert page_width(page) <= PHONE_WIDTH
    assert_accessible(page, live_server, axe_path)
    screenshot(page, f"supervisor-home-{device}")
    if device == "phone":
        # With the phone's text at 200 % (WCAG 1.4.4) the reports' table is wider than the phone and scrolls in
        # its box; nothing of it, not even its text for screen readers only, may widen the page.
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert page_width(page) <= PHONE_WIDTH, f"with its text at 200 % the page is {page_width(page)} px wide"

    # The report tabs have their own content only: one line leads back to the cases.
    page.locator(".home-reports a").first.click()
    expect(page.locator(".case")).to_have_count(0)
    expect(page.locator("#open-cases-line")).to_contain_text(str(OPEN_PEOPLE))
