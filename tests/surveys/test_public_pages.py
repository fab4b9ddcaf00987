"""The residents' pages: published campaigns with their questions, in the language of the address."""

import pytest
from django.urls import reverse
from django.utils import translation

from kuntaportaali.roles import Role
from surveys.services import campaigns as campaign_services
from tests.surveys.factories import build_campaign, build_survey


@pytest.fixture
def published(role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager), manager)
    return campaign_services.campaign_publish_questions(campaign=campaign, by=role_users[Role.COMMUNICATIONS])


def public_url(name, language, **kwargs):
    with translation.override(language):
        return reverse(f"surveys-public:{name}", kwargs=kwargs)


def test_addresses_carry_the_language():
    assert public_url("index", "fi") == "/fi/kyselyt/"
    assert public_url("index", "sv") == "/sv/enkater/"
    assert public_url("campaign", "en", slug="x") == "/en/surveys/x/"


def test_list_shows_published_campaigns_with_their_caller_number(client, published):
    response = client.get("/fi/kyselyt/")

    assert response.status_code == 200
    assert [item.campaign for item in response.context["groups"]["upcoming"]] == [published]
    assert "09 3101691" in response.text


def test_unpublished_and_cancelled_campaigns_are_not_shown(client, published, role_users):
    draft = build_campaign(published.survey_version.survey, role_users[Role.SURVEY_MANAGER], slug="luonnos")
    campaign_services.campaign_transition(campaign=published, to="cancelled", by=role_users[Role.SURVEY_MANAGER])

    assert client.get("/fi/kyselyt/").context["groups"] == {"running": [], "upcoming": [], "finished": []}
    assert client.get(f"/fi/kyselyt/{draft.slug}/").status_code == 404
    assert client.get(f"/fi/kyselyt/{published.slug}/").status_code == 404


def test_swedish_page_shows_the_questions_in_swedish(client, published):
    response = client.get(f"/sv/enkater/{published.slug}/")

    assert response.status_code == 200
    assert '<html lang="sv">' in response.text
    assert "Vilken åldersgrupp hör du till?" in response.text
    assert "1 = 18–29" in response.text
    assert "1 (inte alls) – 5 (mycket)" in response.text
    assert "Rekisterinpitäjä: kaupunki." in response.text  # no Swedish notice given: Finnish is shown


def test_a_finnish_only_survey_is_shown_in_finnish_with_a_note(client, role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager, slug="vain-suomi", offers_sv=False), manager, slug="suomeksi")
    campaign_services.campaign_publish_questions(campaign=campaign, by=manager)

    response = client.get(f"/sv/enkater/{campaign.slug}/")

    assert "Mihin ikäryhmään kuulut?" in response.text
    assert "Enkäten finns inte på ditt språk; den visas på finska." in response.text
    assert '<ol class="public-questions" lang="fi">' in response.text


def test_the_language_switcher_keeps_the_page(client, published):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": f"/fi/kyselyt/{published.slug}/"})

    assert response["Location"] == f"/sv/enkater/{published.slug}/"
