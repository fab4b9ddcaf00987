"""Campaigns: their settings, the launch checklist and the status machine.

draft -> ready -> running <-> paused -> completed, and cancelled from any unfinished state.
Every change is recorded with who and when; marking ready and starting go through the launch gate
(`launch.py`).
"""

import logging
from datetime import date, datetime, timedelta

import django_rq
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from redis.exceptions import RedisError
from rq import Queue

from kuntaportaali.queueing import job_ids_lost
from kuntaportaali.slugs import unique_slug
from surveys.errors import LaunchRefused, SurveyError
from surveys.languages import LANGUAGE_NAMES
from surveys.models import Campaign, CampaignStatus, CampaignStatusChange, LaunchChecklist
from surveys.phone_numbers import InvalidPhoneNumber, phone_is_finnish, phone_normalise
from surveys.telephony import ProviderError

from .announcements import announcements_follow_campaign, announcements_out_of_date
from .launch import campaign_launch_blockers, carrier_problems
from .pacing import young_first_without_groups
from .quotas import campaign_quota_plan
from .surveys import version_freeze

logger = logging.getLogger(__name__)
S = CampaignStatus
TRANSITIONS = {
    S.DRAFT: {S.READY, S.CANCELLED},
    S.READY: {S.DRAFT, S.RUNNING, S.CANCELLED},
    S.RUNNING: {S.PAUSED, S.COMPLETED, S.CANCELLED},
    S.PAUSED: {S.RUNNING, S.COMPLETED, S.CANCELLED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
}
# No transition leaves these: reaching one ends the campaign's calling for good.
FINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
EDITABLE_STATUSES = {S.DRAFT, S.READY}


def caller_number_check(*, raw_number: str, override_reason: str, by) -> str:
    """The caller number in E.164. A foreign number needs an administrator's written reason:
    residents do not answer foreign-looking numbers and operators block foreign calls showing
    Finnish ones."""
    from kuntaportaali.roles import user_is_portal_admin

    try:
        number = phone_normalise(raw_number)
    except InvalidPhoneNumber as error:
        raise SurveyError.of("caller_number_invalid", reason=error) from None
    if not phone_is_finnish(number):
        if not user_is_portal_admin(by):
            raise SurveyError.of("caller_number_not_finnish")
        if not override_reason.strip():
            raise SurveyError.of("caller_number_override_reason_missing")
    return number


@transaction.atomic
def campaign_create(
    *, by, caller_number: str, caller_number_override_reason: str = "", slug: str = "", **fields
) -> Campaign:
    """An empty `slug` is made from the campaign's name, unique among the campaigns."""
    slug = slug or unique_slug(
        fields.get("name", ""), model=Campaign, max_length=Campaign._meta.get_field("slug").max_length
    )
    if not slug:
        raise SurveyError.of("campaign_slug_empty")
    number = caller_number_check(raw_number=caller_number, override_reason=caller_number_override_reason, by=by)
    campaign = Campaign(
        slug=slug,
        created_by=by,
        caller_number=number,
        caller_number_override_reason="" if phone_is_finnish(number) else caller_number_override_reason,
        caller_number_override_by=None if phone_is_finnish(number) else by,
        **fields,
    )
    campaign.full_clean()
    campaign.save()
    CampaignStatusChange.objects.create(campaign=campaign, to_status=campaign.status, changed_by=by)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, by, caller_number: str, caller_number_override_reason: str = "", **fields):
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in EDITABLE_STATUSES:
        raise SurveyError.of("campaign_not_editable")
    version_changes = "survey_version" in fields and fields["survey_version"] != campaign.survey_version
    if version_changes and campaign.status != S.DRAFT:
        raise SurveyError.of("campaign_version_fixed")
    if _keeps_approved_number(campaign, caller_number, caller_number_override_reason):
        # An administrator already allowed this foreign number; other settings stay editable by its managers.
        number = campaign.caller_number
    else:
        number = caller_number_check(raw_number=caller_number, override_reason=caller_number_override_reason, by=by)
    if number != campaign.caller_number or caller_number_override_reason != campaign.caller_number_override_reason:
        foreign = not phone_is_finnish(number)
        campaign.caller_number = number
        campaign.caller_number_override_reason = caller_number_override_reason if foreign else ""
        campaign.caller_number_override_by = by if foreign else None
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    announcements_follow_campaign(campaign=campaign)
    return campaign


