"""A supervisor in the browser: opens a unit report from the home, sorts it, chooses its columns,
downloads it as XLSX and PDF and marks an early-support case discussed on the home; HR administration
reads the monthly run's time saved and sets up a Teams channel. The pages are axe-clean."""

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from hrreports.models import Alert, TeamsChannel
from hrreports.models.organisation import SupervisorRole
from hrreports.services.delivery import subscription_save, unit_reports_send
from hrreports.services.early_support import alerts_evaluate, rule_defaults_ensure
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from tests.browser.conftest import assert_accessible, login
from tests.hrreports.conftest import make_unit
from tests.hrreports.pdf_text import pdf_text
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
    page.locator("#open-cases-line a").click()
    expect(page.locator(".case")).to_contain_text("Aalto Anna")
    assert_accessible(page, live_server, axe_path)
    page.locator(f"a[href^='/staff/hr/reports/units/{unit.pk}/absences/']").click()
    # Loaded with its stylesheet before the layout is measured (the controls exist before it applies).
    page.wait_for_url(f"**/staff/hr/reports/units/{unit.pk}/absences/**", wait_until="load")
    page.locator("select[name=period]").select_option("2026-03")
    # Each filter's label stands right above its own control, not beside the next one.
    fields = page.locator(".report-options__field").all()
    assert len(fields) >= 3
    for field in fields:
        label, control = field.locator("label").bounding_box(), field.locator("select, input").bounding_box()
        assert label["x"] == control["x"] and label["y"] + label["height"] <= control["y"]
    page.locator(".report-options button[type=submit]").click()
    rows = page.locator("#rows-heading ~ .table-container tbody tr")
    expect(rows.first).to_contain_text("Aalto Anna")
    expect(rows.filter(has_text="Cedergren Cecilia")).to_have_count(1)  # sub-units are included by default
    page.locator("select[name=subunits]").select_option("off")
    page.locator(".report-options button[type=submit]").click()
    expect(rows.filter(has_text="Cedergren Cecilia")).to_have_count(0)
    assert_accessible(page, live_server, axe_path)

    header = page.locator("#rows-heading ~ .table-container thead th").nth(6)
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_contain_text("Aalto Anna")  # sick leave 101: 1 + 7 working days in March

    with page.expect_download() as download:
        page.locator("a[href*='export=xlsx']").click()
    assert download.value.suggested_filename == "poissaolot-1010-2026-03.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet.freeze_panes == "A2"
    assert (sheet["A2"].value, sheet["C2"].value, sheet["G2"].value) == ("Aalto Anna", "101", 8)

    with page.expect_download() as download:
        page.locator("a[href*='export=pdf']").click()
    assert download.value.suggested_filename == "poissaolot-1010-2026-03.pdf"
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "Poissaolot: 1010 Yksikkö 1010, 3/2026" in text
    # Aalto's certified sick leave: 13 calendar and 8 working days in March, and 1 spell of its own (1.-2.3.):
    # 12.-22.3. continues the sick leave on her own notice of 9.-11.3., whose row counts it. The unit's
    # sick-leave rate is 13 sick working days, 12 by working time (Berg's 2 at 50 %), of 28 planned: 42,9 %.
    assert "Aalto Anna 1010 101 Sairauspoissaolo, lääkärintodistus 1 13 8" in text
    assert "Aalto Anna 1010 102 Sairauspoissaolo, oma ilmoitus 1 3 3" in text
    assert "42,9" in text

    page.locator(".report-tailoring summary").click()
    for column in ("unit_code", "type_code", "calendar_days"):
        page.locator(f".report-tailoring input[name=columns][value={column}]").uncheck()
    assert_accessible(page, live_server, axe_path)
    page.locator(".report-tailoring button[type=submit]").click()
    expect(page.locator("#rows-heading ~ .table-container thead th")).to_have_count(4)
    with page.expect_download() as download:
        page.locator("a[href*='export=xlsx']").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert [cell.value for cell in sheet[1]] == ["Työntekijä", "Poissaololaji", "Jaksot", "Työpäivät"]

    # The report tabs show one line about the open cases; the cases themselves are on the home.
    expect(page.locator(".case")).to_have_count(0)
    page.locator("#open-cases-line a").click()
    alert = Alert.objects.get(employee=report_data["aalto"].employee, rule__order=10)
    item = page.locator(".case", has_text="Aalto Anna")
    expect(item).to_contain_text(alert.rule.name)
    item.locator("summary").click()
    item.locator("input[type=date]").fill("2026-04-02")
    item.locator("textarea").fill("Varhaisen tuen keskustelu sovittu.")
    item.locator("button[type=submit]").click()

    expect(page.locator(".case")).to_have_count(0)
    alert.refresh_from_db()
    assert alert.action_note == "Varhaisen tuen keskustelu sovittu."
    assert_accessible(page, live_server, axe_path)


def test_hr_admin_reads_the_time_saved_and_adds_a_teams_channel(
    page: Page, live_server, create_role_user, axe_path: Path, report_data, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.HR_MANUAL_MINUTES_PER_REPORT = 20
    supervisor = create_role_user(Role.SUPERVISOR)
    supervisor_assign(
        unit=report_data["unit"], user=supervisor, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1)
    )
    subscription_save(user=supervisor, unit=report_data["unit"], reports=["absences", "salaries", "employments"])
    run = unit_reports_send(period=MARCH).run
    login(page, live_server, create_role_user(Role.HR_ADMIN).username)

    page.goto("/staff/hr/deliveries/")
    expect(page.locator("#time-saved-total")).to_contain_text("1,0")
    assert_accessible(page, live_server, axe_path)
    page.locator(f"a[href='/staff/hr/deliveries/{run.pk}/']").click()
    expect(page.locator("#time-saved")).to_contain_text("3")
    expect(page.locator("#time-saved")).to_contain_text("20 min = 1,0 h")
    assert_accessible(page, live_server, axe_path)

    page.goto("/staff/hr/subscriptions/new/")
    expect(page.locator("input[name=columns_salaries]")).to_have_count(5)
    assert_accessible(page, live_server, axe_path)

    page.goto("/staff/hr/teams/")
    assert_accessible(page, live_server, axe_path)
    page.locator("a[href='/staff/hr/teams/new/']").click()
    page.locator("select[name=unit]").select_option(str(report_data["unit"].pk))
    page.locator("input[name=webhook_url]").fill("https://kunta.webhook.office.com/webhookb2/salainen")
    assert_accessible(page, live_server, axe_path)
    page.locator("form.hr-form button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/staff/hr/teams/")
    expect(page.locator("table")).to_contain_text("kunta.webhook.office.com")
    assert TeamsChannel.objects.get().unit == report_data["unit"]
