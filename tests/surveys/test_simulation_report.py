"""A simulated campaign's estimates against the truth of its whole synthetic population."""

import io
import json
from statistics import mean

import pytest
from django.core.management import call_command

from surveys.demo import survey_demo_seed
from surveys.demo_results import PILOT_NUMBER_LIST, results_demo_seed
from surveys.models import (
    Answer,
    Campaign,
    CampaignResultSettings,
    CampaignStatus,
    QuestionKind,
    Response,
    ResponseStatus,
)
from surveys.services.dispositions import response_interview_code_refresh
from surveys.services.results import campaign_results
from surveys.services.synthetic_contacts import synthetic_contacts_add
from surveys.simulation import simulation_result
from surveys.simulation_report import simulation_report
from surveys.synthetic_population import (
    AGE_GROUPS,
    answers_path,
    contact_facts,
    expected_answer,
    population_truth,
    resident_build,
    survey_questions,
)
from tests.conftest import make_user

FIGURES = {"truth", "unweighted", "weighted", "ci_low", "ci_high"}


@pytest.fixture
def pilot(db):
    make_user("kyselyvastaava")
    make_user("viestinta")
    survey_demo_seed()
    results_demo_seed()
    return Campaign.objects.get(slug="pilotti")


@pytest.mark.django_db
def test_the_truth_is_every_residents_answer_whoever_answered(pilot):
    synthetic_contacts_add(campaign=pilot, count=150, seed=5)
    survey = survey_questions(pilot.survey_version)
    paths = [
        answers_path(resident_build(facts, seed=5, year=pilot.start_date.year), survey)
        for facts in contact_facts(pilot.contacts.all())
    ]

    report = simulation_report(pilot, seed=5)

    truth = {question.position: question for question in report.questions}
    assert sorted(truth) == [3, 4, 5, 6, 7]
    # Scale questions: the mean of everyone's answer; the others: the share of the first option.
    assert truth[3].option is None
    assert truth[3].truth == pytest.approx(mean(path[3] for path in paths))
    assert truth[4].option == "1"
    assert truth[4].truth == pytest.approx(mean(path[4] == 1 for path in paths))
    assert truth[5].truth == pytest.approx(mean(path[5] == 1 for path in paths))
    # Question 6 is put only to those who use the sports facilities (the skip rule of question 5).
    assert truth[6].truth == pytest.approx(mean(path[6] for path in paths if 6 in path))
    # Nobody was called yet: no estimate, and nobody to count.
    assert all(question.weighted is None and question.covered is None for question in report.questions)
    assert report.completes_by_age_group == dict.fromkeys(AGE_GROUPS, 0)


def residents_of(campaign, *, seed):
    return [
        resident_build(facts, seed=seed, year=campaign.start_date.year)
        for facts in contact_facts(campaign.contacts.all())
    ]


def answer_truly(campaign, residents, *, status=ResponseStatus.COMPLETE, questions=None):
    """Each resident answers the survey with their true answers, skip rules followed: all of them, or
    the first `questions` of their path; the response ends with `status`."""
    survey = survey_questions(campaign.survey_version)
    by_position = {question.position: question for question in campaign.survey_version.questions.all()}
    options = {
        (option.question_id, option.digit): option
        for question in by_position.values()
        for option in question.options.all()
    }
    for resident in residents:
        response = Response.objects.create(
            pseudonym=resident.key,
            campaign=campaign,
            survey_version=campaign.survey_version,
            status=status,
            language="fi",
        )
        Answer.objects.bulk_create(
            Answer(
                response=response,
                question=by_position[position],
                option=None
                if by_position[position].kind == QuestionKind.NUMBER
                else options[(by_position[position].pk, value)],
                number_value=value if by_position[position].kind == QuestionKind.NUMBER else None,
                digits=str(value),
            )
            for position, value in list(answers_path(resident, survey).items())[:questions]
            if value is not None
        )
        response_interview_code_refresh(response_id=response.pk)  # as the call and the web survey do


@pytest.mark.django_db
def test_the_simulation_counts_the_completes_the_results_count(pilot):
    synthetic_contacts_add(campaign=pilot, count=20, seed=5)
    finished, late, later, quiet = residents_of(pilot, seed=5)[:4]
    survey = survey_questions(pilot.survey_version)
    answer_truly(pilot, [finished])
    # Hung up at the last question asked: at least 80 % of the questions that applied answered,
    # AAPOR's complete interview (1.1), though the closing words were never heard.
    for resident in (late, later):
        path = answers_path(resident, survey)
        assert len(path) >= 5
        answer_truly(pilot, [resident], status=ResponseStatus.PARTIAL, questions=len(path) - 1)
    # Heard the closing words with one answer given: a break-off (2.12), not a complete.
    answer_truly(pilot, [quiet], questions=1)

    result = simulation_result(pilot)
    report = simulation_report(pilot, seed=5)

    published = campaign_results(pilot, language="fi")
    assert published.rates.dispositions["I"] == published.funnel.complete == 3
    assert result.complete == 3
    assert result.completes_by_mode == {"phone": 3, "web": 0}
    assert result.rr1 == pytest.approx(published.rates.rr["RR1"])
    assert report.completes_by_age_group == {
        group: sum(resident.age_group == group for resident in (finished, late, later)) for group in AGE_GROUPS
    }


