"""What the results page says in words beside the figures: whether raking reached the population
shares (only a real gap is a "not fully"), what the margins of error cover, the costs, and the
groups that answered more or less than their share."""

import dataclasses
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from surveys.reports import xlsx
from surveys.reports.presentation import results_view
from tests.surveys.results_factory import hand_built_results

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

REACHED = "Population shares reached"


def with_weighting(results, **changes):
    return dataclasses.replace(results, weighting=dataclasses.replace(results.weighting, **changes))


@pytest.fixture
def results(make_campaign):
    return hand_built_results(make_campaign("sanat"), language="en")


def test_converged_raking_says_so_in_words(results):
    facts = dict(results_view(results).weighting)

    assert facts[REACHED] == "Yes, after 6 rounds of adjustment"
    assert "Converged" not in facts


def test_a_gap_that_rounds_to_nothing_is_reached(results):
    facts = dict(results_view(with_weighting(results, converged=False, largest_gap=0.00004)).weighting)

    assert facts[REACHED] == "Yes, after 6 rounds of adjustment"


def test_a_real_gap_says_what_not_converging_means(results):
    facts = dict(results_view(with_weighting(results, converged=False, largest_gap=0.0123)).weighting)

    assert facts[REACHED] == (
        "Not fully: after 6 rounds of adjustment the weighted shares still differ from the population shares by up "
        "to 1.23 percentage points, so the weighted figures do not quite match the population."
    )


def test_the_margin_note_says_what_it_covers_and_where_the_shares_come_from(results):
    changed = dataclasses.replace(
        results, population_updated_at=datetime(2025, 11, 3, 12, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    )

    note = results_view(changed).margin_note

    assert "sampling error" in note and "how a question was worded" in note
    assert note.endswith("The population shares are those set in the results settings (last changed 03/11/2025).")


def test_costs_and_who_answered_in_sentences(results):
    view = results_view(results)

    assert view.cost_sentence == "The survey cost 11,379.00\xa0EUR in all: 77.94\xa0EUR for each complete answer."
    # 80 of 146 aged 65+ (55 %) against 28 % of the residents; 8 aged 18-29 (5 %) against 17 %.
    assert view.representation[0] == (
        "Age group: 65+ answered more than their share: 55 % of those who answered, 28 % of the residents."
    )
    assert "Age group: 18–29 answered less than their share" in view.representation[-1]
    assert view.weighting_sentence.startswith("The findings are weighted by age group, district or postal area")


def test_the_budget_cap_is_named_for_calls_and_messages_alike(results):
    labels = [label for label, _values in results_view(results).costs.rows]

    assert "Budget cap (calls and text messages)" in labels
    assert "Share of the budget used" in labels
    assert not [label for label in labels if "call budget" in label or "cap for calls" in label]


def test_groups_weighted_together_are_said_beside_the_weighting_and_in_the_workbook(results):
    note = "Age group: nobody answered 18–29, so it is weighted together with 30–64."
    merged = with_weighting(results, collapsed=[note])

    view = results_view(merged)

    # Nobody aged 18-29 answered: that group cannot count as much as its share, only with 30-64 together.
    assert view.weighting_sentence == (
        "The findings are weighted by age group, district or postal area, so that each group counts as much as its "
        "share of the residents, except where groups are weighted together (below): those count together as much "
        "as their shares combined."
    )
    summary = openpyxl.load_workbook(io.BytesIO(xlsx.render(merged)))["Summary"]
    assert ["Weighting", "Categories weighted together", note] in [
        [cell.value for cell in row] for row in summary.iter_rows(min_row=2)
    ]


def test_the_weighting_facts_and_the_workbook_say_how_the_confidence_intervals_are_computed(results):
    facts = dict(results_view(results).weighting)
    summary = openpyxl.load_workbook(io.BytesIO(xlsx.render(results)))["Summary"]

    method = (
        "A share: Wilson's score interval on the effective number of those who answered the question (their "
        "number divided by the design effect of their weights), which stays within 0-100 %. A mean: the weighted "
        "mean ± t standard errors, its variance linearised with the weights and t from Student's t distribution "
        "with the effective number of those who answered less one as its degrees of freedom (for eight equally "
        "weighted answers t = 2.36, not 1.96)."
    )
    assert facts["Confidence intervals (95 %)"] == method
    assert ["Weighting", "Confidence intervals (95 %)", method] in [
        [cell.value for cell in row] for row in summary.iter_rows(min_row=2)
    ]


def test_coop3_and_coop4_say_whom_they_leave_out_as_this_survey_has_them(results):
    # O is never "unable to answer" here: it is a person who asked for the link, or who answered in
    # the other mode (surveys.services.dispositions).
    definitions = {code: cells[1] for code, cells in results_view(results).rates.rows}

    assert definitions["COOP3"] == (
        "Complete answers of the people reached, leaving out the other eligible ones reached (O: asked for the "
        "link, or answered in the other mode)"
    )
    assert definitions["COOP4"] == (
        "Complete and partial answers of the people reached, leaving out the other eligible ones reached (O: asked "
        "for the link, or answered in the other mode)"
    )


def test_the_plain_figures_do_not_call_a_complete_answer_the_whole_survey(results):
    # A complete interview (AAPOR 1.1) answered at least 80 % of the questions that applied, not all of them.
    figures = dict(results_view(results).plain_figures)

    assert figures["Complete answers (at least 80 per cent of the questions that applied answered)"] == "146"


def test_each_crosstab_column_says_its_margin_of_error(results):
    view = results_view(results)

    [age, _district] = next(question for question in view.questions if question.position == 2).crosstabs
    assert age.rows[-1] == ("Margin of error (95 %), at most", ["±30.0\xa0%", "±12.4\xa0%", "±10.6\xa0%"])
