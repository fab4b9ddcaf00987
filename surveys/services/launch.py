"""The launch gate: every reason a campaign may not start yet, where each is fixed and by whom, what
the portal verifies itself instead of asking, and what a start will do.

The gate is asked before "mark ready" and again before the start; each answer is a `LaunchBlocker`
that names the page where it is fixed and the role that fixes it, since two of them (the residents'
page and the pre-announcements) belong to communications, whose pages a survey manager cannot open.
"""

import contextlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import django_rq
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from redis.exceptions import RedisError
from rq import Queue

from kuntaportaali.queueing import job_ids_lost
from kuntaportaali.roles import Role
from surveys import selectors
from surveys.calling_window import is_calling_day
from surveys.describe import calling_days_text, calling_hours_text
from surveys.errors import SurveyError
from surveys.languages import LANGUAGE_NAMES
from surveys.models import Campaign, LaunchChecklist
from surveys.models.campaign import DEMO_WINDOW_REAL_CALLS
from surveys.script import call_script
from surveys.telephony import provider_get

from .announcements import ChannelPlan, LanguagePublication, announcement_deadline, announcement_plan
from .campaign_cache import campaign_cache_key
from .notices import information_notice_placeholder_languages
from .sms import SmsChannelProblem, campaign_sms_channel

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# How long the campaign page trusts what the carrier said of the account and the caller number: that
# all is well, or a problem.
CARRIER_CHECK_SECONDS = 300
CARRIER_PROBLEM_SECONDS = 30
# The permission that opens the pages where each role fixes its blockers.
FIXER_PERMISSIONS = {
    Role.SURVEY_MANAGER: "surveys.manage_surveys",
    Role.COMMUNICATIONS: "surveys.publish_announcements",
}


@dataclass(frozen=True)
class LaunchBlocker:
    """One reason the campaign may not start, the page where it is fixed and the role that fixes it."""

    message: str
    fix_url: str
    fixer: Role

    @property
    def fix_permission(self) -> str:
        return FIXER_PERMISSIONS[self.fixer]


def campaign_launch_blockers(
    *, campaign: Campaign, today: date | None = None, carrier: list[str] | None = None
) -> list[LaunchBlocker]:
    """Every reason the campaign may not start now; empty when it may. `carrier`: what
    `carrier_problems` answered already, not to ask the carrier twice."""
    today = today or timezone.localdate()
    slug = {"slug": campaign.slug}
    edit = reverse("surveys:campaign-edit", kwargs=slug)
    announcements = reverse("surveys:campaign-announcements", kwargs=slug)
    checklist_url = reverse("surveys:campaign-checklist", kwargs=slug)
    manager, communications = Role.SURVEY_MANAGER, Role.COMMUNICATIONS
    blockers = []
    if not campaign.survey_version.questions.exists():
        survey = reverse("surveys:survey", kwargs={"slug": campaign.survey_version.survey.slug})
        blockers.append(LaunchBlocker(_("The survey has no questions."), survey, manager))
    if campaign.questions_published_at is None:
        blockers.append(
            LaunchBlocker(_("The questions are not published on the residents' page."), announcements, communications)
        )
    blockers += [
        LaunchBlocker(
            _("Edit the information notice (%(language)s): it still has the placeholder text.")
            % {"language": LANGUAGE_NAMES[language]},
            edit,
            manager,
        )
        for language in information_notice_placeholder_languages(campaign)
    ]
    if not selectors.callable_contacts(campaign).exists():
        blockers.append(
            LaunchBlocker(
                _("There are no numbers to call: import a contact list with numbers that have not opted out."),
                reverse("surveys:campaign-contacts", kwargs=slug),
                manager,
            )
        )
    blockers += announcement_blockers(campaign=campaign, today=today)
    checklist = LaunchChecklist.objects.filter(campaign=campaign).first()
    if checklist is None:
        blockers.append(LaunchBlocker(_("The launch checklist has not been confirmed."), checklist_url, manager))
    else:
        labels = {field.name: str(field.verbose_name) for field in LaunchChecklist._meta.get_fields()}
        blockers += [
            LaunchBlocker(_("Checklist item not confirmed: %(item)s") % {"item": labels[item]}, checklist_url, manager)
            for item in checklist.unconfirmed_items()
        ]
    if campaign.end_date < today:
        blockers.append(LaunchBlocker(_("The last calling day is already past."), edit, manager))
    elif not calling_days_left(campaign, today=today):
        blockers.append(LaunchBlocker(_("No calling day is left: check the calling days and weekdays."), edit, manager))
    if campaign.demo_window_on_real_calls:
        turn_off = _("Turn the setting off; calls are made in the campaign's calling hours.")
        blockers.append(LaunchBlocker(f"{DEMO_WINDOW_REAL_CALLS} {turn_off}", edit, manager))
    blockers += [LaunchBlocker(problem, edit, manager) for problem in sms_problems(campaign=campaign)]
    carrier = carrier_problems(campaign=campaign) if carrier is None else carrier
    return blockers + [LaunchBlocker(problem, edit, manager) for problem in carrier]


