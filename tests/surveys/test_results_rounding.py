"""Shares are published as each is rounded, as Statistics Finland publishes them: three answers of a
third each show as 33.3 % (99.9 % in all), none is nudged to make the total 100 %, and the page, the
PDF and the workbook say that the shares shown may not add up to exactly 100 %."""

import dataclasses
import io

import openpyxl
import pypdf
import pytest

from surveys.reports import pdf, xlsx
from surveys.reports.presentation import results_view
from surveys.services.results_contract import OptionEstimate, QuestionResult
from tests.surveys.results_factory import hand_built_results

pytestmark = pytest.mark.django_db

ROUNDING = {
    "en": "Each share is rounded on its own, so the shares shown may not add up to exactly 100 %.",
    "fi": "Kukin osuus on pyöristetty erikseen, joten näytettyjen osuuksien summa ei välttämättä ole tasan 100 %.",
}


def with_thirds(results):
    """The results with a question whose three answers each have a third of the answers."""
    thirds = QuestionResult(
        position=9,
        text="Which one?",
        text_language="en",
        kind="choice",
        demographic="",
        answered=120,
        skipped=0,
        options=[OptionEstimate(str(digit), f"Option {digit}", 40, 1 / 3, 1 / 3, 0.25, 0.42) for digit in (1, 2, 3)],
        mean=None,
        crosstabs=[],
        open_answers=[],
        themes=[],
    )
    return dataclasses.replace(results, questions=[*results.questions, thirds])


def test_the_page_shows_each_share_rounded_and_says_the_total_may_differ_from_100(make_campaign, english):
    view = results_view(with_thirds(hand_built_results(make_campaign("pyoristys"), language="en")))

    question = next(question for question in view.questions if question.position == 9)
    assert [cells[1:3] for _label, cells in question.figure.table.rows] == [["33.3\xa0%", "33.3\xa0%"]] * 3
    assert ROUNDING["en"] in view.margin_note


def test_the_pdf_says_the_total_may_differ_from_100(make_campaign):
    data = pdf.render(with_thirds(hand_built_results(make_campaign("pyoristys"), language="fi")))

    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).split())
    assert ROUNDING["fi"] in text.replace("\xa0", " ")


def test_the_workbook_keeps_the_shares_and_says_the_total_may_differ_from_100(make_campaign, english):
    results = with_thirds(hand_built_results(make_campaign("pyoristys"), language="en"))

    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(results)))

    summary = [[cell.value for cell in row] for row in book["Summary"].iter_rows(min_row=2)]
    assert ["Summary", "Note", ROUNDING["en"]] in summary
    shares = [row[4] for row in book["Questions"].iter_rows(min_row=2, values_only=True) if row[0] == 9]
    assert shares == [pytest.approx(1 / 3)] * 3
