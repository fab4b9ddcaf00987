"""A simulated campaign's estimates against the truth of its whole synthetic population."""

import io
import json
from statistics import mean

import pytest
from django.core.management import call_command

from surveys.demo import survey_demo_seed
from surveys.demo_results import PILOT_NUMBER_LIST, results_demo_seed
from surveys.models import Campaign, CampaignStatus
from surveys.services.synthetic_contacts import synthetic_contacts_add
from surveys.simulation_report import simulation_report
from surveys.synthetic_population import (
    AGE_GROUPS,
    answers_path,
    contact_facts,
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
        assert question["respondents"] > 0
    # The respondents are weighted to the population: the estimates differ from the raw ones.
    assert any(abs(question["weighted"] - question["unweighted"]) > 1e-3 for question in questions.values())
