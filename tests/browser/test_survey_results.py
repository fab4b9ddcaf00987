"""A councillor reads a campaign's results: opens them from the results section, switches the charts
between weighted and unweighted with the keyboard, and downloads the PDF and the Excel workbook.
axe-core finds nothing blocking on the results page, nor on the residents' page with a published
summary, in Finnish and in Swedish."""

import io

import openpyxl
import pypdf
import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from kuntaportaali.roles import Role
from surveys.models import ReportFile, ReportFileStatus
from surveys.services.result_summaries import summary_publish
from tests.browser.conftest import (
    PHONE_WIDTH,
    assert_accessible,
    chart_text_problems,
    login,
    page_width,
    screenshot,
    switch_language,
)
from tests.surveys.results_factory import small_campaign

PDF = "application/pdf"
DOWNLOAD_TIMEOUT_MS = 60_000  # the report is built in the request
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def campaign(create_role_user):
    return small_campaign(create_role_user(Role.SURVEY_MANAGER))


def download(page: Page, link_selector: str) -> tuple[str, bytes, str]:
    """Click a download link: the file's content type (asked again with the page's session, since a
    download fires no response event), its bytes and its suggested name."""
    link = page.locator(link_selector)
    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download_info:
        link.click()
    file = download_info.value
    with open(file.path(), "rb") as handle:
        data = handle.read()
    content_type = page.request.get(link.get_attribute("href"), timeout=DOWNLOAD_TIMEOUT_MS).headers["content-type"]
    return content_type, data, file.suggested_filename


