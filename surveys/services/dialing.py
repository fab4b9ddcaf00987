"""The dialer: which numbers to call now, placing each call once, and what a call's outcome means.

A tick runs every few seconds per running campaign. It picks due contacts under row locks that
other ticks skip, creates the attempt (unique per contact and attempt number) and enqueues the
call job when the transaction commits. The job dials only an attempt still `queued`, so a job
delivered twice never dials twice. Status callbacks may repeat and arrive out of order: a final
status is never overwritten.
"""

import logging
import math
from datetime import datetime, timedelta
from decimal import Decimal

import django_rq
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from rq import Queue

from surveys.calling_window import day_part, is_open, next_open_moment, next_part_start
from surveys.models import CallAttempt, CallStatus, Campaign, CampaignStatus, Contact, ContactStatus, DoNotCall
from surveys.models.calls import ACTIVE_CALL_STATUSES, FINAL_CALL_STATUSES, RETRY_CALL_STATUSES
from surveys.telephony import ProviderError, StatusUpdate, provider_get

logger = logging.getLogger(__name__)

DIALER_QUEUE = "dialer"
TICK_SECONDS = 5
MAX_RETRY_SEARCH_STEPS = 60
STATUS_ORDER = [
    CallStatus.PENDING,
    CallStatus.QUEUED,
    CallStatus.DIALING,
    CallStatus.RINGING,
    CallStatus.IN_PROGRESS,
]


def campaign_spend(campaign: Campaign) -> Decimal:
    return CallAttempt.objects.filter(contact__campaign=campaign).aggregate(total=Sum("cost"))["total"] or Decimal(0)


def _on_registry():
    return Exists(DoNotCall.objects.filter(phone_hash=OuterRef("phone_hash")))


def _free_slots(campaign: Campaign) -> int:
    active = CallAttempt.objects.filter(contact__campaign=campaign, status__in=ACTIVE_CALL_STATUSES).count()
    per_tick = math.ceil(campaign.calls_per_second * TICK_SECONDS)
    return max(0, min(campaign.max_concurrent_calls - active, per_tick))


def attempts_cancel_opted_out(*, campaign: Campaign) -> int:
    """Cancel the attempts still waiting for numbers that were opted out meanwhile."""
    return CallAttempt.objects.filter(
        contact__campaign=campaign,
        status__in=(CallStatus.PENDING, CallStatus.QUEUED),
        contact__status=ContactStatus.OPTED_OUT,
    ).update(status=CallStatus.CANCELED, ended_at=timezone.now())


def dial_tick(*, campaign: Campaign, now: datetime) -> int:
    """Queue the calls this campaign may start now; returns how many were queued."""
    if campaign.status != CampaignStatus.RUNNING:
        return 0
    attempts_cancel_opted_out(campaign=campaign)
    if not is_open(campaign, now):
        return 0
    if campaign.budget_cap is not None and campaign_spend(campaign) >= campaign.budget_cap:
        return 0
    with transaction.atomic():
        slots = _free_slots(campaign)
        if slots == 0:
            return 0
        queued = []
        retries = (
            CallAttempt.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                contact__campaign=campaign,
                contact__status=ContactStatus.PENDING,
                status=CallStatus.PENDING,
                scheduled_for__lte=now,
            )
            .filter(~Exists(DoNotCall.objects.filter(phone_hash=OuterRef("contact__phone_hash"))))
            .order_by("scheduled_for", "pk")[:slots]
        )
        for attempt in retries:
            queued.append(attempt)
        fresh = (
            Contact.objects.select_for_update(skip_locked=True)
            .filter(campaign=campaign, status=ContactStatus.PENDING, phone_encrypted__isnull=False)
            .filter(~Exists(CallAttempt.objects.filter(contact=OuterRef("pk"))))
            .filter(~_on_registry())
            .order_by("pk")[: slots - len(queued)]
        )
        languages = campaign.survey_version.languages
        # The contacts are locked and had no attempt: one insert for all, no per-row savepoints.
        queued += CallAttempt.objects.bulk_create(
            CallAttempt(
                contact=contact,
                number=1,
                scheduled_for=now,
                provider=campaign.telephony_provider,
                language=_call_language(contact.language, languages),
            )
            for contact in fresh
        )
        ids = [attempt.pk for attempt in queued]
        CallAttempt.objects.filter(pk__in=ids, status=CallStatus.PENDING).update(status=CallStatus.QUEUED)
        Contact.objects.filter(attempts__pk__in=ids).update(status=ContactStatus.IN_PROGRESS)
        # One Redis round trip for the whole tick, and only once the attempts are committed
        # (enqueue_many bypasses django-rq's on-commit hold, so the hook is explicit here).
        jobs = [Queue.prepare_data("surveys.jobs.place_call", (attempt_id,)) for attempt_id in ids]
        transaction.on_commit(lambda: django_rq.get_queue(DIALER_QUEUE).enqueue_many(jobs))
    return len(ids)