def announcement_blockers(*, campaign: Campaign, today: date) -> list[LaunchBlocker]:
    """One blocker per planned channel not yet published in every language of the survey, which
    communications fixes; and one per planned channel published too late in some language, which
    publishing cannot fix any more: the survey manager moves the start or takes the channel off the plan."""
    slug = {"slug": campaign.slug}
    days = settings.ANNOUNCEMENT_LEAD_DAYS
    deadline = announcement_deadline(campaign)
    blockers = []
    for channel in announcement_plan(campaign=campaign, today=today):
        if not channel.planned:
            continue
        if channel.missing:
            blockers.append(
                LaunchBlocker(
                    ngettext(
                        "Pre-announcement not published: %(channel)s (%(languages)s). Publish it by %(date)s, at "
                        "least %(days)d day before the start.",
                        "Pre-announcement not published: %(channel)s (%(languages)s). Publish it by %(date)s, at "
                        "least %(days)d days before the start.",
                        days,
                    )
                    % {
                        "channel": channel.label,
                        "languages": _language_list(channel.missing),
                        "date": date_format(deadline, "SHORT_DATE_FORMAT"),
                        "days": days,
                    },
                    reverse("surveys:campaign-announcements", kwargs=slug),
                    Role.COMMUNICATIONS,
                )
            )
        if channel.late:
            earliest_start = max(language.published_on for language in channel.late) + timedelta(days=days)
            blockers.append(
                LaunchBlocker(
                    ngettext(
                        "Pre-announcement published too late: %(channel)s (%(languages)s), less than %(days)d day "
                        "before the start. Move the first calling day to %(date)s or later, or take the channel "
                        "off the announcement plan.",
                        "Pre-announcement published too late: %(channel)s (%(languages)s), less than %(days)d days "
                        "before the start. Move the first calling day to %(date)s or later, or take the channel "
                        "off the announcement plan.",
                        days,
                    )
                    % {
                        "channel": channel.label,
                        "languages": _language_list(channel.late),
                        "date": date_format(earliest_start, "SHORT_DATE_FORMAT"),
                        "days": days,
                    },
                    reverse("surveys:campaign-edit", kwargs=slug),
                    Role.SURVEY_MANAGER,
                )
            )
    return blockers


def _language_list(publications: list[LanguagePublication]) -> str:
    return ", ".join(publication.language_name for publication in publications)


