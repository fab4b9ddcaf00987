"""The anonymous responses workbook names each response as the results count it: the AAPOR outcome
of the questions that applied (surveys.services.dispositions), not the stored status of the call.

Survey of `build_survey`: questions 1-3 required, 4 optional (never answered here), so 3 apply.
- answered 1, 2, 3, reached the closing: 3/3 = 100 % -> complete (I)
- reached the closing but left 3 unanswered: 2/3 = 67 % -> partial (P, 50-80 %), not "complete"
- hung up after question 1: 1/3 = 33 % -> a break-off (R), not a "partial answer"
- screened out at the age question, the group's quota filled -> screened out (NE)
The results page of the same campaign says: 1 complete, 1 partial, 1 break-off.
"""

import io
from datetime import UTC, datetime

import openpyxl
import pytest
from django.test import override_settings

from kuntaportaali.roles import Role
from surveys.models import Answer, ResponseStatus
from surveys.reports.files import responses_build
from surveys.services.results import campaign_results
from tests.surveys.factories import build_campaign, build_survey
from tests.surveys.test_results_service import answer, respond

pytestmark = pytest.mark.django_db

# (stored status, the digits of questions 1, 2 and 3 answered)
RESPONSES = [
    (ResponseStatus.COMPLETE, {1: 2, 2: 1, 3: 4}),
    (ResponseStatus.COMPLETE, {1: 2, 2: 2}),
    (ResponseStatus.PARTIAL, {1: 3}),
    (ResponseStatus.SCREENED_OUT, {1: 1}),
]


@pytest.fixture
def campaign(role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager, slug="tilat"), manager, slug="tilat")
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    for status, digits in RESPONSES:
        response = respond(campaign, status=status)
        for position, digit in digits.items():
            answer(response, questions[position], digit=digit)
    return campaign


def statuses(campaign, language: str) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(responses_build(campaign=campaign, language=language))).worksheets[0]
    return [row[2].value for row in sheet.iter_rows(min_row=2)]


@override_settings(RESULTS_MIN_GROUP_SIZE=1)
def test_each_response_is_named_as_the_results_count_it(campaign):
    funnel = campaign_results(campaign, language="en").funnel
    assert (funnel.complete, funnel.partial, funnel.break_offs) == (1, 1, 1)

    assert statuses(campaign, "en") == ["Complete answer", "Partial answer", "Break-off", "Screened out (quota filled)"]


@override_settings(RESULTS_MIN_GROUP_SIZE=1)
@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("fi", ["Valmis vastaus", "Keskeneräinen vastaus", "Keskeytetty", "Karsittu (kiintiö täynnä)"]),
        ("sv", ["Fullständigt svar", "Ofullständigt svar", "Avbrutet", "Bortsållad (kvoten fylld)"]),
    ],
)
def test_the_names_are_translated(campaign, language, names):
    assert statuses(campaign, language) == names


@override_settings(RESULTS_MIN_GROUP_SIZE=1)
def test_a_complete_answer_whose_call_ended_before_the_closing_has_the_day_of_its_last_answer(role_users):
    """Every required question answered, then the line dropped before the closing words: the results
    count it complete, and its row named it so with no finishing day at all. Its day is its last
    answer's, in Helsinki: 23.30 UTC on 10 March is already 11 March there."""
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager, slug="katkesi"), manager, slug="katkesi")
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    response = respond(campaign, status=ResponseStatus.PARTIAL)
    for position, digit in {1: 2, 2: 1, 3: 4}.items():
        answer(response, questions[position], digit=digit)
    Answer.objects.filter(response=response).update(answered_at=datetime(2026, 3, 10, 23, 0, tzinfo=UTC))
    Answer.objects.filter(response=response, question=questions[3]).update(
        answered_at=datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    )

    sheet = openpyxl.load_workbook(io.BytesIO(responses_build(campaign=campaign, language="en"))).worksheets[0]

    row = next(sheet.iter_rows(min_row=2, values_only=True))
    assert row[2:4] == ("Complete answer", datetime(2026, 3, 11))