def _keeps_approved_number(campaign: Campaign, raw_number: str, override_reason: str) -> bool:
    if campaign.caller_number_override_by_id is None or override_reason != campaign.caller_number_override_reason:
        return False
    try:
        return phone_normalise(raw_number) == campaign.caller_number
    except InvalidPhoneNumber:
        return False


def campaign_publish_questions(*, campaign: Campaign, by) -> Campaign:
    if campaign.status == S.CANCELLED:
        raise SurveyError.of("campaign_cancelled_not_published")
    if not campaign.survey_version.questions.exists():
        raise SurveyError.of("campaign_no_questions_to_publish")
    if campaign.questions_published_at is None:
        campaign.questions_published_at = timezone.now()
        campaign.questions_published_by = by
        campaign.save(update_fields=["questions_published_at", "questions_published_by"])
    return campaign


@transaction.atomic
def checklist_confirm(*, campaign: Campaign, by, **items: bool) -> LaunchChecklist:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in EDITABLE_STATUSES:
        # What was confirmed before the first call is evidence; it is not rewritten afterwards.
        raise SurveyError.of("campaign_checklist_fixed", status=campaign.get_status_display().lower())
    checklist, _created = LaunchChecklist.objects.update_or_create(
        campaign=campaign,
        defaults={**{item: bool(items.get(item)) for item in LaunchChecklist.ITEMS}, "confirmed_by": by},
    )
    return checklist


def campaign_launch_problems(
    *, campaign: Campaign, today: date | None = None, carrier: list[str] | None = None
) -> list[str]:
    """Every reason the campaign may not start now, in words; empty when it may (see
    `campaign_launch_blockers` for where each is fixed)."""
    return [blocker.message for blocker in campaign_launch_blockers(campaign=campaign, today=today, carrier=carrier)]


# What the carrier's (or the SMS provider's) refusal left on a campaign, cleared when it resumes.
CARRIER_PROBLEM_FIELDS = (
    "carrier_problem",
    "carrier_problem_code",
    "carrier_problem_at",
    "carrier_problem_in_messages",
)


def campaign_pause_for_carrier(
    *, campaign: Campaign, error: ProviderError, in_messages: bool = False, attempted_at: datetime | None = None
) -> Campaign:
    """The carrier refused a call (or the SMS provider a text message: `in_messages`) for a reason of
    the account or its set-up: every one would fail alike, so calling pauses with the reason on the
    campaign's page, and its managers are told. `attempted_at`: when the refused call or message was
    made, for a refusal that comes later (a message's status report); one made before the campaign was
    last resumed tells of the set-up the managers have since fixed, and changes nothing."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update(no_key=True).get(pk=campaign.pk)
        if campaign.status in (S.COMPLETED, S.CANCELLED):
            # A refusal that comes after the end (a message's report, a call placed just before) has
            # nothing left to pause, and the ended campaign's page must not say calling was paused.
            logger.warning("Campaign %s had ended when the carrier refused: %s", campaign.pk, error)
            return campaign
        if (
            attempted_at is not None
            and CampaignStatusChange.objects.filter(
                campaign=campaign, from_status=S.PAUSED, to_status=S.RUNNING, changed_at__gt=attempted_at
            ).exists()
        ):
            logger.warning("Campaign %s was resumed after the refused attempt was made: %s", campaign.pk, error)
            return campaign
        campaign.carrier_problem, campaign.carrier_problem_code = str(error), error.code
        campaign.carrier_problem_at, campaign.carrier_problem_in_messages = timezone.now(), in_messages
        campaign.save(update_fields=CARRIER_PROBLEM_FIELDS)
        if campaign.status != S.RUNNING:
            return campaign
        CampaignStatusChange.objects.create(
            campaign=campaign, from_status=campaign.status, to_status=S.PAUSED, changed_by=None, note=str(error)
        )
        campaign.status, campaign.carrier_problem_mail_owed = S.PAUSED, True
        campaign.save(update_fields=["status", "carrier_problem_mail_owed"])
        transaction.on_commit(lambda: _carrier_problem_mail_enqueue(campaign.pk))
    logger.warning("Campaign %s paused: the carrier refused its calls: %s", campaign.pk, error)
    return campaign


def campaign_managers(campaign: Campaign) -> list:
    """Who runs the campaign: its creator and everyone who may manage surveys."""
    users = (
        get_user_model()
        .objects.with_perm("surveys.manage_surveys", backend="django.contrib.auth.backends.ModelBackend")
        .filter(is_active=True)
    )
    return list({user.pk: user for user in [campaign.created_by, *users] if user.is_active and user.email}.values())


CARRIER_PROBLEM_MAIL_QUEUE = "email"
CARRIER_PROBLEM_MAIL_JOB = "surveys.jobs.mail_carrier_problem"
# An email still owed this long after the pause whose job is gone from Redis, or failed (the mail server
# out), is queued again (`carrier_problem_mails_recover`).
CARRIER_PROBLEM_MAIL_OVERDUE_AFTER = timedelta(minutes=10)


def carrier_problem_mail_job_id(campaign_id: int) -> str:
    """One job id per campaign: the sweep can ask Redis whether the email's job is still to run."""
    return f"carrier-problem-mail-{campaign_id}"


