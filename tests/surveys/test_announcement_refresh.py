"""Pre-announcement texts after the campaign's facts change: unedited drafts follow at once,
edited or published ones are kept and shown as out of date."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from kuntaportaali.roles import Role
from surveys.models import CampaignStatus
from surveys.services import announcements as announcement_services
from surveys.services import campaigns as campaign_services
from surveys.services import surveys as survey_services
from tests.surveys.factories import build_campaign, build_survey, make_launch_ready

CALLER_NUMBER = "09 310 1691"
EDITED = "Esimerkkilän kaupunki soittaa joulukuussa. Tervetuloa vastaamaan!"


@pytest.fixture
def manager(role_users):
    return role_users[Role.SURVEY_MANAGER]


@pytest.fixture
def communications(role_users):
    return role_users[Role.COMMUNICATIONS]


@pytest.fixture
def campaign(manager):
    campaign = build_campaign(build_survey(manager), manager)
    announcement_services.announcements_ensure(campaign=campaign)
    return campaign


def website_fi(campaign):
    return campaign.announcements.get(channel="website", language="fi")


def finnish_date(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def mentions(text: str, day: date) -> bool:
    # 9.1.2027 must not match inside 19.1.2027.
    return re.search(rf"(?<![\d.]){re.escape(finnish_date(day))}", text) is not None


def move_start(campaign, manager, *, days: int):
    return campaign_services.campaign_update(
        campaign=campaign,
        by=manager,
        caller_number=CALLER_NUMBER,
        start_date=campaign.start_date + timedelta(days=days),
    )


def page_has(response, msgid: str) -> bool:
    # A template's {% translate "literal" %} is output as is, not escaped.
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return gettext(msgid) in response.content.decode()


def test_an_unedited_unpublished_text_follows_a_changed_start_date(campaign, manager):
    old_start = campaign.start_date
    assert mentions(website_fi(campaign).text, old_start)

    campaign = move_start(campaign, manager, days=1)

    announcement = website_fi(campaign)
    assert mentions(announcement.text, old_start + timedelta(days=1))
    assert not mentions(announcement.text, old_start)
    assert announcement.generated_text == announcement.text
    assert announcement_services.announcements_out_of_date(campaign=campaign) == []


def test_a_changed_survey_title_reaches_the_unedited_texts(campaign, manager):
    survey = campaign.survey_version.survey

    survey_services.survey_update(survey=survey, organiser=survey.organiser, title_fi="Millainen on hyvä kaupunki?")

    assert "Millainen on hyvä kaupunki?" in website_fi(campaign).text
    assert "Mikä kaupungissa on tärkeää?" not in website_fi(campaign).text


def test_the_swedish_texts_name_the_organiser_in_swedish(manager):
    campaign = build_campaign(build_survey(manager, organiser_sv="Exempelby stad"), manager)

    announcement_services.announcements_ensure(campaign=campaign)

    swedish = campaign.announcements.get(channel="website", language="sv").text
    assert swedish.startswith("Exempelby stad ringer invånarna: Vad är viktigt i staden?\n")
    assert "Esimerkkilän" not in swedish
    assert campaign.announcements.get(channel="sms", language="sv").text.startswith("Exempelby stad ")
    assert website_fi(campaign).text.startswith("Esimerkkilän kaupunki soittaa asukkaille")


def test_an_organisers_swedish_name_given_later_reaches_the_unedited_swedish_texts(campaign):
    survey = campaign.survey_version.survey
    swedish = campaign.announcements.get(channel="website", language="sv")
    assert swedish.text.startswith("Esimerkkilän kaupunki ringer invånarna: ")

    survey_services.survey_update(survey=survey, organiser=survey.organiser, organiser_sv="Exempelby stad")

    swedish.refresh_from_db()
    assert swedish.text.startswith("Exempelby stad ringer invånarna: ")
    assert announcement_services.announcements_out_of_date(campaign=campaign) == []


def test_an_edited_text_is_kept_and_shown_as_out_of_date(campaign, manager, client_as):
    announcement_services.announcement_update(announcement=website_fi(campaign), text=EDITED)

    campaign = move_start(campaign, manager, days=2)

    announcement = website_fi(campaign)
    assert announcement.text == EDITED
    assert announcement.is_edited
    assert announcement_services.announcements_out_of_date(campaign=campaign) == [announcement]
    page = client_as(Role.COMMUNICATIONS).get(reverse("surveys:campaign-announcements", kwargs={"slug": campaign.slug}))
    rows = page.context["announcements"].rows
    assert [row.record.publication.announcement.pk for row in rows if row.record.out_of_date] == [announcement.pk]
    assert page.content.decode().count('role="status"') == 1
    assert page_has(page, "The campaign's facts changed after this text was written.")
    assert page_has(page, "The edits made to this text will be lost.")
    assert reverse("surveys:announcement-replace", kwargs={"pk": announcement.pk}) in page.content.decode()


def test_a_text_saved_from_the_browser_unchanged_does_not_count_as_edited(campaign):
    announcement = website_fi(campaign)
    browser_text = announcement.text.replace("\n", "\r\n") + "\r\n"

    announcement = announcement_services.announcement_update(announcement=announcement, text=browser_text)

    assert not announcement.is_edited


def test_a_published_text_is_kept_and_warned_about_on_the_pages(campaign, manager, communications, client_as):
    old_start = campaign.start_date
    published_on = timezone.localdate()
    announcement_services.announcement_publish(
        announcement=website_fi(campaign), published_on=published_on, by=communications
    )

    campaign = move_start(campaign, manager, days=3)

    announcement = website_fi(campaign)
    assert mentions(announcement.text, old_start)
    assert not announcement.is_edited
    assert announcement_services.announcements_out_of_date(campaign=campaign) == [announcement]
    page = client_as(Role.COMMUNICATIONS).get(reverse("surveys:campaign-announcements", kwargs={"slug": campaign.slug}))
    assert page_has(
        page,
        "The campaign's facts changed after this text was written and published. "
        "The published text in this channel needs correcting.",
    )
    assert not page_has(page, "The edits made to this text will be lost.")
    edit_page = client_as(Role.COMMUNICATIONS).get(reverse("surveys:announcement", kwargs={"pk": announcement.pk}))
    assert edit_page.context["out_of_date"] is True


def test_an_out_of_date_published_announcement_warns_at_the_gate_but_does_not_block_the_start(
    campaign, manager, communications, client_as
):
    campaign = make_launch_ready(campaign, manager=manager, communications=communications)
    published = website_fi(campaign)
    campaign = move_start(campaign, manager, days=1)

    with translation.override("en"):
        warnings = campaign_services.campaign_launch_warnings(campaign=campaign)
    assert len(warnings) == 4  # the website and the press release, in Finnish and in Swedish
    assert warnings[0] == (
        f"The pre-announcement City website news (Finnish) published on "
        f"{published.published_on.strftime('%d/%m/%Y')} states facts the campaign has since changed; "
        "the published text needs correcting."
    )
    assert campaign_services.campaign_launch_problems(campaign=campaign) == []
    detail = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign", kwargs={"slug": campaign.slug}))
    assert detail.context["warnings"] == campaign_services.campaign_launch_warnings(campaign=campaign)
    assert escape(detail.context["warnings"][0]) in detail.content.decode()

    started = campaign_services.campaign_start(campaign=campaign, by=manager)

    assert started.status == CampaignStatus.RUNNING


def test_replacing_takes_the_current_facts_and_keeps_the_publication(campaign, manager, communications, client_as):
    announcement = website_fi(campaign)
    announcement_services.announcement_update(announcement=announcement, text=EDITED)
    published_on = timezone.localdate() - timedelta(days=1)
    announcement_services.announcement_publish(announcement=announcement, published_on=published_on, by=communications)
    campaign = move_start(campaign, manager, days=4)

    response = client_as(Role.COMMUNICATIONS).post(
        reverse("surveys:announcement-replace", kwargs={"pk": announcement.pk})
    )

    assert response.status_code == 302
    assert response.url == reverse("surveys:announcement", kwargs={"pk": announcement.pk})
    announcement.refresh_from_db()
    assert mentions(announcement.text, campaign.start_date)
    assert announcement.text == announcement.generated_text
    assert (announcement.published_on, announcement.published_by) == (published_on, communications)
    assert announcement_services.announcements_out_of_date(campaign=campaign) == []
    assert campaign_services.campaign_launch_warnings(campaign=campaign) == []


@pytest.mark.parametrize("role", [Role.SURVEY_MANAGER, Role.COUNCILLOR])
def test_replacing_needs_the_announcement_permission(campaign, manager, client_as, role):
    announcement_services.announcement_update(announcement=website_fi(campaign), text=EDITED)
    move_start(campaign, manager, days=1)

    response = client_as(role).post(reverse("surveys:announcement-replace", kwargs={"pk": website_fi(campaign).pk}))

    assert response.status_code == 403
    assert website_fi(campaign).text == EDITED


def test_replacing_is_a_post_and_anonymous_visitors_are_sent_to_log_in(campaign, client, client_as):
    url = reverse("surveys:announcement-replace", kwargs={"pk": website_fi(campaign).pk})

    assert client.post(url).url.startswith(reverse("login"))
    assert client_as(Role.COMMUNICATIONS).get(url).status_code == 405


def test_a_budget_change_leaves_every_text_as_it_was(campaign, manager, communications):
    announcement_services.announcement_update(announcement=website_fi(campaign), text=EDITED)
    announcement_services.announcement_publish(
        announcement=campaign.announcements.get(channel="sms", language="fi"),
        published_on=timezone.localdate(),
        by=communications,
    )
    before = {a.pk: (a.text, a.generated_text, a.updated_at) for a in campaign.announcements.all()}

    campaign = campaign_services.campaign_update(
        campaign=campaign, by=manager, caller_number=CALLER_NUMBER, budget_cap=Decimal("2500.00")
    )

    assert campaign.budget_cap == Decimal("2500.00")
    assert {a.pk: (a.text, a.generated_text, a.updated_at) for a in campaign.announcements.all()} == before
    assert announcement_services.announcements_out_of_date(campaign=campaign) == []


def test_keeping_a_checked_text_clears_the_warning_and_keeps_the_edits(campaign, manager, client_as):
    announcement_services.announcement_update(announcement=website_fi(campaign), text=EDITED)
    campaign = move_start(campaign, manager, days=3)

    response = client_as(Role.COMMUNICATIONS).post(
        reverse("surveys:announcement-keep", kwargs={"pk": website_fi(campaign).pk})
    )

    announcement = website_fi(campaign)
    assert response.status_code == 302
    assert announcement.text == EDITED and announcement.is_edited
    assert announcement_services.announcements_out_of_date(campaign=campaign) == []
    # A later change flags it again, and still never overwrites it.
    campaign = move_start(campaign, manager, days=1)
    assert announcement_services.announcements_out_of_date(campaign=campaign) == [website_fi(campaign)]
    assert website_fi(campaign).text == EDITED


def test_an_announcement_from_before_generated_texts_were_kept_is_never_overwritten(campaign, manager, client_as):
    # Migration 0007 leaves the generated text of existing rows empty: they count as edited.
    legacy = website_fi(campaign)
    legacy.generated_text = ""
    legacy.save(update_fields=["generated_text"])
    text = legacy.text

    campaign = move_start(campaign, manager, days=2)

    assert website_fi(campaign).text == text
    assert announcement_services.announcements_out_of_date(campaign=campaign) == [website_fi(campaign)]
    page = client_as(Role.COMMUNICATIONS).get(reverse("surveys:campaign-announcements", kwargs={"slug": campaign.slug}))
    assert page_has(
        page,
        "This text is from before the portal followed the campaign's facts: check that it states "
        "them correctly, then keep or replace it.",
    )


@pytest.mark.parametrize("role", [Role.SURVEY_MANAGER, Role.COUNCILLOR])
def test_keeping_needs_the_announcement_permission(campaign, manager, client_as, role):
    announcement_services.announcement_update(announcement=website_fi(campaign), text=EDITED)
    campaign = move_start(campaign, manager, days=1)
    announcement = website_fi(campaign)

    response = client_as(role).post(reverse("surveys:announcement-keep", kwargs={"pk": announcement.pk}))

    assert response.status_code == 403
    announcement.refresh_from_db()
    assert announcement_services.announcements_out_of_date(campaign=campaign) == [announcement]
