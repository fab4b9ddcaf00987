"""A survey manager follows a prediction being made on the campaign page: the page says how many of
its runs are done and about how long the rest take, and shows the figures once it has finished."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kuntaportaali.roles import Role
from surveys.models import CampaignPrediction, PredictionStatus
from surveys.services import planner
from surveys.services.contacts import contacts_import
from tests.browser.conftest import assert_accessible, login
from tests.surveys.factories import build_campaign, build_survey

FIRST_POLL_MS = 3_000  # the page's first look at the status (static/js/campaign-prediction.js)
RUN = {
    "numbers": 2,
    "calls": 5,
    "answered": 3,
    "complete": 1,
    "complete_by_age_group": {"18-29": 0, "30-64": 1, "65+": 0},
    "complete_by_mode": {"phone": 1, "web": 0},
    "sms_sent": 0,
    "call_cost": "0.18",
    "sms_cost": "0",
    "design_effect": 1.0,
}


@pytest.fixture
def manager(create_role_user):
    return create_role_user(Role.SURVEY_MANAGER)


@pytest.fixture
def running_prediction(manager):
    campaign = build_campaign(build_survey(manager), manager, slug="ennustettava")
    contacts_import(campaign=campaign, file=b"puhelin\n0401234560\n0401234561\n", filename="n.csv", by=manager)
    return CampaignPrediction.objects.create(
        campaign=campaign,
        requested_by=manager,
        status=PredictionStatus.RUNNING,
        numbers=2,
        sample_size=2,
        seeds=[1, 2, 3],
        started_at=timezone.now() - timedelta(minutes=3),
        campaign_settings=planner.campaign_settings(campaign),
    )


def test_the_page_follows_the_runs_of_a_prediction_until_its_figures(
    page: Page, live_server, manager, running_prediction, axe_path
):
    prediction = running_prediction
    login(page, live_server, manager.username)
    page.clock.install()  # the page's timers run when the test moves the clock
    page.goto(f"/staff/surveys/campaigns/{prediction.campaign.slug}/#prediction")

    progress = page.locator("#prediction [data-prediction-progress]")
    expect(progress).to_have_text("Simuloidaan ajoa 1/3.")
    assert_accessible(page, live_server, axe_path)

    CampaignPrediction.objects.filter(pk=prediction.pk).update(runs=[RUN | {"seed": 1}])
    page.clock.run_for(FIRST_POLL_MS)
    # One run in about three minutes: two more take about six.
    expect(progress).to_have_text("1/3 ajoa simuloitu, noin 6 minuuttia jäljellä.")

    runs = [RUN | {"seed": seed} for seed in (1, 2, 3)]
    CampaignPrediction.objects.filter(pk=prediction.pk).update(
        runs=runs, status=PredictionStatus.DONE, finished_at=timezone.now()
    )
    page.clock.run_for(2 * FIRST_POLL_MS)
    expect(page.locator("#prediction").get_by_text("simuloitu 3 kertaa")).to_be_visible()
    expect(progress).to_have_count(0)
    # The reloaded page puts the keyboard where it was, on the prediction's status, not at the top.
    expect(page.locator("#prediction [data-prediction-status]")).to_be_focused()
