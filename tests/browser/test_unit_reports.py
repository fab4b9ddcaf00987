"""A supervisor in the browser: opens a unit report, sorts it, downloads it as XLSX and acknowledges
an early-support alert; the pages are axe-clean."""

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from hrreports.models import Alert
from hrreports.models.organisation import SupervisorRole
from hrreports.services.early_support import alerts_evaluate, rule_defaults_ensure
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from tests.browser.conftest import login
from tests.browser.test_hr_admin import assert_accessible
from tests.hrreports.conftest import make_unit
from tests.hrreports.report_data import MARCH, _absence, build_report_data


@pytest.fixture
def report_data(transactional_db):
    units = {"10": make_unit("10")}
    units["1010"] = make_unit("1010", units["10"])
    units["101010"] = make_unit("101010", units["1010"])
    data = build_report_data(units)
    rule_defaults_ensure()
    _absence(data["aalto"], "101", date(2026, 3, 12), date(2026, 3, 22))  # 20 sick days in 12 months
    alerts_evaluate(period=MARCH)
    return data


def test_supervisor_opens_sorts_downloads_and_acknowledges(
    page: Page, live_server, create_role_user, axe_path: Path, report_data
):
    user = create_role_user(Role.SUPERVISOR)
    unit = report_data["unit"]
    supervisor_assign(unit=unit, user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    login(page, live_server, user.username)
    expect(page.locator(".hr-alerts")).to_contain_text("Aalto Anna")

    page.goto("/staff/hr/reports/")
    assert_accessible(page, live_server, axe_path)
    page.locator(f"a[href^='/staff/hr/reports/units/{unit.pk}/absences/']").click()
    page.locator("select[name=period]").select_option("2026-03")
    page.locator("form.report-options button[type=submit]").click()
    rows = page.locator("#rows-heading ~ .table-scroll tbody tr")
    expect(rows.first).to_contain_text("Aalto Anna")
    assert_accessible(page, live_server, axe_path)

    header = page.locator("#rows-heading ~ .table-scroll thead th").nth(5)
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_contain_text("Aalto Anna")  # sick leave 101: 1 + 7 working days in March

    with page.expect_download() as download:
        page.locator("a[href*='export=xlsx']").click()
    assert download.value.suggested_filename == "absences-1010-2026-03.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet.freeze_panes == "A2"
    assert (sheet["A2"].value, sheet["C2"].value, sheet["G2"].value) == ("Aalto Anna", "101", 8)

    alert = Alert.objects.get(employee=report_data["aalto"].employee, rule__order=10)
    item = page.locator(".hr-alert", has_text="Aalto Anna").filter(has_text=alert.rule.name)
    item.locator("summary").click()
    item.locator(f"input[name='alert-{alert.pk}-action_date']").fill("2026-04-02")
    item.locator(f"textarea[name='alert-{alert.pk}-note']").fill("Varhaisen tuen keskustelu sovittu.")
    item.locator("button[type=submit]").click()

    expect(page.locator(f"textarea[name='alert-{alert.pk}-note']")).to_have_count(0)
    alert.refresh_from_db()
    assert alert.action_note == "Varhaisen tuen keskustelu sovittu."
    assert_accessible(page, live_server, axe_path)
