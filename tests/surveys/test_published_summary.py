"""The summary communications publishes on the residents' page: who may publish, what residents see
in each language, unpublishing, and the privacy rule that no figure describes fewer than 5 people."""

import dataclasses

import pytest
from django.test import override_settings
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.errors import SurveyError
from surveys.models import Answer, CampaignStatus, PopulationTarget, ResultSummary
from surveys.reports.publication import summary_figures
from surveys.services.result_summaries import summary_publish
from tests.surveys.results_factory import hand_built_results, small_campaign

pytestmark = pytest.mark.django_db

INTROS = {
    "intro_fi": "Kiitos kaikille vastanneille! Tässä tärkeimmät tulokset.",
    "intro_sv": "Tack till alla som svarade! Här är de viktigaste resultaten.",
}


@pytest.fixture
def campaign(role_users):
    return small_campaign(role_users[Role.SURVEY_MANAGER])


def publish(client, campaign, **data):
    return client.post(reverse("surveys:summary", args=[campaign.slug]), INTROS | {"question_positions": [2, 3]} | data)


@pytest.mark.parametrize("role", [Role.COMMUNICATIONS, Role.ADMIN])
def test_communications_and_admin_may_publish(client_as, campaign, role):
    client = client_as(role)

    assert client.get(reverse("surveys:summaries")).status_code == 200
    response = publish(client, campaign)

    assert response.status_code == 302
    summary = ResultSummary.objects.get(campaign=campaign)
    assert summary.is_published and summary.question_positions == [2, 3]
    assert summary.figures["respondents"] == 8


@pytest.mark.parametrize("role", [Role.COUNCILLOR, Role.SURVEY_MANAGER, Role.SUPERVISOR])
def test_other_roles_may_not_publish(client_as, campaign, role):
    client = client_as(role)

    assert client.get(reverse("surveys:summaries")).status_code == 403
    assert publish(client, campaign).status_code == 403
    assert not ResultSummary.objects.exists()


@override_settings(
    RESULTS_MIN_GROUP_SIZE=1
)  # weighted by hand; its groups (1, 3, 4) are hidden and weighted as one with the minimum 5
def test_residents_see_the_summary_in_finnish(client_as, client, campaign):
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    page = client.get(f"/fi/kyselyt/{campaign.slug}/").text

    assert INTROS["intro_fi"] in page
    assert 'id="summary-q2-title"' in page and 'id="summary-q3-title"' in page
    assert "68,3\xa0%" in page  # weighted yes to Q2
    assert "62,5\xa0%" not in page  # unweighted shares are not published
    assert "3,58" in page  # weighted mean of Q3
    assert "72,7\xa0%" in page  # the response rate (RR1)


def test_the_response_rate_is_said_to_count_only_the_complete_answers(client_as, client, campaign):
    """The page said "8 residents answered; the response rate was 72.7 %": the 8 include partial answers,
    which the results count, while the rate (RR1) counts complete ones only - two bases in one sentence.
    A complete answer is one with at least 80 % of the questions answered, not one "to the end": who
    hung up at the last question is in the rate, who heard the closing words having let most pass is not."""
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    finnish = " ".join(client.get(f"/fi/kyselyt/{campaign.slug}/").text.split())
    swedish = " ".join(client.get(f"/sv/enkater/{campaign.slug}/").text.split())

    assert (
        "Tulokset perustuvat 8 asukkaan vastauksiin. Vastausaste – vähintään 80 prosenttiin heille esitetyistä "
        "kysymyksistä vastanneiden osuus otokseen poimituista asukkaista – oli 72,7 %." in finnish
    )
    assert (
        "Resultaten bygger på svaren från 8 invånare. Svarsfrekvensen – andelen av invånarna i urvalet som "
        "besvarade minst 80 procent av de frågor de fick – var 72,7 %." in swedish
    )


def test_swedish_page_has_the_swedish_texts(client_as, client, campaign):
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    page = client.get(f"/sv/enkater/{campaign.slug}/").text

    assert INTROS["intro_sv"] in page and INTROS["intro_fi"] not in page
    assert "Motionerar du varje vecka?" in page


def test_english_page_falls_back_to_the_finnish_introduction(client_as, client, campaign):
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    page = client.get(f"/en/surveys/{campaign.slug}/").text

    assert INTROS["intro_fi"] in page


