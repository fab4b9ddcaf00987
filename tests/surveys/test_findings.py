"""The findings in sentences: honest rounding, the margin of error, no difference claimed where the
intervals overlap, and no sentence about a hidden group or a variable the results are weighted by."""

import dataclasses

import pytest

from surveys.services.findings import (
    margin_of_error_points,
    question_findings,
    rating_sentences,
    representation_sentences,
    share_in_words,
    summary_sentences,
)
from surveys.services.results_contract import GroupShare, MeanEstimate, OptionEstimate, QuestionResult, Theme

pytestmark = pytest.mark.usefixtures("english")


def question(position, kind, text, *, options=(), mean=None, demographic="", themes=()):
    return QuestionResult(
        position=position,
        text=text,
        text_language="en",
        kind=kind,
        demographic=demographic,
        answered=100,
        skipped=0,
        options=list(options),
        mean=mean,
        crosstabs=[],
        open_answers=[],
        themes=list(themes),
    )


def option(value, label, share, low=None, high=None, *, hidden=""):
    if hidden:
        return OptionEstimate(value, label, None, None, None, None, None, hidden=hidden)
    return OptionEstimate(value, label, 10, share, share, low, high)


def scale(position, text, mean, low, high):
    return question(position, "scale", text, mean=MeanEstimate(mean, mean, low, high))


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (0.58, "about 6 in 10"),
        (0.6, "about 6 in 10"),
        (0.62, "about 6 in 10"),
        (0.579, "about 58 %"),
        (0.625, "about 63 %"),  # half up, as people round
        (0.5, "about half"),
        (0.31, "about 3 in 10"),
        (0.99, "almost all"),
        (0.015, "almost none"),
        (0.05, "about 5 %"),
    ],
)
def test_shares_are_rounded_as_people_say_them(share, words):
    assert share_in_words(share) == words


def test_a_yes_no_finding_gives_the_share_in_words_and_the_margin_of_error():
    exercise = question(
        2,
        "yes_no",
        "Do you exercise weekly?",
        options=[option("1", "yes", 0.605, 0.563, 0.646), option("2", "no", 0.395, 0.354, 0.437)],
    )

    [finding] = question_findings([exercise])

    assert finding.position == 2
    assert finding.sentence == (
        "About 6 in 10 answered yes to “Do you exercise weekly?”. The margin of error is about ±4 percentage points."
    )


def test_the_margin_of_error_is_the_larger_half_of_the_interval_in_whole_points():
    assert margin_of_error_points(option("1", "yes", 0.5, 0.46, 0.545)) == 5
    assert margin_of_error_points(option("1", "yes", 0.001, 0.0, 0.003)) == 1  # never "±0"
    assert margin_of_error_points(option("1", "yes", 0.5)) is None


def test_the_most_chosen_answer_is_named_only_when_its_interval_is_clear_of_the_others():
    clear = question(
        4,
        "choice",
        "What matters most?",
        options=[option("1", "Jobs", 0.42, 0.37, 0.47), option("2", "Nature", 0.25, 0.21, 0.30)],
    )
    close = question(
        5,
        "choice",
        "Which service?",
        options=[
            option("1", "Library", 0.36, 0.31, 0.41),
            option("2", "Pool", 0.33, 0.28, 0.38),
            option("3", "Parks", 0.12, 0.09, 0.16),
        ],
    )

    first, second = question_findings([clear, close])

    assert first.sentence == (
        "In “What matters most?”, the most chosen answer was Jobs: about 4 in 10. "
        "The margin of error is about ±5 percentage points."
    )
    # Shares as far apart as 30 % and 14 % can be within the margin of error of a small sample: "chosen
    # about equally often" told a councillor what the answers do not.
    assert second.sentence == (
        "In “Which service?”, the answers do not tell which of Library, Pool was chosen most often "
        "(about 36 %, about 33 %): the differences are within the margin of error."
    )
    assert "most chosen" not in second.sentence


def test_a_scale_finding_is_the_mean_with_its_interval():
    [finding] = question_findings([scale(3, "How satisfied are you?", 3.584, 3.21, 3.96)])

    assert finding.sentence == (
        "“How satisfied are you?”: 3.6 on average on a scale of 1 to 5; allowing for the margin of error, "
        "between 3.2 and 4.0."
    )


