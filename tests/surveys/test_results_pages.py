"""The results pages: who may open them, what a real small campaign's page shows, the weighted and
unweighted switch, and the direct downloads of both report files."""

import io

import openpyxl
import pypdf
import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.models import CampaignStatus, PopulationTarget, ReportFile, ReportFileStatus
from tests.surveys.calls import add_questions
from tests.surveys.results_factory import small_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(role_users):
    return small_campaign(role_users[Role.SURVEY_MANAGER])


def results_url(campaign, **query):
    url = reverse("surveys:campaign-results", args=[campaign.slug])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


@pytest.mark.parametrize("role", [Role.COUNCILLOR, Role.SURVEY_MANAGER, Role.ADMIN])
def test_readers_of_results_open_the_list_and_the_campaign(client_as, campaign, role):
    client = client_as(role)

    listing = client.get(reverse("surveys:results"))
    page = client.get(results_url(campaign))

    assert listing.status_code == 200
    assert results_url(campaign) in listing.text
    assert page.status_code == 200


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.HR_ADMIN, Role.COMMUNICATIONS])
def test_other_roles_get_403(client_as, campaign, role):
    client = client_as(role)

    assert client.get(reverse("surveys:results")).status_code == 403
    assert client.get(results_url(campaign)).status_code == 403
    download = reverse("surveys:report-download", args=[campaign.slug, "pdf"])
    assert client.get(download).status_code == 403


def test_residents_are_sent_to_the_login(client, campaign):
    response = client.get(results_url(campaign))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_draft_campaign_has_no_results_page(client_as, campaign):
    campaign.status = CampaignStatus.DRAFT
    campaign.save(update_fields=["status"])

    assert client_as(Role.COUNCILLOR).get(results_url(campaign)).status_code == 404


@override_settings(
    RESULTS_MIN_GROUP_SIZE=1
)  # weighted by hand; its groups (1, 3, 4) are hidden and weighted as one with the minimum 5
def test_page_shows_the_figures_of_the_campaign(client_as, campaign):
    page = client_as(Role.COUNCILLOR).get(results_url(campaign)).text

    assert "62,5\xa0%" in page  # unweighted yes to Q2
    assert "68,3\xa0%" in page  # weighted yes to Q2
    assert "3,25" in page and "3,58" in page  # Q3 mean, unweighted and weighted
    assert "2,25\xa0EUR" in page  # 25 billed minutes at 0.09 EUR
    assert "Lisää pyöräteitä ja valaistusta" in page


@override_settings(
    RESULTS_MIN_GROUP_SIZE=1
)  # weighted by hand; its groups (1, 3, 4) are hidden and weighted as one with the minimum 5
def test_switch_chooses_the_estimate_the_charts_show(client_as, campaign):
    client = client_as(Role.COUNCILLOR)

    weighted = client.get(results_url(campaign)).context
    unweighted = client.get(results_url(campaign, estimate="unweighted")).context

    assert weighted["estimate"] == "weighted" and unweighted["estimate"] == "unweighted"
    q2_weighted = weighted["view"].questions[1].figure.chart
    q2_unweighted = unweighted["view"].questions[1].figure.chart
    assert ": 68,3\xa0%</title>" in q2_weighted and ": 62,5\xa0%</title>" not in q2_weighted
    assert ": 62,5\xa0%</title>" in q2_unweighted and ": 68,3\xa0%</title>" not in q2_unweighted
    switch = client.get(results_url(campaign, estimate="unweighted")).text
    assert f'href="{results_url(campaign, estimate="unweighted")}" aria-current="true"' in switch


def test_small_campaign_downloads_the_pdf_at_once(client_as, campaign):
    response = client_as(Role.COUNCILLOR).get(
        reverse("surveys:report-download", args=[campaign.slug, "pdf"]) + "?language=sv"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pieni-rapport.pdf"'
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "Vilken åldersgrupp hör du till?" in text
    assert "72,7 %" in text.replace("\xa0", " ")


def test_small_campaign_downloads_the_workbook_at_once(client_as, campaign):
    response = client_as(Role.SURVEY_MANAGER).get(
        reverse("surveys:report-download", args=[campaign.slug, "xlsx"]) + "?language=fi"
    )

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0].title == "Yhteenveto"
    assert len(workbook.worksheets) == 8  # the anonymous responses are a workbook of their own


