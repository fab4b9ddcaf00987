"""Weighting checked against cases solved by hand and an independent table-based raking."""

import itertools
import math
import random

import pytest

from surveys.services.weighting import (
    CAP_EXCEEDED,
    DIMENSION_DROPPED,
    EMPTY,
    EXTREME,
    NOT_CONVERGED,
    Margin,
    effective_sample_size,
    kish_design_effect,
    rake,
    weights_compute,
)

AGE = Margin("age_group", [("18-29", 0.15), ("30-64", 0.50), ("65+", 0.35)])


def people(*groups: tuple[int, dict]) -> list[dict]:
    return [dict(row) for count, row in groups for _ in range(count)]


def test_one_dimension_is_post_stratification_in_closed_form():
    respondents = people((1, {"age_group": "18-29"}), (3, {"age_group": "30-64"}), (6, {"age_group": "65+"}))

    outcome = weights_compute(respondents, [AGE])

    # weight = population share / sample share: 0.15/0.1 = 1.5, 0.50/0.3 = 5/3, 0.35/0.6 = 7/12;
    # mean (1.5 + 3*5/3 + 6*7/12) / 10 = (1.5 + 5 + 3.5) / 10 = 1, so no rescaling.
    assert outcome.method == "post-stratification"
    assert outcome.iterations == 1 and outcome.converged
    assert outcome.weights[0] == pytest.approx(1.5)
    assert outcome.weights[1:4] == pytest.approx([5 / 3] * 3)
    assert outcome.weights[4:] == pytest.approx([7 / 12] * 6)
    # Kish: sum w^2 = 2.25 + 3*25/9 + 6*49/144 = 2.25 + 8.3333 + 2.0417 = 12.625
    assert outcome.design_effect == pytest.approx(10 * 12.625 / 100)  # 1.2625
    assert outcome.effective_sample_size == pytest.approx(100 / 12.625)  # 7.92
    assert outcome.issues == [] and outcome.trimmed == 0


def test_raking_two_by_two_solved_by_hand():
    # Cells (a1,b1)=2 people, (a1,b2)=1, (a2,b1)=1, (a2,b2)=1; every margin 50/50.
    # Raking keeps the table's odds ratio: x11*x22 / (x12*x21) = 2*1/(1*1) = 2. With all margins
    # 2.5 the table is [[t, 2.5-t], [2.5-t, t]], so t/(2.5-t) = sqrt(2): t = 2.5*sqrt(2)/(1+sqrt(2)).
    respondents = people(
        (2, {"a": "a1", "b": "b1"}),
        (1, {"a": "a1", "b": "b2"}),
        (1, {"a": "a2", "b": "b1"}),
        (1, {"a": "a2", "b": "b2"}),
    )
    margins = [Margin("a", [("a1", 0.5), ("a2", 0.5)]), Margin("b", [("b1", 0.5), ("b2", 0.5)])]
    t = 2.5 * math.sqrt(2) / (1 + math.sqrt(2))  # 1.4645

    outcome = weights_compute(respondents, margins)

    assert outcome.method == "raking" and outcome.converged
    assert outcome.weights == pytest.approx([t / 2, t / 2, 2.5 - t, 2.5 - t, t], abs=1e-5)
    assert sum(outcome.weights) == pytest.approx(5)


def _table_ipf(counts: dict[tuple, int], margins: list[dict[str, float]], sweeps: int = 500) -> dict[tuple, float]:
    """An independent raking: on the contingency table's cell totals, one margin at a time."""
    total = sum(counts.values())
    table = {cell: float(count) for cell, count in counts.items()}
    for _sweep in range(sweeps):
        for axis, shares in enumerate(margins):
            for category, share in shares.items():
                cells = [cell for cell in table if cell[axis] == category]
                current = sum(table[cell] for cell in cells)
                for cell in cells:
                    table[cell] *= share * total / current
    return {cell: table[cell] / counts[cell] for cell in table if counts[cell]}