def test_ratings_whose_intervals_overlap_are_about_equal_not_highest_and_lowest():
    ratings = [scale(1, "Housing?", 3.35, 3.2, 3.5), scale(2, "Safety?", 3.31, 3.15, 3.47)]

    assert rating_sentences(ratings) == [
        "The scale questions were rated about equally: from 3.3 to 3.4 on average on a scale of 1 to 5, "
        "differences within the margin of error."
    ]


def test_ratings_told_apart_name_the_highest_and_the_lowest_with_those_that_overlap_them():
    ratings = [
        scale(1, "Housing?", 3.64, 3.5, 3.78),
        scale(2, "Safety?", 4.21, 4.1, 4.32),
        scale(3, "Sports venues?", 2.95, 2.8, 3.1),
        scale(4, "Parks?", 4.05, 3.9, 4.2),
    ]

    assert rating_sentences(ratings) == [
        "Rated highest: “Safety?” (4.2 on average), “Parks?” (4.1 on average), about equally on a scale of 1 to 5.",
        "Rated lowest: “Sports venues?” (3.0 on average) on a scale of 1 to 5.",
    ]


def test_a_rating_between_the_highest_and_the_lowest_is_named_as_neither():
    ratings = [
        scale(1, "Safety?", 4.2, 4.1, 4.3),
        scale(2, "Housing?", 3.7, 3.1, 4.2),  # overlaps both
        scale(3, "Sports venues?", 3.0, 2.9, 3.1),
    ]

    assert rating_sentences(ratings) == [
        "Rated highest: “Safety?” (4.2 on average) on a scale of 1 to 5.",
        "Rated lowest: “Sports venues?” (3.0 on average) on a scale of 1 to 5.",
    ]


def test_shares_named_together_are_said_one_way():
    close = question(
        5,
        "choice",
        "Which service?",
        options=[option("1", "Library", 0.36, 0.29, 0.43), option("2", "Pool", 0.30, 0.24, 0.36)],
    )

    [finding] = question_findings([close])

    assert "(about 36 %, about 30 %)" in finding.sentence


def test_one_rated_question_is_not_the_highest_of_anything():
    assert rating_sentences([scale(1, "Housing?", 3.64, 3.5, 3.78)]) == []


def test_no_finding_for_a_variable_the_results_are_weighted_by_nor_for_a_hidden_answer():
    age = question(
        1,
        "choice",
        "Your age group?",
        demographic="age_group",
        options=[option("1", "18–29", 0.15, 0.1, 0.2), option("2", "65+", 0.85, 0.8, 0.9)],
    )
    gender = question(
        2,
        "choice",
        "Your gender?",
        demographic="gender",
        options=[option("1", "woman", None, hidden="small"), option("2", "man", 0.55, 0.5, 0.6)],
    )
    hidden_yes = question(3, "yes_no", "Exercise?", options=[option("1", "yes", None, hidden="complementary")])

    findings = question_findings([age, gender, hidden_yes], weighted_dimensions=["age_group"])

    assert [finding.position for finding in findings] == [2]
    assert "woman" not in findings[0].sentence
    assert findings[0].sentence.startswith("In “Your gender?”, the most chosen answer was man: about 55 %.")


def test_group_sentences_name_the_largest_gaps_and_never_a_hidden_group():
    groups = [
        GroupShare("age_group", "18–29", "18–29", None, None, None, 0.15, hidden="small"),
        GroupShare("age_group", "30–64", "30–64", 40, 0.40, 0.50, 0.50),
        GroupShare("age_group", "65+", "65+", 60, 0.60, 0.35, 0.35),
        GroupShare("district", "centre", "Centre", 52, 0.52, 0.51, 0.51),
    ]

    sentences = representation_sentences(groups, dimension_names={"age_group": "Age group", "district": "District"})

    assert sentences == [
        "Age group: 65+ answered more than their share: 60 % of those who answered, 35 % of the residents.",
        "Age group: 30–64 answered less than their share: 40 % of those who answered, 50 % of the residents.",
    ]
    assert not any("18–29" in sentence for sentence in sentences)


