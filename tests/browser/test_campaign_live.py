"""A survey manager follows a running campaign on its live page: the progress, the funnel and the
coverage update themselves when a call is placed, the page fits a phone, and axe-core finds nothing
blocking."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kuntaportaali.roles import Role
from surveys.models import CallStatus, CampaignStatus, Contact, ContactStatus
from surveys.services.contacts import contacts_import
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, login, page_width, screenshot
from tests.surveys.calls import queued_attempt
from tests.surveys.factories import build_campaign, build_survey
from tests.surveys.quota_fixtures import YOUNG, complete, quota_targets

POLL_MS = 5_000  # how often the page asks for the figures (static/js/campaign-live.js)


@pytest.fixture
def manager(create_role_user):
    return create_role_user(Role.SURVEY_MANAGER)


@pytest.fixture
def running(manager):
    campaign = build_campaign(build_survey(manager), manager, slug="elava", start=timezone.localdate())
    data = b"puhelin\n0401234560\n0401234561\n0401234562\n"
    contacts_import(campaign=campaign, file=data, filename="numerot.csv", by=manager)
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])
    return campaign


def test_the_live_page_updates_itself_while_the_campaign_runs(page: Page, live_server, manager, running, axe_path):
    login(page, live_server, manager.username)
    page.clock.install()  # the page's timers run when the test moves the clock, not in real time
    page.goto(f"/staff/surveys/campaigns/{running.slug}/")

    live = page.locator("#campaign-live")
    expect(live.locator("progress")).to_have_attribute("value", "0")
    funnel = live.locator("[data-live-funnel]")
    numbers_cells = funnel.get_by_role("row", name=re.compile(r"^Numerot \d")).locator("td")
    calls_cells = funnel.get_by_role("row", name=re.compile(r"^Puhelut \d")).locator("td")
    expect(numbers_cells.first).to_have_text("3")
    expect(calls_cells.first).to_have_text("0")
    expect(live.locator('[data-live="coverage-0-pending"]')).to_have_text("3")
    expect(live.locator("svg.chart")).to_be_visible()
    expect(live.locator("[aria-live=polite]")).to_have_count(1)
    expect(page.get_by_role("button", name="Keskeytä")).to_be_visible()
    expect(page.get_by_role("link", name="Peru kampanja")).to_be_visible()
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

    page.clock.run_for(POLL_MS)
    expect(calls_cells.first).to_have_text("1")
    expect(calls_cells.nth(1)).to_have_text(re.compile(r"^0,3 "))  # one call on three numbers, not 33 %
    expect(live.locator('[data-live="coverage-1-ended"]')).to_have_text("1")
    expect(live.locator('[data-live="coverage-0-pending"]')).to_have_text("2")
    expect(live.locator("progress")).to_have_attribute("value", "1")
    # The chart shows numbers only: the calls stay in the table.
    expect(live.locator("svg.chart rect title").first).to_have_text(re.compile(r": 3$"))
    expect(live.locator("svg.chart text", has_text="Puhelut")).to_have_count(0)
    assert_accessible(page, live_server, axe_path)


def test_the_page_reloads_once_when_the_campaign_is_paused_elsewhere(page: Page, live_server, manager, running):
    login(page, live_server, manager.username)
    page.clock.install()
    page.goto(f"/staff/surveys/campaigns/{running.slug}/")
    expect(page.get_by_role("button", name="Keskeytä")).to_be_visible()

    running.status = CampaignStatus.PAUSED
    running.save(update_fields=["status"])
    page.clock.run_for(POLL_MS)

    expect(page.get_by_role("button", name="Jatka soittamista")).to_be_visible()
    expect(page.locator("#campaign-live")).to_have_attribute("data-running", "false")
    # The reloaded page keeps the keyboard at the progress's summary, where the news is, not at the top.
    expect(page.locator("#campaign-live [data-live-summary]")).to_be_focused()


def test_the_page_stops_polling_when_the_campaign_is_not_running(
    page: Page, live_server, manager, running, request_log
):
    running.status = CampaignStatus.PAUSED
    running.save(update_fields=["status"])
    login(page, live_server, manager.username)
    page.clock.install()
    page.goto(f"/staff/surveys/campaigns/{running.slug}/")
    expect(page.locator("#campaign-live")).to_have_attribute("data-running", "false")
    page.clock.run_for(3 * POLL_MS)
    assert not [url for url in request_log if url.endswith("/progress.json")]


def test_cancelling_asks_for_confirmation_first_and_works_with_the_keyboard(
    page: Page, live_server, manager, running, axe_path
):
    login(page, live_server, manager.username)
    page.goto(f"/staff/surveys/campaigns/{running.slug}/")

    page.get_by_role("link", name="Peru kampanja").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/staff/surveys/campaigns/{running.slug}/status/cancelled/confirm/$"))
    running.refresh_from_db()
    assert running.status == CampaignStatus.RUNNING
    assert_accessible(page, live_server, axe_path)

    page.locator("button.button--danger").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/staff/surveys/campaigns/{running.slug}/$"))
    expect(page.get_by_role("link", name="Peru kampanja")).to_have_count(0)
    running.refresh_from_db()
    assert running.status == CampaignStatus.CANCELLED


def test_each_checklist_item_is_ticked_by_its_own_label(page: Page, live_server, manager, running, axe_path):
    login(page, live_server, manager.username)
    page.goto(f"/staff/surveys/campaigns/{running.slug}/checklist/")

    item = "Tarkoitus on kysely, ei markkinointi tai myynti."
    page.get_by_text(item).click()

    expect(page.get_by_role("checkbox", name=item)).to_be_checked()
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(1)
    assert_accessible(page, live_server, axe_path)


def test_the_live_page_fits_a_phone(phone_page: Page, live_server, manager, running, axe_path):
    login(phone_page, live_server, manager.username)
    phone_page.goto(f"/staff/surveys/campaigns/{running.slug}/")
    live = phone_page.locator("#campaign-live")
    expect(live.locator("svg.chart")).to_be_visible()

    assert page_width(phone_page) <= PHONE_WIDTH
    # The wide tables scroll inside their own labelled, keyboard-reachable box, not the page.
    coverage = live.get_by_role("region", name=re.compile("^Soittoyritysten kattavuus"))
    expect(coverage).to_have_attribute("tabindex", "0")
    assert coverage.evaluate("box => box.scrollWidth > box.clientWidth")
    svg_right = live.locator("svg.chart").evaluate("svg => svg.getBoundingClientRect().right")
    assert svg_right <= PHONE_WIDTH
    assert_accessible(phone_page, live_server, axe_path)
    screenshot(phone_page, "campaign-live-phone")

    phone_page.get_by_role("link", name="Peru kampanja").click()
    expect(phone_page).to_have_url(re.compile(rf"/staff/surveys/campaigns/{running.slug}/status/cancelled/confirm/$"))
    assert page_width(phone_page) <= PHONE_WIDTH


def test_each_quota_fills_on_the_live_page(page: Page, live_server, manager, running, axe_path):
    quota_targets()  # 18-29 0.20, 30-64 0.50, 65+ 0.30 (the survey asks no district: no quota for it)
    running.quotas_enabled, running.target_completes = True, 10
    running.save(update_fields=["quotas_enabled", "target_completes"])
    login(page, live_server, manager.username)
    page.clock.install()
    page.goto(f"/staff/surveys/campaigns/{running.slug}/")

    live = page.locator("#campaign-live")
    young = live.get_by_role("progressbar", name="18–29 2")
    expect(young).to_have_attribute("value", "0")
    expect(young).to_have_attribute("max", "2")
    expect(live.get_by_role("table", name="Kiintiöt: Ikäryhmä")).to_be_visible()
    assert_accessible(page, live_server, axe_path)

    contact = running.contacts.order_by("pk").first()
    Contact.objects.filter(pk=contact.pk).update(birth_year=YOUNG, status=ContactStatus.FINISHED)
    complete(contact)

    page.clock.run_for(POLL_MS)
    expect(young).to_have_attribute("value", "1")
    expect(live.locator('[data-live="quota-age_group-0"]')).to_have_text("1")
    expect(live.locator('[data-live="quota-age_group-0-percent"]')).to_have_text("50,0")
