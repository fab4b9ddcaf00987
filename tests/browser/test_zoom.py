"""Staff pages zoomed to 400 % (320 CSS pixels wide, WCAG 1.4.10 Reflow): a table wider than the screen
scrolls by itself, the page does not scroll sideways, and the keyboard reaches the table to scroll it."""

from pathlib import Path

from playwright.sync_api import Page

from kuntaportaali.roles import Role
from tests.browser.conftest import axe_violations, describe, login, page_width

ZOOMED_WIDTH = 320


def test_wide_tables_scroll_by_themselves_at_400_percent(
    page: Page, live_server, create_role_user, survey_rounds, axe_path: Path
):
    campaign = survey_rounds["syksy"]
    login(page, live_server, create_role_user(Role.ADMIN).username)
    page.set_viewport_size({"width": ZOOMED_WIDTH, "height": 640})

    for path in (f"/staff/surveys/campaigns/{campaign.slug}/contacts/", "/staff/hr/codes/", "/staff/hr/rules/"):
        page.goto(path)
        assert page_width(page) <= ZOOMED_WIDTH, f"{path} is {page_width(page)} px wide at {ZOOMED_WIDTH} px"
        violations = axe_violations(page, live_server, axe_path)
        assert not violations, f"axe on {path} at {ZOOMED_WIDTH} px:\n" + describe(violations)
