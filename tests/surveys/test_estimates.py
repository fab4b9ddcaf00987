"""Estimates from weighted answers, against figures computed by hand."""

import math
from decimal import Decimal

import pytest

from surveys.services.estimates import (
    costs_summary,
    crosstab,
    keywords,
    mean_estimate,
    option_estimates,
    t_critical,
    themes,
    wilson_interval,
)
from surveys.services.results_contract import FixedCost, MeanEstimate, Theme

Z = 1.959963984540054


def wilson(p: float, n: float) -> tuple[float, float]:
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def test_wilson_interval_of_half_of_a_hundred_is_the_textbook_one():
    assert wilson_interval(0.5, 100) == (pytest.approx(0.4038, abs=1e-4), pytest.approx(0.5962, abs=1e-4))
    assert wilson_interval(0.0, 10)[0] == 0.0  # stays inside 0..1
    assert wilson_interval(0.3, 0) == (None, None)


def test_option_shares_counts_and_the_weighted_interval():
    values = ["1", "1", "2", None]
    weights = [1.0, 1.0, 2.0, 5.0]

    first, second, third = option_estimates(values, weights, [("1", "kyllä"), ("2", "ei"), ("3", "en osaa sanoa")])

    # Three answered; the unanswered one (weight 5) counts nowhere.
    assert (first.count, second.count, third.count) == (2, 1, 0)
    assert (first.share, second.share, third.share) == (pytest.approx(2 / 3), pytest.approx(1 / 3), 0.0)
    # Weighted: 1 -> (1+1)/4 = 0.5, 2 -> 2/4 = 0.5
    assert (first.weighted_share, second.weighted_share) == (0.5, 0.5)
    # n_eff = (1+1+2)^2 / (1+1+4) = 16/6 = 2.667
    low, high = wilson(0.5, 16 / 6)
    assert (first.ci_low, first.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert (round(first.ci_low, 4), round(first.ci_high, 4)) == (0.1159, 0.8841)


def test_unequal_weights_widen_the_interval_through_the_effective_sample_size():
    values = ["1"] * 50 + ["2"] * 50
    equal = option_estimates(values, [1.0] * 100, [("1", "a"), ("2", "b")])[0]
    # Weights 1 for fifty and 3 for fifty: n_eff = 200^2 / (50 + 450) = 80; share of "1" = 50/200 = 0.25
    unequal = option_estimates(values, [1.0] * 50 + [3.0] * 50, [("1", "a"), ("2", "b")])[0]

    assert (equal.ci_low, equal.ci_high) == (pytest.approx(0.4038, abs=1e-4), pytest.approx(0.5962, abs=1e-4))
    assert unequal.weighted_share == pytest.approx(0.25)
    assert (unequal.ci_low, unequal.ci_high) == tuple(pytest.approx(bound) for bound in wilson(0.25, 80))


def test_mean_with_equal_weights_has_the_classical_t_interval():
    estimate = mean_estimate([1, 2, 3, 4, None], [1.0] * 5)

    # mean 2.5; s^2 = 5/3, se = sqrt(5/3)/2 = 0.6455; sandwich: 4/3 * 5/16 = 0.41667 = se^2; t(0.975, 3) = 3.1824
    half = 3.182446 * math.sqrt(5 / 3) / 2
    assert (estimate.unweighted, estimate.weighted) == (2.5, 2.5)
    assert (estimate.ci_low, estimate.ci_high) == (pytest.approx(2.5 - half), pytest.approx(2.5 + half))


def test_a_mean_of_eight_answers_uses_students_t_with_seven_degrees_of_freedom():
    estimate = mean_estimate([1, 2, 3, 4, 5, 6, 7, 8], [1.0] * 8)

    # mean 4.5, s^2 = 42/7 = 6, se = sqrt(6/8) = 0.8660; t(0.975, 7) = 2.364624, half 2.0478 (1.96 would give 1.6974)
    assert (estimate.ci_low, estimate.ci_high) == (pytest.approx(2.452175, abs=1e-6), pytest.approx(6.547825, abs=1e-6))


def test_weighted_mean_and_its_linearised_variance():
    estimate = mean_estimate([1, 5, 3], [3.0, 1.0, 2.0])

    # m = (3 + 5 + 6) / 6 = 7/3; var = 3/2 * (9*(4/3)^2 + 1*(8/3)^2 + 4*(2/3)^2) / 36 = 3/2 * 224/324 = 1.037037;
    # n_eff = 36 / 14 = 2.5714, t with n_eff - 1 = 1.5714 degrees of freedom: 5.648191 (scipy.stats.t.ppf)
    half = 5.648191 * math.sqrt(28 / 27)
    assert (estimate.unweighted, estimate.weighted) == (3.0, pytest.approx(7 / 3))
    assert (estimate.ci_low, estimate.ci_high) == (
        pytest.approx(7 / 3 - half, abs=1e-5),
        pytest.approx(7 / 3 + half, abs=1e-5),
    )


@pytest.mark.parametrize(
    ("degrees_of_freedom", "critical"),
    [
        (0.6, 67.844395),
        (1, 12.706205),
        (1.6667, 5.242137),
        (2, 4.302653),
        (7, 2.364624),
        (7.5, 2.333040),
        (29, 2.045230),
        (1000, 1.962339),
        (1e6, 1.959966),
    ],
)
def test_t_critical_value_matches_the_tables(degrees_of_freedom, critical):
    # The two-sided 95 % value of Student's t, as scipy.stats.t.ppf(0.975, df) gives it.
    assert t_critical(degrees_of_freedom) == pytest.approx(critical, rel=1e-6)


def test_mean_of_one_answer_has_no_interval_and_of_none_no_mean():
    assert mean_estimate([4], [2.0]) == MeanEstimate(unweighted=4.0, weighted=4.0, ci_low=None, ci_high=None)
    assert mean_estimate([None], [1.0]).weighted is None


def test_crosstab_shares_within_each_group():
    table = crosstab(
        dimension="age_group",
        categories=[("18-29", "18–29"), ("65+", "65+")],
        groups=["18-29", "18-29", "65+", "65+", None],
        values=["1", "2", "1", "1", "2"],
        weights=[1.0, 3.0, 1.0, 1.0, 1.0],
        options=[("1", "kyllä"), ("2", "ei")],
    )

    # 18-29: yes 1/(1+3) = 0.25, no 3/4 = 0.75; 65+: yes 2/2, no 0; the one without an age group is left out
    assert table.rows == [("kyllä", [0.25, 1.0]), ("ei", [0.75, 0.0])]
    assert table.respondents == [2, 2]


def test_each_crosstab_column_has_its_largest_margin_of_error():
    values = ["1", "2"] * 20 + ["1"] * 8
    table = crosstab(
        dimension="age_group",
        categories=[("30-64", "30–64"), ("65+", "65+"), ("18-29", "18–29")],
        groups=["30-64"] * 40 + ["65+"] * 8,
        values=values,
        weights=[1.0] * 20 + [3.0] * 20 + [1.0] * 8,
        options=[("1", "kyllä"), ("2", "ei")],
    )

    # The widest 95 % interval of a column's shares is Wilson's of a 50 % share over its effective
    # number of answers: 30-64 with weights 1 and 3, n_eff = 80^2 / 200 = 32; 65+ eight alike, 8.
    assert table.margins == [
        pytest.approx((wilson(0.5, 32)[1] - wilson(0.5, 32)[0]) / 2),
        pytest.approx((wilson(0.5, 8)[1] - wilson(0.5, 8)[0]) / 2),
        None,  # nobody in it answered
    ]
    assert table.margins[0] == pytest.approx(0.1637, abs=1e-4)


def test_keywords_drop_stop_words_punctuation_digits_and_short_words():
    assert keywords("Lisää pyöräteitä, ja kirjaston aukioloajat! 24/7 ok") == {"pyöräteitä", "kirjaston", "aukioloajat"}
    assert keywords("Fler cykelvägar och bättre parker i staden") == {"cykelvägar", "bättre", "parker"}


def test_themes_count_each_keyword_once_per_answer_and_keep_the_frequent_ones():
    answers = [
        "Lisää pyöräteitä keskustaan",
        "Pyöräteitä ja puistoja!",
        "puistoja, puistoja",
        "Kirjasto",
        "Fler parker",
    ]

    assert themes(answers, ["fi", "fi", "fi", "fi", "sv"]) == [Theme("puistoja", 2), Theme("pyöräteitä", 2)]


def test_themes_join_the_inflected_forms_of_a_finnish_word_under_its_most_written_form():
    answers = [
        "Kirjastossa pitäisi olla enemmän lehtiä",
        "Kirjastoa on kehitettävä",
        "Kirjastossa käyn usein",
        "Kirjastot ja puistot",
        "Puistoja lisää",
    ]

    # "kirjastossa" is written in two answers, the other forms in one; "puistot" and "puistoja"
    # in one each, so the shorter one names the theme. Library and park stay two themes.
    assert themes(answers, ["fi"] * 5) == [Theme("kirjastossa", 4), Theme("puistot", 2)]


def test_themes_stem_swedish_answers_with_the_swedish_stemmer():
    answers = [
        "Bussen går för sällan",
        "Fler bussar på kvällen",
        "Bussarna är fulla",
        "bussen är sen",
        "Parken",
        "parker",
    ]

    # "parken" and "parker" are written once each and are as long: alphabetical order names the theme.
    assert themes(answers, ["sv"] * 6) == [Theme("bussen", 4), Theme("parken", 2)]
    # The Finnish stemmer leaves "bussen" and "bussar", "parken" and "parker" apart: the language decides.
    assert themes(answers, ["fi"] * 6) == [Theme("bussar", 2), Theme("bussen", 2)]


def test_themes_stem_english_answers_and_name_a_tie_by_the_shorter_form():
    answers = ["More libraries", "The library opens late", "Libraries need longer hours", "Roads", "Fix the road"]

    assert themes(answers, ["en"] * 5) == [Theme("libraries", 3), Theme("road", 2)]


def test_costs_total_per_complete_and_budget_use():
    costs = costs_summary(
        minutes=120,
        call_cost=Decimal("10.8000"),
        fixed=[FixedCost("Numerolista", Decimal("2100.00")), FixedCost("Projektityö", Decimal("5000.50"))],
        complete=7,
        budget_cap=Decimal("100.00"),
    )

    # 10.80 + 2100.00 + 5000.50 = 7111.30; / 7 = 1015.90; calls 10.80 / 100 = 0.108 of the cap
    assert (costs.call_cost, costs.total, costs.per_complete) == (
        Decimal("10.80"),
        Decimal("7111.30"),
        Decimal("1015.90"),
    )
    assert costs.budget_used == pytest.approx(0.108)
    assert costs_summary(minutes=0, call_cost=Decimal(0), fixed=[], complete=0, budget_cap=None).per_complete is None


def test_answers_all_alike_have_no_interval_rather_than_a_point():
    # Five weighted answers of 5: the linearised variance is 0 and "5.0-5.0" would claim certainty.
    assert mean_estimate([5, 5, None, 5, 5, 5], [1.2, 0.8, 1.0, 1.0, 1.5, 0.5]) == MeanEstimate(
        unweighted=5.0, weighted=5.0, ci_low=None, ci_high=None
    )
