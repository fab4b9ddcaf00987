"""Results of one group: estimates restricted to it, weighted with the whole sample's weights."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.errors import SurveyError
from surveys.models import Campaign, CampaignStatus
from surveys.services.results import campaign_results, filter_choices
from tests.surveys.test_results_service import by_position, set_age_targets, surveyed  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_filter_choices_are_the_demographic_questions_options(surveyed, english):  # noqa: F811
    set_age_targets("0.15", "0.50", "0.35")

    assert filter_choices(surveyed, language="en") == [
        ("age_group", "Age group", [("18-29", "18–29"), ("30-64", "30–64"), ("65+", "65+")])
    ]


@override_settings(RESULTS_MIN_GROUP_SIZE=1)  # the groups here are 1, 3 and 6: see tests/security for hiding
def test_one_age_group_keeps_the_whole_samples_weights(surveyed, english):  # noqa: F811
    set_age_targets("0.15", "0.50", "0.35")
    whole = campaign_results(surveyed, language="en")

    group = campaign_results(surveyed, language="en", respondent_filter={"age_group": "30-64"})

    # 30-64: three respondents, exercise yes/yes/no, satisfaction 4/4/4, each weighted 5/3
    assert (group.selected_respondents, group.filter_labels) == (3, ["Age group: 30–64"])
    yes, no = by_position(group)[2].options
    assert (yes.count, no.count) == (2, 1)
    assert (yes.share, yes.weighted_share) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert by_position(group)[3].mean.weighted == pytest.approx(4.0)
    open_question = by_position(group)[4]
    assert (open_question.answered, open_question.skipped) == (2, 1)
    assert open_question.open_answers == ["Pyöräteitä ja puistoja", "Kirjasto auki"]
    # rates, weights and "who answered" describe the whole campaign
    assert group.weighting == whole.weighting
    assert group.rates == whole.rates
    assert whole.selected_respondents is None and whole.respondent_filter == {}


def test_a_group_the_survey_does_not_have_is_refused(surveyed, english):  # noqa: F811
    set_age_targets("0.15", "0.50", "0.35")

    with pytest.raises(SurveyError, match=re.escape("The survey has no group age_group=90-99 to show.")):
        campaign_results(surveyed, language="en", respondent_filter={"age_group": "90-99"})


@override_settings(RESULTS_MIN_GROUP_SIZE=1)
def test_results_page_filters_by_the_chosen_group(client_as, surveyed):  # noqa: F811
    set_age_targets("0.15", "0.50", "0.35")
    Campaign.objects.filter(pk=surveyed.pk).update(status=CampaignStatus.COMPLETED)
    client = client_as(Role.COUNCILLOR)
    url = reverse("surveys:campaign-results", args=[surveyed.slug])

    page = client.get(url, {"estimate": "unweighted", "group_age_group": "65+"}).text

    assert '<option value="65+" selected>65+</option>' in page
    assert "Yhden ryhmän kysymystulokset: Ikäryhmä: 65+ (6 vastaajaa)" in page
    assert f'href="{url}?estimate=weighted&amp;group_age_group=65%2B"' in page
    assert '<button type="submit" class="button">Näytä</button>' in page


def test_results_page_ignores_an_unknown_group(client_as, surveyed):  # noqa: F811
    set_age_targets("0.15", "0.50", "0.35")
    Campaign.objects.filter(pk=surveyed.pk).update(status=CampaignStatus.COMPLETED)

    response = client_as(Role.COUNCILLOR).get(
        reverse("surveys:campaign-results", args=[surveyed.slug]), {"group_age_group": "nope"}
    )

    assert response.status_code == 200
    assert response.context["view"].results.respondent_filter == {}
