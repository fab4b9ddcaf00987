"""The residents' pages: published campaigns with their questions, in the language of the address."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from kuntaportaali.roles import Role
from surveys.models import Survey
from surveys.services import campaigns as campaign_services
from tests.surveys.factories import build_campaign, build_survey, make_launch_ready


@pytest.fixture
def published(role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager), manager)
    return campaign_services.campaign_publish_questions(campaign=campaign, by=role_users[Role.COMMUNICATIONS])


def public_url(name, language, **kwargs):
    with translation.override(language):
        return reverse(f"surveys-public:{name}", kwargs=kwargs)


def test_addresses_carry_the_language():
    assert public_url("index", "fi") == "/fi/kyselyt/"
    assert public_url("index", "sv") == "/sv/enkater/"
    assert public_url("campaign", "en", slug="x") == "/en/surveys/x/"


def test_list_shows_published_campaigns_with_their_caller_number(client, published):
    response = client.get("/fi/kyselyt/")

    assert response.status_code == 200
    assert [item.campaign for item in response.context["groups"]["upcoming"]] == [published]
    assert "09 3101691" in response.text


def test_unpublished_and_cancelled_campaigns_are_not_shown(client, published, role_users):
    draft = build_campaign(published.survey_version.survey, role_users[Role.SURVEY_MANAGER], slug="luonnos")
    campaign_services.campaign_transition(campaign=published, to="cancelled", by=role_users[Role.SURVEY_MANAGER])

    assert client.get("/fi/kyselyt/").context["groups"] == {"running": [], "paused": [], "upcoming": [], "finished": []}
    assert client.get(f"/fi/kyselyt/{draft.slug}/").status_code == 404
    assert client.get(f"/fi/kyselyt/{published.slug}/").status_code == 404


def test_swedish_page_shows_the_questions_in_swedish(client, published):
    response = client.get(f"/sv/enkater/{published.slug}/")

    assert response.status_code == 200
    assert '<html lang="sv">' in response.text
    assert "Vilken åldersgrupp hör du till?" in response.text
    assert "1 = 18–29" in response.text
    assert "1 (inte alls) – 5 (mycket)" in response.text
    assert "Rekisterinpitäjä: kaupunki." in response.text  # no Swedish notice given: Finnish is shown


def test_a_swedish_page_names_the_organiser_and_the_campaign_in_swedish(client, role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    survey = build_survey(manager, organiser_sv="Exempelby stad", organiser_en="City of Esimerkkilä")
    campaign = build_campaign(survey, manager, name_sv="Höstens enkät")
    campaign_services.campaign_publish_questions(campaign=campaign, by=manager)

    swedish = client.get(f"/sv/enkater/{campaign.slug}/").text
    listed = client.get("/sv/enkater/").text
    finnish = client.get(f"/fi/kyselyt/{campaign.slug}/").text

    assert '<dt>Arrangör</dt><dd lang="sv">Exempelby stad</dd>' in swedish
    assert '<p class="campaign-name" lang="sv">Höstens enkät</p>' in swedish
    assert '<p class="campaign-name" lang="sv">Höstens enkät</p>' in listed
    assert '<p lang="sv">Exempelby stad</p>' in listed
    assert "Esimerkkilän" not in swedish and "Syksyn kysely" not in swedish
    assert '<dt>Järjestäjä</dt><dd lang="fi">Esimerkkilän kaupunki</dd>' in finnish
    assert '<p class="campaign-name" lang="fi">Syksyn kysely</p>' in finnish


def test_a_survey_not_offered_in_english_names_its_organiser_in_finnish_as_its_other_texts(client, role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    survey = build_survey(manager, organiser_sv="Exempelby stad", organiser_en="City of Esimerkkilä")
    campaign = build_campaign(survey, manager, name_sv="Höstens enkät", name_en="Autumn survey")
    campaign_services.campaign_publish_questions(campaign=campaign, by=manager)

    english = client.get(f"/en/surveys/{campaign.slug}/").text
    listed = client.get("/en/surveys/").text

    # Finnish texts on an English page say so, or a screen reader reads them with an English voice (WCAG 3.1.2).
    assert '<html lang="en">' in english
    assert '<h1 lang="fi">Mikä kaupungissa on tärkeää?</h1>' in english
    assert '<dt>Organiser</dt><dd lang="fi">Esimerkkilän kaupunki</dd>' in english
    assert '<p class="campaign-name" lang="fi">Syksyn kysely</p>' in english
    assert '<div lang="fi">\n  <p class="lead">Kysymme asukkaiden mielipiteitä' in english
    assert '<a lang="fi" href="/en/surveys/syksy/">Mikä kaupungissa on tärkeää?</a>' in listed
    assert '<p lang="fi">Esimerkkilän kaupunki</p>' in listed


def test_a_swedish_page_marks_the_finnish_texts_that_have_no_swedish_version(client, published):
    """The survey is offered in Swedish, but neither its organiser nor the campaign's information notice
    has a Swedish text: those are shown in Finnish, and say so, inside the Swedish page."""
    swedish = client.get(f"/sv/enkater/{published.slug}/").text
    listed = client.get("/sv/enkater/").text

    assert '<h1 lang="sv">Vad är viktigt i staden?</h1>' in swedish
    assert '<dt>Arrangör</dt><dd lang="fi">Esimerkkilän kaupunki</dd>' in swedish
    assert '<div lang="fi"><p>Rekisterinpitäjä: kaupunki.</p></div>' in swedish
    assert '<p lang="fi">Esimerkkilän kaupunki</p>' in listed


def test_a_finnish_only_survey_is_shown_in_finnish_with_a_note(client, role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager, slug="vain-suomi", offers_sv=False), manager, slug="suomeksi")
    campaign_services.campaign_publish_questions(campaign=campaign, by=manager)

    response = client.get(f"/sv/enkater/{campaign.slug}/")

    assert "Mihin ikäryhmään kuulut?" in response.text
    assert "Enkäten finns inte på ditt språk; den visas på finska." in response.text
    assert '<ol class="public-questions" lang="fi">' in response.text


def test_the_language_switcher_keeps_the_page(client, published):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": f"/fi/kyselyt/{published.slug}/"})

    assert response["Location"] == f"/sv/enkater/{published.slug}/"


def test_a_campaign_completed_early_shows_its_last_real_calling_day(client, role_users):
    manager, communications = role_users[Role.SURVEY_MANAGER], role_users[Role.COMMUNICATIONS]
    today = timezone.localdate()
    start = today - timedelta(days=2)
    campaign = make_launch_ready(
        build_campaign(build_survey(manager), manager, start=start), manager=manager, communications=communications
    )
    campaign_services.campaign_start(campaign=campaign, by=manager)
    campaign_services.campaign_transition(campaign=campaign, to="completed", by=manager)

    response = client.get("/fi/kyselyt/")

    [finished] = response.context["groups"]["finished"]
    assert (finished.first_day, finished.last_day, finished.ended_early) == (start, today, True)
    assert f"{start:%-d.%-m.%Y}–{today:%-d.%-m.%Y} (" in response.text
    assert f"{campaign.end_date:%-d.%-m.%Y}" not in response.text
    detail = client.get(f"/fi/kyselyt/{campaign.slug}/")
    assert f"{start:%-d.%-m.%Y}–{today:%-d.%-m.%Y} (" in detail.text


def test_a_campaign_ended_before_its_first_day_says_no_calls_were_made(client, role_users):
    manager, communications = role_users[Role.SURVEY_MANAGER], role_users[Role.COMMUNICATIONS]
    today = timezone.localdate()
    campaign = make_launch_ready(
        build_campaign(build_survey(manager), manager, start=today + timedelta(days=10)),
        manager=manager,
        communications=communications,
    )
    campaign_services.campaign_start(campaign=campaign, by=manager)
    campaign_services.campaign_transition(campaign=campaign, to="completed", by=manager)

    listing = client.get("/fi/kyselyt/").text
    detail = client.get(f"/fi/kyselyt/{campaign.slug}/").text

    for page in (listing, detail):
        assert f"Päättyi {today:%-d.%-m.%Y} ennen kuin yhtään puhelua soitettiin." in page
        assert f"{campaign.start_date:%-d.%-m.%Y}" not in page


def test_a_running_campaign_shows_its_planned_dates(client, published):
    [upcoming] = client.get("/fi/kyselyt/").context["groups"]["upcoming"]

    assert (upcoming.first_day, upcoming.last_day, upcoming.ended_early) == (
        published.start_date,
        published.end_date,
        False,
    )


def switch_form_next(page_html: str) -> str:
    """The `next` the language switcher posts, as a browser would read it from the page."""
    return re.search(r'<input type="hidden" name="next" value="([^"]*)">', page_html).group(1)


@pytest.mark.parametrize(
    ("cookie", "page", "language", "landing"),
    [
        ("sv", "/fi/kyselyt/{slug}/", "sv", "/sv/enkater/{slug}/"),
        ("fi", "/sv/enkater/{slug}/", "fi", "/fi/kyselyt/{slug}/"),
        ("sv", "/sv/enkater/{slug}/", "en", "/en/surveys/{slug}/"),
        ("en", "/fi/kyselyt/{slug}/", "en", "/en/surveys/{slug}/"),
    ],
)
def test_the_language_switcher_lands_on_the_same_page_whatever_the_earlier_choice(
    client, published, cookie, page, language, landing
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    page_html = client.get(page.format(slug=published.slug)).text

    response = client.post("/i18n/setlang/", {"language": language, "next": switch_form_next(page_html)})

    assert response.status_code == 302
    assert response["Location"] == landing.format(slug=published.slug)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def test_the_language_switcher_keeps_a_staff_page(client_as):
    client = client_as(Role.SURVEY_MANAGER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"

    response = client.post("/i18n/setlang/", {"language": "fi", "next": "/staff/surveys/"})

    assert response["Location"] == "/staff/surveys/"
    assert '<html lang="fi">' in client.get("/staff/surveys/").text


def test_the_list_links_to_the_opt_out_form(client, published):
    response = client.get("/sv/enkater/")

    assert f'id="opt-out-link" href="{public_url("opt-out", "sv")}"' in response.text


def started(role_users, *, slug: str, name: str, start_days_ago: int = 1):
    manager, communications = role_users[Role.SURVEY_MANAGER], role_users[Role.COMMUNICATIONS]
    survey = Survey.objects.filter(slug="strategia").first() or build_survey(manager)
    campaign = build_campaign(
        survey, manager, slug=slug, name=name, start=timezone.localdate() - timedelta(days=start_days_ago)
    )
    make_launch_ready(campaign, manager=manager, communications=communications)
    return campaign_services.campaign_start(campaign=campaign, by=manager)


def test_a_paused_campaign_is_shown_as_paused_not_as_calling(client, role_users):
    running = started(role_users, slug="syksy", name="Syksyn kierros")
    paused = started(role_users, slug="kevat", name="Kevään kierros")
    campaign_services.campaign_transition(campaign=paused, to="paused", by=role_users[Role.SURVEY_MANAGER])

    groups = client.get("/fi/kyselyt/").context["groups"]
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="fi")
    detail = client.get(f"/fi/kyselyt/{paused.slug}/")

    assert [item.campaign for item in groups["running"]] == [running]
    assert [item.campaign for item in groups["paused"]] == [paused]
    assert [item.campaign for item in home.context["current"]] == [running, paused]
    cards = re.findall(r'<li class="card">.*?</li>', home.text, re.DOTALL)
    assert "Syksyn kierros" in cards[0] and 'class="status status--running"' in cards[0]
    assert "Kevään kierros" in cards[1] and 'class="status status--paused"' in cards[1]
    assert 'id="calls-paused"' in detail.text
    assert 'id="calls-paused"' not in client.get(f"/fi/kyselyt/{running.slug}/").text


def test_two_rounds_of_one_survey_are_told_apart_by_their_names(client, role_users):
    started(role_users, slug="syksy", name="Syksyn kierros")
    started(role_users, slug="kevat", name="Kevään kierros", start_days_ago=0)

    response = client.get("/sv/enkater/")

    assert '<p class="campaign-name" lang="fi">Syksyn kierros</p>' in response.text
    assert '<p class="campaign-name" lang="fi">Kevään kierros</p>' in response.text


def test_a_campaign_not_started_on_its_first_day_is_still_coming_up(client, role_users):
    manager, communications = role_users[Role.SURVEY_MANAGER], role_users[Role.COMMUNICATIONS]
    campaign = make_launch_ready(
        build_campaign(build_survey(manager), manager, start=timezone.localdate()),
        manager=manager,
        communications=communications,
    )

    groups = client.get("/fi/kyselyt/").context["groups"]

    assert [item.campaign for item in groups["upcoming"]] == [campaign]
    assert groups["running"] == []


@override_settings(PUBLIC_BASE_URL="https://kyselyt.esimerkkila.fi", SMS_SENDER="+358 40 123 4567")
def test_a_campaign_that_sends_links_names_the_message_its_sender_and_the_links_address(client, published):
    """A resident who gets the text message checks it on the survey's page, as its last lines ask:
    the page says such a message comes, from whom, and where its link leads."""
    published.sms_follow_up = True
    published.save(update_fields=["sms_follow_up"])

    finnish = client.get(f"/fi/kyselyt/{published.slug}/").text
    swedish = client.get(f"/sv/enkater/{published.slug}/").text

    assert (
        "<dt>Tekstiviesti</dt><dd>Jos et vastaa puheluihin tai pyydät linkkiä puhelun aikana, saat yhden "
        "tekstiviestin, jossa on oma linkkisi samaan kyselyyn verkossa. Viestin lähettäjä on "
        '<strong class="phone">040 1234567</strong>, ja linkki vie osoitteeseen kyselyt.esimerkkila.fi.</dd>'
    ) in finnish
    assert "Avsändaren är <strong" in swedish


def test_a_campaign_that_sends_no_links_says_nothing_of_text_messages(client, published):
    assert "<dt>Tekstiviesti</dt>" not in client.get(f"/fi/kyselyt/{published.slug}/").text