def test_groups_of_fewer_than_five_respondents_are_not_shown(client_as, client, campaign):
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    page = client.get(f"/en/surveys/{campaign.slug}/").text

    # 18-29: 1 respondent (12.5 %) - hidden; 30-64: 3 (37.5 %) - hidden; 65+: 4 - hidden. Population shown.
    who_answered = page[page.index("<h3>Who answered</h3>") :]
    assert who_answered.count('<td class="num">hidden</td>') == 3
    assert "12.5\xa0%" not in who_answered and "37.5\xa0%" not in who_answered
    assert "20.0\xa0%" in page and "50.0\xa0%" in page and "30.0\xa0%" in page


def test_a_question_answered_by_fewer_than_five_is_left_out(make_campaign):
    results = hand_built_results(make_campaign("vahan"), language="fi")
    few = dataclasses.replace(results.questions[1], answered=4)
    results = dataclasses.replace(results, questions=[results.questions[0], few, *results.questions[2:]])

    figures = summary_figures(results, question_positions=[2, 3])

    assert figures["questions"][0] == {"position": 2, "text": "Liikutko viikoittain?", "shown": False}
    assert [option["share"] for option in figures["questions"][1]["options"]] == [0.05, 0.09, 0.24, 0.38, 0.24]


def test_unpublishing_takes_the_summary_off(client_as, client, campaign):
    communications = client_as(Role.COMMUNICATIONS)
    publish(communications, campaign)

    response = communications.post(reverse("surveys:summary-unpublish", args=[campaign.slug]))

    assert response.status_code == 302
    client.logout()
    assert INTROS["intro_fi"] not in client.get(f"/fi/kyselyt/{campaign.slug}/").text
    assert ResultSummary.objects.get(campaign=campaign).intro_fi == INTROS["intro_fi"]  # kept for next time


def test_list_of_campaigns_links_to_published_results(client_as, client, campaign):
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    page = client.get("/en/surveys/").text

    assert f'href="/en/surveys/{campaign.slug}/#results-heading"' in page


def test_a_running_campaign_cannot_be_published(client_as, campaign, role_users):
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])

    assert client_as(Role.COMMUNICATIONS).get(reverse("surveys:summary", args=[campaign.slug])).status_code == 404
    with pytest.raises(SurveyError):
        summary_publish(campaign=campaign, by=role_users[Role.COMMUNICATIONS], question_positions=[2], **INTROS)


def test_too_few_respondents_are_never_published(campaign, role_users, english):
    broken_off = campaign.responses.order_by("pk")[:4]
    Answer.objects.filter(response__in=broken_off).delete()
    campaign.responses.filter(pk__in=broken_off.values("pk")).update(status="partial")  # 4 respondents left

    with pytest.raises(SurveyError, match=r"The results of fewer than 5 respondents are not published\."):
        summary_publish(campaign=campaign, by=role_users[Role.COMMUNICATIONS], question_positions=[2], **INTROS)


def test_an_open_question_has_no_chart_to_publish(campaign, role_users, english):
    with pytest.raises(SurveyError, match=r"Question 4 has no chart to publish\."):
        summary_publish(campaign=campaign, by=role_users[Role.COMMUNICATIONS], question_positions=[4], **INTROS)


def test_swedish_page_shows_swedish_questions_and_answers_when_the_swedish_intro_is_empty(client_as, client, campaign):
    publish(client_as(Role.COMMUNICATIONS), campaign, intro_sv="")
    client.logout()

    response = client.get(f"/sv/enkater/{campaign.slug}/")

    summary = response.context["summary"]
    assert [question.text for question in summary.questions] == ["Motionerar du varje vecka?", "Hur nöjd är du?"]
    assert [label for label, _cells in summary.questions[0].table.rows] == ["ja", "nej"]
    assert (summary.intro, summary.intro_language, summary.intro_fallback) == (INTROS["intro_fi"], "fi", True)
    page = response.text
    assert '<h3 id="summary-q2-heading" lang="sv">2. Motionerar du varje vecka?</h3>' in page
    assert '<tr><th scope="row" lang="sv">ja</th>' in page and "kyllä</th>" not in page
    assert "Liikutko viikoittain?" not in page
    assert f'<p class="summary-intro" lang="fi">{INTROS["intro_fi"]}</p>' in page
    assert "Inledningen finns endast på finska." in page