def carrier_problems_recent(*, campaign: Campaign) -> list[str]:
    """`carrier_problems` as found at most CARRIER_CHECK_SECONDS ago (a problem, CARRIER_PROBLEM_SECONDS
    ago): for the campaign's page, which would otherwise ask the carrier at every view (up to its timeout
    when the carrier does not answer). The start itself asks afresh. Kept per site (sites may share one
    Redis), campaign, provider, caller number and language."""
    key = campaign_cache_key(
        "carrier-problems", campaign, campaign.telephony_provider, campaign.caller_number, translation.get_language()
    )
    try:
        problems = cache.get(key)
    except RedisError:
        return carrier_problems(campaign=campaign)  # the cache is Redis: without it, the carrier is asked
    if problems is None:
        problems = carrier_problems(campaign=campaign)
        # A problem is looked at again soon: the page may have told the user to try again in a moment.
        with contextlib.suppress(RedisError):
            cache.set(key, problems, CARRIER_PROBLEM_SECONDS if problems else CARRIER_CHECK_SECONDS)
    return problems


def carrier_problems(*, campaign: Campaign) -> list[str]:
    """Why the campaign's carrier would not place its calls now: asked of the carrier itself
    (credentials, the account, the caller number) before the first call and before a resume."""
    try:
        provider = provider_get(campaign.telephony_provider)
    except ImproperlyConfigured as error:
        return [str(error)]
    return provider.launch_problems(caller_number=campaign.caller_number)


def sms_problems(*, campaign: Campaign) -> list[str]:
    """Why the campaign's SMS follow-up could not send its messages (`campaign_sms_channel`): the site
    names no SMS provider or no sender Finnish operators deliver, its provider (the simulator) reaches
    no one while the campaign's calls reach real people, or a simulated campaign could text real
    phones. Nothing when the campaign sends no messages."""
    if not campaign.sms_follow_up:
        return []
    try:
        campaign_sms_channel(campaign)
    except SmsChannelProblem as problem:
        return [_("SMS follow-up is on, but no text message can be sent: %(error)s") % {"error": problem}]
    return []


def calling_days_left(campaign: Campaign, *, today: date) -> list[date]:
    """The calling days from today (or the first calling day) to the last one."""
    day, days = max(campaign.start_date, today), []
    while day <= campaign.end_date:
        if is_calling_day(campaign, day):
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class VerifiedItem:
    """A lawfulness check the portal makes from the campaign's facts instead of asking a person."""

    message: str
    met: bool
    fix_url: str
    fixer: Role

    @property
    def fix_permission(self) -> str:
        return FIXER_PERMISSIONS[self.fixer]


def retention_periods_text(campaign: Campaign) -> str:
    """How long the campaign keeps the numbers and the answers, each in the singular for one."""
    days, months = campaign.number_retention_days, campaign.answer_retention_months
    numbers = ngettext(
        "numbers %(days)s day after the last calling day", "numbers %(days)s days after the last calling day", days
    ) % {"days": days}
    answers = ngettext("answers %(months)s month", "answers %(months)s months", months) % {"months": months}
    return f"{numbers}, {answers}"


def checklist_verified_items(*, campaign: Campaign) -> list[VerifiedItem]:
    """The checks of the launch checklist nobody ticks: they hold or not, whatever anyone says.

    The residents' page shows the caller number, the information notice and the opt-out page of
    every published campaign, and every call tells how to opt out; so what is left to verify is
    that the page is published and the notice was filled in."""
    published = campaign.questions_published_at is not None
    slug = {"slug": campaign.slug}
    announcements = reverse("surveys:campaign-announcements", kwargs=slug)
    edit = reverse("surveys:campaign-edit", kwargs=slug)
    notice_filled = not information_notice_placeholder_languages(campaign)
    return [
        VerifiedItem(
            _(
                "The information notice (controller, purpose, source of the numbers, retention, rights) is published "
                "on the residents' page (GDPR Art. 14)."
            ),
            published and notice_filled,
            announcements if notice_filled else edit,
            Role.COMMUNICATIONS if notice_filled else Role.SURVEY_MANAGER,
        ),
        VerifiedItem(
            _("The caller number is shown on the residents' page."), published, announcements, Role.COMMUNICATIONS
        ),
        VerifiedItem(
            _("Residents can opt out by phone (every call says how) and on the web (the residents' page links it)."),
            published,
            announcements,
            Role.COMMUNICATIONS,
        ),
        VerifiedItem(
            _("The retention periods are set: %(periods)s.") % {"periods": retention_periods_text(campaign)},
            True,
            edit,
            Role.SURVEY_MANAGER,
        ),
    ]


