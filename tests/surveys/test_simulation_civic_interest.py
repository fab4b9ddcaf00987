"""The synthetic residents' hidden civic interest: it raises answering and some opinions, as real
nonresponse does, while each age group answers on average as calibrated. Tested on generated
residents, not on a simulation."""

import dataclasses
import math
from statistics import mean, pstdev

from surveys.models import QuestionKind
from surveys.synthetic_population import (
    AGE_BRACKETS,
    BEHAVIOUR,
    ContactFacts,
    QuestionSpec,
    SurveyQuestions,
    expected_answer,
    resident_build,
    true_answer,
)

YEAR = 2026
PEOPLE = 4000
SCALE_DIGITS = (1, 2, 3, 4, 5)
# Two scale and two yes/no questions: the first of each kind is a civic question, the second not.
SURVEY = SurveyQuestions(
    (
        QuestionSpec(1, QuestionKind.SCALE, "", True, SCALE_DIGITS, tuple(map(str, SCALE_DIGITS))),
        QuestionSpec(2, QuestionKind.SCALE, "", True, SCALE_DIGITS, tuple(map(str, SCALE_DIGITS))),
        QuestionSpec(3, QuestionKind.YES_NO, "", True, (1, 2), ("Kyllä", "Ei")),
        QuestionSpec(4, QuestionKind.YES_NO, "", True, (1, 2), ("Kyllä", "Ei")),
    )
)


def people(*, birth_year=None, count=PEOPLE):
    """Residents of seed 1; of all ages (drawn like the population) unless `birth_year` is given."""
    return [resident_build(ContactFacts(f"r{n}", birth_year, "01950", "fi"), seed=1, year=YEAR) for n in range(count)]


def correlation(xs, ys) -> float:
    mx, my = mean(xs), mean(ys)
    covariance = mean((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return covariance / (pstdev(xs) * pstdev(ys))


def z_score(r: float, n: int) -> float:
    """Fisher's z test of a correlation against 0."""
    return math.atanh(r) * math.sqrt(n - 3)


def test_civic_interest_grows_weakly_with_age():
    everyone = people()

    r = correlation([resident.age for resident in everyone], [resident.civic_interest for resident in everyone])

    assert min(resident.age for resident in everyone) == AGE_BRACKETS[0][0]
    assert 0.1 < r < 0.4
    assert z_score(r, PEOPLE) > 5


def test_the_interested_listen_consent_and_finish_more_often_at_the_same_age():
    same_age = people(birth_year=YEAR - 47)
    interest = [resident.civic_interest for resident in same_age]

    for step in ("listens", "consents", "finishes"):
        chances = [float(getattr(resident, step)) for resident in same_age]
        assert z_score(correlation(interest, chances), PEOPLE) > 4, step


def test_each_step_keeps_its_calibrated_rate_among_those_who_got_that_far():
    for birth_year, group in ((YEAR - 22, "18-29"), (YEAR - 47, "30-64"), (YEAR - 80, "65+")):
        behaviour = BEHAVIOUR[group]
        reached = [1.0] * PEOPLE  # the chance of having got as far as the step
        for step in ("listens", "consents", "finishes"):
            chances = [float(getattr(resident, step)) for resident in people(birth_year=birth_year)]
            rate = sum(r * c for r, c in zip(reached, chances, strict=True)) / sum(reached)
            expected = getattr(behaviour, step)
            # The draws' luck and the cap at 1: well within four binomial standard errors here.
            assert abs(rate - expected) < 4 * math.sqrt(expected * (1 - expected) / PEOPLE), (group, step, rate)
            reached = [r * c for r, c in zip(reached, chances, strict=True)]


def test_interest_leans_the_first_question_of_each_kind_and_not_the_others():
    same_age = people(birth_year=YEAR - 47)
    interest = [resident.civic_interest for resident in same_age]

    def answer_correlation(position):
        question = SURVEY.at(position)
        answers = [true_answer(resident, question, SURVEY) for resident in same_age]
        # Yes is digit 1: count yes as 1, no as 0.
        values = [answer == 1 for answer in answers] if question.kind == QuestionKind.YES_NO else answers
        return z_score(correlation(interest, [float(value) for value in values]), PEOPLE)

    assert [SURVEY.is_civic(question) for question in SURVEY.questions] == [True, False, True, False]
    assert answer_correlation(1) > 5
    assert answer_correlation(3) > 5
    assert abs(answer_correlation(2)) < 3
    assert abs(answer_correlation(4)) < 3


def test_the_expected_answer_is_the_mean_of_the_answers_a_resident_may_give():
    """Each kind's expected figure against 4,000 answers of one resident (their traits kept, the
    answers' luck drawn anew with each seed): the mean answer, or the share of the first option."""
    survey = SurveyQuestions(
        (
            *SURVEY.questions,
            QuestionSpec(5, QuestionKind.CHOICE, "", True, (1, 2, 3, 4), ("A", "B", "C", "D")),
            # Around 15 % of 0..10 with a spread of 1.2: often cut at 0, so the cut and the rounding count.
            QuestionSpec(6, QuestionKind.NUMBER, "", True, (), (), min_value=0, max_value=10),
            QuestionSpec(7, QuestionKind.OPEN, "", False, (), ()),
        )
    )
    resident = people(birth_year=YEAR - 70, count=1)[0]
    draws = [dataclasses.replace(resident, seed=seed) for seed in range(PEOPLE)]

    def figure(question, answer):
        return float(answer) if question.kind in (QuestionKind.SCALE, QuestionKind.NUMBER) else float(answer == 1)

    for question in survey.questions[:6]:
        answers = [figure(question, true_answer(each, question, survey)) for each in draws]
        expected = expected_answer(resident, question, survey)
        standard_error = max(pstdev(answers), 0.05) / math.sqrt(PEOPLE)
        assert abs(mean(answers) - expected) < 4 * standard_error, (question.position, mean(answers), expected)
    assert expected_answer(resident, survey.at(7), survey) is None


def test_a_chance_beyond_certainty_is_certain():
    """The young say yes most often, the interested more: beyond a chance of 1 every answer is yes."""
    eager = dataclasses.replace(people(birth_year=YEAR - 20, count=1)[0], civic_interest=5.0)
    question = SURVEY.at(3)

    assert expected_answer(eager, question, SURVEY) == 1.0
    assert {true_answer(dataclasses.replace(eager, seed=seed), question, SURVEY) for seed in range(200)} == {1}