def test_unknown_format_or_language_is_404(client_as, campaign):
    client = client_as(Role.COUNCILLOR)

    assert client.get(reverse("surveys:report-download", args=[campaign.slug, "docx"])).status_code == 404
    url = reverse("surveys:report-download", args=[campaign.slug, "pdf"]) + "?language=de"
    assert client.get(url).status_code == 404


def test_simulated_answers_are_marked_on_the_results_page_and_in_the_list(client_as, campaign):
    client = client_as(Role.COUNCILLOR)

    page = client.get(results_url(campaign)).text
    listing = client.get(reverse("surveys:results")).text

    assert 'role="note">Simuloitu kampanja: sen puhelut menevät puhelinsimulaattoriin' in page
    assert '</a> <span class="tag">simuloitu</span>' in listing


def test_results_of_a_twilio_campaign_are_not_marked_simulated(client_as, campaign):
    campaign.telephony_provider = "twilio"
    campaign.save(update_fields=["telephony_provider"])
    client = client_as(Role.COUNCILLOR)

    assert "imuloitu" not in client.get(results_url(campaign)).text
    assert "imuloitu" not in client.get(reverse("surveys:results")).text


@override_settings(RESULTS_MIN_GROUP_SIZE=1)
def test_councillors_read_the_findings_without_the_statisticians_view(client_as, campaign):
    response = client_as(Role.COUNCILLOR).get(results_url(campaign))
    page = response.text

    assert response.context["show_statistics"] is False
    assert 'id="findings"' in page and 'id="who-answered"' in page and 'id="costs"' in page
    assert page.index('id="findings"') < page.index('id="who-answered"') < page.index('id="costs"')
    assert 'id="statistics"' not in page
    for statistics in ("AAPOR", "RR1", "COOP1", "Kish", "72,7\xa0%"):
        assert statistics not in page
    assert 'class="finding"' in page


@override_settings(RESULTS_MIN_GROUP_SIZE=1)
def test_survey_managers_get_the_statisticians_view_after_the_findings(client_as, campaign):
    page = client_as(Role.SURVEY_MANAGER).get(results_url(campaign)).text

    assert 'id="statistics"' in page
    assert page.index('id="findings"') < page.index('id="statistics"')
    assert "72,7\xa0%" in page  # RR1 = 8 / 11
    assert "AAPOR" in page


@override_settings(RESULTS_MIN_GROUP_SIZE=1)
def test_a_variable_the_results_are_weighted_by_has_no_confidence_intervals(client_as, campaign):
    response = client_as(Role.COUNCILLOR).get(results_url(campaign))
    view = response.context["view"]

    age = view.questions[0]
    assert age.weighting_variable is True
    assert len(age.figure.table.headers) == 3  # answers, share, weighted share: no interval
    assert all(len(cells) == 3 for _label, cells in age.figure.table.rows)
    whisker = 'stroke-width="1.5" fill="none"'
    assert whisker not in age.figure.chart
    assert age not in view.findings and 'id="q1"' not in response.text
    exercise = view.questions[1]
    assert (
        len(exercise.figure.table.headers) == 4 and whisker in exercise.figure.chart
    )  # an estimate keeps its interval


def test_groups_whose_figures_are_hidden_are_offered_disabled_in_the_filter(client_as, campaign):
    # With the minimum 5 the age groups of 1, 3 and 4 respondents are all hidden.
    page = client_as(Role.COUNCILLOR).get(results_url(campaign)).text

    for group in ("18–29", "30–64", "65+"):
        assert f'<option value="{group}" disabled>' in page


def test_results_weighted_by_nothing_do_not_call_their_shares_weighted(client_as, campaign):
    PopulationTarget.objects.all().delete()

    page = client_as(Role.COUNCILLOR).get(results_url(campaign)).text

    assert "Vastaajien osuus" in page
    assert "Painotettu osuus" not in page


