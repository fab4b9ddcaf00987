"""Population targets (administrators) and a campaign's result settings and fixed costs (survey managers)."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.demo_results import demo_fixed_costs, demo_population_targets
from surveys.models import Campaign, CampaignFixedCost, CampaignResultSettings, PopulationTarget, QuestionKind, Survey
from surveys.services import surveys as survey_services
from surveys.services.result_settings import TargetRow, targets_problems
from surveys.services.surveys import OptionText
from surveys.synthetic_population import AGE_BRACKETS, DISTRICTS
from tests.error_summary import assert_errors_summarised
from tests.surveys.factories import build_campaign, build_survey

TARGETS_URL = reverse("surveys:results_targets")


@pytest.fixture
def campaign(role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    return build_campaign(build_survey(manager), manager)


def settings_url(campaign) -> str:
    return reverse("surveys:campaign_result_settings", args=[campaign.slug])


def targets_post(question, rows, *, dimension="age_group") -> dict:
    data = {
        "dimension": dimension,
        f"{dimension}-TOTAL_FORMS": str(len(rows)),
        f"{dimension}-INITIAL_FORMS": "0",
        f"{dimension}-MIN_NUM_FORMS": "0",
        f"{dimension}-MAX_NUM_FORMS": "1000",
        f"{dimension}-check-question": str(question.pk),
    }
    for index, (category, share, *postal_codes) in enumerate(rows):
        data[f"{dimension}-{index}-category"] = category
        data[f"{dimension}-{index}-share"] = share
        data[f"{dimension}-{index}-postal_codes"] = postal_codes[0] if postal_codes else ""
    return data


def age_question(campaign):
    return campaign.survey_version.questions.get(demographic="age_group")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.SURVEY_MANAGER, 403),
        (Role.COMMUNICATIONS, 403),
        (Role.COUNCILLOR, 403),
        (Role.HR_ADMIN, 403),
        (Role.SUPERVISOR, 403),
    ],
)
def test_only_administrators_open_the_targets_page(client_as, campaign, role, status):
    assert client_as(role).get(TARGETS_URL).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(TARGETS_URL)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_form_starts_from_the_survey_answer_options(client_as, campaign):
    response = client_as(Role.ADMIN).get(TARGETS_URL)

    age = response.context["sections"][0]
    assert [form.initial["category"] for form in age["formset"].initial_forms] == ["18–29", "30–64", "65+"]
    assert age["question_form"].initial["question"] == age_question(campaign).pk


def test_administrator_saves_shares_with_a_decimal_comma(client_as, campaign, role_users):
    rows = [("18-29", "0,15"), ("30–64", "0,5"), ("65+", "0.35")]

    response = client_as(Role.ADMIN).post(TARGETS_URL, targets_post(age_question(campaign), rows))

    assert response.status_code == 302
    saved = list(PopulationTarget.objects.values_list("dimension", "category", "share", "position", "updated_by"))
    admin = role_users[Role.ADMIN].pk
    assert saved == [
        ("age_group", "18-29", Decimal("0.1500"), 0, admin),
        ("age_group", "30–64", Decimal("0.5000"), 1, admin),
        ("age_group", "65+", Decimal("0.3500"), 2, admin),
    ]


def test_shares_that_do_not_add_up_to_one_are_refused_and_nothing_changes(client_as, campaign):
    PopulationTarget.objects.create(dimension="age_group", category="65+", share=Decimal(1))
    rows = [("18–29", "0,15"), ("30–64", "0,5"), ("65+", "0,30")]

    response = client_as(Role.ADMIN).post(TARGETS_URL, targets_post(age_question(campaign), rows))

    assert response.status_code == 200
    [problem] = response.context["sections"][0]["problems"]
    assert "0,95" in problem  # the sum, in the page's (Finnish) number format
    assert list(PopulationTarget.objects.values_list("category", "share")) == [("65+", Decimal("1.0000"))]


def test_categories_that_are_not_answer_options_are_named(client_as, campaign):
    rows = [("18-34", "0.25"), ("35-64", "0.40"), ("65+", "0.35")]

    response = client_as(Role.ADMIN).post(TARGETS_URL, targets_post(age_question(campaign), rows))

    assert response.status_code == 200
    problems = response.context["sections"][0]["problems"]
    survey = campaign.survey_version.survey.slug
    assert problems == [
        f"Ei kyselyn {survey} vastausvaihtoehto: 18-34, 35-64.",
        f"Kyselyn {survey} vastausvaihtoehdot, joilta puuttuu osuus: 18–29, 30–64.",
    ]
    assert not PopulationTarget.objects.exists()


def test_a_negative_share_is_refused(client_as, campaign):
    rows = [("18–29", "-0,1"), ("30–64", "0,75"), ("65+", "0,35")]

    response = client_as(Role.ADMIN).post(TARGETS_URL, targets_post(age_question(campaign), rows))

    assert response.status_code == 200
    assert response.context["sections"][0]["formset"].forms[0].errors["share"]
    assert not PopulationTarget.objects.exists()


def test_a_refused_share_is_summarised_and_linked_to_its_row(client_as, campaign):
    rows = [("18–29", "-0,1"), ("30–64", "0,75"), ("65+", "0,35")]

    response = client_as(Role.ADMIN).post(TARGETS_URL, targets_post(age_question(campaign), rows))

    [error] = response.context["sections"][0]["formset"].forms[0].errors["share"]
    assert_errors_summarised(response.content.decode(), {"id_age_group-0-share": error})
    assert f'<a href="#id_age_group-0-share">Rivi 1: Osuus: {error}</a>' in response.content.decode()


def test_problems_of_the_whole_table_are_in_the_summary(client_as, campaign):
    rows = [("18–29", "0,15"), ("30–64", "0,5"), ("65+", "0,35"), ("65+ ", "0")]

    response = client_as(Role.ADMIN).post(TARGETS_URL, targets_post(age_question(campaign), rows))

    assert re.search(
        r'<div class="error-summary"[^>]*>.*<li>Ryhmä 65\+ on annettu kahdesti\.</li>', response.content.decode(), re.S
    )


def test_a_category_given_twice_is_refused(client_as, campaign):
    rows = [("18–29", "0,15"), ("30–64", "0,5"), ("65+", "0,35"), ("65+ ", "0")]

    response = client_as(Role.ADMIN).post(TARGETS_URL, targets_post(age_question(campaign), rows))

    assert response.context["sections"][0]["problems"] == ["Ryhmä 65+ on annettu kahdesti."]
    assert not PopulationTarget.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SURVEY_MANAGER, 200),
        (Role.ADMIN, 200),
        (Role.COMMUNICATIONS, 403),
        (Role.COUNCILLOR, 403),
        (Role.HR_ADMIN, 403),
        (Role.SUPERVISOR, 403),
    ],
)
def test_who_opens_a_campaign_result_settings(client_as, campaign, role, status):
    assert client_as(role).get(settings_url(campaign)).status_code == status


def test_an_unknown_campaign_is_not_found(client_as, db):
    url = reverse("surveys:campaign_result_settings", args=["ei-ole"])

    assert client_as(Role.SURVEY_MANAGER).get(url).status_code == 404


def test_survey_manager_adds_and_removes_a_fixed_cost(client_as, campaign, role_users):
    client = client_as(Role.SURVEY_MANAGER)

    added = client.post(
        settings_url(campaign), {"action": "add_cost", "description": "Numerolista", "amount": "2 100,50"}
    )

    assert added.status_code == 302
    cost = CampaignFixedCost.objects.get(campaign=campaign)
    assert (cost.description, cost.amount, cost.created_by) == (
        "Numerolista",
        Decimal("2100.50"),
        role_users[Role.SURVEY_MANAGER],
    )
    removed = client.post(settings_url(campaign), {"action": "delete_cost", "cost": str(cost.pk)})
    assert removed.status_code == 302
    assert not CampaignFixedCost.objects.exists()


def test_a_negative_cost_is_refused(client_as, campaign):
    response = client_as(Role.SURVEY_MANAGER).post(
        settings_url(campaign), {"action": "add_cost", "description": "Hyvitys", "amount": "-5"}
    )

    assert response.status_code == 200
    assert response.context["cost_form"].errors["amount"]
    assert not CampaignFixedCost.objects.exists()


def test_a_cost_of_another_campaign_cannot_be_removed_through_this_one(client_as, campaign, role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    other = build_campaign(build_survey(manager, slug="toinen"), manager, slug="toinen")
    cost = CampaignFixedCost.objects.create(campaign=other, description="Projektityö", amount=Decimal(500))

    client_as(Role.SURVEY_MANAGER).post(settings_url(campaign), {"action": "delete_cost", "cost": str(cost.pk)})

    assert CampaignFixedCost.objects.filter(pk=cost.pk).exists()


def set_age_targets():
    for position, (category, share) in enumerate([("18–29", "0.2"), ("30–64", "0.5"), ("65+", "0.3")]):
        PopulationTarget.objects.create(
            dimension="age_group", category=category, share=Decimal(share), position=position
        )


def test_survey_manager_sets_e_weighting_and_the_trim_cap(client_as, campaign):
    set_age_targets()
    response = client_as(Role.SURVEY_MANAGER).post(
        settings_url(campaign),
        {"action": "settings", "eligibility_e": "0,8", "weighting_dimensions": ["age_group"], "trim_cap": "4"},
    )

    assert response.status_code == 302
    settings = CampaignResultSettings.objects.get(campaign=campaign)
    assert (settings.eligibility_e, settings.weighting_dimensions, settings.trim_cap) == (0.8, ["age_group"], 4.0)


def test_e_outside_zero_to_one_is_refused(client_as, campaign):
    response = client_as(Role.SURVEY_MANAGER).post(
        settings_url(campaign), {"action": "settings", "eligibility_e": "1,5", "trim_cap": "5"}
    )

    assert response.status_code == 200
    assert response.context["settings_form"].errors["eligibility_e"]
    assert not CampaignResultSettings.objects.filter(campaign=campaign).exists()


def test_a_councillor_cannot_add_costs(client_as, campaign):
    response = client_as(Role.COUNCILLOR).post(
        settings_url(campaign), {"action": "add_cost", "description": "x", "amount": "1"}
    )

    assert response.status_code == 403
    assert not CampaignFixedCost.objects.exists()


@pytest.mark.slow  # seeds the whole demo
def test_demo_targets_match_the_demo_survey_and_keep_an_administrators_shares(db):
    call_command("seed_demo", "--password", "demo-salasana-1")
    PopulationTarget.objects.all().delete()
    CampaignFixedCost.objects.all().delete()
    survey = Survey.objects.get(slug="kaupunkistrategia")

    created = demo_population_targets()

    assert created == 11
    for dimension in ("age_group", "district"):
        question = survey.current_version.questions.get(demographic=dimension)
        rows = [TargetRow(t.category, t.share) for t in PopulationTarget.objects.filter(dimension=dimension)]
        assert targets_problems(dimension=dimension, rows=rows, question=question) == []
    # The simulator's residents: 18-29 0.15, 30-64 0.22 + 0.28 = 0.50, 65+ 0.19 + 0.16 = 0.35
    ages = dict(PopulationTarget.objects.filter(dimension="age_group").values_list("category", "share"))
    assert ages == {
        "18–29": Decimal("0.15"),
        "30–44": Decimal("0.22"),
        "45–64": Decimal("0.28"),
        "65–74": Decimal("0.19"),
        "75 tai yli": Decimal("0.16"),
    }
    brackets = [float(share) for _youngest, _oldest, share in AGE_BRACKETS]
    assert [float(share) for share in ages.values()] == brackets
    districts = dict(PopulationTarget.objects.filter(dimension="district").values_list("category", "share"))
    assert {name: float(share) for name, share in districts.items()} == {
        name: share for name, (share, _codes) in DISTRICTS.items()
    }
    # Each district with the synthetic residents' postal codes: the contact list tells the district.
    codes = dict(PopulationTarget.objects.filter(dimension="district").values_list("category", "postal_codes"))
    assert codes == {name: sorted(district_codes) for name, (_share, district_codes) in DISTRICTS.items()}
    assert demo_population_targets() == 0
    pilot = Campaign.objects.get(slug="pilotti")
    assert (demo_fixed_costs(campaign=pilot), demo_fixed_costs(campaign=pilot)) == (1, 0)
    assert pilot.fixed_costs.get().amount == Decimal("2100.00")


def test_weighting_offers_only_what_the_survey_asks_and_has_population_shares(client_as, campaign):
    set_age_targets()
    PopulationTarget.objects.create(dimension="gender", category="nainen", share=Decimal("1"))

    form = client_as(Role.SURVEY_MANAGER).get(settings_url(campaign)).context["settings_form"]

    field = form["weighting_dimensions"]
    assert [value for value, _label in field.field.choices] == ["age_group"]
    assert field.value() == ["age_group"]  # checked by default; gender and district are not
    assert "Sukupuoli" in field.help_text and "Kaupunginosa tai postinumeroalue" in field.help_text
    assert "Sukupuoli" not in str(field)


def test_a_dimension_the_survey_does_not_ask_cannot_be_chosen(client_as, campaign):
    set_age_targets()
    PopulationTarget.objects.create(dimension="gender", category="nainen", share=Decimal("1"))

    response = client_as(Role.SURVEY_MANAGER).post(
        settings_url(campaign),
        {"action": "settings", "weighting_dimensions": ["age_group", "gender"], "trim_cap": "5"},
    )

    assert response.status_code == 200
    assert response.context["settings_form"].errors["weighting_dimensions"]
    assert not CampaignResultSettings.objects.filter(campaign=campaign).exists()


def test_without_population_shares_nothing_is_offered_and_the_help_says_why(client_as, campaign):
    form = client_as(Role.SURVEY_MANAGER).get(settings_url(campaign)).context["settings_form"]

    field = form["weighting_dimensions"]
    assert field.field.choices == []
    assert field.value() == []
    assert "Ikäryhmä" in field.help_text


def district_question_add(campaign):
    """A district question of two districts, Keskusta and Kylät, in the campaign's survey version."""
    survey_services.question_create(
        survey=campaign.survey_version.survey,
        kind=QuestionKind.CHOICE,
        demographic="district",
        text_fi="Millä alueella asut?",
        text_sv="I vilket område bor du?",
        options=[OptionText("Keskusta", "Centrum"), OptionText("Kylät", "Byarna")],
    )
    return campaign.survey_version.questions.get(demographic="district")


