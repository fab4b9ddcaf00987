"""The campaign page's planner: asking for a prediction, following it, reading it."""

import re
from datetime import timedelta
from decimal import Decimal

import django_rq
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kuntaportaali.roles import Role
from surveys.models import (
    Campaign,
    CampaignFixedCost,
    CampaignPrediction,
    CampaignResultSettings,
    CampaignStatus,
    PredictionStatus,
)
from surveys.services import planner
from surveys.services.contacts import contacts_import
from tests.error_summary import assert_errors_summarised
from tests.surveys.factories import build_campaign, build_survey
from tests.surveys.quota_fixtures import quota_targets

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager), manager)
    contacts_import(campaign=campaign, file=b"puhelin\n0401234567\n0401234568\n", filename="n.csv", by=manager)
    # The fixed cost the finished predictions below were made with.
    CampaignFixedCost.objects.create(campaign=campaign, description="Numerolista", amount=Decimal("100"))
    return campaign


def page(client, campaign, **query):
    return client.get(reverse("surveys:campaign", args=[campaign.slug]), query)


def done_prediction(campaign, **fields) -> CampaignPrediction:
    run = {
        "numbers": 100,
        "calls": 260,
        "answered": 170,
        "complete_by_age_group": {"18-29": 1, "30-64": 5, "65+": 8},
        "sms_sent": 0,
        "sms_cost": "0",
    }
    values = {
        "campaign": campaign,
        "requested_by": campaign.created_by,
        "status": PredictionStatus.DONE,
        "numbers": 2,
        "sample_size": 2,
        "seeds": [1, 2],
        "started_at": timezone.now(),
        "finished_at": timezone.now(),
        "campaign_settings": planner.campaign_settings(campaign),
        "fixed_cost": Decimal("100"),
        "runs": [
            run | {"seed": 1, "complete": 14, "call_cost": "20.00", "design_effect": 1.3},
            run | {"seed": 2, "complete": 16, "call_cost": "22.00", "design_effect": 1.4},
        ],
    } | fields
    return CampaignPrediction.objects.create(**values)


def test_before_the_launch_the_page_offers_a_prediction(client_as, campaign):
    response = page(client_as(Role.SURVEY_MANAGER), campaign)

    html = response.content.decode()
    assert "Ennuste" in html
    assert reverse("surveys:campaign-predict", args=[campaign.slug]) in html
    assert ">Ennusta<" in html
    # The campaign has contacts: no count is asked.
    assert 'name="numbers"' not in html


def test_a_survey_manager_asks_for_a_prediction_and_a_worker_gets_the_job(
    client_as, campaign, rq_queues, django_capture_on_commit_callbacks
):
    client = client_as(Role.SURVEY_MANAGER)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:campaign-predict", args=[campaign.slug]))

    assert response.status_code == 302
    assert response["Location"].endswith(f"/campaigns/{campaign.slug}/#prediction")
    prediction = CampaignPrediction.objects.get(campaign=campaign)
    assert (prediction.status, prediction.numbers, prediction.numbers_assumed) == ("queued", 2, False)
    (job,) = django_rq.get_queue(planner.PREDICTION_QUEUE).get_jobs()
    assert job.args == (prediction.pk,)
    html = client.get(response["Location"]).content.decode()
    assert "Ennustetta lasketaan" in html
    assert reverse("surveys:campaign-prediction-status", args=[campaign.slug]) in html


@pytest.mark.parametrize("role", [Role.COMMUNICATIONS, Role.COUNCILLOR, Role.HR_ADMIN, Role.SUPERVISOR])
def test_only_survey_managers_may_ask(client_as, campaign, role):
    response = client_as(role).post(reverse("surveys:campaign-predict", args=[campaign.slug]))

    assert response.status_code == 403
    assert not CampaignPrediction.objects.exists()


def test_without_contacts_the_page_asks_how_many_numbers(client_as, role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager), manager)
    client = client_as(Role.SURVEY_MANAGER)

    html = page(client, campaign).content.decode()
    assert 'name="numbers"' in html
    assert 'value="7759"' in html
    client.post(reverse("surveys:campaign-predict", args=[campaign.slug]), {"numbers": "500"})

    prediction = CampaignPrediction.objects.get(campaign=campaign)
    assert (prediction.numbers, prediction.numbers_assumed, prediction.sample_size) == (500, True, 500)


def test_a_count_out_of_range_is_refused_with_the_reason(client_as, role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager), manager)

    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-predict", args=[campaign.slug]), {"numbers": "0"}
    )

    assert not CampaignPrediction.objects.exists()
    # On the campaign's page, at the field, with what was typed: not in a message at the page's top.
    assert response.status_code == 400
    html = response.content.decode()
    assert_errors_summarised(html, {"id_numbers": "Tämän luvun on oltava vähintään 1."})
    assert re.search(r'<input type="number" name="numbers" id="id_numbers" min="1" value="0"', html)