def test_raking_three_dimensions_agrees_with_an_independent_table_computation():
    rng = random.Random(5)  # noqa: S311 - test data, not a secret
    age = {"18-29": 0.15, "30-64": 0.5, "65+": 0.35}
    district = {"keskusta": 0.4, "pohjoinen": 0.35, "etela": 0.25}
    gender = {"nainen": 0.51, "mies": 0.49}
    respondents = [
        {
            "age_group": rng.choices(list(age), [0.06, 0.4, 0.54])[0],
            "district": rng.choice(list(district)),
            "gender": rng.choices(list(gender), [0.6, 0.4])[0],
        }
        for _ in range(400)
    ]
    counts = {cell: 0 for cell in itertools.product(age, district, gender)}
    for row in respondents:
        counts[(row["age_group"], row["district"], row["gender"])] += 1
    expected = _table_ipf(counts, [age, district, gender])

    weights, converged, _sweeps = rake(
        respondents, {"age_group": age, "district": district, "gender": gender}, tolerance=1e-10
    )

    assert converged
    for row, weight in zip(respondents, weights, strict=True):
        assert weight == pytest.approx(expected[(row["age_group"], row["district"], row["gender"])], rel=1e-6)


def test_kish_design_effect_and_effective_sample_size():
    weights = [0.5, 0.5, 1.0, 2.0]
    # sum w = 4, sum w^2 = 0.25 + 0.25 + 1 + 4 = 5.5
    assert kish_design_effect(weights) == pytest.approx(4 * 5.5 / 16)  # 1.375
    assert effective_sample_size(weights) == pytest.approx(16 / 5.5)  # 2.909
    assert kish_design_effect([1.0] * 7) == pytest.approx(1.0)


def test_an_empty_first_age_group_is_merged_into_the_next_and_reported():
    respondents = people((4, {"age_group": "30-64"}), (6, {"age_group": "65+"}))

    outcome = weights_compute(respondents, [AGE])

    # 18-29 and 30-64 together are 0.65 of the population and 0.4 of the sample: 0.65/0.4 = 1.625;
    # 65+ 0.35/0.6 = 0.5833
    assert outcome.weights[:4] == pytest.approx([1.625] * 4)
    assert outcome.weights[4:] == pytest.approx([0.35 / 0.6] * 6)
    [issue] = outcome.issues
    assert (issue.kind, issue.categories, issue.merged_into) == (EMPTY, ("18-29",), ("30-64",))
    assert outcome.cells["age_group"]["18-29"] == ("18-29", "30-64")


def test_an_empty_middle_category_joins_the_neighbour_with_the_smaller_population_share():
    margin = Margin("district", [("a", 0.2), ("b", 0.3), ("c", 0.5)])
    respondents = people((5, {"district": "a"}), (5, {"district": "c"}))

    outcome = weights_compute(respondents, [margin])

    [issue] = outcome.issues
    assert (issue.kind, issue.categories, issue.merged_into) == (EMPTY, ("b",), ("a",))
    # a+b: 0.5 of the population and 0.5 of the sample -> 1; c: 0.5/0.5 -> 1
    assert outcome.weights == pytest.approx([1.0] * 10)


def test_a_group_that_would_get_an_extreme_weight_is_merged_and_reported():
    respondents = people((1, {"age_group": "18-29"}), (19, {"age_group": "30-64"}), (30, {"age_group": "65+"}))

    outcome = weights_compute(respondents, [AGE], trim_cap=5.0)

    # 18-29 alone: 0.15 / (1/50) = 7.5 > 5 -> merged with 30-64: 0.65 / (20/50) = 1.625
    [issue] = outcome.issues
    assert (issue.kind, issue.categories, issue.value) == (EXTREME, ("18-29",), pytest.approx(7.5))
    assert outcome.weights[:20] == pytest.approx([1.625] * 20)
    assert outcome.weights[20:] == pytest.approx([0.35 / 0.6] * 30)


def test_a_respondent_without_the_demographic_answer_is_kept_with_the_mean_weight():
    margin = Margin("gender", [("nainen", 0.5), ("mies", 0.5)])
    respondents = people((3, {"gender": "nainen"}), (1, {"gender": "mies"}), (1, {"gender": None}))

    outcome = weights_compute(respondents, [margin])

    # Among the 4 who answered: nainen 0.5*4/3 = 2/3, mies 0.5*4/1 = 2; the fifth keeps 1. Sum 5: mean 1.
    assert outcome.weights == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2.0, 1.0])
    assert outcome.missing == 1


