"""Pre-announcements: a ready text per channel and language, filled from the campaign, which
communications edits and marks published. The campaign plans its channels; the launch gate reads the
publish dates of the planned ones (`announcement_plan`).

Each announcement keeps the text last generated for it. When the campaign's facts change, an
unpublished text nobody edited follows them at once; an edited or published one is left to
communications and is out of date: its generated text is not what the facts give now.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from surveys.describe import caller_number_text, calling_days_text, calling_hours_text
from surveys.errors import SurveyError
from surveys.languages import LANGUAGE_NAMES
from surveys.models import Announcement, AnnouncementChannel, Campaign, Survey
from surveys.models.announcement import comparable_text


def announcement_default_text(*, campaign: Campaign, channel: str, language: str) -> str:
    with translation.override(language):
        facts = {
            "organiser": campaign.survey_version.survey.localized("organiser", language),
            "title": campaign.survey_version.localized("title", language),
            "start": date_format(campaign.start_date, "SHORT_DATE_FORMAT"),
            "end": date_format(campaign.end_date, "SHORT_DATE_FORMAT"),
            "days": calling_days_text(campaign),
            "hours": calling_hours_text(campaign),
            "number": caller_number_text(campaign),
            "page": settings.PUBLIC_BASE_URL + reverse("surveys-public:campaign", kwargs={"slug": campaign.slug}),
            "opt_out": settings.PUBLIC_BASE_URL + reverse("surveys-public:index"),
        }
        if channel == AnnouncementChannel.SMS:
            return (
                _(
                    "%(organiser)s will call residents %(start)s-%(end)s from %(number)s for a short phone survey. "
                    "Questions and opting out: %(page)s"
                )
                % facts
            )
        lines = [
            _("%(organiser)s calls residents: %(title)s") % facts,
            "",
            _(
                "Between %(start)s and %(end)s, %(organiser)s will call residents with an automated phone "
                "survey, %(days)s, at %(hours)s. The calls come from the number %(number)s."
            )
            % facts,
            campaign.survey_version.localized("purpose", language),
            _("Answering takes a few minutes and is voluntary. The questions can be read in advance at %(page)s.")
            % facts,
            _("If you do not want to be called, you can say so during the call or on the page %(opt_out)s.") % facts,
        ]
        if channel == AnnouncementChannel.SOCIAL:
            lines.append(_("#residentsurvey"))
        return "\n".join(lines)


@transaction.atomic
def announcements_ensure(*, campaign: Campaign) -> list[Announcement]:
    """One announcement per channel and survey language, with a ready text where none exists yet."""
    existing = {(a.channel, a.language): a for a in campaign.announcements.all()}
    for channel in AnnouncementChannel.values:
        for language in campaign.survey_version.languages:
            if (channel, language) not in existing:
                text = announcement_default_text(campaign=campaign, channel=channel, language=language)
                existing[(channel, language)] = Announcement.objects.create(
                    campaign=campaign, channel=channel, language=language, text=text, generated_text=text
                )
    return sorted(existing.values(), key=_channel_order)


def announcement_update(*, announcement: Announcement, text: str) -> Announcement:
    if not text.strip():
        raise SurveyError.of("announcement_empty")
    announcement.text = comparable_text(text)
    announcement.save(update_fields=["text", "updated_at"])
    return announcement


def announcement_publish(*, announcement: Announcement, published_on: date, by) -> Announcement:
    announcement.published_on = published_on
    announcement.published_by = by
    announcement.save(update_fields=["published_on", "published_by", "updated_at"])
    return announcement


def announcement_is_out_of_date(announcement: Announcement) -> bool:
    """Whether the campaign's facts changed after the text was generated."""
    return comparable_text(announcement.generated_text) != comparable_text(_current_default_text(announcement))


def announcements_out_of_date(*, campaign: Campaign) -> list[Announcement]:
    announcements = campaign.announcements.select_related("published_by")
    return sorted(
        (announcement for announcement in announcements if announcement_is_out_of_date(announcement)),
        key=_channel_order,
    )


@transaction.atomic
def announcements_follow_campaign(*, campaign: Campaign) -> None:
    """Call after the campaign's facts may have changed. An unpublished text nobody edited takes the
    new facts at once; an edited or published one is kept, as communications chose its words or it
    has already gone out, and stays out of date until communications replaces it."""
    for announcement in campaign.announcements.select_for_update().order_by("pk"):
        if (
            announcement.published_on is None
            and not announcement.is_edited
            and announcement_is_out_of_date(announcement)
        ):
            announcement_replace_with_current(announcement=announcement)