@pytest.mark.django_db
def test_a_survey_of_everyone_unweighted_has_no_error_of_either_kind(pilot):
    synthetic_contacts_add(campaign=pilot, count=150, seed=5)
    CampaignResultSettings.objects.create(campaign=pilot, weighting_dimensions=[])
    answer_truly(pilot, residents_of(pilot, seed=5))

    report = simulation_report(pilot, seed=5)

    for question in report.questions:
        assert question.weighted_error == pytest.approx(0, abs=1e-9), question
        assert question.selection_error == pytest.approx(0, abs=1e-9), question


@pytest.mark.django_db
def test_the_selection_error_is_who_answered_apart_from_the_luck_of_their_answers(pilot):
    synthetic_contacts_add(campaign=pilot, count=300, seed=5)
    CampaignResultSettings.objects.create(campaign=pilot, weighting_dimensions=[])
    everyone = residents_of(pilot, seed=5)
    # Only the more interested half answers: the civic questions' answers lean with interest.
    interested = sorted(everyone, key=lambda resident: resident.civic_interest)[len(everyone) // 2 :]
    answer_truly(pilot, interested)
    survey = survey_questions(pilot.survey_version)

    report = simulation_report(pilot, seed=5)

    def figure(position, value):
        return value if survey.at(position).kind in (QuestionKind.SCALE, QuestionKind.NUMBER) else float(value == 1)

    def averages(residents, position):
        on_path = [(resident, answers_path(resident, survey)) for resident in residents]
        on_path = [(resident, path[position]) for resident, path in on_path if position in path]
        expected = mean(expected_answer(resident, survey.at(position), survey) for resident, _value in on_path)
        return mean(figure(position, value) for _resident, value in on_path), expected

    questions = {question.position: question for question in report.questions}
    for position, question in questions.items():
        answered, answered_expected = averages(interested, position)
        truth, truth_expected = averages(everyone, position)
        assert question.expected_weighted == pytest.approx(answered_expected)
        assert question.expected_truth == pytest.approx(truth_expected)
        assert question.selection_error == pytest.approx(answered_expected - truth_expected)
        # The rest of the error is the luck of the answers, the answerers' and everyone's.
        luck = (answered - answered_expected) - (truth - truth_expected)
        assert question.weighted_error - question.selection_error == pytest.approx(luck, abs=1e-9)
    # The interested are more satisfied (q3) and say yes more often (q5), by the simulator's leans.
    assert questions[3].selection_error > 0.1
    assert questions[5].selection_error > 0.03
    assert abs(questions[7].selection_error) < questions[3].selection_error / 2


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_simulate_campaign_json_holds_each_questions_estimates_against_the_truth(pilot, rq_queues):
    Campaign.objects.filter(pk=pilot.pk).update(status=CampaignStatus.RUNNING)
    stdout = io.StringIO()

    call_command(
        "simulate_campaign", "--campaign", "pilotti", "--contacts", "60", "--seed", "2", "--json", stdout=stdout
    )

    summary = json.loads(stdout.getvalue().splitlines()[-1])
    assert summary["numbers"] == 116
    assert summary["complete"] > 5
    assert set(summary["completes_by_age_group"]) == set(AGE_GROUPS)
    assert sum(summary["completes_by_age_group"].values()) == summary["complete"]
    list_cost = float(PILOT_NUMBER_LIST[1])
    assert list_cost < summary["cost_eur"] < list_cost + summary["calls"] * 5 * float(pilot.price_per_minute)
    truth = population_truth(pilot, seed=2)
    questions = {question["position"]: question for question in summary["questions"]}
    assert sorted(questions) == [3, 4, 5, 6, 7]
    for position, question in questions.items():
        assert set(question) >= FIGURES
        figures = [question[name] for name in FIGURES]
        assert all(isinstance(figure, float) for figure in figures), question
        if question["option"] is None:
            assert question["truth"] == pytest.approx(truth[position].mean, abs=1e-4)
            assert all(1 <= figure <= 5 for figure in figures)
        else:
            assert question["truth"] == pytest.approx(truth[position].shares[question["option"]], abs=1e-4)
            assert all(0 <= figure <= 1 for figure in figures)
        assert question["ci_low"] <= question["weighted"] <= question["ci_high"]
        assert question["covered"] == (question["ci_low"] <= question["truth"] <= question["ci_high"])
        assert question["weighted_error"] == pytest.approx(question["weighted"] - question["truth"], abs=2e-4)
        # Of the error, the answers' luck is about the interval's width at most; the rest is selection.
        assert abs(question["weighted_error"] - question["selection_error"]) < question["ci_high"] - question["ci_low"]
        assert question["respondents"] > 0
    # The respondents are weighted to the population: the estimates differ from the raw ones.
    assert any(abs(question["weighted"] - question["unweighted"]) > 1e-3 for question in questions.values())
