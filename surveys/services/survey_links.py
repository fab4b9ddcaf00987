"""Personal links to the web survey: unique, unguessable, expiring, on the portal's own address.

A link's token is 128 random bits; only its SHA-256 is stored, so the token exists only in the
message that carried it. A link opens while it is valid and its campaign runs (or is paused):
afterwards it answers that it has closed, and an unknown token that it does not exist - neither
says anything of a person or a survey.
"""

import hashlib
import secrets
from datetime import datetime, time, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from surveys.errors import SurveyError
from surveys.models import Campaign, CampaignStatus, Contact, SurveyLink

TOKEN_BYTES = 16
# Stands for a token in a message shown before any is sent: as long as a real one, so the preview's
# parts are the message's.
EXAMPLE_TOKEN = "x" * len(secrets.token_urlsafe(TOKEN_BYTES))
# A link is sent while the campaign calls; it may be answered while the campaign has not ended.
OPEN_CAMPAIGN_STATUSES = (CampaignStatus.RUNNING, CampaignStatus.PAUSED)


class LinkUnknown(SurveyError):
    """No link has this token."""


class LinkClosed(SurveyError):
    """The link has expired, or its campaign has ended."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_link_expiry(campaign: Campaign, now: datetime) -> datetime:
    """When a link of the campaign made at `now` closes: at the end of the SMS_LINK_VALID_DAYS-th day
    after, local time, or of the last day the campaign's numbers are kept when that comes first (the
    purge deletes the links with them). Its message names that day as the last one to answer on, so
    the link opens all through it."""
    from .privacy import campaign_numbers_expire_on

    last_day = min(
        timezone.localtime(now).date() + timedelta(days=settings.SMS_LINK_VALID_DAYS),
        campaign_numbers_expire_on(campaign),
    )
    return timezone.make_aware(datetime.combine(last_day, time.max))


def survey_link_create(*, contact: Contact, now: datetime | None = None) -> str:
    """A new link for the contact (replacing any earlier one), open until the end of the
    SMS_LINK_VALID_DAYS-th day, or of the campaign's last day of numbers (`survey_link_expiry`);
    returns its token, which is not stored anywhere."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    SurveyLink.objects.update_or_create(
        contact=contact,
        defaults={"token_hash": _token_hash(token), "expires_at": survey_link_expiry(contact.campaign, now)},
    )
    return token


def survey_link_url(*, token: str, language: str) -> str:
    """The link's address on the portal's own domain, in the respondent's language."""
    with translation.override(language):
        return settings.PUBLIC_BASE_URL + reverse("surveys-public:web-survey", kwargs={"link": token})


def survey_link_open(*, token: str, now: datetime | None = None) -> SurveyLink:
    """The link of `token`, with its contact, campaign and survey. Raises LinkUnknown or LinkClosed."""
    link = (
        SurveyLink.objects.select_related("contact__campaign__survey_version__survey")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if link is None:
        raise LinkUnknown()
    if link.expires_at <= (now or timezone.now()) or link.contact.campaign.status not in OPEN_CAMPAIGN_STATUSES:
        raise LinkClosed()
    return link