def _call_language(language: str, languages: list[str]) -> str:
    return language if language in languages else "fi"


def attempt_place(*, attempt_id: int, now: datetime | None = None) -> str:
    """Dial one queued attempt. Anything but `queued` means it was handled already: nothing happens."""
    from surveys.ivr import ivr_url

    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            CallAttempt.objects.select_for_update().select_related("contact__campaign").filter(pk=attempt_id).first()
        )
        if attempt is None or attempt.status != CallStatus.QUEUED:
            return "skipped"
        contact = attempt.contact
        campaign = contact.campaign
        opted_out = (
            contact.status == ContactStatus.OPTED_OUT
            or DoNotCall.objects.filter(phone_hash=contact.phone_hash).exists()
        )
        if opted_out or campaign.status == CampaignStatus.CANCELLED or contact.phone_encrypted is None:
            attempt.status = CallStatus.CANCELED
            attempt.ended_at = now
            attempt.save(update_fields=["status", "ended_at"])
            return "canceled"
        if campaign.status != CampaignStatus.RUNNING:
            # Paused: the attempt waits for the resume.
            attempt.status = CallStatus.PENDING
            attempt.save(update_fields=["status"])
            Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.PENDING)
            return "paused"
        attempt.status = CallStatus.DIALING
        attempt.placed_at = now
        attempt.save(update_fields=["status", "placed_at"])
    # Committed as dialing before the carrier is asked: a crash from here on never dials again.
    try:
        call_id = provider_get(attempt.provider).place_call(
            attempt, url=ivr_url("ivr-start", attempt), status_callback=ivr_url("call-status", attempt)
        )
    except ProviderError as error:
        logger.warning("Call attempt %s failed at the carrier: %s", attempt.pk, error)
        with transaction.atomic():
            attempt = CallAttempt.objects.select_for_update().select_related("contact__campaign").get(pk=attempt.pk)
            attempt.status = CallStatus.FAILED
            attempt.error = str(error)[:300]
            attempt.ended_at = now
            attempt.save(update_fields=["status", "error", "ended_at"])
            # A refused request (4xx: e.g. an invalid number) would be refused again; a carrier fault is retried.
            retry = error.status is None or error.status >= 500
            _attempt_outcome(attempt, now=now, retry=retry)
        return "failed"
    CallAttempt.objects.filter(pk=attempt.pk, provider_call_id__isnull=True).update(provider_call_id=call_id)
    return "placed"


