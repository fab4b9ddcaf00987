"""Each role's main task, end to end, on a desktop and on a 390 px phone (issue 15, "Done when"):

- a supervisor finds the month's figures and an early-support case on one screen, marks the case
  discussed and opens a report;
- a councillor reads the findings of the demo campaign `demo` with no statistics before them;
- a survey manager launches a campaign through the launch gate and sees it running;
- a resident opts out starting from the surveys list.

Every page a walk visits fits the phone's width, axe-core finds nothing on it (WCAG 2.1 AA, any
impact) and the text of its charts is readable (chart_text_problems). The walks leave screenshots
in var/screenshots/: walk-<role>[-<page>]-<desktop|phone>.png.
"""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from hrreports.models import Alert
from kuntaportaali.roles import Role
from surveys.models import Campaign, CampaignStatus, DoNotCall
from surveys.phone_numbers import phone_hash
from surveys.services.launch import launch_plan
from tests.browser.conftest import (
    OPEN_PEOPLE,
    axe_violations,
    chart_text_problems,
    describe,
    login,
    page_width,
    screenshot,
)
from tests.conftest import make_user
from tests.surveys.factories import build_campaign, build_survey, make_ready_but_the_checklist
from tests.surveys.results_factory import answered_demo

# Words of the statistician's view (response rates, weighting diagnostics), never on a councillor's page.
STATISTICS_WORDS = ("AAPOR", "RR1", "COOP", "Kish", "raking", "Konvergoi")


@pytest.fixture(params=["desktop", "phone"])
def device(request) -> str:
    return request.param


@pytest.fixture
def walker(request, device) -> Page:
    """The page of a desktop browser, or of a phone's."""
    return request.getfixturevalue("page" if device == "desktop" else "phone_page")


def check_page(page: Page, live_server, axe_path: Path, shot: str) -> None:
    """What every page of a walk must be: no wider than the screen, free of axe violations, its
    charts readable; and a screenshot of it, once the page has loaded (see `page_width`)."""
    page.wait_for_load_state("load")
    screenshot(page, shot)
    assert page_width(page) <= page.viewport_size["width"], f"{page.url} is {page_width(page)} px wide"
    violations = axe_violations(page, live_server, axe_path)
    assert not violations, f"axe on {page.url}:\n" + describe(violations)
    problems = chart_text_problems(page)
    assert not problems, f"charts on {page.url}:\n" + "\n".join(problems)


def bottom(page: Page, selector: str) -> float:
    """Where the element ends, in CSS pixels from the top of the page (which the test has not scrolled)."""
    box = page.locator(selector).bounding_box()
    return box["y"] + box["height"]


def test_supervisor_finds_the_month_and_a_case_on_one_screen_marks_it_discussed_and_opens_a_report(
    walker: Page, device, live_server, axe_path, supervisor_with_cases
):
    page = walker
    login(page, live_server, supervisor_with_cases.username)
    page.locator(f'.site-nav a[href="{reverse("hrreports:reports")}"]').click()

    first_case = page.locator(".case").first
    expect(first_case).to_be_visible()
    check_page(page, live_server, axe_path, f"walk-supervisor-{device}")
    first_screen = page.viewport_size["height"]
    for figure in (
        "#glance-sick-rate",
        "#glance-started",
        "#glance-ended",
        "#glance-salaries",
        ".glance-sentences",  # the sick-leave rate against last month and the same month last year
        ".case:first-child .case__name",
    ):
        assert bottom(page, figure) <= first_screen, f"{figure} ends below the first screen"
    # What to do next: on a desktop the whole case shows, on a phone its first line.
    first_line = 24
    if device == "desktop":
        assert bottom(page, ".case:first-child") <= first_screen
    else:
        assert page.locator(".case:first-child .case__next").bounding_box()["y"] + first_line <= first_screen

    employee_id = int(first_case.get_attribute("id").removeprefix("case-"))
    first_case.locator(".case__discussed summary").click()
    first_case.locator("input[type=date]").fill("2026-04-02")
    first_case.locator("textarea").fill("Varhaisen tuen keskustelu pidetty.")
    first_case.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator(".case")).to_have_count(OPEN_PEOPLE - 1)
    # The case's three rules of the month are discussed together (the year-old alert stays folded).
    assert Alert.objects.filter(employee_id=employee_id, acknowledged_at__isnull=False).count() == 3

    page.locator(".home-reports a").first.click()  # the first unit's absence report
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    check_page(page, live_server, axe_path, f"walk-supervisor-report-{device}")


@pytest.fixture
def demo(transactional_db, live_server) -> Campaign:
    return answered_demo(
        manager=make_user("kyselyvastaava", Role.SURVEY_MANAGER),
        communications=make_user("viestinta", Role.COMMUNICATIONS),
    )