def test_administrator_gives_each_district_its_postal_codes(client_as, campaign):
    question = district_question_add(campaign)
    client = client_as(Role.ADMIN)
    rows = [("Keskusta", "0,6", "01900, 01910"), ("Kylät", "0,4", "01980 01990")]

    response = client.post(TARGETS_URL, targets_post(question, rows, dimension="district"))

    assert response.status_code == 302
    saved = dict(PopulationTarget.objects.filter(dimension="district").values_list("category", "postal_codes"))
    assert saved == {"Keskusta": ["01900", "01910"], "Kylät": ["01980", "01990"]}
    page = client.get(TARGETS_URL).content.decode()
    assert 'value="01900, 01910"' in page
    assert "Postinumerot, rivi 1" in page


def test_a_postal_code_in_two_districts_is_refused_and_nothing_is_saved(client_as, campaign):
    question = district_question_add(campaign)
    rows = [("Keskusta", "0,6", "01900"), ("Kylät", "0,4", "01900")]

    response = client_as(Role.ADMIN).post(TARGETS_URL, targets_post(question, rows, dimension="district"))

    assert response.status_code == 200
    assert "Postinumero 01900 on annettu sekä alueelle Keskusta että alueelle Kylät." in response.content.decode()
    assert not PopulationTarget.objects.exists()


def test_each_fixed_cost_is_listed_with_its_own_remove_button(client_as, campaign, role_users):
    cost = CampaignFixedCost.objects.create(
        campaign=campaign, description="Numerolista", amount=Decimal("2100.50"), created_by=None
    )

    page = client_as(Role.SURVEY_MANAGER).get(settings_url(campaign)).text

    assert re.search(r'<th scope="col" >\s*<span class="visually-hidden">Toiminnot</span>\s*</th>', page)
    assert "<td >Numerolista</td><td >2100,50</td><td >–</td>" in page
    assert f'<input type="hidden" name="cost" value="{cost.pk}">' in page
    assert '>Poista<span class="visually-hidden"> Numerolista</span></button>' in page
