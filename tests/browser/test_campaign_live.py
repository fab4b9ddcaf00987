"""A survey manager follows a running campaign on its live page: the progress, the funnel and the
coverage update themselves when a call is placed, and axe-core finds nothing blocking."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kuntaportaali.roles import Role
from surveys.models import CallStatus, CampaignStatus, ContactStatus
from surveys.services.contacts import contacts_import
from tests.browser.conftest import login
from tests.browser.test_survey_editor import assert_accessible
from tests.surveys.calls import queued_attempt
from tests.surveys.factories import build_campaign, build_survey

REFRESH_TIMEOUT_MS = 15_000  # the page polls every 5 s


@pytest.fixture
def manager(create_role_user):
    return create_role_user(Role.SURVEY_MANAGER)


@pytest.fixture
def running(manager):
    campaign = build_campaign(build_survey(manager), manager, slug="elava", start=timezone.localdate())
    data = b"puhelin\n0401234560\n0401234561\n0401234562\n"
    contacts_import(campaign=campaign, data=data, filename="numerot.csv", by=manager)
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])
    return campaign


def test_the_live_page_updates_itself_while_the_campaign_runs(page: Page, live_server, manager, running, axe_path):
    login(page, live_server, manager.username)
    page.goto(f"/staff/surveys/campaigns/{running.slug}/")

    live = page.locator("#campaign-live")
    expect(live.locator("progress")).to_have_attribute("value", "0")
    expect(live.locator('[data-live="numbers"]')).to_have_text("3")
    expect(live.locator('[data-live="calls"]')).to_have_text("0")
    expect(live.locator('[data-live="coverage-0-pending"]')).to_have_text("3")
    expect(live.locator("svg.chart")).to_be_visible()
    expect(live.locator("[aria-live=polite]")).to_have_count(1)
    expect(page.get_by_role("button", name="Keskeytä")).to_be_visible()
    expect(page.get_by_role("button", name="Peru kampanja")).to_be_visible()
    assert_accessible(page, live_server, axe_path)

    contact = running.contacts.order_by("pk").first()
    now = timezone.now()
    queued_attempt(
        contact,
        status=CallStatus.NO_ANSWER,
        scheduled_for=now,
        placed_at=now,
        ended_at=now + timedelta(seconds=30),
    )
    contact.status = ContactStatus.FINISHED
    contact.save(update_fields=["status"])

    expect(live.locator('[data-live="calls"]')).to_have_text("1", timeout=REFRESH_TIMEOUT_MS)
    expect(live.locator('[data-live="coverage-1-ended"]')).to_have_text("1")
    expect(live.locator('[data-live="coverage-0-pending"]')).to_have_text("2")
    expect(live.locator("progress")).to_have_attribute("value", "1")
    calls_bar = live.locator("svg.chart rect").nth(1).locator("title")
    expect(calls_bar).to_have_text(re.compile(r": 1$"))
    assert_accessible(page, live_server, axe_path)


def test_the_page_reloads_once_when_the_campaign_is_paused_elsewhere(page: Page, live_server, manager, running):
    login(page, live_server, manager.username)
    page.goto(f"/staff/surveys/campaigns/{running.slug}/")
    expect(page.get_by_role("button", name="Keskeytä")).to_be_visible()

    running.status = CampaignStatus.PAUSED
    running.save(update_fields=["status"])

    expect(page.get_by_role("button", name="Jatka soittamista")).to_be_visible(timeout=REFRESH_TIMEOUT_MS)
    expect(page.locator("#campaign-live")).to_have_attribute("data-running", "false")


def test_the_page_stops_polling_when_the_campaign_is_not_running(
    page: Page, live_server, manager, running, request_log
):
    running.status = CampaignStatus.PAUSED
    running.save(update_fields=["status"])
    login(page, live_server, manager.username)
    page.goto(f"/staff/surveys/campaigns/{running.slug}/")
    expect(page.locator("#campaign-live")).to_have_attribute("data-running", "false")
    page.wait_for_timeout(6_000)
    assert not [url for url in request_log if url.endswith("/progress.json")]
