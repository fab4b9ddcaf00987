"""`campaign_results(...).modes`: rates by mode and combined, completes by mode and age group, each
mode's weighted estimates compared, and the sentence of what the web added (tests/surveys/mode_factory.py
works the figures out)."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from surveys.models import CallStatus, Contact, SmsMessage, SmsStatus
from surveys.services import weighting
from surveys.services.disclosure import COMPLEMENTARY, SMALL
from surveys.services.findings import mode_sentences
from surveys.services.mode_effects import ComparedQuestion, mode_comparisons, mode_weights, question_comparison
from surveys.services.results import campaign_results
from surveys.services.results_by_mode import completes_by_group
from surveys.services.results_contract import ModeResults
from tests.surveys.calls import queued_attempt
from tests.surveys.mode_factory import _respond, mixed_mode_campaign, set_population

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed():
    set_population()
    return mixed_mode_campaign()


def test_a_phone_only_campaign_has_no_results_by_mode():
    set_population()
    results = campaign_results(mixed_mode_campaign(web=False), language="fi")

    assert results.modes is None
    assert results.weighting.respondents == 40


def test_rates_by_mode_and_combined(mixed):
    modes = campaign_results(mixed, language="fi").modes

    rates = {each.mode: each for each in modes.rates}
    assert [(mode, each.cases) for mode, each in rates.items()] == [("phone", 75), ("web", 35), ("combined", 75)]
    assert rates["phone"].rates.rr["RR1"] == pytest.approx(40 / 75)
    assert rates["web"].rates.rr["RR1"] == pytest.approx(1.0)
    assert rates["combined"].rates.rr["RR1"] == pytest.approx(1.0)
    assert modes.completes == {"phone": 40, "web": 35}


def test_completes_by_mode_and_age_group(mixed):
    modes = campaign_results(mixed, language="fi").modes

    (ages,) = modes.groups
    assert ages.dimension == "age_group"
    assert [label for _key, label in ages.categories] == ["18–29", "30–64", "65+"]
    assert ages.counts == {"phone": [5, 15, 20], "web": [14, 16, 5]}
    assert ages.shares["web"] == pytest.approx([0.4, 16 / 35, 5 / 35])
    assert ages.shares["phone"] == pytest.approx([0.125, 0.375, 0.5])


def test_each_mode_weighted_on_its_own_removes_the_difference_in_who_answered(mixed):
    comparisons = {each.position: each for each in campaign_results(mixed, language="fi").modes.comparisons}

    exercise = comparisons[2]
    assert (exercise.measure, exercise.label) == ("share", "kyllä")
    phone, web = exercise.estimates
    assert (phone.mode, phone.answered, web.mode, web.answered) == ("phone", 40, "web", 35)
    assert phone.estimate == pytest.approx(0.2 + 0.5 * 8 / 15)
    assert web.estimate == pytest.approx(0.2 + 0.5 * 8 / 16)
    assert exercise.difference == pytest.approx(-0.5 * (8 / 15 - 8 / 16))
    assert exercise.differs is False
    assert exercise.difference_low < 0 < exercise.difference_high


def test_a_difference_the_mode_itself_makes_is_flagged(mixed):
    modes = campaign_results(mixed, language="fi").modes

    satisfaction = next(each for each in modes.comparisons if each.position == 3)
    assert satisfaction.measure == "mean"
    assert satisfaction.differs is True
    assert satisfaction.difference == pytest.approx(-2.0, abs=0.1)
    assert satisfaction.difference_high < 0
    assert [each.position for each in modes.mode_effects] == [3]


def test_a_mode_with_too_few_answers_is_not_compared():
    question = ComparedQuestion(
        position=2, text="Q", kind="yes_no", values=["1"] * 40, options=[("1", "Yes"), ("2", "No")]
    )
    modes = ["phone"] * 31 + ["web"] * 9

    comparison = question_comparison(question, modes, [1.0] * 40, minimum=30)

    assert comparison.differs is None
    assert comparison.difference is None
    assert [estimate.answered for estimate in comparison.estimates] == [31, 9]
    assert [estimate.estimate for estimate in comparison.estimates] == [None, None]


def test_a_difference_of_means_uses_students_t_with_welchs_degrees_of_freedom():
    # Phone 15 x 3 and 15 x 4 (mean 3.5, variance of the mean 30/29 * 7.5 / 900), web 10 x 3 and 20 x 4
    # (mean 3.6667, 30/29 * 6.6667 / 900); d = 0.1667, se 0.1276. Welch-Satterthwaite: 57.8 degrees of
    # freedom, t = 2.0019 (scipy.stats.t.ppf), so d - 0.2555 = -0.0888; 1.96 would give -0.0834.
    values = [3] * 15 + [4] * 15 + [3] * 10 + [4] * 20
    question = ComparedQuestion(position=3, text="Q", kind="scale", values=values, options=[])

    comparison = question_comparison(question, ["phone"] * 30 + ["web"] * 30, [1.0] * 60, minimum=30)

    assert comparison.difference == pytest.approx(1 / 6)
    assert (comparison.difference_low, comparison.difference_high) == (
        pytest.approx(-0.088785, abs=1e-5),
        pytest.approx(0.422118, abs=1e-5),
    )


def test_a_choice_question_is_compared_at_the_bonferroni_level_of_its_options():
    # Option 1: phone 20/40 = 0.5, web 12/40 = 0.3; unweighted, n_eff = 40. Variance 0.25/40 + 0.21/40 = 0.0115.
    # d = -0.2; with 3 options z = 2.394.
    values = ["1"] * 20 + ["2"] * 10 + ["3"] * 10 + ["1"] * 12 + ["2"] * 14 + ["3"] * 14
    question = ComparedQuestion(
        position=5, text="Q", kind="choice", values=values, options=[("1", "A"), ("2", "B"), ("3", "C")]
    )

    comparison = question_comparison(question, ["phone"] * 40 + ["web"] * 40, [1.0] * 80, minimum=30)

    assert comparison.label == "A"
    assert comparison.difference == pytest.approx(-0.2)
    assert comparison.confidence == pytest.approx(1 - 0.05 / 3)
    # Newcombe's interval from the Wilson intervals at z 2.394 of 0.5 (0.3230, 0.6770) and of 0.3
    # (0.1609, 0.4892): -0.2 - sqrt(0.1391^2 + 0.1770^2).
    assert comparison.difference_low == pytest.approx(-0.4251, abs=1e-3)
    assert comparison.differs is False


def test_small_cells_of_the_completes_by_mode_are_hidden_with_their_complements():
    # 18-29: phone 2 (small), web 14. Phone's row hides its next smallest (30-64: 6), and each column
    # then hides the web's cell too, as every group's completes are published.
    groups = ["18-29"] * 2 + ["30-64"] * 6 + ["65+"] * 20 + ["18-29"] * 14 + ["30-64"] * 16 + ["65+"] * 5
    modes = ["phone"] * 28 + ["web"] * 35

    table = completes_by_group(
        dimension="age_group",
        categories=[("18-29", "18–29"), ("30-64", "30–64"), ("65+", "65+")],
        groups=groups,
        modes=modes,
        not_answered_label="-",
        hidden_groups={},
        minimum=5,
    )

    assert table.counts == {"phone": [None, None, 20], "web": [None, None, 5]}
    assert table.hidden["phone"] == [SMALL, COMPLEMENTARY, ""]
    assert table.shares["web"] == [None, None, pytest.approx(5 / 35)]


def test_the_finding_says_what_the_web_added(mixed):
    modes = campaign_results(mixed, language="fi").modes

    assert modes.findings[0] == (
        "Verkkokysely toi 35 täytettyä vastausta (47 % kaikista); heistä 40 % kuului ryhmään Ikäryhmä: 18–29, "
        "puhelimessa vastanneista 13 %."
    )
    assert modes.findings[1].startswith(
        "Painotuksen jälkeen puhelimessa ja verkossa annetut vastaukset eroavat enemmän kuin sattuma selittää "
        "kysymyksessä ”Kuinka tyytyväinen olet?”."
    )


def test_the_finding_in_english(mixed):
    with translation.override("en"):
        modes = campaign_results(mixed, language="en").modes

    assert modes.findings[0] == (
        "The web survey added 35 completed answers (47 % of all); 40 % of them came from the group "
        "Age group: 18–29, against 13 % of the phone answers."
    )


@override_settings(RESULTS_MIN_GROUP_SIZE=50)
def test_no_mode_is_compared_with_fewer_answers_than_the_smallest_group_shown(mixed):
    modes = campaign_results(mixed, language="fi").modes

    assert modes.minimum_answers == 50
    assert all(comparison.differs is None for comparison in modes.comparisons)


AGE_MARGINS = [weighting.Margin("age_group", [("18-29", 0.2), ("30-64", 0.5), ("65+", 0.3)])]


def by_age(phone: dict[str, int], web: dict[str, int]):
    """Respondents whose answer depends on their age only (18-29 and 30-64 yes, 65+ no): no mode effect."""
    rows, modes, values = [], [], []
    for mode, counts in (("phone", phone), ("web", web)):
        for age, count in counts.items():
            rows += [{"age_group": age}] * count
            modes += [mode] * count
            values += ["2" if age == "65+" else "1"] * count
    question = ComparedQuestion(position=2, text="Q", kind="yes_no", values=values, options=[("1", "Yes"), ("2", "No")])
    return rows, modes, question


def test_a_mode_that_would_need_its_own_merged_cells_is_not_compared():
    # The web's 2 respondents aged 65+ would each stand for 0.3 * 92 / 2 = 13.8 times the mean, above the
    # cap 5: merged into 30-64 they would leave the web's answer at 0.97 against the phone's 0.70, an age
    # difference taken for a mode effect. Weighted with the results' cells (all three), the web cannot be.
    rows, modes, question = by_age({"18-29": 10, "30-64": 60, "65+": 80}, {"18-29": 40, "30-64": 50, "65+": 2})
    cells = weighting.weights_compute(rows, AGE_MARGINS, trim_cap=5.0).cells

    comparisons, problem = mode_comparisons([question], modes, rows, AGE_MARGINS, trim_cap=5.0, minimum=5, cells=cells)

    assert comparisons == []
    assert (problem.mode, problem.issue.kind, problem.issue.categories) == ("web", weighting.EXTREME, ("65+",))
    assert problem.issue.value == pytest.approx(13.8)


def test_each_mode_is_weighted_with_the_cells_of_the_results_weights():
    # The results weight 18-29 and 30-64 as one cell (say, a hidden group's): so does each mode.
    rows, modes, question = by_age({"18-29": 10, "30-64": 60, "65+": 80}, {"18-29": 40, "30-64": 50, "65+": 30})
    together = {"age_group": [("18-29", "30-64")]}
    cells = weighting.weights_compute(rows, AGE_MARGINS, trim_cap=5.0, together=together).cells

    weights, problem = mode_weights(modes, rows, AGE_MARGINS, trim_cap=5.0, cells=cells)

    assert problem is None
    web = [weight for weight, mode, row in zip(weights, modes, rows, strict=True) if mode == "web"]
    web_ages = [row["age_group"] for mode, row in zip(modes, rows, strict=True) if mode == "web"]
    young = {round(weight, 9) for weight, age in zip(web, web_ages, strict=True) if age != "65+"}
    assert len(young) == 1  # one cell, one weight
    # The web's weights make 65+ 30 % of the web's total.
    old = sum(weight for weight, age in zip(web, web_ages, strict=True) if age == "65+")
    assert old / sum(web) == pytest.approx(0.3)
    (comparison,) = mode_comparisons([question], modes, rows, AGE_MARGINS, trim_cap=5.0, minimum=5, cells=cells)[0]
    assert comparison.differs is not None


def test_a_mode_whose_weights_do_not_reach_the_population_is_not_compared():
    # On the web the young all live in the centre and the old all elsewhere: age 50/50 and district
    # 20/80 cannot both be reached. The phone has every combination, and so do both modes together.
    margins = [
        weighting.Margin("age_group", [("18-29", 0.5), ("65+", 0.5)]),
        weighting.Margin("district", [("centre", 0.2), ("north", 0.8)]),
    ]
    phone = [{"age_group": age, "district": district} for age in ("18-29", "65+") for district in ("centre", "north")]
    web = [{"age_group": "18-29", "district": "centre"}, {"age_group": "65+", "district": "north"}]
    rows = phone * 10 + web * 20
    modes = ["phone"] * 40 + ["web"] * 40
    cells = weighting.weights_compute(rows, margins, trim_cap=5.0).cells

    _weights, problem = mode_weights(modes, rows, margins, trim_cap=5.0, cells=cells)

    assert (problem.mode, problem.issue.kind) == ("web", weighting.NOT_CONVERGED)


def test_the_results_by_mode_take_as_many_queries_however_many_respond(mixed):
    with CaptureQueriesContext(connection) as before:
        campaign_results(mixed, language="fi")
    questions = {question.position: question for question in mixed.survey_version.questions.all()}
    for index in range(20):
        _respond(mixed, questions, mode="web", age="18–29", index=index)
        _respond(mixed, questions, mode="phone", age="65+", index=index)

    with CaptureQueriesContext(connection) as after:
        modes = campaign_results(mixed, language="fi").modes

    assert modes.completes == {"phone": 60, "web": 55}
    assert len(after.captured_queries) == len(before.captured_queries)


def test_numbers_nobody_answered_lower_the_web_and_combined_rates_differently(mixed):
    # Ten more numbers called without an answer and sent the link, and five called only (no SMS).
    for index in range(15):
        contact = Contact.objects.create(campaign=mixed)
        queued_attempt(contact, status=CallStatus.NO_ANSWER)
        if index < 10:
            SmsMessage.objects.create(contact=contact, provider="simulator", status=SmsStatus.DELIVERED, sender="K")

    rates = {each.mode: each for each in campaign_results(mixed, language="fi").modes.rates}

    assert [(mode, each.cases) for mode, each in rates.items()] == [("phone", 90), ("web", 45), ("combined", 90)]
    assert rates["phone"].rates.rr["RR1"] == pytest.approx(40 / 90)
    assert rates["web"].rates.rr["RR1"] == pytest.approx(35 / 45)
    assert rates["combined"].rates.rr["RR1"] == pytest.approx(75 / 90)


def test_a_share_near_zero_is_not_flagged_by_a_too_narrow_interval():
    # Phone 0 of 30, web 4 of 30 (13 %): Fisher's exact test gives p = 0.11, no difference beyond
    # chance. The normal interval 0.133 +- 1.96 * sqrt(0.1156 / 30) = (0.012, 0.255) would flag it;
    # Newcombe's from the Wilson intervals (0, 0.1135) and (0.0530, 0.2968) is (-0.006, 0.297).
    values = ["2"] * 30 + ["1"] * 4 + ["2"] * 26
    question = ComparedQuestion(position=2, text="Q", kind="yes_no", values=values, options=[("1", "Yes"), ("2", "No")])

    comparison = question_comparison(question, ["phone"] * 30 + ["web"] * 30, [1.0] * 60, minimum=30)

    assert comparison.difference == pytest.approx(4 / 30)
    assert comparison.difference_low == pytest.approx(-0.0057, abs=5e-4)
    assert comparison.difference_high == pytest.approx(0.2968, abs=5e-4)
    assert comparison.differs is False


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("fi", "Verkkokysely toi 1 täytetyn vastauksen (10 % kaikista)."),
        ("sv", "Webbenkäten gav 1 fullständigt svar (10 % av alla)."),
        ("en", "The web survey added 1 completed answer (10 % of all)."),
    ],
)
def test_one_web_answer_is_said_in_the_singular(language, sentence):
    """'1 täytettyä vastausta', '1 fullständiga svar': the count decides the form of the noun."""
    modes = ModeResults(rates=[], completes={"phone": 9, "web": 1}, groups=[], comparisons=[])

    with translation.override(language):
        assert mode_sentences(modes, dimension_names={}) == [sentence]
