"""A variable the results are weighted by has weighted shares equal to the population shares by
construction: they are no estimate, and no output gives them a confidence interval. The page says so
(surveys.reports.presentation); the Excel workbook and the residents' summary carry the same figures.

15 respondents, 5 in each age group; population shares 0.2 / 0.4 / 0.4. Post-stratification
weights: 0.2 / (5/15) = 0.6 for 18-29, 0.4 / (5/15) = 1.2 for the others (mean 1). The weighted
shares of the age question are then exactly 0.2, 0.4 and 0.4 - the targets themselves. Without the
fix the workbook and the summary gave them Wilson intervals, e.g. 18-29 6.8-46.2 %
(n_eff = 15^2 / (5 * 0.36 + 10 * 1.44) = 13.9), as if the population share were uncertain.
Weekly exercise, yes by age group: 4 of 5, 3 of 5, 1 of 5 -> weighted yes
(4 * 0.6 + 3 * 1.2 + 1 * 1.2) / 15 = 7.2 / 15 = 0.48, an estimate with its interval.
"""

import io

import openpyxl
import pytest

from kuntaportaali.roles import Role
from surveys.models import CampaignStatus, PopulationTarget
from surveys.reports import xlsx
from surveys.reports.display import NOT_DEFINED
from surveys.reports.publication import public_summary
from surveys.services import campaigns as campaign_services
from surveys.services.result_summaries import summary_publish
from surveys.services.results import campaign_results
from tests.surveys.factories import build_campaign, build_survey
from tests.surveys.test_results_service import answer, respond

pytestmark = pytest.mark.django_db

# (age option digit, exercises weekly: 1 yes / 2 no)
ANSWERS = [(1, 1)] * 4 + [(1, 2)] + [(2, 1)] * 3 + [(2, 2)] * 2 + [(3, 1)] + [(3, 2)] * 4


@pytest.fixture
def campaign(role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager, slug="painomuuttuja"), manager, slug="painomuuttuja")
    campaign_services.campaign_publish_questions(campaign=campaign, by=manager)
    for position, (category, share) in enumerate((("18-29", "0.2"), ("30-64", "0.4"), ("65+", "0.4"))):
        PopulationTarget.objects.create(dimension="age_group", category=category, share=share, position=position)
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    for age, exercise in ANSWERS:
        response = respond(campaign)
        answer(response, questions[1], digit=age)
        answer(response, questions[2], digit=exercise)
        answer(response, questions[3], digit=3)
    campaign.status = CampaignStatus.COMPLETED
    campaign.save(update_fields=["status"])
    return campaign


def test_the_workbook_gives_the_weighting_variable_no_interval(campaign):
    results = campaign_results(campaign, language="en")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.render(results)))["Questions"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]

    ages = [row for row in rows if row[0] == 1]
    # position, text, answer, answers, share, weighted share, interval low, interval high
    assert [(row[2], row[3], row[5], row[6], row[7]) for row in ages] == [
        ("18–29", 5, pytest.approx(0.2), None, None),
        ("30–64", 5, pytest.approx(0.4), None, None),
        ("65+", 5, pytest.approx(0.4), None, None),
    ]
    yes = next(row for row in rows if row[0] == 2 and row[3] == 8)
    assert yes[5] == pytest.approx(0.48)
    assert yes[6] < 0.48 < yes[7]  # an estimate keeps its interval


def test_the_residents_summary_gives_the_weighting_variable_no_interval(campaign, role_users):
    manager = role_users[Role.COMMUNICATIONS]
    summary_publish(campaign=campaign, by=manager, intro_fi="Kiitos vastanneille!", question_positions=[1, 2])

    ages, exercise = public_summary(campaign, language="fi").questions

    assert [(label, cells) for label, cells in ages.table.rows] == [
        ("18–29", ["20,0\xa0%", NOT_DEFINED]),
        ("30–64", ["40,0\xa0%", NOT_DEFINED]),
        ("65+", ["40,0\xa0%", NOT_DEFINED]),
    ]
    assert exercise.table.rows[0][1][0] == "48,0\xa0%"
    assert exercise.table.rows[0][1][1] != NOT_DEFINED
