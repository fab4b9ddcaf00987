"""Fixtures of the survey tests: campaigns built directly with the ORM, in any status."""

from datetime import date

import pytest
from django.test import override_settings

from kuntaportaali.roles import Role
from surveys.models import Campaign, CampaignStatus, Survey, SurveyVersion
from tests.conftest import make_user
from tests.surveys.factories import build_campaign, build_survey, make_launch_ready
from tests.surveys.telephony_fakes import TWILIO_ACCOUNT, TWILIO_TOKEN, FakeTwilio


@pytest.fixture
def manager(db):
    return make_user("manager", Role.SURVEY_MANAGER)


@pytest.fixture
def communications(db):
    return make_user("comms", Role.COMMUNICATIONS)


@pytest.fixture
def survey(manager) -> Survey:
    return build_survey(manager)


@pytest.fixture
def ready(survey, manager, communications) -> Campaign:
    """A draft campaign of `survey` that meets every launch condition."""
    return make_launch_ready(build_campaign(survey, manager), manager=manager, communications=communications)


@pytest.fixture
def survey_manager(db):
    return make_user("kyselyvastaava-test", Role.SURVEY_MANAGER)


@pytest.fixture
def make_campaign(db):
    """`make_campaign(slug=..., status=..., **fields)` creates a campaign (and its survey) in one step."""
    created = {}

    def make(slug: str = "kysely", *, status: str = CampaignStatus.DRAFT, by=None, **fields) -> Campaign:
        by = by or created.get("user") or make_user("campaign-owner")
        created["user"] = by
        survey = Survey.objects.create(slug=f"{slug}-survey", organiser="Esimerkkilän kunta", created_by=by)
        version = SurveyVersion.objects.create(
            survey=survey, number=1, title_fi="Kuntastrategiakysely", purpose_fi="Kerromme, mikä on tärkeää."
        )
        values = {
            "name": f"Kampanja {slug}",
            "caller_number": "+358191234567",
            "start_date": date(2025, 12, 8),
            "end_date": date(2025, 12, 19),
            "number_source": "Esimerkkivälittäjä Oy, numeropalvelu",
            "number_retention_days": 30,
            "information_notice_fi": "Rekisteriseloste.",
        } | fields
        return Campaign.objects.create(slug=slug, survey_version=version, status=status, created_by=by, **values)

    return make


@pytest.fixture
def campaign(make_campaign) -> Campaign:
    return make_campaign()


@pytest.fixture
def fake_twilio():
    """Twilio's REST API faked on 127.0.0.1, with the settings that send the Twilio provider there."""
    with (
        FakeTwilio() as fake,
        override_settings(
            TWILIO_ACCOUNT_SID=TWILIO_ACCOUNT,
            TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
            TWILIO_API_BASE_URL=fake.base_url,
            TWILIO_RING_TIMEOUT=25,
            PUBLIC_BASE_URL="https://kunta.example",
        ),
    ):
        yield fake