def test_results_weighted_by_nothing_offer_no_weighted_estimate_nor_weighted_columns(client_as, campaign):
    PopulationTarget.objects.all().delete()

    page = client_as(Role.SURVEY_MANAGER).get(results_url(campaign)).text

    assert "estimate-switch" not in page
    assert "(painotetut osuudet)" not in page and "Painotettu osuus" not in page
    assert "Painottamaton" not in page  # the mean table has one mean, not an unweighted and a weighted one


def test_a_running_campaign_without_answers_shows_no_empty_question_charts(client_as, make_campaign):
    """'There are no answers to show', then every question with an empty chart and 'answered 0,
    skipped 0' below it: the page says it once, as the PDF report does, and draws nothing empty."""
    campaign = make_campaign("tyhja", status=CampaignStatus.RUNNING)
    add_questions(campaign)

    page = client_as(Role.COUNCILLOR).get(results_url(campaign)).text

    assert "Näytettäviä vastauksia ei ole." in page
    assert 'class="results-question"' not in page
    assert "vastanneita 0" not in page


def test_an_english_page_marks_the_finnish_texts_of_a_survey_not_offered_in_english(client_as, campaign):
    client = client_as(Role.COUNCILLOR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(results_url(campaign)).text

    # Without lang a screen reader reads the Finnish question with an English voice (WCAG 3.1.2).
    assert '<html lang="en">' in page
    assert '<h3 id="q2-heading">2. <span lang="fi">Liikutko viikoittain?</span></h3>' in page
    # The yes/no answers have their English words; a choice question's options only their Finnish ones.
    assert '<th scope="row">yes</th>' in page
    assert '<th scope="row" lang="fi">18–29</th>' in page
    assert '<h3 id="q4-heading">4. <span lang="fi">Mitä kaupungin pitäisi kehittää?</span></h3>' in page
    # The sentence of the finding names the question in Finnish too.
    assert 'to “<span lang="fi">Liikutko viikoittain?</span>”.' in page


def test_a_swedish_page_leaves_the_swedish_texts_unmarked(client_as, campaign):
    client = client_as(Role.COUNCILLOR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"

    page = client.get(results_url(campaign)).text

    assert '<h3 id="q2-heading">2. Motionerar du varje vecka?</h3>' in page
    assert '<th scope="row">ja</th>' in page


def test_checking_again_on_a_report_being_built_puts_the_keyboard_on_what_is_left(client_as, campaign):
    ReportFile.objects.create(campaign=campaign, file_format="pdf", language="fi", status=ReportFileStatus.RUNNING)
    client = client_as(Role.COUNCILLOR)

    page = client.get(results_url(campaign)).text
    checked = client.get(results_url(campaign, checked="reports")).text

    # Without JavaScript the row's link checks again, and the page comes back with the focus on the news.
    assert f'href="{results_url(campaign, checked="reports")}#reports">Tarkista uudelleen</a>' in page
    assert "autofocus" not in page
    assert 'tabindex="-1" autofocus>Osa raporteista on vielä tekeillä.</p>' in checked


@override_settings(RESULTS_MIN_GROUP_SIZE=1)  # every group shown, and offered in the filter
def test_an_english_page_marks_the_finnish_groups_of_a_survey_not_offered_in_english(client_as, campaign):
    """The groups are the survey's answers to its background question: in the table of who answered and in the
    columns of each question by group they are marked Finnish as the answers themselves are."""
    client = client_as(Role.SURVEY_MANAGER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(results_url(campaign))
    view = page.context["view"]

    assert '<option value="65+" lang="fi">65+</option>' in page.text  # in the filter of groups
    [ages] = view.groups
    assert {language for _label, _cells, language in ages.table.rows_in_language} == {"fi"}
    [by_age] = view.questions[1].crosstabs
    assert [language for _header, language in by_age.headers_in_language] == ["fi", "fi", "fi"]