@override_settings(RESULTS_MIN_GROUP_SIZE=1)  # by hand; with 5 its groups (1, 3, 4) are weighted as one
def test_councillor_reads_switches_and_downloads_the_results(
    page: Page, live_server, create_role_user, campaign, axe_path
):
    councillor = create_role_user(Role.COUNCILLOR)
    login(page, live_server, councillor.username)
    results_path = f"/staff/surveys/results/{campaign.slug}/"

    page.goto("/staff/surveys/results/")
    page.locator(f'main a[href="{results_path}"]').click()
    expect(page).to_have_url(f"{live_server.url}{results_path}")
    expect(page.locator("#q2-chart-title")).to_have_text("2. Liikutko viikoittain?")
    assert page.locator("#q2 svg rect title").first.text_content().endswith("kyllä: 68,3\xa0%")  # weighted
    assert_accessible(page, live_server, axe_path)

    page.locator(".results-options > summary").click()
    unweighted = page.locator(f'.estimate-switch a[href="{results_path}?estimate=unweighted"]')
    unweighted.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{results_path}?estimate=unweighted")
    expect(page.locator(".estimate-switch a[aria-current=true]")).to_have_attribute(
        "href", f"{results_path}?estimate=unweighted"
    )
    assert page.locator("#q2 svg rect title").first.text_content().endswith("kyllä: 62,5\xa0%")

    content_type, data, filename = download(page, f'a[href="{results_path}download/pdf/?language=fi"]')
    assert (content_type, filename) == (PDF, "pieni-raportti.pdf")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\xa0", " ")
    assert "72,7 %" in text and "68,3 %" in text

    content_type, data, filename = download(page, f'a[href="{results_path}download/xlsx/?language=sv"]')
    assert (content_type, filename) == (XLSX, "pieni-rapport.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.worksheets[1]["B2"].value == "Vilken åldersgrupp hör du till?"  # the questions sheet

    switch_language(page, "sv")
    expect(page.locator("#q2-chart-title")).to_have_text("2. Motionerar du varje vecka?")
    assert_accessible(page, live_server, axe_path)


REPORT_FILES_FIRST_POLL_MS = 1_500  # the page's first look at the reports (static/js/report-files.js)


def test_the_page_follows_a_report_being_built_and_keeps_the_keyboard_at_the_reports(
    page: Page, live_server, create_role_user, campaign
):
    councillor = create_role_user(Role.COUNCILLOR)
    report = ReportFile.objects.create(
        campaign=campaign, file_format="pdf", language="fi", status=ReportFileStatus.RUNNING, created_by=councillor
    )
    login(page, live_server, councillor.username)
    page.clock.install()  # the page's timers run when the test moves the clock
    page.goto(f"/staff/surveys/results/{campaign.slug}/#reports")
    expect(page.locator("#reports [data-report-status]")).to_have_text("Luodaan")

    ReportFile.objects.filter(pk=report.pk).update(status=ReportFileStatus.DONE, progress=100, content=b"%PDF-")
    page.clock.run_for(2 * REPORT_FILES_FIRST_POLL_MS)

    # The reloaded page says the reports are ready, and the keyboard is there rather than at the top.
    status = page.locator("#reports [data-report-live]")
    expect(status).to_have_text("Raportit ovat valmiita.")
    expect(status).to_be_focused()


@override_settings(RESULTS_MIN_GROUP_SIZE=1)  # so that "who answered" has its groups to show
@pytest.mark.parametrize(
    ("device", "name"), [("page", "results-councillor-desktop"), ("phone_page", "results-councillor-phone")]
)
def test_councillor_reads_the_findings_first_and_no_statistics(
    request, live_server, create_role_user, campaign, axe_path, device, name
):
    page: Page = request.getfixturevalue(device)
    login(page, live_server, create_role_user(Role.COUNCILLOR).username)

    page.goto(f"/staff/surveys/results/{campaign.slug}/")
    screenshot(page, name)

    first_finding = page.locator("#findings .finding").first
    expect(first_finding).to_contain_text("Liikutko viikoittain?")
    box = first_finding.bounding_box()
    # Its first line at least is on the first screen (a phone's page header takes a third of it).
    first_line = 30
    assert box["y"] + first_line <= page.viewport_size["height"], "the first finding is below the first screen"
    main = page.locator("main").inner_text()
    for statistics in ("AAPOR", "RR1", "COOP", "Kish"):
        assert statistics not in main
    expect(page.locator("#statistics")).to_have_count(0)
    expect(page.locator("#who-answered svg.chart")).to_have_count(1)
    assert_accessible(page, live_server, axe_path)
    if device == "phone_page":
        assert page_width(page) <= PHONE_WIDTH


@override_settings(RESULTS_MIN_GROUP_SIZE=1)
def test_survey_manager_finds_the_statisticians_view_after_the_findings(page: Page, live_server, campaign, axe_path):
    login(page, live_server, f"user-{Role.SURVEY_MANAGER.value}")  # the campaign fixture made them

    page.goto(f"/staff/surveys/results/{campaign.slug}/")
    page.locator('.results-toc a[href="#statistics"]').click()

    expect(page.locator("#statistics")).to_be_in_viewport()
    expect(page.locator("#statistics")).to_contain_text("AAPOR")
    assert_accessible(page, live_server, axe_path)
    screenshot(page, "results-manager-desktop")


@pytest.fixture
def published(campaign, create_role_user):
    summary_publish(
        campaign=campaign,
        by=create_role_user(Role.COMMUNICATIONS),
        intro_fi="Kiitos vastanneille! Tässä tulokset.",
        intro_sv="Tack till alla som svarade! Här är resultaten.",
        question_positions=[2, 3],
    )
    return campaign


@pytest.mark.parametrize(("language", "path"), [("fi", "/fi/kyselyt/pieni/"), ("sv", "/sv/enkater/pieni/")])
def test_residents_page_with_a_published_summary_is_accessible(
    page: Page, live_server, published, axe_path, language, path
):
    page.goto(path)

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".summary-intro")).to_have_text(
        {"fi": "Kiitos vastanneille! Tässä tulokset.", "sv": "Tack till alla som svarade! Här är resultaten."}[language]
    )
    expect(page.locator("svg#summary-q2, svg[aria-labelledby^='summary-q2']")).to_have_count(1)
    assert_accessible(page, live_server, axe_path)


def test_residents_read_the_published_charts_on_a_phone(phone_page: Page, published):
    phone_page.goto("/fi/kyselyt/pieni/")

    expect(phone_page.locator("svg.chart")).to_have_count(3)  # questions 2 and 3, who answered by age
    screenshot(phone_page, "published-summary-phone")
    assert page_width(phone_page) <= PHONE_WIDTH
    assert not chart_text_problems(phone_page)
