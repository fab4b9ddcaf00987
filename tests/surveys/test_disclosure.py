"""Statistical disclosure control: primary and complementary suppression of small groups, and the
rare combinations of background answers in the row-level sheet."""

import itertools
from fractions import Fraction

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from surveys.services.disclosure import (
    COMPLEMENTARY,
    SMALL,
    cells_to_suppress,
    group_privacy,
    minimum_group_size,
    rare_combinations,
)
from surveys.services.results_contract import CrossTab, QuestionResult
from surveys.services.results_privacy import question_privacy, question_suppressed


def one_line(**counts):
    return dict(counts), [(list(counts), None)]


def test_a_small_cell_hides_the_next_smallest_too():
    counts, lines = one_line(young=1, middle=6, old=8)

    assert cells_to_suppress(counts, lines, minimum=5) == {"young": SMALL, "middle": COMPLEMENTARY}


def test_nothing_is_hidden_when_every_group_is_big_enough():
    counts, lines = one_line(young=5, middle=6, old=8)

    assert cells_to_suppress(counts, lines, minimum=5) == {}


def test_two_small_cells_that_together_reach_the_minimum_need_no_complement():
    counts, lines = one_line(a=2, b=3, c=20)

    assert cells_to_suppress(counts, lines, minimum=5) == {"a": SMALL, "b": SMALL}


def test_small_cells_that_together_stay_below_the_minimum_get_a_complement():
    counts, lines = one_line(a=1, b=2, c=10, d=20)

    assert cells_to_suppress(counts, lines, minimum=5) == {"a": SMALL, "b": SMALL, "c": COMPLEMENTARY}


def test_empty_cells_are_neither_hidden_nor_complements():
    counts, lines = one_line(a=1, b=0, c=7, d=9)

    assert cells_to_suppress(counts, lines, minimum=5) == {"a": SMALL, "c": COMPLEMENTARY}


def test_a_small_published_cell_is_protected_by_hiding_two_others():
    # Two respondents did not say their age, and the age question says so: everyone minus the age
    # groups would be their answers, and hiding one group would give its size away.
    counts, lines = one_line(missing=2, young=10, middle=12, old=20)

    assert cells_to_suppress(counts, lines, minimum=5, published={"missing"}) == {
        "young": COMPLEMENTARY,
        "middle": COMPLEMENTARY,
    }


def test_a_published_cell_does_not_protect_a_small_one():
    # One young respondent and four who did not say their age: "skipped 4" would make young exactly 1.
    counts, lines = one_line(young=1, missing=4, middle=6, old=8)

    assert cells_to_suppress(counts, lines, minimum=5, published={"missing"}) == {
        "young": SMALL,
        "middle": COMPLEMENTARY,
    }


def test_a_hidden_total_hides_one_of_its_cells():
    # Row "a" has its only small cell hidden and no other cell to pair with, so its total goes;
    # then the total's column must not give it away either.
    counts = {"a1": 1, "a": 1, "b1": 9, "b": 9}
    lines = [(["a1"], "a"), (["b1"], "b"), (["a", "b"], None), (["a1", "b1"], None)]

    hidden = cells_to_suppress(counts, lines, minimum=5)

    assert hidden == {"a1": SMALL, "a": SMALL, "b1": COMPLEMENTARY, "b": COMPLEMENTARY}


def test_minimum_group_size_is_the_setting():
    with override_settings(RESULTS_MIN_GROUP_SIZE=7):
        assert minimum_group_size() == 7


# --- every published figure checked against the linear algebra an attacker would use --------------


