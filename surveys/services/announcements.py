"""Pre-announcements: a ready text per channel and language, filled from the campaign, which
communications edits and marks published. The launch gate reads the publish dates."""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from surveys.describe import caller_number_text, calling_days_text, calling_hours_text
from surveys.errors import SurveyError
from surveys.models import Announcement, AnnouncementChannel, Campaign


def announcement_default_text(*, campaign: Campaign, channel: str, language: str) -> str:
    with translation.override(language):
        facts = {
            "organiser": campaign.survey_version.survey.organiser,
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
                existing[(channel, language)] = Announcement.objects.create(
                    campaign=campaign,
                    channel=channel,
                    language=language,
                    text=announcement_default_text(campaign=campaign, channel=channel, language=language),
                )
    return sorted(existing.values(), key=lambda a: (AnnouncementChannel.values.index(a.channel), a.language))


def announcement_update(*, announcement: Announcement, text: str) -> Announcement:
    if not text.strip():
        raise SurveyError(_("The announcement text is empty."))
    announcement.text = text.strip()
    announcement.save(update_fields=["text", "updated_at"])
    return announcement


def announcement_publish(*, announcement: Announcement, published_on: date, by) -> Announcement:
    announcement.published_on = published_on
    announcement.published_by = by
    announcement.save(update_fields=["published_on", "published_by", "updated_at"])
    return announcement