@dataclass(frozen=True)
class LaunchPlan:
    """What starting the campaign now will do: whom it calls, when, and about what it costs."""

    contacts: int
    first_day: date
    last_day: date
    calling_days: int
    days: str
    hours: str
    max_attempts: int
    minutes_per_call: int
    price_per_minute: Decimal
    # If every number answered once and listened to the whole call: unanswered calls cost nothing,
    # answering machines a started minute each.
    estimated_cost: Decimal
    budget_cap: Decimal | None
    # The channels the campaign was pre-announced in (planned or not) and when, in each language.
    announced: list[ChannelPlan]


def launch_plan(*, campaign: Campaign, today: date | None = None) -> LaunchPlan:
    today = today or timezone.localdate()
    contacts = selectors.callable_contacts(campaign).count()
    version = campaign.survey_version
    minutes = max(call_script(version, language=language).estimated_minutes for language in version.languages)
    days = calling_days_left(campaign, today=today)
    return LaunchPlan(
        contacts=contacts,
        first_day=days[0] if days else max(campaign.start_date, today),
        last_day=days[-1] if days else campaign.end_date,
        calling_days=len(days),
        days=calling_days_text(campaign),
        hours=calling_hours_text(campaign),
        max_attempts=campaign.max_attempts,
        minutes_per_call=minutes,
        price_per_minute=campaign.price_per_minute,
        estimated_cost=(contacts * minutes * campaign.price_per_minute).quantize(CENT),
        budget_cap=campaign.budget_cap,
        announced=[channel for channel in announcement_plan(campaign=campaign, today=today) if channel.published],
    )


def communications_users() -> list:
    """The communications team, who fix the residents' page and the pre-announcements, with an
    address to write to (administrators may too, but are not the ones asked)."""
    users = get_user_model().objects.filter(groups__name=Role.COMMUNICATIONS.value, is_active=True)
    return list(users.exclude(email="").order_by("pk"))


def communications_blockers(*, campaign: Campaign) -> list[LaunchBlocker]:
    # The carrier is not asked: none of its answers is communications' to fix.
    return [
        blocker
        for blocker in campaign_launch_blockers(campaign=campaign, carrier=[])
        if blocker.fixer == Role.COMMUNICATIONS
    ]


LAUNCH_BLOCKERS_MAIL_QUEUE = "email"
LAUNCH_BLOCKERS_MAIL_JOB = "surveys.jobs.mail_launch_blockers"
# An email to communications still owed this long after it was asked for, whose job is gone from Redis or
# failed (the mail server out), is queued again (`launch_blockers_mails_recover`).
LAUNCH_BLOCKERS_MAIL_OVERDUE_AFTER = timedelta(minutes=10)


def launch_blockers_mail_job_id(campaign_id: int) -> str:
    """One job id per campaign: the sweep can ask Redis whether the email's job is still to run."""
    return f"launch-blockers-mail-{campaign_id}"


def launch_blockers_notify(*, campaign: Campaign, by) -> int:
    """Ask communications (by email, from a worker) to fix what of the launch gate is theirs; returns
    how many people are written to. The email is owed (`Campaign.communications_asked_at`) until sent."""
    if not communications_blockers(campaign=campaign):
        raise SurveyError.of("launch_nothing_for_communications")
    recipients = communications_users()
    if not recipients:
        raise SurveyError.of("launch_communications_no_email")
    asked_at = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(communications_asked_by=by, communications_asked_at=asked_at)
    try:
        django_rq.get_queue(LAUNCH_BLOCKERS_MAIL_QUEUE).enqueue(
            LAUNCH_BLOCKERS_MAIL_JOB, campaign.pk, by.pk, job_id=launch_blockers_mail_job_id(campaign.pk)
        )
    except RedisError:
        # Refused now, with the reason: the manager asks again, and nothing is owed behind their back.
        Campaign.objects.filter(pk=campaign.pk, communications_asked_at=asked_at).update(
            communications_asked_by=None, communications_asked_at=None
        )
        raise SurveyError.of("launch_mail_not_queued") from None
    return len(recipients)