def test_a_running_campaign_is_not_predicted(client_as, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    client = client_as(Role.SURVEY_MANAGER)

    assert 'id="prediction"' not in page(client, campaign).content.decode()
    response = client.post(reverse("surveys:campaign-predict", args=[campaign.slug]), follow=True)

    assert not CampaignPrediction.objects.exists()
    assert "jo käynnistynyt" in response.content.decode()


def test_a_finished_prediction_shows_its_figures_ranges_and_age_chart(client_as, campaign):
    done_prediction(campaign)

    html = page(client_as(Role.SURVEY_MANAGER), campaign).content.decode()

    # 14 and 16 completes of 100 numbers, scaled to the list's 2: 0.28 and 0.32, mean 0.3.
    assert "Valmiit vastaukset" in html
    assert "simuloitu 2 kertaa" in html
    assert "Kustannus valmista vastausta kohden" in html
    assert '<svg class="chart"' in html
    assert "Ikäryhmien osuudet valmiista vastauksista" in html
    assert "Asetukset tai yhteystiedot ovat muuttuneet" not in html


def test_the_age_groups_predicted_shares_are_said_to_be_rounded_one_by_one(client_as, campaign):
    prediction = done_prediction(campaign)
    prediction.runs = [run | {"complete": 14} for run in prediction.runs]
    prediction.save()

    html = " ".join(page(client_as(Role.SURVEY_MANAGER), campaign).content.decode().split())

    # 1, 5 and 8 of 14 in both runs: 7.1 %, 35.7 % and 57.1 %, 99.9 % in all (split() takes the no-break spaces).
    assert all(share in html for share in ("7,1 %", "35,7 %", "57,1 %"))
    assert (
        "Kukin osuus on pyöristetty erikseen, joten näytettyjen osuuksien summa ei välttämättä ole tasan 100 %." in html
    )


def test_how_many_numbers_for_n_completes(client_as, campaign):
    done_prediction(campaign)

    html = page(client_as(Role.SURVEY_MANAGER), campaign, completes=30).content.decode()

    # 0.14 and 0.16 completes a number: 30 completes need 188 to 215 numbers.
    assert "30 valmista vastausta vaatii 188–215 numeroa" in html


def test_a_refused_count_of_completes_marks_its_field_invalid(client_as, campaign):
    done_prediction(campaign)

    html = page(client_as(Role.SURVEY_MANAGER), campaign, completes=0).content.decode()

    assert re.search(r'<input type="number" name="completes" id="id_completes"[^>]* aria-invalid="true">', html)
    assert re.search(r'<p id="numbers-needed" aria-live="polite">\s*Tämän luvun on oltava vähintään 1\.', html)


def test_the_page_says_when_the_settings_changed_since(client_as, campaign):
    done_prediction(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(max_attempts=5)

    html = page(client_as(Role.SURVEY_MANAGER), campaign).content.decode()

    assert "Asetukset tai yhteystiedot ovat muuttuneet" in html


def test_a_failed_prediction_shows_its_reason(client_as, campaign):
    done_prediction(campaign, status=PredictionStatus.FAILED, runs=[], failure_reason="Simulaatio pysähtyi.")

    html = page(client_as(Role.SURVEY_MANAGER), campaign).content.decode()

    assert "Simulaatio pysähtyi." in html
    assert "Epäonnistui" in html


def test_the_status_json_follows_the_latest_prediction(client_as, campaign):
    client = client_as(Role.SURVEY_MANAGER)
    url = reverse("surveys:campaign-prediction-status", args=[campaign.slug])
    assert client.get(url).json() == {"status": None, "status_label": "", "progress": "", "finished": False}

    done_prediction(campaign, status=PredictionStatus.RUNNING, runs=[])

    assert client.get(url).json() == {
        "status": "running",
        "status_label": "Lasketaan",
        "progress": "Simuloidaan ajoa 1/2.",
        "finished": False,
    }


@pytest.mark.parametrize(
    ("language", "done", "minutes_ago", "progress"),
    [
        ("fi", 1, 4, "1/3 ajoa simuloitu, noin 8 minuuttia jäljellä."),
        ("sv", 2, 6, "2 av 3 körningar simulerade, ungefär 3 minuter kvar."),
        ("en", 2, 1, "2 of 3 runs simulated, about 1 minute left."),
        ("en", 0, 1, "Simulating run 1 of 3."),
    ],
)
def test_a_running_prediction_says_how_many_runs_are_done_and_about_how_long_the_rest_take(
    client_as, campaign, language, done, minutes_ago, progress
):
    """A pilot-sized prediction takes several minutes: the page and its status say how far it is,
    the time left from the runs' own pace so far."""
    run = done_prediction(campaign).runs[0]
    CampaignPrediction.objects.all().delete()
    done_prediction(
        campaign,
        status=PredictionStatus.RUNNING,
        seeds=[1, 2, 3],
        runs=[run] * done,
        started_at=timezone.now() - timedelta(minutes=minutes_ago, seconds=10),
        finished_at=None,
    )
    client = client_as(Role.SURVEY_MANAGER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    status = client.get(reverse("surveys:campaign-prediction-status", args=[campaign.slug])).json()
    html = page(client, campaign).content.decode()

    assert status["progress"] == progress
    assert status["finished"] is False
    assert f"<span data-prediction-progress>{progress}</span>" in html


def test_a_prediction_whose_worker_died_is_failed_when_its_status_or_page_is_read(client_as, campaign):
    """A worker killed while it ran a prediction leaves it running: the page would poll it forever."""
    lost = done_prediction(campaign, status=PredictionStatus.RUNNING, runs=[])
    CampaignPrediction.objects.filter(pk=lost.pk).update(
        started_at=timezone.now() - planner.PREDICTION_LOST_AFTER - timedelta(minutes=1)
    )
    client = client_as(Role.SURVEY_MANAGER)
    url = reverse("surveys:campaign-prediction-status", args=[campaign.slug])

    assert client.get(url).json() == {
        "status": "failed",
        "status_label": "Epäonnistui",
        "progress": "",
        "finished": True,
    }
    html = page(client, campaign).content.decode()
    assert "Ennustetta ei saatu valmiiksi: sitä laskenut taustaprosessi pysähtyi." in html


def test_a_run_without_completes_gives_the_reason_for_the_figures_it_leaves_out(client_as, campaign):
    """Cost per complete and the margin of error divide by the completes: with a run of none they
    are shown as dashes, and the page says why."""
    prediction = done_prediction(campaign)
    prediction.runs[1] |= {"complete": 0, "complete_by_age_group": {}, "design_effect": None}
    prediction.save()

    html = page(client_as(Role.SURVEY_MANAGER), campaign).content.decode()

    assert (
        "Ajo 2 ei saanut yhtään valmista vastausta: kustannusta valmista vastausta kohden, virhemarginaalia "
        "eikä painojen asetelmavaikutusta voi laskea sen luvuista." in html
    )
    # The age groups' shares are run 1's alone: 1, 5 and 8 of its 14 completes.
    assert "57,1\xa0% – 57,1\xa0%" in html
    assert "prediction-age-chart" in html

    prediction.runs[0] |= {"complete": 0, "complete_by_age_group": {}, "design_effect": None}
    prediction.save()
    html = page(client_as(Role.SURVEY_MANAGER), campaign).content.decode()

    assert "Ajot 1, 2 eivät saaneet yhtään valmista vastausta" in html
    # No run has shares of the completes: no chart of 0 % in every group.
    assert "prediction-age-chart" not in html


def test_a_quota_campaign_is_not_promised_more_completes_than_it_wants(client_as, campaign):
    """With quotas the campaign stops calling once it has its completes wanted: no list, however
    long, gives more. The page answered '30 completes need 188-215 numbers' for a campaign that stops at 20."""
    # The survey asks the age group (build_survey): with its population shares, the age quotas are on.
    quota_targets()
    Campaign.objects.filter(pk=campaign.pk).update(quotas_enabled=True, target_completes=20)
    done_prediction(campaign)

    html = page(client_as(Role.SURVEY_MANAGER), campaign, completes=30).content.decode()

    assert "vaatii" not in html
    assert (
        "Kampanja lopettaa soitot, kun sillä on tavoitellut 20 valmista vastausta (kiintiöt): 30 vastausta ei "
        "saa millään numeromäärällä. Nosta tavoiteltua vastausmäärää ja ennusta uudelleen." in html
    )
    # Up to the completes wanted, the runs' rate answers as before: 20 / 0.16 and 20 / 0.14.
    html = page(client_as(Role.SURVEY_MANAGER), campaign, completes=20).content.decode()
    assert "20 valmista vastausta vaatii 125–143 numeroa" in html


def test_a_fixed_cost_added_since_the_prediction_is_a_change(client_as, campaign):
    """The fixed costs are part of the predicted cost: one added later left the old cost on the page
    with no word that it had changed."""
    done_prediction(campaign)
    CampaignFixedCost.objects.create(campaign=campaign, description="Projektityö", amount=Decimal("2000"))

    html = page(client_as(Role.SURVEY_MANAGER), campaign).content.decode()

    assert "Asetukset tai yhteystiedot ovat muuttuneet" in html


def test_a_weighting_changed_since_the_prediction_is_a_change(client_as, campaign):
    """The design effect of the weights, and so the margin of error, follow the result settings."""
    done_prediction(campaign)
    CampaignResultSettings.objects.update_or_create(campaign=campaign, defaults={"trim_cap": 3.0})

    html = page(client_as(Role.SURVEY_MANAGER), campaign).content.decode()

    assert "Asetukset tai yhteystiedot ovat muuttuneet" in html


def test_numbers_needed_are_not_extrapolated_past_a_run_that_left_numbers_never_called(client_as, campaign):
    """A run whose calling days ran out with numbers never called got all the completes its days and
    pace allow: more numbers would not be called either. The page scaled its completes per number
    as if they would."""
    prediction = done_prediction(campaign)
    prediction.runs[0] |= {"never_called": 0}
    prediction.runs[1] |= {"never_called": 30}
    prediction.save()
    client = client_as(Role.SURVEY_MANAGER)

    html = page(client, campaign, completes=17).content.decode()

    # Run 2 got 16 completes with numbers never called: no count of numbers is said to give 17.
    assert "vaatii" not in html
    assert (
        "Jokin ajo jätti numeroita soittamatta, kun sen soittopäivät tai budjetti loppuivat, joten lisänumerot "
        "eivät tuo lisää valmiita vastauksia: ennuste ei voi kertoa, montako numeroa 17 vastaukseen tarvitaan. "
        "Lisää soittopäiviä tai nosta tahtia tai budjettikattoa ja ennusta uudelleen."
    ) in html
    # The runs' 0 and 30 numbers never called: a mean of 15.
    assert '<th scope="row">Numerot, joihin ei ehditty soittaa (päivät tai budjetti loppuivat)</th>' in html
    # Up to the completes that run got, the runs' rates answer: 16 / 0.16 and 16 / 0.14.
    assert "16 valmista vastausta vaatii 100–115 numeroa" in page(client, campaign, completes=16).content.decode()


def test_a_prediction_whose_runs_called_every_number_shows_no_never_called_row(client_as, campaign):
    prediction = done_prediction(campaign)
    prediction.runs = [run | {"never_called": 0} for run in prediction.runs]
    prediction.save()

    html = page(client_as(Role.SURVEY_MANAGER), campaign, completes=30).content.decode()

    assert "ei ehditty soittaa" not in html
    assert "30 valmista vastausta vaatii 188–215 numeroa" in html


def test_a_sampled_quota_campaign_says_its_completes_wanted_were_shrunk_too(client_as, campaign):
    """The page said only the pace and the budget cap were shrunk for the sample; with quotas on the
    completes wanted were too, and the quotas with them."""
    Campaign.objects.filter(pk=campaign.pk).update(quotas_enabled=True, target_completes=1200)
    prediction = done_prediction(campaign, numbers=7759, sample_size=1500)
    prediction.runs = [run | {"target_completes": 232} for run in prediction.runs]
    prediction.save()

    html = page(client_as(Role.SURVEY_MANAGER), campaign).content.decode()

    assert (
        "Kiintiöiden vuoksi myös tavoiteltu vastausmäärä pienennettiin samassa suhteessa (otoksessa 232, listalla "
        "1\xa0200)." in html
    )


def test_contacts_imported_after_a_prediction_for_assumed_numbers_are_a_change(client_as, role_users):
    """Predicted for the pilot's 7,759 numbers drawn from the synthetic population, then the list
    came: the page went on showing the synthetic list's figures as current."""
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager), manager)
    done_prediction(campaign, numbers=7759, numbers_assumed=True, fixed_cost=Decimal(0))
    client = client_as(Role.SURVEY_MANAGER)
    assert "Asetukset tai yhteystiedot ovat muuttuneet" not in page(client, campaign).content.decode()

    contacts_import(campaign=campaign, file=b"puhelin\n0401234567\n", filename="n.csv", by=manager)

    assert "Asetukset tai yhteystiedot ovat muuttuneet" in page(client, campaign).content.decode()


def test_the_cost_shows_the_fixed_costs_it_includes(client_as, campaign):
    """The cost is the calls' and messages' (scaled) and the fixed costs once: the page added the
    fixed costs in without a word, beside a budget cap that counts only the calls and messages."""
    done_prediction(campaign)

    html = page(client_as(Role.SURVEY_MANAGER), campaign).content.decode()

    # 20 + 100 and 22 + 100.
    assert '<th scope="row">Kustannukset</th><td class="num">121,00\xa0EUR</td>' in html
    assert (
        '<th scope="row">joista kiinteät kustannukset</th><td class="num">100,00\xa0EUR</td>'
        '<td class="num">100,00\xa0EUR – 100,00\xa0EUR</td>'
    ) in html