def _rank(rows: list[list[int]]) -> int:
    matrix = [[Fraction(value) for value in row] for row in rows]
    rank, columns = 0, len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((index for index in range(rank, len(matrix)) if matrix[index][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for index in range(len(matrix)):
            if index != rank and matrix[index][column] != 0:
                factor = matrix[index][column] / matrix[rank][column]
                matrix[index] = [a - factor * b for a, b in zip(matrix[index], matrix[rank], strict=True)]
        rank += 1
    return rank


def derivable(target: list[int], published: list[list[int]]) -> bool:
    """Whether the figures of the group `target` (an indicator over atoms) are a sum and difference of
    published groups' figures: then the attacker has them whatever was hidden."""
    return _rank(published) == _rank([*published, target])


def atoms_and_groups(rows: list[dict], categories: dict[str, list[str]]):
    """Atoms are full cross-classifications that have respondents (a missing answer is a category);
    a group is every margin entry, as (its key, indicator over the atoms, its respondents)."""
    dimensions = list(categories)
    atoms = sorted({tuple(row[dimension] for dimension in dimensions) for row in rows}, key=str)
    size = {atom: sum(1 for row in rows if tuple(row[d] for d in dimensions) == atom) for atom in atoms}
    groups = []
    for count in range(len(dimensions) + 1):
        for chosen in itertools.combinations(dimensions, count):
            for values in itertools.product(*[[*categories[d], None] for d in chosen]):
                group = dict(zip(chosen, values, strict=True))
                members = [all(atom[dimensions.index(d)] == v for d, v in group.items()) for atom in atoms]
                groups.append(
                    (
                        group,
                        [int(member) for member in members],
                        sum(size[a] for a, m in zip(atoms, members, strict=True) if m),
                    )
                )
    return groups


def assert_no_small_group_is_derivable(rows, categories, minimum):
    privacy = group_privacy(
        {dimension: [row[dimension] for row in rows] for dimension in categories},
        categories,
        respondents=len(rows),
        minimum=minimum,
    )
    groups = atoms_and_groups(rows, categories)
    published = [
        indicator for group, indicator, _size in groups if None not in group.values() and not privacy.hidden(group)
    ]
    for group, indicator, size in groups:
        if 0 < size < minimum:
            assert not derivable(indicator, published), f"{group} ({size} respondents) can be worked out"
        if None not in group.values() and 0 < size < minimum:
            assert privacy.hidden(group) == SMALL


def test_groups_of_one_dimension():
    rows = [{"age": "18-29"}] + [{"age": "30-64"}] * 6 + [{"age": "65+"}] * 8
    privacy = group_privacy(
        {"age": [row["age"] for row in rows]}, {"age": ["18-29", "30-64", "65+"]}, respondents=len(rows), minimum=5
    )

    assert privacy.hidden({"age": "18-29"}) == SMALL
    assert privacy.hidden({"age": "30-64"}) == COMPLEMENTARY
    assert privacy.hidden({"age": "65+"}) == ""
    assert privacy.hidden({}) == ""
    assert privacy.count({"age": "65+"}) == 8


def test_everyone_is_hidden_when_fewer_than_the_minimum_answered():
    assert group_privacy({}, {}, respondents=4, minimum=5).hidden({}) == SMALL

    privacy = group_privacy({"age": ["18-29", "65+", "65+"]}, {"age": ["18-29", "65+"]}, respondents=3, minimum=5)

    assert privacy.hidden({}) == SMALL
    assert privacy.hidden({"age": "65+"}) == SMALL


def test_a_combination_of_two_filters_cannot_be_differenced():
    # 18-29 in the villages is one person: 18-29 (8) minus 18-29 in the centre (7) must not show it.
    rows = (
        [{"age": "18-29", "district": "centre"}] * 7
        + [{"age": "18-29", "district": "villages"}]
        + [{"age": "65+", "district": "centre"}] * 9
        + [{"age": "65+", "district": "villages"}] * 6
    )
    categories = {"age": ["18-29", "65+"], "district": ["centre", "villages"]}
    privacy = group_privacy(
        {d: [row[d] for row in rows] for d in categories}, categories, respondents=len(rows), minimum=5
    )

    assert privacy.hidden({"age": "18-29", "district": "villages"}) == SMALL
    assert privacy.hidden({"age": "18-29", "district": "centre"}) == COMPLEMENTARY
    assert_no_small_group_is_derivable(rows, categories, 5)


def test_respondents_without_an_answer_to_a_demographic_question_are_protected():
    rows = [{"age": None}] * 2 + [{"age": "30-64"}] * 10 + [{"age": "65+"}] * 20
    categories = {"age": ["30-64", "65+"]}
    privacy = group_privacy({"age": [row["age"] for row in rows]}, categories, respondents=len(rows), minimum=5)

    assert privacy.hidden({"age": "30-64"}) == COMPLEMENTARY
    assert_no_small_group_is_derivable(rows, categories, 5)


def assert_every_line_keeps_its_hidden_groups(rows, categories, minimum, privacy=None):
    """What the heuristic promises on each line (a group split by one more dimension, with the group
    as its total). The sizes of those who did not answer are published, so working out whatever is a
    line's only unknown size, again and again, never reaches a hidden group; where a line's total
    is known, its hidden groups add up to none or at least the minimum, and those who did not answer
    are not fewer than the minimum alone (their answers would be the total less the rest)."""
    privacy = privacy or group_privacy(
        {dimension: [row[dimension] for row in rows] for dimension in categories},
        categories,
        respondents=len(rows),
        minimum=minimum,
    )
    sizes = {
        tuple(sorted(group.items(), key=str)): size for group, _indicator, size in atoms_and_groups(rows, categories)
    }
    unknown = {key for key in sizes if sizes[key] and None not in dict(key).values() and privacy.hidden(dict(key))}
    lines = []
    for key in sizes:
        if None in dict(key).values():
            continue
        for dimension in set(categories) - set(dict(key)):
            members = [
                tuple(sorted((dict(key) | {dimension: c}).items(), key=str)) for c in [*categories[dimension], None]
            ]
            lines.append((members, key if key else None))

    def only_one_real_group(members, total):
        # The one case left: a line of everyone whose answered categories are all hidden and still
        # fewer than the minimum, or just one. Their size together is everyone less those who did
        # not answer; their answers stay hidden.
        real = [member for member in members if None not in dict(member).values() and sizes[member]]
        return total is None and all(member in unknown for member in real)

    for members, total in lines:
        cells = [member for member in members if member in unknown] + ([total] if total in unknown else [])
        if total in unknown:  # who of a hidden group did not answer is shown nowhere
            cells += [member for member in members if None in dict(member).values() and sizes[member]]
        if len(cells) == 1 and not only_one_real_group(members, total):
            raise AssertionError(f"{dict(cells[0])} can be worked out")
    for members, total in lines:
        if total not in unknown and not only_one_real_group(members, total):
            hidden = [sizes[member] for member in members if member in unknown]
            assert not hidden or (len(hidden) >= 2 and sum(hidden) >= minimum), f"{members} give {hidden} away"
            not_answered = [sizes[member] for member in members if None in dict(member).values()]
            assert hidden or not any(0 < size < minimum for size in not_answered), f"{members}: too few skipped"


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "age": st.sampled_from(["18-29", "30-64", "65+", None]),
                "district": st.sampled_from(["centre", "north", "villages", None]),
                "gender": st.sampled_from(["f", "m", None]),
            }
        ),
        min_size=5,
        max_size=40,
    )
)
def test_no_line_of_any_table_gives_a_small_group_away(rows):
    categories = {"age": ["18-29", "30-64", "65+"], "district": ["centre", "north", "villages"], "gender": ["f", "m"]}

    assert_every_line_keeps_its_hidden_groups(rows, categories, 5)


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "age": st.sampled_from(["18-29", "30-64", "65+", None]),
                "district": st.sampled_from(["centre", "north", None]),
                "answered": st.booleans(),
            }
        ),
        min_size=5,
        max_size=40,
    )
)
def test_a_question_put_to_some_only_gives_no_small_group_of_its_answers_away(rows):
    # The question's figures in a group are its answerers' there: its own table, whose lines must keep
    # their hidden groups as the respondents' do, and where every group hidden among the respondents
    # stays hidden.
    categories = {"age": ["18-29", "30-64", "65+"], "district": ["centre", "north"]}
    groups_of = {dimension: [row[dimension] for row in rows] for dimension in categories}
    privacy = group_privacy(groups_of, categories, respondents=len(rows), minimum=5)

    answered = question_privacy([row["answered"] for row in rows], groups_of, privacy)

    answerers = [row for row in rows if row["answered"]]
    assert set(privacy.suppressed) <= set(answered.suppressed)
    shown_groups = [group for group in answered.counts if None not in dict(group).values()]  # filters, columns
    assert all(answered.hidden(dict(group)) for group in shown_groups if 0 < answered.counts[group] < 5)
    assert_every_line_keeps_its_hidden_groups(answerers, categories, 5, privacy=answered)