def launch_blockers_tell(*, campaign_id: int, requested_by_id: int) -> int:
    """Send communications the email a manager asked for, if it is still owed; returns how many people
    were written to (none when it is not owed any more, or nothing is left for them)."""
    campaign = Campaign.objects.filter(pk=campaign_id, communications_asked_at__isnull=False).first()
    if campaign is None:
        return 0
    requested_by = get_user_model().objects.filter(pk=requested_by_id).first()
    sent = launch_blockers_mail(campaign=campaign, requested_by=requested_by) if requested_by is not None else 0
    # Only the request told of: one made meanwhile still owes its own email.
    Campaign.objects.filter(pk=campaign.pk, communications_asked_at=campaign.communications_asked_at).update(
        communications_asked_by=None, communications_asked_at=None
    )
    return sent


def launch_blockers_mails_recover(*, now: datetime | None = None) -> int:
    """Queue again the emails to communications still owed LAUNCH_BLOCKERS_MAIL_OVERDUE_AFTER after they
    were asked for whose job will not run: gone from Redis, or ended without sending it (it failed);
    returns how many. A job still waiting in the queue is left to run."""
    now = now or timezone.now()
    owed = dict(
        Campaign.objects.filter(communications_asked_at__lte=now - LAUNCH_BLOCKERS_MAIL_OVERDUE_AFTER).values_list(
            "pk", "communications_asked_by"
        )
    )
    if not owed:
        return 0
    queue = django_rq.get_queue(LAUNCH_BLOCKERS_MAIL_QUEUE)
    job_ids = {campaign_id: launch_blockers_mail_job_id(campaign_id) for campaign_id in owed}
    lost = job_ids_lost(list(job_ids.values()), connection=queue.connection)
    again = [campaign_id for campaign_id, job_id in job_ids.items() if job_id in lost]
    if not again:
        return 0
    for campaign_id in again:
        queue.failed_job_registry.remove(job_ids[campaign_id])  # queued again, no longer a failure to look at
    # At once (enqueue_many bypasses django-rq's on-commit hold): nothing here waits for a commit.
    queue.enqueue_many(
        [
            Queue.prepare_data(LAUNCH_BLOCKERS_MAIL_JOB, (campaign_id, owed[campaign_id]), job_id=job_ids[campaign_id])
            for campaign_id in again
        ]
    )
    logger.warning("The emails to communications of %d campaigns were lost; queued again.", len(again))
    return len(again)


def launch_blockers_mail(*, campaign: Campaign, requested_by) -> int:
    """Write to communications what of the launch gate is theirs, as it stands now; returns how many
    people were written to (none when nothing is left for them)."""
    with translation.override(settings.LANGUAGE_CODE):
        blockers = communications_blockers(campaign=campaign)
        if not blockers:
            return 0
        subject = _("The campaign %(campaign)s waits for communications") % {"campaign": campaign.name}
        body = "\n\n".join(
            [
                _("%(who)s asks you to fix these so that the campaign %(campaign)s can start calling on %(date)s:")
                % {
                    "who": requested_by.get_full_name() or requested_by.get_username(),
                    "campaign": campaign.name,
                    "date": date_format(campaign.start_date, "SHORT_DATE_FORMAT"),
                },
                *(f"- {blocker.message}\n  {settings.PUBLIC_BASE_URL}{blocker.fix_url}" for blocker in blockers),
            ]
        )
    recipients = [user.email for user in communications_users()]
    if recipients:
        send_mail(subject, body, None, recipients)
    return len(recipients)
