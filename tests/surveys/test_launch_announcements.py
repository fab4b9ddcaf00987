"""The launch gate's pre-announcements: every channel the campaign plans, in every language of the survey,
published at least ANNOUNCEMENT_LEAD_DAYS before the first calling day; one blocker per channel."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format

from kuntaportaali.roles import Role
from surveys.errors import LaunchRefused
from surveys.models import Campaign
from surveys.services import announcements as announcement_services
from surveys.services import campaigns as campaign_services
from surveys.services import launch as launch_services
from surveys.services.announcements import PublicationState
from tests.surveys.factories import build_campaign, make_launch_ready, publish_planned_announcements

pytestmark = pytest.mark.usefixtures("english")


def short(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def not_published(campaign, channel: str, languages: str) -> str:
    deadline = campaign.start_date - timedelta(days=7)
    return (
        f"Pre-announcement not published: {channel} ({languages}). Publish it by {short(deadline)}, at least 7 "
        "days before the start."
    )


def unpublish(campaign, channel: str, language: str) -> None:
    campaign.announcements.filter(channel=channel, language=language).update(published_on=None, published_by=None)


def test_a_new_campaign_plans_the_website_and_a_press_release(survey, manager):
    campaign = build_campaign(survey, manager)

    assert campaign.announcement_channels == ["website", "press"]
    assert campaign_services.campaign_launch_problems(campaign=campaign)[2:4] == [
        not_published(campaign, "City website news", "Finnish, Swedish"),
        not_published(campaign, "Press release", "Finnish, Swedish"),
    ]


def test_one_published_channel_of_several_planned_is_not_enough(survey, manager, communications):
    campaign = make_launch_ready(
        build_campaign(survey, manager, announcement_channels=["website", "press", "newspaper"]),
        manager=manager,
        communications=communications,
    )
    for channel in ("press", "newspaper"):
        for language in ("fi", "sv"):
            unpublish(campaign, channel, language)

    with pytest.raises(LaunchRefused) as refused:
        campaign_services.campaign_start(campaign=campaign, by=manager)

    assert refused.value.problems == [
        not_published(campaign, "Press release", "Finnish, Swedish"),
        not_published(campaign, "Local newspaper notice", "Finnish, Swedish"),
    ]


def test_a_planned_channel_waits_for_every_language_of_the_survey(ready, manager):
    unpublish(ready, "press", "sv")

    [blocker] = launch_services.campaign_launch_blockers(campaign=ready)

    assert blocker.message == not_published(ready, "Press release", "Swedish")
    assert (blocker.fix_url, blocker.fixer) == (f"/staff/surveys/announcements/{ready.slug}/", Role.COMMUNICATIONS)


@pytest.mark.parametrize(
    ("language", "not_published_end", "too_late_part"),
    [
        ("en", "at least 1 day before the start.", "less than 1 day before the start."),
        ("fi", "vähintään 1 päivä ennen alkua.", "alle 1 päivä ennen alkua."),
        ("sv", "minst 1 dag före starten.", "mindre än 1 dag före starten."),
    ],
)
def test_a_lead_time_of_one_day_is_told_in_the_singular(ready, settings, language, not_published_end, too_late_part):
    """The press release is not published in Swedish; the website's news went out on the first calling day."""
    settings.ANNOUNCEMENT_LEAD_DAYS = 1
    today = timezone.localdate()
    ready.start_date, ready.end_date = today, today + timedelta(days=11)
    ready.save()
    unpublish(ready, "press", "sv")
    ready.announcements.filter(channel="website", language="fi").update(published_on=today)

    with translation.override(language):
        messages = [blocker.message for blocker in launch_services.campaign_launch_blockers(campaign=ready)]

    assert any(message.endswith(not_published_end) for message in messages), messages
    assert any(too_late_part in message for message in messages), messages


def test_unplanned_channels_neither_block_nor_stand_in_for_a_planned_one(survey, manager, communications):
    campaign = build_campaign(survey, manager, announcement_channels=["press"])
    make_launch_ready(campaign, manager=manager, communications=communications)
    assert campaign_services.campaign_launch_problems(campaign=campaign) == []  # website and the rest unpublished

    unpublish(campaign, "press", "fi")
    for announcement in campaign.announcements.filter(channel__in=["website", "sms"]):
        announcement_services.announcement_publish(
            announcement=announcement, published_on=campaign.start_date - timedelta(days=10), by=communications
        )

    assert campaign_services.campaign_launch_problems(campaign=campaign) == [
        not_published(campaign, "Press release", "Finnish")
    ]