def test_rare_combinations_are_those_shared_by_fewer_than_the_minimum():
    combinations = [("18-29", "fi")] + [("65+", "fi")] * 5 + [("65+", "sv")] * 2

    assert rare_combinations(combinations, minimum=5) == [True, False, False, False, False, False, True, True]


@pytest.mark.parametrize("minimum", [1, 2])
def test_a_minimum_of_one_or_two_still_hides_what_it_must(minimum):
    counts, lines = one_line(a=1, b=6, c=8)

    expected = {} if minimum == 1 else {"a": SMALL, "b": COMPLEMENTARY}
    assert cells_to_suppress(counts, lines, minimum=minimum) == expected


def test_a_hidden_crosstab_column_loses_its_margin_of_error_too():
    # Age group "a" has 3 respondents: hidden, and a complement with it; a margin of error follows
    # from the column's effective size, so it would narrow the size down.
    privacy = group_privacy(
        {"age_group": ["a"] * 3 + ["b"] * 10 + ["c"] * 12}, {"age_group": ["a", "b", "c"]}, respondents=25, minimum=5
    )
    question = QuestionResult(
        position=2,
        text="Q",
        text_language="en",
        kind="yes_no",
        demographic="",
        answered=25,
        skipped=0,
        options=[],
        mean=None,
        crosstabs=[
            CrossTab(
                "age_group",
                [("a", "a"), ("b", "b"), ("c", "c")],
                [("yes", [1.0, 0.5, 0.5])],
                [3, 10, 12],
                margins=[0.4, 0.28, 0.26],
            )
        ],
        open_answers=[],
        themes=[],
    )

    [table] = question_suppressed(question, privacy=privacy, respondent_filter={}, category_of_value={}).crosstabs

    assert table.hidden == [SMALL, COMPLEMENTARY, ""]
    assert table.margins == [None, None, 0.26]
