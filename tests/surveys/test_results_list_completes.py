"""The lists of campaigns with results give each campaign's complete answers as its results page does:
AAPOR I, at least 80 % of the questions that applied answered (surveys.services.dispositions), not the
responses that reached the closing.

Survey of `build_survey`: questions 1-3 required, 4 optional, so 3 apply.
- answered 1, 2, 3, reached the closing: 3/3 -> complete (I)
- reached the closing but left 3 unanswered: 2/3 = 67 % -> partial (P)
- answered question 1 and hung up: 1/3 = 33 % -> a break-off (R)
Complete answers: 1 on the campaign's page; the lists said 2 (the two that reached the closing).
"""

import pytest
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.models import CampaignStatus, ResponseStatus
from surveys.services import campaigns as campaign_services
from tests.surveys.factories import build_campaign, build_survey
from tests.surveys.test_results_service import answer, respond

pytestmark = pytest.mark.django_db

RESPONSES = [
    (ResponseStatus.COMPLETE, {1: 2, 2: 1, 3: 4}),
    (ResponseStatus.COMPLETE, {1: 2, 2: 2}),
    (ResponseStatus.PARTIAL, {1: 3}),
]


@pytest.fixture
def campaign(role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager, slug="lista"), manager, slug="lista")
    campaign_services.campaign_publish_questions(campaign=campaign, by=manager)
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    for status, digits in RESPONSES:
        response = respond(campaign, status=status)
        for position, digit in digits.items():
            answer(response, questions[position], digit=digit)
    campaign.status = CampaignStatus.COMPLETED
    campaign.save(update_fields=["status"])
    return campaign


def test_the_results_list_counts_the_complete_answers_as_the_results_page(client_as, campaign):
    client = client_as(Role.COUNCILLOR)
    page = client.get(reverse("surveys:campaign-results", args=[campaign.slug]))
    assert page.context["view"].results.funnel.complete == 1

    listing = client.get(reverse("surveys:results"))

    [listed] = listing.context["campaigns"]
    assert listed.complete_count == 1


def test_the_publication_list_counts_the_complete_answers_as_the_results_page(client_as, campaign):
    listing = client_as(Role.COMMUNICATIONS).get(reverse("surveys:summaries"))

    [row] = listing.context["table"].rows
    assert row.get_cell("complete_count") == "1"
