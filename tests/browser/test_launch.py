"""A survey manager walks a campaign through the launch gate on a desktop and on a phone: "mark
ready" is refused while blockers are open, each blocker leads to its fix or names communications
(who are asked by email), and the start happens only on the confirmation page that says how many
numbers are called, when and at about what cost. axe-core checks the pages."""

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from kuntaportaali.roles import Role
from surveys.models import Campaign, CampaignStatus
from surveys.services import campaigns as campaign_services
from surveys.services.launch import launch_plan
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, login, page_width, screenshot
from tests.surveys.factories import add_numbers, build_campaign, build_survey, publish_planned_announcements


def activate(control: Locator) -> None:
    """Press Enter on a button or link, as a keyboard user does. (On the phone the campaign page's
    progress tables are wider than the screen, so the browser zooms out and a tap can land on a
    neighbour; the keyboard reaches the control itself.)"""
    control.focus()
    control.press("Enter")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_survey_manager_walks_the_gate_to_a_confirmed_start(
    request, live_server, create_role_user, axe_path, rq_queues, device
):
    page: Page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    manager = create_role_user(Role.SURVEY_MANAGER)
    communications = create_role_user(Role.COMMUNICATIONS)
    campaign = build_campaign(build_survey(manager), manager, slug="syksy")
    login(page, live_server, manager.username)

    page.goto(f"/staff/surveys/campaigns/{campaign.slug}/")
    blockers = page.locator(".launch-blockers li")
    expect(blockers).to_have_count(5)
    activate(page.get_by_role("button", name="Merkitse valmiiksi"))
    expect(page.locator(".messages")).to_contain_text("Käynnistyksen tarkistuslistaa ei ole vahvistettu.")
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT
    assert_accessible(page, live_server, axe_path)

    # Communications' items name who fixes them; the survey manager asks them by email.
    expect(blockers.nth(0).locator(".fixer")).to_contain_text("Viestintä")
    expect(blockers.nth(0).locator("a")).to_have_count(0)
    activate(page.locator(".notify-form button"))
    expect(page.locator(".messages")).to_contain_text("1")
    assert rq_queues["email"].count == 1

    # The survey manager's own items are links to the page that fixes them.
    activate(blockers.nth(1).locator("a"))
    expect(page).to_have_url(f"{live_server.url}/staff/surveys/campaigns/{campaign.slug}/contacts/")
    add_numbers(campaign, "040 123 4567", "050 765 4321", by=manager)  # the upload's worker, done here
    page.goto(f"/staff/surveys/campaigns/{campaign.slug}/")
    activate(page.locator(".launch-blockers a", has_text="Käynnistyksen tarkistuslistaa"))
    expect(page.locator(".verified-items__unmet")).to_have_count(3)  # the portal checks these, nobody ticks them
    page.locator("input[name=purpose_not_marketing]").check()
    page.locator("input[name=legal_basis_public_task]").check()
    activate(page.get_by_role("button", name="Vahvista omalla nimelläni"))

    # What communications does on their own pages.
    campaign_services.campaign_publish_questions(campaign=campaign, by=communications)
    publish_planned_announcements(campaign, on=timezone.localdate(), by=communications)

    page.goto(f"/staff/surveys/campaigns/{campaign.slug}/")
    expect(page.locator(".launch-blockers")).to_have_count(0)
    activate(page.get_by_role("button", name="Merkitse valmiiksi"))
    expect(page.locator("h1 .status")).to_have_text("Valmis")
    activate(page.get_by_role("link", name="Aloita soittaminen"))

    expect(page).to_have_url(f"{live_server.url}/staff/surveys/campaigns/{campaign.slug}/start/")
    plan = launch_plan(campaign=campaign)
    first, last = (f"{day.day}.{day.month}.{day.year}" for day in (plan.first_day, plan.last_day))
    expect(page.locator("#launch-contacts")).to_contain_text("2")
    expect(page.locator("#launch-dates")).to_contain_text(f"{first}–{last}")
    expect(page.locator("#launch-announced li")).to_have_count(2)  # the website and the press release, as planned
    expect(page.locator("#launch-cost")).to_contain_text(f"{plan.estimated_cost} EUR".replace(".", ","))
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.READY  # nothing started by looking
    assert_accessible(page, live_server, axe_path)
    screenshot(page, f"launch-confirm-{device}")
    if device == "phone":
        assert page_width(page) <= PHONE_WIDTH

    page.locator("button[aria-describedby=launch-consequences]").click()  # a tap: this page fits the phone
    expect(page.locator("h1 .status")).to_have_text("Käynnissä")
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.RUNNING