def announcements_follow_survey(*, survey: Survey) -> None:
    """Call after the survey's organiser (in any language), title or purpose may have changed: every
    campaign of the survey states them (one on an older, frozen version still states the organiser)."""
    for campaign in Campaign.objects.filter(survey_version__survey=survey).select_related("survey_version__survey"):
        announcements_follow_campaign(campaign=campaign)


def announcement_replace_with_current(*, announcement: Announcement) -> Announcement:
    """The text generated from the campaign's current facts, replacing any edits. A publication
    record stays: it tells when the announcement went out, which the launch gate counts."""
    announcement.text = announcement.generated_text = _current_default_text(announcement)
    announcement.save(update_fields=["text", "generated_text", "updated_at"])
    return announcement


def announcement_keep_text(*, announcement: Announcement) -> Announcement:
    """Communications checked the text against the campaign's current facts and keeps it as it is:
    it is no longer out of date, and stays an edited text that no later change overwrites."""
    announcement.generated_text = _current_default_text(announcement)
    announcement.save(update_fields=["generated_text", "updated_at"])
    return announcement


def _current_default_text(announcement: Announcement) -> str:
    return announcement_default_text(
        campaign=announcement.campaign, channel=announcement.channel, language=announcement.language
    )


def _channel_order(announcement: Announcement) -> tuple[int, str]:
    return AnnouncementChannel.values.index(announcement.channel), announcement.language


class PublicationState(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"  # published, but less than ANNOUNCEMENT_LEAD_DAYS before the first calling day
    MISSING = "missing"  # not published (a date still to come is not a publication yet)


@dataclass(frozen=True)
class LanguagePublication:
    """A channel's pre-announcement in one language of the survey; `announcement` is None until
    communications opens the campaign's announcements."""

    language: str
    announcement: Announcement | None
    state: PublicationState

    @property
    def language_name(self) -> str:
        return str(LANGUAGE_NAMES[self.language])

    @property
    def published_on(self) -> date | None:
        return self.announcement.published_on if self.state != PublicationState.MISSING else None


@dataclass(frozen=True)
class ChannelPlan:
    """Whether a channel is planned for the campaign and how it stands in each language of the survey."""

    channel: AnnouncementChannel
    planned: bool
    languages: tuple[LanguagePublication, ...]

    @property
    def label(self) -> str:
        return str(self.channel.label)

    def in_state(self, state: PublicationState) -> list[LanguagePublication]:
        return [language for language in self.languages if language.state == state]

    @property
    def missing(self) -> list[LanguagePublication]:
        return self.in_state(PublicationState.MISSING)

    @property
    def late(self) -> list[LanguagePublication]:
        return self.in_state(PublicationState.LATE)

    @property
    def published(self) -> list[LanguagePublication]:
        """The languages it came out in, in time or late."""
        return [language for language in self.languages if language.state != PublicationState.MISSING]

    @property
    def state(self) -> PublicationState:
        """The channel's state as a whole: missing while a language is, late while a language is."""
        for state in (PublicationState.MISSING, PublicationState.LATE):
            if self.in_state(state):
                return state
        return PublicationState.ON_TIME


def announcement_deadline(campaign: Campaign) -> date:
    """The last day a pre-announcement counts: ANNOUNCEMENT_LEAD_DAYS before the first calling day."""
    return campaign.start_date - timedelta(days=settings.ANNOUNCEMENT_LEAD_DAYS)


def announcement_plan(*, campaign: Campaign, today: date | None = None) -> list[ChannelPlan]:
    """Every channel, planned or not, with the state of its pre-announcement in each language of the
    survey version: published in time (by `announcement_deadline`), late, or missing."""
    today = today or timezone.localdate()
    deadline = announcement_deadline(campaign)
    stored = {(a.channel, a.language): a for a in campaign.announcements.select_related("published_by")}

    def publication(channel: str, language: str) -> LanguagePublication:
        announcement = stored.get((channel, language))
        published_on = announcement.published_on if announcement else None
        if published_on is None or published_on > today:
            state = PublicationState.MISSING
        elif published_on <= deadline:
            state = PublicationState.ON_TIME
        else:
            state = PublicationState.LATE
        return LanguagePublication(language=language, announcement=announcement, state=state)

    return [
        ChannelPlan(
            channel=channel,
            planned=channel.value in campaign.announcement_channels,
            languages=tuple(publication(channel.value, language) for language in campaign.survey_version.languages),
        )
        for channel in AnnouncementChannel
    ]
