"""The Excel workbook: typed cells with number formats, frozen headers and autofilters on every sheet,
and anonymous responses that never carry a phone number or a pseudonym."""

import dataclasses
import io

import openpyxl
import pytest
from django.test import override_settings

from kuntaportaali.roles import Role
from surveys.reports import xlsx
from surveys.reports.files import report_build, responses_build
from tests.surveys.results_factory import SMALL_NUMBERS, empty_results, hand_built_results, small_campaign


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def row_with(sheet, *values) -> list:
    """The cells of the first row that contains every one of `values`."""
    return next(row for row in sheet.iter_rows(min_row=2) if all(v in [c.value for c in row] for v in values))


@pytest.fixture
def book(make_campaign):
    return workbook(xlsx.render(hand_built_results(make_campaign("taulukko"), language="en")))


@pytest.mark.parametrize(
    ("language", "number_formats"), [("fi", {"d.m.yyyy", "d.m.yyyy h.mm"}), ("sv", {"d.m.yyyy", "d.m.yyyy hh.mm"})]
)
def test_dates_and_times_are_shown_in_the_workbooks_language_style(make_campaign, language, number_formats):
    summary = workbook(xlsx.render(hand_built_results(make_campaign("taulukko"), language=language))).worksheets[0]

    dates = [cell for row in summary.iter_rows(min_row=2) for cell in row if cell.is_date]
    assert {cell.number_format for cell in dates} == number_formats  # calling days, the time it was made


def test_sheets_are_named_and_each_has_a_frozen_header_and_an_autofilter(book):
    assert book.sheetnames == [
        "Summary",
        "Questions",
        "Means",
        "Cross-tabs",
        "Open-answer themes",
        "Weights",
        "Dispositions",
        "Attempt coverage",
    ]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:")
        assert sheet["A1"].font.bold


def test_summary_holds_numbers_shares_euros_and_dates(book):
    summary = book["Summary"]

    rr1 = row_with(summary, "RR1")[2]
    assert rr1.value == pytest.approx(146 / 970) and rr1.number_format == "0.0%"
    calls = row_with(summary, "Calls")[2]
    assert calls.value == 2400 and isinstance(calls.value, int)
    funnel = [row[1:3] for row in rows(summary) if row[0] == "Funnel"]
    assert funnel == [
        ["Numbers", 1000],
        ["Calls", 2400],
        ["Answered", 1500],
        ["Numbers reached (a person heard the introduction or read it on the web)", 420],
        ["Consented", 160],
        ["Complete answers", 146],
        ["Partial answers (50 to 80 per cent of the questions that applied answered)", 9],
        ["Break-offs (fewer than half answered, counted as refusals)", 5],
    ]
    total = row_with(summary, "Total (EUR)")[2]
    assert total.value == 11379 and total.number_format == "#,##0.00"
    first_day = row_with(summary, "First calling day")[2]
    assert first_day.value.date().isoformat() == "2025-12-08" and first_day.number_format == "dd/mm/yyyy"
    assert row_with(summary, "Warning")[2].value.startswith("Ikäryhmässä 18–29 on vain 8 vastaajaa")


def test_questions_sheet_has_each_answer_unweighted_and_weighted(book):
    yes = [cell for cell in row_with(book["Questions"], "Kyllä")]

    assert [cell.value for cell in yes] == [2, "Liikutko viikoittain?", "Kyllä", 100, 100 / 146, 0.62, 0.5301, 0.7099]
    assert [cell.number_format for cell in yes[4:]] == ["0.0%"] * 4
    mean = row_with(book["Means"], "Kuinka tyytyväinen olet?")
    assert [cell.value for cell in mean] == [
        3,
        "Kuinka tyytyväinen olet?",
        146,
        pytest.approx(558 / 146),
        3.67,
        3.48,
        3.86,
    ]


def test_crosstabs_themes_weights_and_dispositions(book):
    assert [cell.value for cell in row_with(book["Cross-tabs"], "18–29", "Kyllä")] == [
        2, "Liikutko viikoittain?", "Age group", "18–29", 8, "Kyllä", 0.875, 0.3,
    ]  # fmt: skip
    assert book["Cross-tabs"][1][7].value == "Margin of error (95 %), at most"
    assert rows(book["Open-answer themes"]) == [
        [4, "Mitä kaupungin pitäisi kehittää?", "liikenne", 12],
        [4, "Mitä kaupungin pitäisi kehittää?", "kirjasto", 7],
    ]
    assert [cell.value for cell in row_with(book["Weights"], "65+")] == ["Age group", "65+", 80, 80 / 146, 0.28, 0.28]
    assert [cell.value for cell in row_with(book["Dispositions"], "UH")] == [
        "UH", "Unknown eligibility (never answered)", 380, 0.38,
    ]  # fmt: skip
    assert rows(book["Attempt coverage"])[1] == [1, 300, 0, 90, 180, 10, 20, 0, 0]


