"""The quotas on the campaign's pages: the form that sets them, the campaign page that shows each
quota filling, and the live figures it polls."""

import pytest
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.models import ContactStatus
from tests.surveys.factories import build_campaign
from tests.surveys.quota_fixtures import YOUNG, add_contact, complete, quota_campaign, quota_targets
from tests.surveys.test_campaign_views import campaign_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(make_campaign, survey_manager):
    return quota_campaign(make_campaign, by=survey_manager)


def test_the_campaign_page_shows_each_quota_filling(client, survey_manager, campaign):
    done = add_contact(campaign, birth_year=YOUNG, postal_code="01900")
    done.status = ContactStatus.FINISHED
    done.save()
    complete(done)
    client.force_login(survey_manager)

    page = client.get(reverse("surveys:campaign", kwargs={"slug": campaign.slug})).content.decode()

    assert "Kiintiöiden täyttyminen" in page
    assert "Kiintiöt: Ikäryhmä" in page
    assert '<th scope="row" id="quota-age_group-0-group">18–29</th>' in page
    assert '<td data-live="quota-age_group-0">1</td>' in page
    assert (
        'data-live-bar="quota-age_group-0" max="2" value="1" '
        'aria-labelledby="quota-age_group-0-group quota-age_group-0-quota"' in page
    )
    assert "Tavoiteltu vastausmäärä: 10." in page


def test_the_campaign_page_says_a_complete_is_the_results_one(client, survey_manager, campaign):
    client.force_login(survey_manager)

    page = client.get(reverse("surveys:campaign", kwargs={"slug": campaign.slug})).content.decode()

    assert (
        "Kiintiöön lasketaan vastaaja, joka vastasi vähintään 80 prosenttiin häntä koskeneista kysymyksistä, "
        "kuten tulokset laskevat valmiit vastaukset – myös puhelun ennen loppua katkaissut – heti kun "
        "vastauksia on niin monta." in page
    )


def test_the_live_figures_carry_each_quota(client, survey_manager, campaign):
    for _done in range(3):
        complete(add_contact(campaign, birth_year=YOUNG, postal_code="01980"))
    client.force_login(survey_manager)

    data = client.get(reverse("surveys:campaign-progress", kwargs={"slug": campaign.slug})).json()

    assert data["quota_bars"]["quota-age_group-0"] == [3, 2]
    assert data["quota_bars"]["quota-district-1"] == [3, 4]
    assert data["values"]["quota-age_group-0"] == "3"
    assert data["values"]["quota-age_group-0-percent"] == "150,0"
    assert data["values"]["quota-closed"] == "0"


def test_a_campaign_without_quotas_shows_none(client, survey_manager, make_campaign):
    quota_targets()
    campaign = make_campaign("ilman", by=survey_manager)
    client.force_login(survey_manager)

    page = client.get(reverse("surveys:campaign", kwargs={"slug": campaign.slug})).content.decode()
    data = client.get(reverse("surveys:campaign-progress", kwargs={"slug": campaign.slug})).json()

    assert "Kiintiöiden täyttyminen" not in page
    assert "ei kiintiöitä: kaikkiin numeroihin soitetaan" in page
    assert "quota_bars" not in data


def test_the_survey_manager_turns_quotas_on_and_sees_the_quotas_on_the_form(client_as, survey, role_users):
    quota_targets()
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER])
    client = client_as(Role.SURVEY_MANAGER)
    url = reverse("surveys:campaign-edit", kwargs={"slug": campaign.slug})

    response = client.post(url, campaign_post(survey, quotas_enabled="on", target_completes="500"))

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.quotas_enabled, campaign.target_completes) == (True, 500)
    form_page = client.get(url).content.decode()
    # The survey asks the age group (18-29, 30-64, 65+) but not the district.
    assert '<th scope="row" id="quota-age_group-0-group">18–29</th>' in form_page
    assert '<td id="quota-age_group-1-quota">250</td>' in form_page
    assert "Kaupunginosa tai postinumeroalue: kysely ei kysy sitä." in form_page


def test_quotas_without_the_completes_wanted_are_refused(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER])
    client = client_as(Role.SURVEY_MANAGER)

    response = client.post(
        reverse("surveys:campaign-edit", kwargs={"slug": campaign.slug}), campaign_post(survey, quotas_enabled="on")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["target_completes"] == [
        "Kiintiöt tarvitsevat tavoitellun vastausmäärän: kukin ryhmä saa siitä osuutensa."
    ]
    campaign.refresh_from_db()
    assert not campaign.quotas_enabled
