"""A finding from a single answer says so. A question that skip logic asked of one respondent has a
mean but no interval (it takes two answers); the summary said "“Q”: 4.0 on average on a scale of 1 to
5." as if it described the residents, without a word on how few it rests on.

Five respondents, all 30-64; four answer "no" to question 2 and skip to question 4; one answers "yes"
and rates question 3 with 4: question 3 has 1 answer, mean 4.0, no interval.
"""

import pytest
from django.test import override_settings
from django.utils import translation

from kuntaportaali.roles import Role
from surveys.reports.presentation import results_view
from surveys.services.results import campaign_results
from tests.surveys.factories import build_campaign, build_survey, skip_from_no_to_last
from tests.surveys.test_results_service import answer, respond

pytestmark = pytest.mark.django_db

SINGLE = "“Kuinka tyytyväinen olet?”: only one answer (4.0 on a scale of 1 to 5), too few for a margin of error."


@pytest.fixture
def campaign(role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    survey = build_survey(manager, slug="yksi")
    skip_from_no_to_last(survey)
    campaign = build_campaign(survey, manager, slug="yksi")
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    for exercise in (1, 2, 2, 2, 2):
        response = respond(campaign)
        answer(response, questions[1], digit=2)
        answer(response, questions[2], digit=exercise)
        if exercise == 1:
            answer(response, questions[3], digit=4)
    return campaign


@override_settings(RESULTS_MIN_GROUP_SIZE=1)  # by default one answer is hidden: the test below
def test_a_mean_of_one_answer_is_said_to_be_one_answer(campaign):
    results = campaign_results(campaign, language="en")
    satisfaction = next(question for question in results.questions if question.position == 3)
    assert (satisfaction.answered, satisfaction.mean.weighted, satisfaction.mean.ci_low) == (1, 4.0, None)

    assert SINGLE in results.summary
    with translation.override("en"):
        view = results_view(results)
    # On the page the Finnish question inside the English sentence is marked Finnish.
    marked = SINGLE.replace("“Kuinka tyytyväinen olet?”", '“<span lang="fi">Kuinka tyytyväinen olet?</span>”')
    assert next(question.finding for question in view.questions if question.position == 3) == marked


def test_one_answer_is_hidden_below_the_minimum_group_size(campaign):
    results = campaign_results(campaign, language="en")

    satisfaction = next(question for question in results.questions if question.position == 3)
    assert (satisfaction.answered, satisfaction.mean, satisfaction.hidden) == (1, None, "small")
    assert not any("Kuinka tyytyväinen olet?" in sentence for sentence in results.summary)