def _carrier_problem_mail_enqueue(campaign_id: int) -> None:
    # Sent by a worker: a slow mail server must not hold up the carrier's webhook or the call job.
    try:
        django_rq.get_queue(CARRIER_PROBLEM_MAIL_QUEUE).enqueue(
            CARRIER_PROBLEM_MAIL_JOB, campaign_id, job_id=carrier_problem_mail_job_id(campaign_id)
        )
    except RedisError as error:
        logger.error(
            "The managers of campaign %s were not told yet that calling paused; they will be once Redis answers: %s",
            campaign_id,
            error,
        )


def carrier_problem_tell(*, campaign_id: int) -> bool:
    """Send the campaign's managers the email its pause for the carrier's refusal owes them; False when
    none is owed (sent already, or calling resumed or ended meanwhile)."""
    campaign = Campaign.objects.filter(pk=campaign_id, status=S.PAUSED, carrier_problem_mail_owed=True).first()
    if campaign is None:
        return False
    carrier_problem_mail(campaign=campaign)
    # Only the pause told of: one that came after a resume meanwhile still owes its own email.
    Campaign.objects.filter(pk=campaign.pk, carrier_problem_at=campaign.carrier_problem_at).update(
        carrier_problem_mail_owed=False
    )
    return True


def carrier_problem_mails_recover(*, now: datetime | None = None) -> int:
    """Queue again the emails of the paused campaigns still owed CARRIER_PROBLEM_MAIL_OVERDUE_AFTER after
    the pause whose job will not run: gone from Redis (restarted without its data, or out of reach as it
    was queued) or ended without sending it (it failed); returns how many. A job still waiting in the
    queue is left to run."""
    now = now or timezone.now()
    owed = Campaign.objects.filter(
        status=S.PAUSED,
        carrier_problem_mail_owed=True,
        carrier_problem_at__lte=now - CARRIER_PROBLEM_MAIL_OVERDUE_AFTER,
    )
    job_ids = {
        campaign_id: carrier_problem_mail_job_id(campaign_id) for campaign_id in owed.values_list("pk", flat=True)
    }
    if not job_ids:
        return 0
    queue = django_rq.get_queue(CARRIER_PROBLEM_MAIL_QUEUE)
    lost = job_ids_lost(list(job_ids.values()), connection=queue.connection)
    again = [campaign_id for campaign_id, job_id in job_ids.items() if job_id in lost]
    if not again:
        return 0
    for campaign_id in again:
        queue.failed_job_registry.remove(job_ids[campaign_id])  # queued again, no longer a failure to look at
    # At once (enqueue_many bypasses django-rq's on-commit hold): nothing here waits for a commit.
    queue.enqueue_many(
        [
            Queue.prepare_data(CARRIER_PROBLEM_MAIL_JOB, (campaign_id,), job_id=job_ids[campaign_id])
            for campaign_id in again
        ]
    )
    logger.warning("The carrier problem emails of %d paused campaigns were lost; queued again.", len(again))
    return len(again)


def carrier_problem_mail(*, campaign: Campaign) -> None:
    """Tell the campaign's managers why the portal paused its calling and what to do."""
    with translation.override(settings.LANGUAGE_CODE):
        link = settings.PUBLIC_BASE_URL + reverse("surveys:campaign", kwargs={"slug": campaign.slug})
        subject = _("Calling paused: %(campaign)s") % {"campaign": campaign.name}
        body = "\n\n".join(
            [
                (
                    _(
                        "The SMS provider refused the text message of the campaign %(campaign)s for a reason of "
                        "the account or its set-up, not of the number messaged, so calling has been paused. No "
                        "number lost an attempt."
                    )
                    if campaign.carrier_problem_in_messages
                    else _(
                        "The carrier refused the calls of the campaign %(campaign)s for a reason of the account or "
                        "its set-up, not of the numbers called, so calling has been paused. No number lost an attempt."
                    )
                )
                % {"campaign": campaign.name},
                _("The carrier answered: %(problem)s") % {"problem": campaign.carrier_problem},
                (
                    _(
                        "Fix the SMS provider account (credentials, the sender, the regions it may text), then "
                        "resume the campaign on its page: %(link)s"
                    )
                    if campaign.carrier_problem_in_messages
                    else _("Fix the carrier account, then resume the campaign on its page: %(link)s")
                )
                % {"link": link},
            ]
        )
    recipients = [user.email for user in campaign_managers(campaign)]
    if recipients:
        send_mail(subject, body, None, recipients)