def test_a_channel_published_too_late_is_the_survey_managers_to_solve(ready, manager):
    today = timezone.localdate()
    ready.start_date, ready.end_date = today + timedelta(days=3), today + timedelta(days=14)
    ready.save()
    ready.announcements.update(published_on=today - timedelta(days=10))
    ready.announcements.filter(channel="press", language="fi").update(published_on=today)

    [blocker] = launch_services.campaign_launch_blockers(campaign=ready)

    assert blocker.message == (
        "Pre-announcement published too late: Press release (Finnish), less than 7 days before the start. Move the "
        f"first calling day to {short(today + timedelta(days=7))} or later, or take the channel off the announcement "
        "plan."
    )
    assert (blocker.fix_url, blocker.fixer) == (f"/staff/surveys/campaigns/{ready.slug}/edit/", Role.SURVEY_MANAGER)

    replanned = campaign_services.campaign_update(
        campaign=ready, by=manager, caller_number=ready.caller_number, announcement_channels=["website"]
    )
    assert campaign_services.campaign_launch_problems(campaign=replanned) == []


def test_a_publication_dated_after_today_does_not_count_yet(ready):
    ready.start_date = timezone.localdate() + timedelta(days=30)
    ready.end_date = ready.start_date + timedelta(days=5)
    ready.save()
    ready.announcements.filter(channel="website").update(published_on=timezone.localdate() + timedelta(days=2))

    assert campaign_services.campaign_launch_problems(campaign=ready) == [
        not_published(ready, "City website news", "Finnish, Swedish")
    ]


def test_the_plan_states_each_channel_in_each_language(survey, manager, communications):
    campaign = build_campaign(survey, manager)
    deadline = campaign.start_date - timedelta(days=7)
    publish_planned_announcements(campaign, on=deadline, by=communications, languages=("fi",))
    campaign.announcements.filter(channel="press", language="sv").update(published_on=deadline + timedelta(days=1))

    plan = announcement_services.announcement_plan(campaign=campaign, today=campaign.start_date - timedelta(days=1))
    plan = {channel.channel.value: channel for channel in plan}

    assert [(value, channel.planned) for value, channel in plan.items()] == [
        ("website", True),
        ("press", True),
        ("social", False),
        ("newspaper", False),
        ("sms", False),
    ]
    assert [(p.language, p.state, p.published_on) for p in plan["website"].languages] == [
        ("fi", PublicationState.ON_TIME, deadline),
        ("sv", PublicationState.MISSING, None),
    ]
    assert [(p.language, p.state) for p in plan["press"].languages] == [
        ("fi", PublicationState.ON_TIME),
        ("sv", PublicationState.LATE),
    ]
    assert (plan["website"].state, plan["press"].state, plan["sms"].state) == (
        PublicationState.MISSING,
        PublicationState.LATE,
        PublicationState.MISSING,
    )


def test_the_launch_plan_says_which_channels_were_published_when(ready, communications):
    on = min(timezone.localdate(), ready.start_date - timedelta(days=7))  # as make_launch_ready publishes
    [sms_fi, _sms_sv] = ready.announcements.filter(channel="sms").order_by("language")
    announcement_services.announcement_publish(
        announcement=sms_fi, published_on=on - timedelta(days=1), by=communications
    )

    plan = launch_services.launch_plan(campaign=ready)

    assert [
        (channel.channel.value, [(p.language, p.published_on) for p in channel.published]) for channel in plan.announced
    ] == [
        ("website", [("fi", on), ("sv", on)]),
        ("press", [("fi", on), ("sv", on)]),
        ("sms", [("fi", on - timedelta(days=1))]),
    ]


@pytest.mark.parametrize(
    ("channels", "reason"),
    [
        (["website", "website"], "An announcement channel is planned twice."),
        (["website", "tv"], "Unknown announcement channel: tv."),
        ([], "This field cannot be blank."),
    ],
    ids=["twice", "unknown", "none"],
)
def test_a_plan_is_stored_as_chosen_or_refused_with_the_reason(survey, manager, channels, reason):
    with pytest.raises(ValidationError) as refused:
        build_campaign(survey, manager, announcement_channels=channels)

    assert refused.value.message_dict["announcement_channels"] == [reason]
    assert not Campaign.objects.exists()