def test_swedish_page_with_a_swedish_intro_has_no_fallback_note(client_as, client, campaign):
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    page = client.get(f"/sv/enkater/{campaign.slug}/").text

    assert f'<p class="summary-intro" lang="sv">{INTROS["intro_sv"]}</p>' in page
    assert "The introduction is available in Finnish only." not in page


def test_english_page_of_a_finnish_and_swedish_survey_shows_the_finnish_figures(client_as, client, campaign):
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    summary = client.get(f"/en/surveys/{campaign.slug}/").context["summary"]

    assert (summary.language, summary.questions[0].text) == ("fi", "Liikutko viikoittain?")


def test_the_finnish_answers_in_the_tables_of_an_english_page_say_they_are_finnish(client_as, client, campaign):
    """The answers are the survey's words: Finnish ones on an English page are marked so (WCAG 3.1.2), the
    table's own words are the page's."""
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    english = client.get(f"/en/surveys/{campaign.slug}/").text
    swedish = client.get(f"/sv/enkater/{campaign.slug}/").text

    assert '<th scope="col">Answer</th>' in english
    assert '<tr><th scope="row" lang="fi">kyllä</th>' in english
    assert '<tr><th scope="row" lang="sv">ja</th>' in swedish


def test_publish_form_warns_of_a_missing_swedish_introduction_but_publishes(client_as, campaign):
    client = client_as(Role.COMMUNICATIONS)

    response = publish(client, campaign, intro_sv="   ")
    form_page = client.get(reverse("surveys:summary", args=[campaign.slug]))

    assert response.status_code == 302
    assert ResultSummary.objects.get(campaign=campaign).is_published
    assert form_page.context["missing_intros"] == ["ruotsi"]
    assert '<div class="notice" role="status">' in form_page.text


def test_publish_form_does_not_warn_when_every_survey_language_has_an_introduction(client_as, campaign):
    client = client_as(Role.COMMUNICATIONS)
    publish(client, campaign)

    form_page = client.get(reverse("surveys:summary", args=[campaign.slug]))

    assert form_page.context["missing_intros"] == []
    assert '<div class="notice" role="status">' not in form_page.text


def test_residents_read_that_a_simulated_campaigns_results_are_simulated(client_as, client, campaign):
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    page = client.get(f"/fi/kyselyt/{campaign.slug}/").text

    assert 'role="note">Tämä kysely on simulaatio: kenellekään asukkaalle ei oikeasti soiteta' in page
    assert 'role="note">Simuloidut tulokset: vastaukset tulevat portaalin simulaattorin luomilta' in page


def test_a_twilio_campaigns_published_results_are_not_marked_simulated(client_as, client, campaign):
    campaign.telephony_provider = "twilio"
    campaign.save(update_fields=["telephony_provider"])
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    page = client.get(f"/fi/kyselyt/{campaign.slug}/").text

    assert INTROS["intro_fi"] in page
    assert "imulaatio" not in page and "Simuloidut" not in page


def test_results_weighted_by_nothing_are_never_called_weighted(client_as, client, campaign):
    PopulationTarget.objects.all().delete()
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    page = client.get(f"/fi/kyselyt/{campaign.slug}/").text

    assert "Tuloksia ei ole painotettu." in page
    assert "Vastaukset kysymykseen 2" in page
    assert "painotettu)" not in page and "Painotettu osuus" not in page


def test_the_list_of_publishable_campaigns_counts_their_complete_answers(client_as, campaign):
    listing = client_as(Role.COMMUNICATIONS).get(reverse("surveys:summaries")).text

    link = f'<a href="{reverse("surveys:summary", args=[campaign.slug])}">{campaign.name}</a>'
    assert f'<th scope="row" >{link}' in listing
    assert '<td class="num">8</td><td >ei julkaistu</td></tr>' in listing


def test_residents_are_told_the_shares_may_not_add_up_to_100(client_as, client, campaign):
    publish(client_as(Role.COMMUNICATIONS), campaign)
    client.logout()

    finnish = " ".join(client.get(f"/fi/kyselyt/{campaign.slug}/").text.split())

    assert (
        "Kukin osuus on pyöristetty erikseen, joten näytettyjen osuuksien summa ei välttämättä ole tasan 100 %."
        in finnish
    )