def campaign_launch_warnings(*, campaign: Campaign) -> list[str]:
    """What whoever starts the campaign should know but which does not stop it: quotas that no
    group has, young-first without age groups, and published pre-announcements stating facts the
    campaign has since changed."""
    return (
        _quota_warnings(campaign)
        + _young_first_warnings(campaign)
        + [
            _(
                "The pre-announcement %(channel)s (%(language)s) published on %(date)s states facts the campaign "
                "has since changed; the published text needs correcting."
            )
            % {
                "channel": announcement.get_channel_display(),
                "language": LANGUAGE_NAMES[announcement.language],
                "date": date_format(announcement.published_on, "SHORT_DATE_FORMAT"),
            }
            for announcement in announcements_out_of_date(campaign=campaign)
            if announcement.published_on is not None
        ]
    )


def _quota_warnings(campaign: Campaign) -> list[str]:
    if not campaign.quotas_enabled:
        return []
    plan = campaign_quota_plan(campaign)
    if plan.dimensions:
        return []
    return [
        " ".join(
            [_("Quotas are on, but no group has a quota, so they stop no calls:"), *plan.left_out],
        )
    ]


def _young_first_warnings(campaign: Campaign) -> list[str]:
    if not young_first_without_groups(campaign):
        return []
    return [
        _(
            "Young first is on, but the population targets have no age groups to work with (each age group's "
            "name must begin with its youngest age, e.g. 18–29), so the numbers are called in import order."
        )
    ]


def campaign_transition(*, campaign: Campaign, to: str, by, note: str = "") -> Campaign:
    # The carrier is asked before the campaign is locked: its answer may take seconds, which the
    # dial tick (waiting for the same lock) should not.
    carrier = carrier_problems(campaign=campaign) if S(to) in (S.READY, S.RUNNING) else []
    return _campaign_transition(campaign=campaign, to=to, by=by, note=note, carrier=carrier)


@transaction.atomic
def _campaign_transition(*, campaign: Campaign, to: str, by, note: str, carrier: list[str]) -> Campaign:
    # NO KEY: the calls of the campaign still store their consent events and responses meanwhile.
    campaign = Campaign.objects.select_for_update(no_key=True).get(pk=campaign.pk)
    current = S(campaign.status)
    target = S(to)
    if target == current:
        return campaign
    if target not in TRANSITIONS[current]:
        raise SurveyError.of("campaign_transition_refused", current=current.label, target=target.label)
    first_start = target == S.RUNNING and current == S.READY
    # Ready means that only the start is left, so the gate is asked then as well as at the start.
    if target == S.READY or first_start:
        problems = campaign_launch_problems(campaign=campaign, carrier=carrier)
        if problems:
            raise LaunchRefused(problems)
    if first_start:
        version_freeze(version=campaign.survey_version)
    if target == S.RUNNING and current == S.PAUSED:
        if carrier:
            raise LaunchRefused(carrier)
        campaign.carrier_problem, campaign.carrier_problem_code, campaign.carrier_problem_at = "", None, None
        campaign.carrier_problem_in_messages = campaign.carrier_problem_mail_owed = False
        campaign.save(update_fields=[*CARRIER_PROBLEM_FIELDS, "carrier_problem_mail_owed"])
    CampaignStatusChange.objects.create(
        campaign=campaign, from_status=current, to_status=target, changed_by=by, note=note
    )
    campaign.status = target
    campaign.save(update_fields=["status"])
    return campaign


@transaction.atomic
def campaign_start(*, campaign: Campaign, by) -> Campaign:
    """Start a draft or ready campaign through the launch gate (a draft becomes ready on the way).

    One transaction: a refusal leaves a draft a draft, not half-way at ready."""
    carrier = carrier_problems(campaign=campaign)
    if campaign.status == S.DRAFT:
        campaign = _campaign_transition(campaign=campaign, to=S.READY, by=by, note="", carrier=carrier)
    return _campaign_transition(campaign=campaign, to=S.RUNNING, by=by, note="", carrier=carrier)