def test_campaign_without_answers_gets_a_workbook_that_says_so(make_campaign):
    book = workbook(xlsx.render(empty_results(make_campaign("tyhja"), language="en")))

    note = row_with(book["Summary"], "Summary", "Note")[2].value
    assert note == "The campaign got no answers, so there are no results to report."
    assert rows(book["Questions"]) == []
    assert row_with(book["Summary"], "Calls")[2].value == 95


@pytest.mark.django_db
@override_settings(RESULTS_MIN_GROUP_SIZE=1)  # every background answer shown (see tests/security)
def test_anonymous_responses_are_numbered_and_never_name_a_contact(role_users):
    campaign = small_campaign(role_users[Role.SURVEY_MANAGER])

    book = workbook(responses_build(campaign=campaign, language="fi"))

    [sheet] = book.worksheets
    header = [cell.value for cell in sheet[1]]
    assert header[5:] == [
        "1. Mihin ikäryhmään kuulut?",
        "2. Liikutko viikoittain?",
        "3. Kuinka tyytyväinen olet?",
        "4. Mitä kaupungin pitäisi kehittää?",
    ]
    first, second = rows(sheet)[:2]
    assert first[0] == 1 and first[4] == pytest.approx(1.6) and first[5:] == [
        "18–29", "kyllä", 5, "Lisää pyöräteitä ja valaistusta",
    ]  # fmt: skip
    assert second[8] == '=HYPERLINK("http://x")'  # a formula-like answer stays text, as the resident wrote it
    assert [row[0] for row in rows(sheet)] == list(range(1, 9))
    report = workbook(report_build(campaign=campaign, file_format="xlsx", language="fi"))
    everything = {
        str(cell.value) for each in [*book.worksheets, *report.worksheets] for row in each.iter_rows() for cell in row
    }
    pseudonyms = {str(pseudonym) for pseudonym in campaign.contacts.values_list("pseudonym", flat=True)}
    assert not everything & pseudonyms
    assert not any(number[1:] in value for value in everything for number in SMALL_NUMBERS)


def test_a_simulated_campaigns_summary_says_so_first(make_campaign):
    results = hand_built_results(make_campaign("simuloitu", telephony_provider="simulator"), language="fi")

    summary = workbook(xlsx.render(results))["Yhteenveto"]

    assert rows(summary)[0] == [
        "Kampanja",
        "Huomautus",
        "Simuloitu kampanja: sen puhelut menevät puhelinsimulaattoriin, ja vastaukset tulevat synteettisiltä "
        "asukkailta, eivät oikeilta ihmisiltä.",
    ]


def test_a_twilio_campaigns_summary_has_no_simulated_note(make_campaign):
    results = hand_built_results(make_campaign("puhelin", telephony_provider="twilio"), language="en")

    summary = workbook(xlsx.render(results))["Summary"]

    assert rows(summary)[0][:2] == ["Campaign", "Campaign"]
    assert not any("imulat" in str(value) for row in rows(summary) for value in row)


def test_a_swedish_summary_names_the_campaign_in_swedish(make_campaign):
    results = hand_built_results(
        make_campaign("arbetsbok", name_sv="Höstens enkät", telephony_provider="twilio"), language="sv"
    )

    summary = workbook(xlsx.render(results)).worksheets[0]

    assert rows(summary)[0] == ["Kampanj", "Kampanj", "Höstens enkät"]


@pytest.mark.parametrize(
    ("e", "source", "said"),
    [
        (0.9, "estimated", "estimated from the numbers of known eligibility"),
        (0.6, "set", "set"),
        (1.0, "assumed", "assumed 1: no number's eligibility is known yet"),
    ],
)
def test_the_summary_says_how_e_was_found_as_the_results_page_does(make_campaign, e, source, said):
    results = hand_built_results(make_campaign("e-arvo"), language="en")
    results = dataclasses.replace(results, rates=dataclasses.replace(results.rates, e=e, e_source=source))

    summary = workbook(xlsx.render(results))["Summary"]

    assert row_with(summary, "e")[2].value == e
    assert row_with(summary, "How e was found")[2].value == said


def test_results_weighted_by_nothing_have_no_weighted_columns_as_on_the_page(make_campaign):
    results = hand_built_results(make_campaign("painottamaton"), language="en")
    results = dataclasses.replace(
        results, weighting=dataclasses.replace(results.weighting, method="none", dimensions=[])
    )

    book = workbook(xlsx.render(results))

    def headers(sheet):
        return [cell.value for cell in book[sheet][1]]

    assert headers("Questions")[3:] == [
        "Answers", "Share", "Confidence interval, low (95 %)", "Confidence interval, high (95 %)",
    ]  # fmt: skip
    assert [cell.value for cell in row_with(book["Questions"], "Kyllä")][4:] == [100 / 146, 0.5301, 0.7099]
    assert headers("Means")[3:] == ["Mean", "Confidence interval, low (95 %)", "Confidence interval, high (95 %)"]
    assert headers("Cross-tabs")[-2:] == ["Share", "Margin of error (95 %), at most"]
    assert headers("Weights")[3:] == ["Share of respondents", "Share of the population"]
