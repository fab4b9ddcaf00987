"""The supervisor's home in the browser, on a desktop and on a phone: a supervisor with many early-support
alerts (the same person under three rules in one month, alerts from a year ago, ones already discussed)
sees the month's figures and the first open case on the first screen, one case per person, and the
reports after them. The page is axe-clean and no wider than the phone."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hrreports.models import Alert, Rule
from hrreports.models.organisation import SupervisorRole
from hrreports.services.early_support import rule_defaults_ensure
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from tests.browser.conftest import PHONE_WIDTH, login, page_width, screenshot
from tests.browser.test_hr_admin import assert_accessible
from tests.hrreports.conftest import make_unit
from tests.hrreports.report_data import MARCH, _employment, build_report_data

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
    units = {"10": make_unit("10")}
    units["1010"] = make_unit("1010", units["10"])
    units["101010"] = make_unit("101010", units["1010"])
    data = build_report_data(units)
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
    # 8 sick-leave working days of report_data.py's 35 planned and 10 full-time people's 22 each: 3,1 %.
    expect(page.locator("#glance-sick-rate dd")).to_have_text("3,1 %")
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

    # The report tabs have their own content only: one line leads back to the cases.
    page.locator(".home-reports a").first.click()
    expect(page.locator(".case")).to_have_count(0)
    expect(page.locator("#open-cases-line")).to_contain_text(str(OPEN_PEOPLE))
