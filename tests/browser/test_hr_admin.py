"""HR administration in the browser: preview a sample export's mapping, start a fetch that a worker
runs, follow it to the end on the run page, and check the HR pages with axe-core."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hrreports.models import FetchRun, Source
from hrreports.sources.files import FileSource
from kuntaportaali.roles import Role
from tests.browser.conftest import assert_accessible, login
from tests.kuntaportaali.test_heartbeat_jobs import run_worker_burst

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples" / "populus"


@pytest.fixture
def sample_source(settings, tmp_path, transactional_db) -> Source:
    settings.POPULUS_FILE_ROOT = tmp_path
    shutil.copytree(SAMPLES, tmp_path / "samples")
    return Source.objects.create(
        name="populus-raportit", kind="files", config=FileSource.config_defaults() | {"folder": "samples"}
    )


def test_hr_admin_previews_a_file_starts_a_fetch_and_follows_it(
    page: Page, live_server, create_role_user, axe_path: Path, sample_source, rq_queues
):
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    login(page, live_server, create_role_user(Role.HR_ADMIN).username)

    page.goto("/staff/hr/")
    assert_accessible(page, live_server, axe_path)
    page.locator(".hr-subnav").get_by_role("link").nth(1).click()
    expect(page).to_have_url(f"{live_server.url}/staff/hr/sources/")
    assert_accessible(page, live_server, axe_path)

    page.get_by_role("link", name="populus-raportit").click()
    page.locator(f"a[href='/staff/hr/sources/{sample_source.pk}/preview/']").click()
    page.locator("select[name=report_type]").select_option("absences")
    page.locator("input[name=period]").fill("3/2026")
    page.locator("input[name=file]").set_input_files(str(SAMPLES / "poissaolot_202603.csv"))
    page.locator("main form button[type=submit]").click()

    preview = page.locator(".hr-preview table").first
    expect(preview).to_contain_text("Mäkinen Aino")
    expect(preview.locator("tbody tr")).to_have_count(7)
    assert_accessible(page, live_server, axe_path)

    page.goto("/staff/hr/runs/")
    page.locator("select[name=source]").select_option(str(sample_source.pk))
    page.locator("input[name=period]").fill("3/2026")
    page.locator("main form button[type=submit]").click()
    run = FetchRun.objects.get()
    expect(page).to_have_url(f"{live_server.url}/staff/hr/runs/{run.pk}/")
    expect(page.locator(".run-status--pending")).to_be_visible()

    run_worker_burst({"populus": rq_queues["populus"]})

    # The page's script notices the finished run and reloads with the counts.
    expect(page.locator(".run-status--done")).to_be_visible(timeout=20_000)
    expect(page.locator("#run-progress")).to_be_focused()  # where the keyboard was, not at the top
    expect(page.locator("main")).to_contain_text("3/2026")
    assert_accessible(page, live_server, axe_path)

    page.goto("/staff/hr/units/")
    expect(page.locator(".unit-tree")).to_contain_text("101020 Keskustan koulu, yläkoulu")
    assert_accessible(page, live_server, axe_path)
    assert not console_errors, console_errors


def test_the_other_hr_pages_have_no_serious_accessibility_violations(
    page: Page, live_server, create_role_user, axe_path: Path, sample_source
):
    from hrreports.models import Employee, WorkUnit
    from hrreports.services.fetch import populus_fetch
    from tests.hrreports.conftest import SAMPLE_PERIOD

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    unit = WorkUnit.objects.get(code="1010")
    employee = Employee.objects.get(name="Mäkinen Aino")
    login(page, live_server, create_role_user(Role.HR_ADMIN).username)
    paths = [
        f"/staff/hr/sources/{sample_source.pk}/",
        f"/staff/hr/sources/{sample_source.pk}/columns/salaries/",
        f"/staff/hr/sources/{sample_source.pk}/upload/",
        "/staff/hr/runs/",
        f"/staff/hr/runs/{run.pk}/",
        f"/staff/hr/units/{unit.pk}/",
        "/staff/hr/units/new/",
        "/staff/hr/employees/?q=m%C3%A4kinen",
        f"/staff/hr/employees/{employee.pk}/",
        "/staff/hr/codes/",
        "/staff/hr/codes/absence-types/new/",
    ]
    for path in paths:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page, live_server, axe_path)