def test_the_reports_summary_has_the_ratings_and_every_other_finding():
    questions = [
        scale(1, "Safety?", 4.21, 4.1, 4.32),
        scale(2, "Sports venues?", 2.95, 2.8, 3.1),
        question(3, "open", "What next?", themes=[Theme("cycle", 5), Theme("library", 3), Theme("parks", 2)]),
    ]

    summary = summary_sentences(questions)

    assert summary[:2] == [
        "Rated highest: “Safety?” (4.2 on average) on a scale of 1 to 5.",
        "Rated lowest: “Sports venues?” (3.0 on average) on a scale of 1 to 5.",
    ]
    assert summary[-1] == "Words used most in the answers to “What next?”: cycle, library, parks."


def test_the_reports_summary_has_the_finding_of_a_background_question_the_results_are_not_weighted_by():
    # Weighted by age group only: where people live is a finding, as on the results page and in the PDF.
    district = question(
        1,
        "choice",
        "Where do you live?",
        options=[option("1", "Centre", 0.7, 0.6, 0.8), option("2", "Villages", 0.3, 0.2, 0.4)],
        demographic="district",
    )
    age = question(
        2, "choice", "Age?", options=[option("1", "18–64", 0.8), option("2", "65+", 0.2)], demographic="age_group"
    )

    summary = summary_sentences([district, age], weighted_dimensions=["age_group"])

    assert summary == [
        "In “Where do you live?”, the most chosen answer was Centre: about 7 in 10. "
        "The margin of error is about ±10 percentage points."
    ]
    assert summary == [
        finding.sentence for finding in question_findings([district, age], weighted_dimensions=["age_group"])
    ]


def test_a_share_near_100_or_0_per_cent_gives_its_interval_not_a_margin_beyond_the_scale():
    # All 10 answered yes: Wilson's 95 % interval is 72.2-100 %; "±28 points" would reach 128 %.
    everyone = question(
        2, "yes_no", "Do you vote?", options=[option("1", "yes", 1.0, 0.7225, 1.0), option("2", "no", 0.0, 0.0, 0.2775)]
    )
    # Few chose "Boat" (3 %, interval 1-9 %): "±6 points" would reach -3 %.
    boat = question(
        3,
        "choice",
        "How do you travel?",
        options=[option("1", "Car", 0.97, 0.91, 0.99), option("2", "Boat", 0.03, 0.01, 0.09)],
    )

    sentences = [finding.sentence for finding in question_findings([everyone, boat])]

    assert sentences == [
        "Almost all answered yes to “Do you vote?”. Allowing for the margin of error, between 72 % and 100 %.",
        "In “How do you travel?”, the most chosen answer was Car: about 97 %. "
        "Allowing for the margin of error, between 91 % and 99 %.",
    ]


def test_a_mean_of_answers_all_alike_says_so_instead_of_a_margin_of_error():
    alike = dataclasses.replace(question(3, "scale", "Safety?", mean=MeanEstimate(5.0, 5.0, None, None)), answered=6)
    visits = dataclasses.replace(
        question(4, "number", "Library visits?", mean=MeanEstimate(2.0, 2.0, None, None)), answered=5
    )

    assert [finding.sentence for finding in question_findings([alike, visits])] == [
        "“Safety?”: all 6 answers were 5.0 on a scale of 1 to 5, too alike for a margin of error.",
        "“Library visits?”: all 5 answers were 2.0, too alike for a margin of error.",
    ]


def test_a_weighted_share_is_said_to_be_weighted_not_what_the_respondents_answered():
    # 68.5 % of those who answered said yes; weighted to the population it is 62 %, "about 6 in 10".
    exercise = question(
        2,
        "yes_no",
        "Do you exercise weekly?",
        options=[
            OptionEstimate("1", "yes", 100, 100 / 146, 0.62, 0.53, 0.71),
            OptionEstimate("2", "no", 46, 46 / 146, 0.38, 0.29, 0.47),
        ],
    )
    jobs = question(
        4,
        "choice",
        "What matters most?",
        options=[option("1", "Jobs", 0.42, 0.37, 0.47), option("2", "Parks", 0.2, 0.16, 0.24)],
    )

    sentences = [finding.sentence for finding in question_findings([exercise, jobs], population_weighted=True)]

    assert sentences == [
        "Weighted to the population, about 6 in 10 answered yes to “Do you exercise weekly?”. "
        "The margin of error is about ±9 percentage points.",
        "In “What matters most?”, weighted to the population, the most chosen answer was Jobs: about 4 in 10. "
        "The margin of error is about ±5 percentage points.",
    ]
    assert summary_sentences([exercise, jobs], population_weighted=True) == sentences