def test_councillor_reads_the_findings_of_the_demo_before_any_statistics(
    walker: Page, device, live_server, axe_path, create_role_user, demo
):
    page = walker
    login(page, live_server, create_role_user(Role.COUNCILLOR).username)
    page.locator(f'.site-nav a[href="{reverse("surveys:results")}"]').click()
    results_path = reverse("surveys:campaign-results", args=[demo.slug])
    page.locator(f'main a[href="{results_path}"]').click()

    findings = page.locator("#findings .finding")
    expect(findings.first).to_be_visible()
    assert findings.count() >= 4, "a finding for each opinion question"
    assert bottom(page, "#findings-heading") <= page.viewport_size["height"]
    # The findings come first; a councillor has no statistician's view to come to, nor a tab for it.
    expect(page.locator(".results-toc a").first).to_have_attribute("href", "#findings")
    expect(page.locator('.results-toc a[href="#statistics"]')).to_have_count(0)
    expect(page.locator("#statistics")).to_have_count(0)
    main = page.locator("main").inner_text()
    assert not [word for word in STATISTICS_WORDS if word in main]
    check_page(page, live_server, axe_path, f"walk-councillor-{device}")


@pytest.fixture
def campaign_to_launch(create_role_user) -> Campaign:
    """A campaign whose numbers and communications' part are done: its survey manager's checklist is left."""
    manager = create_role_user(Role.SURVEY_MANAGER)
    campaign = build_campaign(build_survey(manager), manager, slug="syksy")
    return make_ready_but_the_checklist(campaign, manager=manager, communications=create_role_user(Role.COMMUNICATIONS))


def test_survey_manager_launches_a_campaign_through_the_gate_and_sees_it_running(
    walker: Page, device, live_server, axe_path, campaign_to_launch, rq_queues
):
    page, campaign = walker, campaign_to_launch
    login(page, live_server, f"user-{Role.SURVEY_MANAGER.value}")
    page.goto(reverse("surveys:campaigns"))
    page.locator(f'main a[href="{reverse("surveys:campaign", args=[campaign.slug])}"]').click()
    expect(page.locator(".launch-blockers li")).to_have_count(1)
    check_page(page, live_server, axe_path, f"walk-manager-gate-{device}")

    page.locator(".launch-blockers a").click()  # the checklist, the one item left
    expect(page.locator(".verified-items__unmet")).to_have_count(0)
    check_page(page, live_server, axe_path, f"walk-manager-checklist-{device}")
    for box in page.locator("main form input[type=checkbox]").all():
        box.check()
    page.get_by_role("button", name="Vahvista omalla nimelläni").click()
    expect(page.locator(".launch-blockers")).to_have_count(0)
    page.get_by_role("button", name="Merkitse valmiiksi").click()
    expect(page.locator("h1 .status")).to_have_text("Valmis")
    page.get_by_role("link", name="Aloita soittaminen").click()

    plan = launch_plan(campaign=campaign)
    first, last = (f"{day.day}.{day.month}.{day.year}" for day in (plan.first_day, plan.last_day))
    expect(page.locator("#launch-contacts")).to_contain_text("1")
    expect(page.locator("#launch-dates")).to_contain_text(f"{first}–{last}")
    expect(page.locator("#launch-cost")).to_contain_text(f"{plan.estimated_cost} EUR".replace(".", ","))
    check_page(page, live_server, axe_path, f"walk-manager-confirm-{device}")
    page.locator("button[aria-describedby=launch-consequences]").click()

    expect(page.locator("h1 .status")).to_have_text("Käynnissä")
    expect(page.locator("#campaign-live")).to_be_visible()
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.RUNNING
    check_page(page, live_server, axe_path, f"walk-manager-{device}")


def test_resident_opts_out_starting_from_the_surveys_list(
    walker: Page, device, live_server, axe_path, survey_rounds, fresh_opt_out_limit
):
    page = walker
    with translation.override("fi"):
        list_path = reverse("surveys-public:index")
        done_path = reverse("surveys-public:opt-out-done")
        link_name = gettext("Do not call me")
        field_label = gettext("Your phone number")
        received = gettext("Your request has been received")

    page.goto("/")
    page.locator(f'main a[href="{list_path}"]').first.click()
    expect(page.locator("main").get_by_role("link", name=link_name, exact=True)).to_be_visible()
    check_page(page, live_server, axe_path, f"walk-resident-list-{device}")
    page.locator("main").get_by_role("link", name=link_name, exact=True).click()

    page.get_by_label(field_label).fill("040 765 4321")
    check_page(page, live_server, axe_path, f"walk-resident-form-{device}")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(f"{live_server.url}{done_path}")
    expect(page.locator("h1")).to_have_text(received)
    assert list(DoNotCall.objects.values_list("phone_hash", flat=True)) == [phone_hash("+358407654321")]
    check_page(page, live_server, axe_path, f"walk-resident-{device}")
