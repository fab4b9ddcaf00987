"""The results by mode on the results page, in the PDF and in the workbook: shown when the web survey
produced completes, absent from a phone-only campaign (tests/surveys/mode_factory.py has the figures)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.models import SmsMessage, SmsStatus
from surveys.reports import pdf, xlsx
from surveys.services.results import campaign_results
from tests.surveys.mode_factory import _respond, mixed_mode_campaign, set_population
from tests.surveys.test_results_pdf import pdf_text

pytestmark = pytest.mark.django_db

WEB_ADDED = "Verkkokysely toi 35 täytettyä vastausta (47 % kaikista)"


@pytest.fixture
def mixed(role_users):
    set_population()
    return mixed_mode_campaign(manager=role_users[Role.SURVEY_MANAGER])


@pytest.fixture
def phone_only(role_users):
    set_population()
    return mixed_mode_campaign(slug="puhelin", web=False, manager=role_users[Role.SURVEY_MANAGER])


def page(client_as, campaign, role=Role.SURVEY_MANAGER) -> str:
    return client_as(role).get(reverse("surveys:campaign-results", args=[campaign.slug])).text


def test_the_page_shows_what_each_mode_added_to_everyone_who_reads_results(client_as, mixed):
    text = page(client_as, mixed, Role.COUNCILLOR)

    assert 'id="modes"' in text
    assert WEB_ADDED in text
    assert "Vastaukset vastaustavoittain: ikäryhmä" in text
    # The web's 14 completes aged 18-29 are 40 % of its 35.
    assert '<td class="num">14</td><td class="num">40,0\xa0%</td>' in text.replace("\n", "")
    # The statistician's figures are for survey managers only.
    assert "Vastausasteet vastaustavoittain" not in text


def test_the_statisticians_view_has_the_rates_by_mode_and_the_mode_comparison(client_as, mixed):
    text = page(client_as, mixed)

    assert "Vastausasteet vastaustavoittain ja yhteensä (AAPOR Standard Definitions)" in text
    assert "AAPOR" in text and "yhden lopullisen tuloksen" in text
    assert "53,3\xa0%" in text  # the phone's RR1: 40 / 75
    assert "Kyllä: tavat eroavat enemmän kuin sattuma selittää" in text  # question 3
    # The warning, with what it does not say and the chance of one in twenty among the questions compared.
    assert "Se ei tarkoita, että vastaustapa aiheutti eron" in text
    assert "Vertailtiin 2 kysymystä, kutakin 95 %:n tasolla" in text


def test_councillors_see_no_mode_warning_as_they_see_no_other_weighting_warning(client_as, mixed):
    text = page(client_as, mixed, Role.COUNCILLOR)

    assert "Lue sen yhteistä tulosta varoen" not in text
    # The finding they read says what a difference may come from, and the chance of one in twenty.
    assert "Ero voi johtua siitä, ketkä valitsivat kunkin tavan" in text
    assert "Vertailluista 2 kysymyksestä noin yksi kahdestakymmenestä" in text


def test_a_mode_that_cannot_be_weighted_with_the_results_groups_is_not_compared_and_says_why(client_as, role_users):
    set_population()
    campaign = mixed_mode_campaign(slug="vahanvanhoja", manager=role_users[Role.SURVEY_MANAGER], web=False)
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    # The web: 40 aged 18-29, 50 aged 30-64 and only 2 aged 65+ (each would stand for 13.8 times the mean).
    for age, count in (("18–29", 40), ("30–64", 50), ("65+", 2)):
        for index in range(count):
            _respond(campaign, questions, mode="web", age=age, index=index)

    modes = campaign_results(campaign, language="fi").modes
    text = page(client_as, campaign)

    assert modes.comparisons == [] and modes.mode_effects == []
    assert modes.not_compared.startswith("Puhelimessa ja verkossa annettuja vastauksia ei verrata")
    assert "65+" in modes.not_compared
    assert modes.not_compared in text.replace("&#x27;", "'")
    assert "Painotuksen jälkeen puhelimessa ja verkossa" not in " ".join(modes.findings)


def test_a_phone_only_campaign_has_no_mode_sections(client_as, phone_only):
    text = page(client_as, phone_only)

    assert 'id="modes"' not in text
    assert 'id="rates-by-mode"' not in text
    assert "Verkkokysely toi" not in text


def test_the_pdf_says_what_each_mode_added(mixed):
    text = pdf_text(pdf.render(campaign_results(mixed, language="fi")))

    assert WEB_ADDED in text
    assert "Vastausasteet vastaustavoittain" in text


def test_a_phone_only_pdf_has_no_mode_sections(phone_only):
    text = pdf_text(pdf.render(campaign_results(phone_only, language="fi")))

    assert "vastaustavoittain" not in text


def sheet_rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def test_the_workbook_has_the_modes_sheets(mixed):
    results = campaign_results(mixed, language="en")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(results)))

    assert book.sheetnames[-3:] == ["Modes", "Estimates by mode", "Attempt coverage"]
    modes = book["Modes"]
    assert [cell.value for cell in modes[1]] == ["Table", "Row", "Phone", "Web", "Combined"]
    rows = sheet_rows(modes)
    assert rows[0] == ["Numbers", "Numbers the mode was attempted on", 75, 35, 75]
    rr1 = next(row for row in rows if row[1].startswith("RR1"))
    assert rr1[2:] == [pytest.approx(40 / 75), 1.0, 1.0]
    assert modes.cell(row=rows.index(rr1) + 2, column=3).number_format == "0.0%"
    assert ["Completes: Age group", "18–29", 5, 14] in [row[:4] for row in rows]
    share = next(row for row in rows if row[0] == "Share of the mode's completes: Age group" and row[1] == "18–29")
    assert share[2:4] == [0.125, 0.4]
    # What each mode added, and how the rates by mode count, as the page and the PDF say them.
    added = [row[1] for row in rows if row[0] == "What the phone and the web each added"]
    assert added == results.modes.findings
    assert added[0].startswith("The web survey added 35 completed answers (47 % of all)")
    convention = next(row[1] for row in rows if row[0] == "How the rates by mode are counted")
    assert convention.startswith("Following AAPOR's Standard Definitions for mixed-mode surveys")

    estimates = sheet_rows(book["Estimates by mode"])
    satisfaction = next(row for row in estimates if row[0].startswith("3."))
    assert satisfaction[1] == "Mean"
    assert (satisfaction[2], satisfaction[6]) == (40, 35)
    assert satisfaction[-1] == "Yes: the modes differ beyond chance"


def test_a_phone_only_workbook_has_no_modes_sheet(phone_only):
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(campaign_results(phone_only, language="en"))))

    assert "Modes" not in book.sheetnames
    assert "Estimates by mode" not in book.sheetnames


def test_links_sent_without_web_completes_show_the_rates_by_mode_but_no_completes_table(client_as, phone_only):
    contact = phone_only.contacts.first()
    SmsMessage.objects.create(contact=contact, provider="simulator", status=SmsStatus.DELIVERED, sender="Kunta")

    text = page(client_as, phone_only)
    modes = campaign_results(phone_only, language="fi").modes

    assert modes.completes == {"phone": 40, "web": 0}
    assert (modes.groups, modes.comparisons, modes.findings) == ([], [], [])
    assert 'id="rates-by-mode"' in text
    assert (
        "Vastaukset vastaustavoittain näytetään, kun sekä puhelimessa että verkossa on täytettyjä vastauksia." in text
    )
    assert "Vastaukset vastaustavoittain: ikäryhmä" not in text
    assert "Verkkokysely toi" not in text


def test_a_page_of_one_group_says_the_modes_are_the_whole_campaigns(client_as, mixed):
    url = reverse("surveys:campaign-results", args=[mixed.slug])

    filtered = client_as(Role.SURVEY_MANAGER).get(url, {"group_age_group": "65+"}).text

    note = "Puhelinta ja verkkoa verrataan koko kampanjassa, ei valitun ryhmän sisällä."
    assert 'id="modes"' in filtered and note in filtered
    assert note not in page(client_as, mixed)