@transaction.atomic
def call_status_apply(*, attempt_id: int, update: StatusUpdate, now: datetime | None = None) -> CallAttempt:
    """Apply one status callback. Repeats and late arrivals change nothing already final."""
    now = now or update.timestamp or timezone.now()
    attempt = CallAttempt.objects.select_for_update().select_related("contact__campaign").get(pk=attempt_id)
    if update.answered_by and not attempt.answered_by:
        attempt.answered_by = update.answered_by
    if attempt.provider_call_id is None and update.call_id:
        attempt.provider_call_id = update.call_id
    if update.status == CallStatus.IN_PROGRESS and attempt.answered_at is None:
        attempt.answered_at = now
    if attempt.status in FINAL_CALL_STATUSES:
        _apply_bill(attempt, update, now)
        attempt.save()
        return attempt
    if update.status in FINAL_CALL_STATUSES:
        attempt.status = update.status
        attempt.ended_at = attempt.ended_at or now
        if attempt.answered_at is None and update.duration_seconds:
            attempt.answered_at = attempt.ended_at - timedelta(seconds=update.duration_seconds)
        _apply_bill(attempt, update, now)
        attempt.save()
        _attempt_outcome(attempt, now=now, retry=attempt.status in RETRY_CALL_STATUSES)
        return attempt
    if update.status in STATUS_ORDER and STATUS_ORDER.index(update.status) > STATUS_ORDER.index(attempt.status):
        attempt.status = update.status
    attempt.save()
    return attempt


def _apply_bill(attempt: CallAttempt, update: StatusUpdate, now: datetime) -> None:
    if update.duration_seconds is None or attempt.duration_seconds is not None:
        return
    attempt.duration_seconds = update.duration_seconds
    # Billed per started minute of each call, as Twilio bills.
    attempt.billed_minutes = math.ceil(update.duration_seconds / 60)
    attempt.cost = attempt.billed_minutes * attempt.contact.campaign.price_per_minute


def _attempt_outcome(attempt: CallAttempt, *, now: datetime, retry: bool) -> None:
    """After a final status: schedule the next attempt, or finish the contact."""
    contact = Contact.objects.select_for_update().get(pk=attempt.contact_id)
    if contact.status == ContactStatus.OPTED_OUT:
        return
    campaign = attempt.contact.campaign
    if attempt.status == CallStatus.MACHINE or attempt.answered_at is None or attempt.status == CallStatus.FAILED:
        answered_by_person = False
    else:
        answered_by_person = attempt.current_step != ""
    # Hanging up before the introduction began (on hearing a robot) is no contact yet: tried again.
    hung_up_at_once = attempt.status == CallStatus.COMPLETED and attempt.current_step == ""
    retry_at = None
    if (retry or hung_up_at_once) and not answered_by_person and attempt.number < campaign.max_attempts:
        retry_at = retry_moment(campaign, contact=contact, after=attempt.ended_at or now)
    if retry_at is None:
        contact.status = ContactStatus.FINISHED
        contact.save(update_fields=["status"])
        return
    CallAttempt.objects.get_or_create(
        contact=contact,
        number=attempt.number + 1,
        defaults={"scheduled_for": retry_at, "provider": attempt.provider, "language": attempt.language},
    )
    contact.status = ContactStatus.PENDING
    contact.save(update_fields=["status"])


def retry_moment(campaign: Campaign, *, contact: Contact, after: datetime) -> datetime | None:
    """The next attempt: at least the minimum gap later, in a part of the day (morning, afternoon,
    evening) not yet tried, inside the calling window. When every part has been tried, or no other
    part is left before the campaign ends, the first open moment after the gap."""
    earliest = after + timedelta(minutes=campaign.min_gap_minutes)
    first_open = next_open_moment(campaign, earliest)
    if first_open is None:
        return None
    tried = {
        day_part(placed) for placed in contact.attempts.exclude(placed_at=None).values_list("placed_at", flat=True)
    }
    candidate = first_open
    for _step in range(MAX_RETRY_SEARCH_STEPS):
        if candidate is None:
            return first_open
        if day_part(candidate) not in tried:
            return candidate
        candidate = next_open_moment(campaign, next_part_start(candidate))
    return first_open


def dial_tick_all(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(
        dial_tick(campaign=campaign, now=now) for campaign in Campaign.objects.filter(status=CampaignStatus.RUNNING)
    )
