"""The PDF report: the hand-built results' figures in Finnish and Swedish, a campaign without answers,
and a real small campaign's report."""

import io

import pypdf
import pytest
from django.test import override_settings

from kuntaportaali.roles import Role
from surveys.models import Campaign, Survey
from surveys.reports import pdf
from surveys.reports.files import report_build
from surveys.services.results import campaign_results
from tests.surveys.results_factory import empty_results, hand_built_results, small_campaign


def pdf_text(data: bytes) -> str:
    """The PDF's text, spaces normalised (numbers are grouped with no-break spaces)."""
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return "\n".join(" ".join(page.extract_text().replace("\xa0", " ").split(" ")) for page in pages)


@pytest.fixture
def campaign(make_campaign):
    return make_campaign("raportti")


def test_finnish_report_has_the_figures(campaign):
    data = pdf.render(hand_built_results(campaign, language="fi"))

    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Kuntastrategiakysely" in text  # cover: the survey's title
    assert "±9" in text  # the finding of Q2: weighted yes 62.0 %, interval 53.0-71.0 %
    assert "15,1 %" in text  # RR1 = 146 / 970
    assert "15,3 %" in text  # RR3 = 146 / (590 + 0.9516 * 380)
    assert "95,2 %" in text  # e = 590 / 620
    assert "Ikäryhmässä 18–29 on vain 8 vastaajaa" in text  # the weighting warning, shown prominently
    assert "Liikutko viikoittain?" in text
    assert "68,5 %" in text and "62,0 %" in text  # Q2 yes: unweighted 100/146, weighted
    assert "53,0–71,0 %" in text  # its 95 % confidence interval
    assert "3,82" in text and "3,67" in text and "3,48–3,86" in text  # Q3 mean and its interval
    assert "liikenne" in text and "Enemmän kevyen liikenteen väyliä." in text  # open-answer themes, examples
    assert "11 379,00 EUR" in text and "77,94 EUR" in text  # total and per complete answer
    assert "102,8" in text and "1,42" in text  # effective sample size and design effect
    assert "380" in text  # UH numbers in the appendix


def test_swedish_report_is_in_swedish(campaign):
    text = pdf_text(pdf.render(hand_built_results(campaign, language="sv")))

    assert "Motionerar du varje vecka?" in text
    assert "Kostnader" in text  # the costs heading in Swedish
    assert "Fullständiga svar" in text  # "complete answers" in the key figures
    assert "11 379,00 EUR" in text


def test_a_swedish_reports_cover_names_the_organiser_and_the_campaign_in_swedish(make_campaign):
    campaign = make_campaign("rapport", name_sv="Höstens enkät")
    Survey.objects.filter(pk=campaign.survey_version.survey_id).update(organiser_sv="Exempelby kommun")
    campaign = Campaign.objects.select_related("survey_version__survey").get(pk=campaign.pk)

    swedish = pdf_text(pdf.render(hand_built_results(campaign, language="sv")))
    finnish = pdf_text(pdf.render(hand_built_results(campaign, language="fi")))

    assert "Exempelby kommun" in swedish and "Resultatrapport: Höstens enkät" in swedish
    assert "Esimerkkilän" not in swedish and "Kampanja rapport" not in swedish
    assert "Esimerkkilän kunta" in finnish and "Tulosraportti: Kampanja rapport" in finnish


def test_english_report_uses_decimal_points(campaign):
    text = pdf_text(pdf.render(hand_built_results(campaign, language="en")))

    assert "Figures per question (weighted)" in text
    assert "15.1 %" in text and "11,379.00 EUR" in text
    # Those without an answer were not all asked the question (a skip rule, a break-off): not "skipped".
    assert "Answered 146, no answer 0." in text
    assert (
        "Each share is of those who answered the question: those who skipped it, were not asked it (a skip "
        "rule) or whose answering ended before it are left out."
    ) in " ".join(text.split())


def test_the_report_leads_with_what_was_learnt_and_ends_with_the_statisticians_figures(campaign):
    text = pdf_text(pdf.render(hand_built_results(campaign, language="en")))

    finding = (
        "Weighted to the population, about 6 in 10 answered yes to “Liikutko viikoittain?”. "
        "The margin of error is about ±9 percentage points."
    )
    assert finding in " ".join(text.split())
    order = [
        "What was learnt",
        "Who answered compared with the population",
        "What the survey cost",
        "For the statistician: method and response rates",
    ]
    assert [text.index(heading) for heading in order] == sorted(text.index(heading) for heading in order)
    assert text.index("What was learnt") < text.index("AAPOR")


def test_campaign_without_answers_still_gets_a_report_that_says_so(campaign):
    text = pdf_text(pdf.render(empty_results(campaign, language="en")))

    assert "The campaign got no answers, so there are no results to report." in text
    assert "Figures per question" not in text
    assert "Funnel" in text and "95" in text  # the calls made
    assert "Appendix: dispositions and weights" in text


@pytest.mark.django_db
@override_settings(
    RESULTS_MIN_GROUP_SIZE=1
)  # weighted by hand; its groups (1, 3, 4) are hidden and weighted as one with the minimum 5
def test_real_small_campaign_report(role_users):
    campaign = small_campaign(role_users[Role.SURVEY_MANAGER])

    text = pdf_text(report_build(campaign=campaign, file_format="pdf", language="fi"))

    assert "72,7 %" in text  # RR1 = 8 / 11
    assert "62,5 %" in text and "68,3 %" in text  # Q2 yes, unweighted and weighted
    assert "3,25" in text and "3,58" in text  # Q3 mean, unweighted and weighted
    assert "2,25 EUR" in text  # 25 minutes at 0.09 EUR


def test_a_simulated_campaigns_report_says_so_on_its_cover_and_every_page(make_campaign):
    data = pdf.render(hand_built_results(make_campaign("simuloitu", telephony_provider="simulator"), language="fi"))

    text = " ".join(pdf_text(data).split())
    assert (
        "Simuloitu kampanja: sen puhelut menevät puhelinsimulaattoriin, ja vastaukset tulevat synteettisiltä "
        "asukkailta, eivät oikeilta ihmisiltä." in text
    )
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    assert all("Tulosraportti – simuloitu" in page.extract_text() for page in pages)


def test_a_twilio_campaigns_report_is_not_marked_simulated(make_campaign):
    data = pdf.render(hand_built_results(make_campaign("puhelin", telephony_provider="twilio"), language="fi"))

    assert "imuloitu" not in pdf_text(data)


def test_an_english_report_marks_the_finnish_texts_of_a_survey_not_offered_in_english(role_users, monkeypatch):
    campaign = small_campaign(role_users[Role.SURVEY_MANAGER])
    rendered = []
    monkeypatch.setattr("kuntaportaali.pdf.html_to_pdf", lambda html: rendered.append(html) or b"%PDF-")

    pdf.render(campaign_results(campaign, language="en"))

    html = rendered[0]
    assert '<html lang="en">' in html
    assert '<h1><span lang="fi">Mikä kaupungissa on tärkeää?</span></h1>' in html
    assert '<p class="subtitle"><span lang="fi">Esimerkkilän kaupunki</span></p>' in html
    assert '<h3>2. <span lang="fi">Liikutko viikoittain?</span></h3>' in html
    assert '<th scope="row">yes</th>' in html