def test_a_missing_answer_is_weighted_on_the_other_dimensions_only():
    margins = [Margin("a", [("a1", 0.5), ("a2", 0.5)]), Margin("b", [("b1", 0.5), ("b2", 0.5)])]
    respondents = people(
        (3, {"a": "a1", "b": "b1"}),
        (1, {"a": "a2", "b": "b2"}),
        (1, {"a": "a2", "b": "b1"}),
        (1, {"a": "a1", "b": None}),
    )

    outcome = weights_compute(respondents, margins)

    weights = outcome.weights
    a1 = weights[0] * 3 + weights[5]
    a2 = weights[3] + weights[4]
    b1 = weights[0] * 3 + weights[4]
    b2 = weights[3]
    assert a1 / (a1 + a2) == pytest.approx(0.5, abs=1e-6)
    assert b1 / (b1 + b2) == pytest.approx(0.5, abs=1e-6)  # among those who answered b
    assert outcome.missing == 1


def test_weights_above_the_cap_are_trimmed_and_raked_again():
    # Each margin alone asks for factor 2 (below the cap 3), but the a1+b1 respondent would get 4.53.
    margins = [Margin("a", [("a1", 0.5), ("a2", 0.5)]), Margin("b", [("b1", 0.5), ("b2", 0.5)])]
    respondents = people(
        (1, {"a": "a1", "b": "b1"}),
        (4, {"a": "a1", "b": "b2"}),
        (4, {"a": "a2", "b": "b1"}),
        (11, {"a": "a2", "b": "b2"}),
    )
    untrimmed = weights_compute(respondents, margins, trim_cap=None)
    # Odds ratio 1*11/(4*4) = 0.6875 kept: t/(10-t) = sqrt(0.6875) -> t = 4.533
    t = 10 * math.sqrt(0.6875) / (1 + math.sqrt(0.6875))
    assert untrimmed.weights[0] == pytest.approx(t, abs=1e-4)

    outcome = weights_compute(respondents, margins, trim_cap=3.0)

    assert outcome.trimmed >= 1
    assert max(outcome.weights) <= 3.0 * 1.001
    assert sum(outcome.weights) == pytest.approx(20)
    a1 = sum(outcome.weights[:5])
    b1 = outcome.weights[0] + sum(outcome.weights[5:9])
    assert (a1 / 20, b1 / 20) == (pytest.approx(0.5, abs=1e-5), pytest.approx(0.5, abs=1e-5))
    assert outcome.design_effect < untrimmed.design_effect
    assert not [issue for issue in outcome.issues if issue.kind == CAP_EXCEEDED]


def test_raking_that_does_not_converge_says_so():
    margins = [Margin("a", [("a1", 0.5), ("a2", 0.5)]), Margin("b", [("b1", 0.5), ("b2", 0.5)])]
    respondents = people((2, {"a": "a1", "b": "b1"}), (1, {"a": "a1", "b": "b2"}), (2, {"a": "a2", "b": "b2"}))

    outcome = weights_compute(respondents, margins, max_iterations=1)

    assert not outcome.converged
    assert [issue.kind for issue in outcome.issues] == [NOT_CONVERGED]
    assert outcome.issues[0].value > 1e-6


def test_a_dimension_nobody_answered_is_not_used_and_reported():
    respondents = people((3, {"age_group": None}))

    outcome = weights_compute(respondents, [AGE])

    assert (outcome.method, outcome.weights) == ("none", [1.0, 1.0, 1.0])
    assert [(issue.kind, issue.dimension) for issue in outcome.issues] == [(DIMENSION_DROPPED, "age_group")]


def test_no_respondents_and_no_margins_weigh_nothing():
    assert weights_compute([], [AGE]).method == "none"
    outcome = weights_compute([{"age_group": "65+"}], [])
    assert (outcome.weights, outcome.design_effect, outcome.effective_sample_size) == ([1.0], 1.0, 1.0)


def test_an_answer_outside_the_targets_is_refused():
    with pytest.raises(ValueError, match="75\\+"):
        weights_compute([{"age_group": "75+"}], [AGE])


def test_categories_weighted_together_share_one_weight_with_the_sum_of_their_shares():
    respondents = [{"age": "18-29"}] + [{"age": "30-64"}] * 6 + [{"age": "65+"}] * 8
    margins = [Margin("age", [("18-29", 0.15), ("30-64", 0.5), ("65+", 0.35)])]

    outcome = weights_compute(respondents, margins, together={"age": [("18-29", "30-64")]})

    assert outcome.weights[:7] == pytest.approx([0.65 * 15 / 7] * 7)
    assert outcome.weights[7:] == pytest.approx([0.35 * 15 / 8] * 8)
    assert outcome.issues == []
