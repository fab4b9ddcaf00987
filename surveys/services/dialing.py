"""The dialer: which numbers to call now, placing each call once, and what a call's outcome means.

A tick runs every few seconds per running campaign. Ticks of one campaign take turns (a lock on
the campaign's row), so each counts the calls the previous one started before it adds any: the
concurrency and rate limits hold however many workers tick at once. It picks due contacts under
row locks that other transactions skip, creates the attempt (unique per contact and attempt
number) and enqueues the call job when the transaction commits. The job dials only an attempt
still `queued`, so a job delivered twice never dials twice. Status callbacks may repeat and
arrive out of order: a final status is never overwritten.

A worker can die at any moment (SIGKILL, a lost machine). Every tick first sweeps for attempts
left behind: a queued attempt whose job is gone is enqueued again, and an attempt left `dialing`
by a dead worker - maybe dialed, maybe not - is closed as cancelled and retried as the next
attempt, never dialed a second time itself. A job that fails on every run (the row's data make it
raise) is run CALL_JOB_TRIES times; then its attempt ends with the job's error, and the number goes on
as after a call that reached nobody. Redis losing a job (restarted without its data) is no failed run.
"""

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import django_rq
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from rq import Queue
from rq.registry import FailedJobRegistry, StartedJobRegistry

from kuntaportaali.queueing import job_ids_lost, job_last_error
from kuntaportaali.redaction import phone_numbers_mask
from surveys.calling_window import is_open
from surveys.models import (
    AnsweredBy,
    CallAttempt,
    CallStatus,
    Campaign,
    CampaignStatus,
    Contact,
    ContactNumber,
    ContactStatus,
    DoNotCall,
    Response,
)
from surveys.models.calls import ACTIVE_CALL_STATUSES, FINAL_CALL_STATUSES, RETRY_CALL_STATUSES
from surveys.script import call_script
from surveys.selectors import campaign_spend
from surveys.services.dispositions import SURVEY_DONE
from surveys.services.pacing import fresh_contacts_pick, retry_moment
from surveys.services.quotas import quota_filled_contacts_close
from surveys.telephony import ProviderError, StatusUpdate, provider_get
from surveys.telephony.base import CallOptions, ErrorKind, TelephonyProvider

logger = logging.getLogger(__name__)

DIALER_QUEUE = "dialer"
# How often the cron (kuntaportaali/cron.py) runs a dial tick, and the window its rate limit counts in.
TICK_SECONDS = 5
# Placing a call is one request to the carrier; RQ stops a call job that takes longer.
PLACE_CALL_TIMEOUT_SECONDS = 60
# An attempt whose call job failed this many runs (an error, a worker killed) ends, with the job's last
# error, and its number goes on as after a call that reached nobody: a job failing on every run is not
# queued again for ever.
CALL_JOB_TRIES = 3
# An attempt still `dialing` without any word from the carrier this long after it was dialed has
# lost its worker: longer than a call job may run, plus the minute RQ gives a stuck job before
# killing it, so no live job can still be placing the call.
STALE_DIALING_AFTER = timedelta(minutes=5)
# Twilio's longest call, four hours (its default time limit): no call's limit is longer.
CALL_TIME_LIMIT = timedelta(hours=4)
# A call has ended this long after its time limit (which the carrier was given) and its ring time: an
# attempt still active then lost its final status callback (the carrier does not send one again that the
# portal failed to take, its database or web server out). Kept longer than a call may wait at the carrier.
CALL_END_MARGIN = timedelta(minutes=10)
# A call the carrier could not take (an outage, too many requests) waits this long before it is
# placed again; it does not count as one of the number's attempts.
CARRIER_RETRY_AFTER = timedelta(minutes=2)
# A call whose placing got no certain answer is looked up among those the carrier placed from this long
# before it was placed: the carrier's clock is not the portal's.
CARRIER_CLOCK_SKEW = timedelta(minutes=1)
# A call may last this many times the survey's estimated length (every step said twice, slow
# answers), and this much longer, before the carrier ends it: no call runs for hours, whatever happens on it.
CALL_LENGTH_MARGIN = 3
CALL_LENGTH_EXTRA = timedelta(minutes=5)
# The carrier states a call's price some seconds to minutes after it ended; asked for this long.
PRICE_ASKED_AFTER = timedelta(minutes=1)
PRICE_ASKED_UNTIL = timedelta(days=2)
PRICES_PER_ROUND = 200
PRICES_ROUND_SECONDS = 30
# What a status callback before the call's end reads of its attempt (the language for the message a
# campaign leaves on a machine), and what it may change.
CALLBACK_FIELDS = (
    "contact_id",
    "language",
    "provider",
    "provider_call_id",
    "status",
    "status_sequence",
    "answered_by",
    "answered_at",
    "duration_seconds",
)
_COLUMNS = frozenset(field.attname for field in CallAttempt._meta.concrete_fields)
STATUS_ORDER = [
    CallStatus.PENDING,
    CallStatus.QUEUED,
    CallStatus.DIALING,
    CallStatus.RINGING,
    CallStatus.IN_PROGRESS,
]


def contact_on_registry(contact_ref: str = "pk") -> Exists:
    """Whether a number of the contact `contact_ref` names is on the do-not-call registry."""
    return Exists(
        ContactNumber.objects.filter(
            contact=OuterRef(contact_ref), phone_hash__in=DoNotCall.objects.values("phone_hash")
        )
    )


def _dialable_numbers(contact_ids) -> dict[int, list[ContactNumber]]:
    """Each contact's numbers that may still be dialled, in calling order."""
    numbers: dict[int, list[ContactNumber]] = {}
    for number in ContactNumber.objects.filter(
        contact_id__in=contact_ids, phone_encrypted__isnull=False, carrier_refused=False
    ).order_by("contact_id", "position"):
        numbers.setdefault(number.contact_id, []).append(number)
    return numbers


def _free_slots(campaign: Campaign, now: datetime) -> int:
    """How many calls may start now: below the concurrency cap, and at most a tick's worth of
    `calls_per_second` started in the last TICK_SECONDS (queued, or dialed in that time), so
    ticks that follow each other closely do not add up to more than the rate."""
    recently_placed = Q(placed_at__gt=now - timedelta(seconds=TICK_SECONDS))
    # Only the attempts that can count are read: not the campaign's ended ones (most of them), which
    # would be joined with their contacts on every tick.
    counts = (
        CallAttempt.objects.filter(contact__campaign=campaign)
        .filter(Q(status__in=ACTIVE_CALL_STATUSES) | recently_placed)
        .aggregate(
            active=Count("pk", filter=Q(status__in=ACTIVE_CALL_STATUSES)),
            started=Count("pk", filter=Q(status=CallStatus.QUEUED) | recently_placed),
        )
    )
    per_tick = math.ceil(campaign.calls_per_second * TICK_SECONDS)
    return max(0, min(campaign.max_concurrent_calls - counts["active"], per_tick - counts["started"]))


def attempts_cancel_opted_out(*, campaign: Campaign) -> int:
    """Cancel the attempts still waiting for numbers that were opted out meanwhile."""
    # A plain IN over the campaign's opted-out contacts: filtering across the join made Django
    # compare the attempts table with itself, which PostgreSQL ran as a nested loop taking seconds
    # a tick whenever its statistics were stale.
    opted_out = Contact.objects.filter(campaign=campaign, status=ContactStatus.OPTED_OUT).values("pk")
    return CallAttempt.objects.filter(
        status__in=(CallStatus.PENDING, CallStatus.QUEUED), contact_id__in=opted_out
    ).update(status=CallStatus.CANCELED, ended_at=timezone.now())


def contacts_never_called(campaign: Campaign) -> QuerySet[Contact]:
    """The campaign's contacts waiting for their first call: a number to call, not on the registry."""
    return (
        Contact.objects.filter(campaign=campaign, status=ContactStatus.PENDING)
        .filter(Exists(ContactNumber.objects.filter(contact=OuterRef("pk"), phone_encrypted__isnull=False)))
        .filter(~Exists(CallAttempt.objects.filter(contact=OuterRef("pk"))))
        .filter(~contact_on_registry())
    )


def dial_tick(*, campaign: Campaign, now: datetime) -> int:
    """Queue the calls this campaign may start now; returns how many were queued."""
    with transaction.atomic():
        # Ticks of this campaign wait here for each other, and the limits below are counted only
        # once the previous tick has committed its attempts. NO KEY: rows that refer to the
        # campaign (consent events, responses) can still be inserted meanwhile. The status is read
        # under the lock, so a pause or cancel committed before this tick is honoured by it.
        campaign = Campaign.objects.select_for_update(no_key=True).get(pk=campaign.pk)
        if campaign.status != CampaignStatus.RUNNING:
            return 0
        attempts_cancel_opted_out(campaign=campaign)
        if not is_open(campaign, now):
            return 0
        if campaign.budget_cap is not None and campaign_spend(campaign) >= campaign.budget_cap:
            return 0
        slots = _free_slots(campaign, now)
        if slots == 0:
            return 0
        # Contacts of groups whose quota is filled end here, before anyone is picked (quotas.py).
        quota_filled_contacts_close(campaign=campaign, now=now)
        queued = []
        retries = (
            CallAttempt.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                contact__campaign=campaign,
                contact__status=ContactStatus.PENDING,
                status=CallStatus.PENDING,
                scheduled_for__lte=now,
            )
            .filter(~contact_on_registry("contact"))
            .order_by("scheduled_for", "pk")[:slots]
        )
        for attempt in retries:
            queued.append(attempt)
        fresh = fresh_contacts_pick(
            campaign=campaign, never_called=contacts_never_called(campaign), now=now, slots=slots - len(queued)
        )
        languages = campaign.survey_version.languages
        first_numbers = _dialable_numbers([contact.pk for contact in fresh])
        # The contacts are locked and had no attempt: one insert for all, no per-row savepoints.
        queued += CallAttempt.objects.bulk_create(
            CallAttempt(
                contact=contact,
                number=1,
                phone=first_numbers[contact.pk][0],
                scheduled_for=now,
                provider=campaign.telephony_provider,
                language=_call_language(contact.language, languages),
            )
            for contact in fresh
            if contact.pk in first_numbers
        )
        ids = [attempt.pk for attempt in queued]
        CallAttempt.objects.filter(pk__in=ids, status=CallStatus.PENDING).update(status=CallStatus.QUEUED)
        Contact.objects.filter(attempts__pk__in=ids).update(status=ContactStatus.IN_PROGRESS)
        # Only once the attempts are committed (enqueue_many bypasses django-rq's on-commit hold,
        # so the hook is explicit here).
        transaction.on_commit(lambda: _call_jobs_enqueue(ids))
    return len(ids)


def place_call_job_id(attempt_id: int) -> str:
    """One job id per attempt: the sweep can ask Redis whether the attempt's job still exists."""
    return f"place-call-{attempt_id}"


def _call_jobs_enqueue(attempt_ids: list[int]) -> None:
    """The call jobs of these attempts, in one Redis round trip."""
    jobs = [
        Queue.prepare_data(
            "surveys.jobs.place_call",
            (attempt_id,),
            job_id=place_call_job_id(attempt_id),
            timeout=PLACE_CALL_TIMEOUT_SECONDS,
        )
        for attempt_id in attempt_ids
    ]
    django_rq.get_queue(DIALER_QUEUE).enqueue_many(jobs)


def _attempts_locked():
    """Attempts locked with their contact, whose next attempt is decided with them. The campaign is
    read but not locked: the calls of a campaign must not wait for each other, nor for its dial
    tick, which locks the campaign."""
    return CallAttempt.objects.select_for_update(of=("self", "contact")).select_related("contact__campaign")


def _call_language(language: str, languages: list[str]) -> str:
    return language if language in languages else "fi"


def attempt_place(*, attempt_id: int, now: datetime | None = None) -> str:
    """Dial one queued attempt. Anything but `queued` means it was handled already: nothing happens."""
    from surveys.ivr import ivr_url

    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            _attempts_locked()
            # The survey and its version size the call's time limit: read with the attempt.
            .select_related("phone", "contact__campaign__survey_version__survey")
            .annotate(
                on_registry=contact_on_registry("contact"),
                # Done with the survey on the web since the attempt was queued: a person completes once.
                completed=Exists(Response.objects.filter(SURVEY_DONE, pseudonym=OuterRef("contact__pseudonym"))),
            )
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None or attempt.status != CallStatus.QUEUED:
            return "skipped"
        contact = attempt.contact
        campaign = contact.campaign
        opted_out = contact.status == ContactStatus.OPTED_OUT or attempt.on_registry
        no_number = attempt.phone is None or attempt.phone.phone_encrypted is None
        if opted_out or campaign.status == CampaignStatus.CANCELLED or no_number or attempt.completed:
            attempt.status = CallStatus.CANCELED
            attempt.ended_at = now
            attempt.save(update_fields=["status", "ended_at"])
            if attempt.completed:
                # The web left a contact on a call to the dialer to finish (web_survey._complete).
                Contact.objects.filter(pk=contact.pk, status=ContactStatus.IN_PROGRESS).update(
                    status=ContactStatus.FINISHED
                )
            return "canceled"
        if campaign.status != CampaignStatus.RUNNING:
            # Paused: the attempt waits for the resume.
            return _attempt_wait(attempt, "paused")
        if not is_open(campaign, now):
            # The job ran late (a worker or Redis out, a queue backed up) and the window has closed: the
            # attempt waits for a tick in the window, as a paused one waits for the resume.
            logger.warning("Call attempt %s not placed: its job ran after the calling window closed.", attempt.pk)
            return _attempt_wait(attempt, "outside_window")
        time_limit = call_time_limit_seconds(campaign, language=attempt.language)
        ring = settings.TWILIO_RING_TIMEOUT
        attempt.status = CallStatus.DIALING
        attempt.placed_at = now
        # The carrier rings the number, then ends the answered call at its time limit.
        attempt.ends_by = now + timedelta(seconds=ring + time_limit)
        attempt.save(update_fields=["status", "placed_at", "ends_by"])
    # Committed as dialing before the carrier is asked: a crash from here on never dials again.
    options = CallOptions(
        answer_url=ivr_url("ivr-start", attempt),
        status_url=ivr_url("call-status", attempt),
        wait_for_greeting_end=campaign.leave_machine_message,
        time_limit_seconds=time_limit,
        ring_seconds=ring,
    )
    try:
        call_id = provider_get(attempt.provider).place_call(attempt, options)
    except ImproperlyConfigured as error:
        return _attempt_refused(attempt, ProviderError(str(error), kind=ErrorKind.ACCOUNT), now=now)
    except ProviderError as error:
        return _attempt_refused(attempt, error, now=now)
    CallAttempt.objects.filter(pk=attempt.pk, provider_call_id__isnull=True).update(provider_call_id=call_id)
    return "placed"


def _attempt_wait(attempt: CallAttempt, outcome: str) -> str:
    """The attempt, not placed, goes back to wait for a tick that may place it; returns `outcome`."""
    attempt.status = CallStatus.PENDING
    attempt.save(update_fields=["status"])
    Contact.objects.filter(pk=attempt.contact_id).update(status=ContactStatus.PENDING)
    return outcome


def call_time_limit_seconds(campaign: Campaign, *, language: str) -> int:
    """How long one of the campaign's calls may last at most: sized from its survey's length, never
    more than the carrier's own limit."""
    minutes = call_script(campaign.survey_version, language=language).estimated_minutes
    limit = CALL_LENGTH_MARGIN * timedelta(minutes=minutes) + CALL_LENGTH_EXTRA
    return int(min(limit, CALL_TIME_LIMIT).total_seconds())


def _attempt_refused(attempt: CallAttempt, error: ProviderError, *, now: datetime) -> str:
    """The carrier did not take the call. Only an error about the number spends the attempt; an
    outage puts it back to wait, an account problem also pauses the campaign."""
    logger.warning("Call attempt %s was not placed (%s): %s", attempt.pk, error.kind, error)
    with transaction.atomic():
        attempt = _attempts_locked().get(pk=attempt.pk)
        if attempt.status != CallStatus.DIALING or attempt.provider_call_id is not None:
            # The carrier's callbacks came first: the call was placed after all, and they tell its end.
            return "placed"
        if error.kind == ErrorKind.UNKNOWN:
            # The request may have reached the carrier: the attempt stays dialing, and the sweep
            # closes it (never dialling it again) unless the carrier's callbacks come.
            attempt.error, attempt.error_code = str(error)[:300], error.code
            attempt.save(update_fields=["error", "error_code"])
            return "unknown"
        attempt.error, attempt.error_code = str(error)[:300], error.code
        if error.kind == ErrorKind.NUMBER:
            attempt.status, attempt.ended_at = CallStatus.FAILED, now
            attempt.save(update_fields=["status", "error", "error_code", "ended_at"])
            # The number itself does not work: never again, but the contact's other numbers may.
            ContactNumber.objects.filter(pk=attempt.phone_id).update(carrier_refused=True)
            _attempt_outcome(attempt, now=now, retry=True)
            return "failed"
        attempt.status, attempt.placed_at, attempt.ends_by = CallStatus.PENDING, None, None
        attempt.scheduled_for = now + CARRIER_RETRY_AFTER if error.kind == ErrorKind.TEMPORARY else now
        attempt.save(update_fields=["status", "placed_at", "ends_by", "scheduled_for", "error", "error_code"])
        Contact.objects.filter(pk=attempt.contact_id).update(status=ContactStatus.PENDING)
    if error.kind == ErrorKind.ACCOUNT:
        from surveys.services.campaigns import campaign_pause_for_carrier

        campaign_pause_for_carrier(campaign=attempt.contact.campaign, error=error)
        return "paused"
    return "postponed"


def call_status_receive(*, attempt_id: int, update: StatusUpdate, provider: TelephonyProvider) -> CallAttempt:
    """A status or answering machine callback: applied, then a machine's or a fax's call is ended
    (or a machine gets the campaign's short message) within seconds of the verdict."""
    attempt = call_status_apply(attempt_id=attempt_id, update=update, provider=provider.name)
    machine = attempt.answered_by in (AnsweredBy.MACHINE, AnsweredBy.FAX)
    if attempt.verdict_arrived and machine and attempt.status not in FINAL_CALL_STATUSES:
        _machine_call_end(attempt, provider)
    return attempt


def _machine_call_end(attempt: CallAttempt, provider: TelephonyProvider) -> None:
    from surveys.ivr import machine_message_turn

    leave_message = attempt.answered_by == AnsweredBy.MACHINE and attempt.contact.campaign.leave_machine_message
    try:
        if leave_message:
            provider.redirect(attempt.provider_call_id, machine_message_turn(attempt))
        else:
            provider.hang_up(attempt.provider_call_id)
    except ProviderError as error:
        # The IVR hangs up at its next step anyway: a machine never hears the questions.
        logger.warning("Call attempt %s answered by %s was not ended: %s", attempt.pk, attempt.answered_by, error)
        return
    if leave_message:
        CallAttempt.objects.filter(pk=attempt.pk).update(message_left=True)


@transaction.atomic
def call_status_apply(
    *, attempt_id: int, update: StatusUpdate, provider: str, now: datetime | None = None
) -> CallAttempt:
    """Apply one status callback of `provider` (only an attempt it placed is found). Repeats and
    late arrivals change nothing already final, and a callback numbered before one already applied
    (SequenceNumber) changes no status."""
    now = now or update.timestamp or timezone.now()
    # Until the call ends only the attempt changes, and only the columns a callback looks at are read:
    # its contact is not locked, and read only with the answering machine detection's verdict, whose
    # call the campaign's setting ends.
    if update.status in FINAL_CALL_STATUSES:
        attempts = _attempts_locked()
    elif update.answered_by:
        attempts = (
            CallAttempt.objects.select_for_update(of=("self",))
            .select_related("contact__campaign")
            .only(*CALLBACK_FIELDS, "contact__campaign")
        )
    else:
        attempts = CallAttempt.objects.select_for_update().only(*CALLBACK_FIELDS)
    attempt = attempts.get(pk=attempt_id, provider=provider)
    read = _field_values(attempt)
    attempt.verdict_arrived = False
    other_call = update.call_id and attempt.provider_call_id and update.call_id != attempt.provider_call_id
    if attempt.status == CallStatus.PENDING or other_call:
        # A callback of a call this attempt no longer has (the carrier failed it and it waits to be
        # placed again): nothing of it is this attempt's.
        return attempt
    if update.answered_by and not attempt.answered_by:
        attempt.answered_by, attempt.verdict_arrived = update.answered_by, True
    if attempt.provider_call_id is None and update.call_id:
        attempt.provider_call_id = update.call_id
    late = (
        update.sequence is not None
        and attempt.status_sequence is not None
        and update.sequence < attempt.status_sequence
    )
    if update.sequence is not None and not late:
        attempt.status_sequence = update.sequence
    if attempt.status in FINAL_CALL_STATUSES or late:
        _apply_bill(attempt, update, now)
        if attempt.verdict_arrived and attempt.status == CallStatus.COMPLETED:
            _verdict_after_end(attempt)
        _changes_save(attempt, read)
        return attempt
    if update.status == CallStatus.IN_PROGRESS and attempt.answered_at is None:
        attempt.answered_at = now
    if update.status in FINAL_CALL_STATUSES:
        return _attempt_finish(attempt, update, now, read=read)
    if update.status in STATUS_ORDER and STATUS_ORDER.index(update.status) > STATUS_ORDER.index(attempt.status):
        attempt.status = update.status
    _changes_save(attempt, read)
    return attempt


def _verdict_after_end(attempt: CallAttempt) -> None:
    """Async AMD posts its verdict apart from the status callbacks, and the line can hang up before it
    comes: the call that ended as completed was a machine's or a fax line's, and is what it would
    have been had the verdict come first. A fax line is retired, and its next call goes to the
    contact's next number, or nowhere; a machine's last call still brings the SMS follow-up."""
    if attempt.answered_by not in (AnsweredBy.MACHINE, AnsweredBy.FAX):
        return
    attempt.status = CallStatus.MACHINE if attempt.answered_by == AnsweredBy.MACHINE else CallStatus.FAX
    contact = Contact.objects.select_for_update().select_related("campaign").get(pk=attempt.contact_id)
    following = CallAttempt.objects.filter(contact=contact, number=attempt.number + 1)
    if attempt.status == CallStatus.MACHINE:
        if contact.status == ContactStatus.FINISHED and not following.exists():
            _sms_follow_up(attempt, person_chose=False)
        return
    ContactNumber.objects.filter(pk=attempt.phone_id).update(carrier_refused=True)
    retry = following.filter(status=CallStatus.PENDING, phone_id=attempt.phone_id)
    if not retry.exists():
        return
    phone = _next_phone(contact, after=attempt.phone_id)
    if phone is not None:
        retry.update(phone=phone)
        return
    retry.delete()
    contact.status = ContactStatus.FINISHED
    contact.save(update_fields=["status"])


def _field_values(attempt: CallAttempt) -> dict:
    """The values of the attempt's columns that were read (deferred ones are not until the code reads
    them, and _changes_save then writes them back)."""
    return {name: value for name, value in vars(attempt).items() if name in _COLUMNS}


def _changes_save(attempt: CallAttempt, read: dict) -> None:
    """Write the columns that differ from what was `read` (_field_values), nothing when none does."""
    changed = [name for name, value in _field_values(attempt).items() if name not in read or read[name] != value]
    if changed:
        attempt.save(update_fields=changed)


def _attempt_finish(attempt: CallAttempt, update: StatusUpdate, now: datetime, *, read: dict) -> CallAttempt:
    status = update.status
    if status == CallStatus.COMPLETED and attempt.answered_by == AnsweredBy.MACHINE:
        status = CallStatus.MACHINE
    elif status == CallStatus.COMPLETED and attempt.answered_by == AnsweredBy.FAX:
        status = CallStatus.FAX
    kind = None
    if status == CallStatus.FAILED and update.error_code is not None:
        attempt.error_code = update.error_code
        kind = provider_get(attempt.provider).error_kind(code=update.error_code, http_status=None)
    if kind == ErrorKind.NUMBER:
        # The carrier says the number itself does not work: the contact's other numbers may.
        ContactNumber.objects.filter(pk=attempt.phone_id).update(carrier_refused=True)
    if kind in (ErrorKind.TEMPORARY, ErrorKind.ACCOUNT):
        # Not the number's fault: the call is placed again later as the same attempt.
        attempt.status, attempt.placed_at, attempt.answered_at = CallStatus.PENDING, None, None
        attempt.provider_call_id, attempt.status_sequence = None, None
        attempt.scheduled_for = now + CARRIER_RETRY_AFTER
        _changes_save(attempt, read)
        Contact.objects.filter(pk=attempt.contact_id).update(status=ContactStatus.PENDING)
        if kind == ErrorKind.ACCOUNT:
            from surveys.services.campaigns import campaign_pause_for_carrier

            error = ProviderError(
                f"The carrier failed a call with error {update.error_code}.", kind=kind, code=update.error_code
            )
            transaction.on_commit(lambda: campaign_pause_for_carrier(campaign=attempt.contact.campaign, error=error))
        return attempt
    attempt.status = status
    attempt.ended_at = attempt.ended_at or now
    if attempt.answered_at is None and update.duration_seconds:
        attempt.answered_at = attempt.ended_at - timedelta(seconds=update.duration_seconds)
    _apply_bill(attempt, update, now)
    _changes_save(attempt, read)
    if status == CallStatus.FAX:
        # A fax or data line never reaches a person: the contact's other numbers may.
        ContactNumber.objects.filter(pk=attempt.phone_id).update(carrier_refused=True)
    _attempt_outcome(attempt, now=now, retry=status in RETRY_CALL_STATUSES or status == CallStatus.FAX)
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
    # Every caller loaded the attempt with _attempts_locked(): its contact is locked and current.
    contact = attempt.contact
    if contact.status == ContactStatus.OPTED_OUT:
        return
    campaign = attempt.contact.campaign
    # A person who made a choice at the introduction (answered, declined, opted out, or listened
    # to it twice in silence) is not called again; a machine, or someone who hung up as the
    # introduction began, is tried again like an unanswered call.
    person_chose = attempt.current_step not in ("", "intro") and attempt.status not in (
        CallStatus.MACHINE,
        CallStatus.FAX,
    )
    again = retry or attempt.status == CallStatus.COMPLETED
    retry_at = phone = None
    if again and not person_chose and attempt.number < campaign.max_attempts:
        phone = _next_phone(contact, after=attempt.phone_id)
        if phone is not None:
            retry_at = retry_moment(campaign, contact=contact, after=attempt.ended_at or now)
    if retry_at is None:
        contact.status = ContactStatus.FINISHED
        contact.save(update_fields=["status"])
        # An attempt the portal gave up (its call job failed, its worker died) reached nobody either.
        given_up = retry and attempt.status == CallStatus.CANCELED
        _sms_follow_up(attempt, person_chose=person_chose, given_up=given_up)
        return
    # The next attempt once, in one statement (INSERT ... ON CONFLICT DO NOTHING; no savepoints).
    CallAttempt.objects.bulk_create(
        [
            CallAttempt(
                contact=contact,
                number=attempt.number + 1,
                phone=phone,
                scheduled_for=retry_at,
                provider=attempt.provider,
                language=attempt.language,
            )
        ],
        ignore_conflicts=True,
    )
    contact.status = ContactStatus.PENDING
    contact.save(update_fields=["status"])


def _sms_follow_up(attempt: CallAttempt, *, person_chose: bool, given_up: bool = False) -> None:
    """The contact's last call reached no person (nobody answered, the line was busy or failed, a
    machine answered, or the portal gave the attempt up: `given_up`): with the campaign's SMS follow-up
    they get the link to the web survey instead. A person who made a choice at the introduction gets
    none from here."""
    from surveys.services.sms import sms_link_enqueue  # sms.py imports this module

    reached_nobody = attempt.status in RETRY_CALL_STATUSES or given_up
    if attempt.contact.campaign.sms_follow_up and not person_chose and reached_nobody:
        sms_link_enqueue(contact=attempt.contact, phone_id=attempt.phone_id)


def _next_phone(contact: Contact, *, after: int | None) -> ContactNumber | None:
    """The number to try next: the contact's dialable number after `after` in calling order, round again."""
    numbers = _dialable_numbers([contact.pk]).get(contact.pk, [])
    if not numbers:
        return None
    ids = [number.pk for number in numbers]
    if after in ids:
        return numbers[(ids.index(after) + 1) % len(numbers)]
    # The number just tried may no longer be dialled (the carrier refused it): the next one after it.
    tried = ContactNumber.objects.filter(pk=after).values_list("position", flat=True).first() or 0
    return next((number for number in numbers if number.position > tried), numbers[0])


def call_prices_fetch(*, now: datetime | None = None) -> int:
    """Ask the carrier what it billed for calls that ended a while ago and whose price it has not
    stated yet; returns how many prices were stored. The estimate (`cost`) stays as it was."""
    now = now or timezone.now()
    unpriced = CallAttempt.objects.filter(
        price__isnull=True,
        provider_call_id__isnull=False,
        duration_seconds__gt=0,
        ended_at__lte=now - PRICE_ASKED_AFTER,
        ended_at__gte=now - PRICE_ASKED_UNTIL,
    ).order_by("ended_at")
    stored = 0
    providers: dict[str, TelephonyProvider] = {}
    deadline = time.monotonic() + PRICES_ROUND_SECONDS
    for attempt in unpriced.only("pk", "provider", "provider_call_id")[:PRICES_PER_ROUND]:
        if time.monotonic() > deadline:
            break  # the rest in the next round, a minute later
        try:
            if attempt.provider not in providers:
                providers[attempt.provider] = provider_get(attempt.provider)
            price = providers[attempt.provider].call_price(attempt.provider_call_id)
        except ImproperlyConfigured as error:
            # A provider the site no longer offers (or without its credentials): its calls stay unpriced.
            logger.warning("The price of call attempt %s was not fetched: %s", attempt.pk, error)
            continue
        except ProviderError as error:
            logger.warning("The price of call attempt %s was not fetched: %s", attempt.pk, error)
            if error.kind == ErrorKind.TEMPORARY:
                break
            continue
        if price is not None:
            stored += CallAttempt.objects.filter(pk=attempt.pk).update(price=price.amount, price_unit=price.unit)
    return stored


@dataclass(frozen=True)
class DialerRound:
    queued: int
    requeued: int
    closed: int

    def summary_line(self) -> str:
        return f"queued={self.queued} requeued={self.requeued} closed={self.closed}"


def dial_tick_all(*, now: datetime | None = None) -> DialerRound:
    """The dialer's recurring job: recover what dead workers left behind, then tick every running campaign."""
    now = now or timezone.now()
    recovered = attempts_recover_stale(now=now)
    queued = sum(
        dial_tick(campaign=campaign, now=now) for campaign in Campaign.objects.filter(status=CampaignStatus.RUNNING)
    )
    return DialerRound(queued=queued, requeued=recovered.requeued, closed=recovered.closed)


@dataclass(frozen=True)
class StaleAttempts:
    requeued: int
    closed: int


def attempts_recover_stale(*, now: datetime) -> StaleAttempts:
    """Find the attempts a killed worker, a lost job or a lost callback left behind, in every campaign.

    A queued attempt whose call job no longer exists or has ended gets its job again: the job
    dials only a queued attempt, so a copy of it still around somewhere does no harm. An attempt
    still dialing without any word from the carrier long after it was dialed lost its worker, or
    the carrier's answer, around the request: a carrier that can tell is asked whether it placed
    the call (`_lost_call_look_up`); otherwise it is never dialed again - it ends cancelled and the
    number gets its next attempt, as after an unanswered call.
    An attempt still active after the ring time and time limit it was placed with (`ends_by`), and a
    margin, have passed lost its final status: it ends as the carrier has the call on record, or, when the
    carrier cannot say, as unknown; either way its slot is free for the campaign's next call.
    """
    queue = django_rq.get_queue(DIALER_QUEUE)
    # RQ fails the job of a killed worker once its heartbeat has expired, but only when the
    # registry is cleaned (by a worker every ten minutes); here it is done every tick.
    StartedJobRegistry(queue=queue).cleanup(timestamp=now.timestamp())
    requeued = _queued_attempts_requeue(queue, now=now)
    lost_dialing = Q(status=CallStatus.DIALING, provider_call_id=None, placed_at__lt=now - STALE_DIALING_AFTER)
    placed = ACTIVE_CALL_STATUSES - {CallStatus.QUEUED}
    ended = Q(status__in=placed, ends_by__lt=now - CALL_END_MARGIN)
    closed = 0
    for attempt in CallAttempt.objects.filter(lost_dialing).select_related("phone", "contact__campaign"):
        job_error = job_last_error(place_call_job_id(attempt.pk), connection=queue.connection)
        if not _lost_call_look_up(attempt, job_error=job_error, now=now):
            closed += _attempt_close_stale(attempt.pk, stale=lost_dialing, job_error=job_error, now=now)
    for attempt in CallAttempt.objects.filter(ended).only("pk", "provider", "provider_call_id", "placed_at"):
        carrier_says = _carrier_call_status(attempt)
        if carrier_says is not None and carrier_says.status in FINAL_CALL_STATUSES:
            now_then = carrier_says.timestamp or now
            call_status_apply(attempt_id=attempt.pk, update=carrier_says, provider=attempt.provider, now=now_then)
            closed += 1
        elif carrier_says is None or attempt.placed_at < now - CALL_TIME_LIMIT:
            closed += _attempt_close_stale(attempt.pk, stale=ended, now=now)
        # Otherwise the carrier still has the call going: it ends it by its longest call at the latest.
    return StaleAttempts(requeued=requeued, closed=closed)


def _carrier_call_status(attempt: CallAttempt) -> StatusUpdate | None:
    """What the carrier has on record of a call whose final status callback never came (lost while the web
    server or the database was out): None when it cannot tell now, or keeps no record to ask."""
    if attempt.provider_call_id is None:
        return None
    try:
        return provider_get(attempt.provider).call_status(attempt.provider_call_id)
    except (ImproperlyConfigured, ProviderError) as error:
        logger.warning("The status of call attempt %s was not fetched: %s", attempt.pk, error)
        return None


def _lost_call_look_up(attempt: CallAttempt, *, job_error: str, now: datetime) -> bool:
    """Ask the carrier whether it placed the call of an attempt left dialing without its id (its answer
    was an error that did not say, or none came, or the worker died around the request): placed, the
    attempt takes the call's id and its callbacks tell the rest; not placed, the attempt waits to be placed
    again without spending one of the number's attempts, unless its call job failed (`job_error`, its last
    run's error) CALL_JOB_TRIES times. False when the carrier cannot tell."""
    try:
        provider = provider_get(attempt.provider)
        if not provider.finds_placed_calls or attempt.phone is None or attempt.phone.phone_encrypted is None:
            return False
        call_id = provider.placed_call_id(attempt, since=attempt.placed_at - CARRIER_CLOCK_SKEW)
    except (ImproperlyConfigured, ProviderError) as error:
        logger.warning("The carrier was not asked whether it placed call attempt %s: %s", attempt.pk, error)
        return False
    except Exception:
        # What failed the call job may fail the look-up too (a number that cannot be read): the sweep goes on
        # to the other attempts and campaigns, and this one is closed as one the carrier cannot tell of.
        logger.exception("The carrier could not be asked whether it placed call attempt %s.", attempt.pk)
        return False
    with transaction.atomic():
        locked = _attempts_locked().filter(pk=attempt.pk, status=CallStatus.DIALING, provider_call_id=None).first()
        if locked is None:
            return True  # a callback came meanwhile
        if call_id is not None:
            CallAttempt.objects.filter(pk=attempt.pk).update(provider_call_id=call_id)
            logger.warning("Call attempt %s was placed although the carrier's answer was an error.", attempt.pk)
            return True
        if job_error and _call_job_failure_count(locked, job_error=job_error, now=now):
            return True
        CallAttempt.objects.filter(pk=attempt.pk).update(
            status=CallStatus.PENDING, placed_at=None, ends_by=None, scheduled_for=now
        )
        Contact.objects.filter(pk=attempt.contact_id).update(status=ContactStatus.PENDING)
    logger.warning("Call attempt %s was not placed by the carrier; it waits to be placed again.", attempt.pk)
    return True


def _call_job_failure_count(attempt: CallAttempt, *, job_error: str, now: datetime) -> bool:
    """Count a failed run of the attempt's call job (locked with `_attempts_locked`, not dialed); at the
    CALL_JOB_TRIES-th the attempt ends with the job's error, its number going on as after a call that
    reached nobody, and True is returned."""
    attempt.failed_jobs += 1
    if attempt.failed_jobs < CALL_JOB_TRIES:
        attempt.save(update_fields=["failed_jobs"])
        return False
    attempt.status, attempt.ended_at = CallStatus.CANCELED, now
    attempt.placed_at = attempt.ends_by = None
    attempt.error = phone_numbers_mask(f"The call job failed {CALL_JOB_TRIES} times: {job_error}")[:300]
    attempt.save(update_fields=["failed_jobs", "status", "ended_at", "placed_at", "ends_by", "error"])
    logger.error("Call attempt %s is given up: %s", attempt.pk, attempt.error)
    _attempt_outcome(attempt, now=now, retry=True)
    return True


def _queued_attempts_requeue(queue: Queue, *, now: datetime) -> int:
    # A tick that has just committed may not have enqueued its jobs yet; its attempts then get
    # their job twice, and the second one finds them no longer queued.
    attempt_ids = list(CallAttempt.objects.filter(status=CallStatus.QUEUED).values_list("pk", flat=True))
    if not attempt_ids:
        return 0
    lost_job_ids = job_ids_lost([place_call_job_id(pk) for pk in attempt_ids], connection=queue.connection)
    lost = []
    failed = FailedJobRegistry(queue=queue)
    for attempt_id in attempt_ids:
        job_id = place_call_job_id(attempt_id)
        if job_id not in lost_job_ids:
            continue
        # Redis losing the job (restarted without its data) is no failure of it: only a failed run counts.
        job_error = job_last_error(job_id, connection=queue.connection)
        if job_error and _queued_attempt_job_failed(attempt_id, job_error=job_error, now=now):
            continue  # ended; its failed job stays in the list for whoever looks into it
        failed.remove(job_id)  # it is queued again, no longer a failure to look at
        lost.append(attempt_id)
    if lost:
        _call_jobs_enqueue(lost)
        logger.warning("Call jobs of %d queued attempts were lost; enqueued again.", len(lost))
    return len(lost)


@transaction.atomic
def _queued_attempt_job_failed(attempt_id: int, *, job_error: str, now: datetime) -> bool:
    """Count a failed run of a queued attempt's call job; True when the attempt is no longer queued (ended
    now, or meanwhile): its job is not queued again."""
    attempt = _attempts_locked().filter(pk=attempt_id, status=CallStatus.QUEUED).first()
    return attempt is None or _call_job_failure_count(attempt, job_error=job_error, now=now)


@transaction.atomic
def _attempt_close_stale(attempt_id: int, *, stale: Q, now: datetime, job_error: str = "") -> bool:
    # Checked again under the lock: a status callback may have come in since.
    attempt = _attempts_locked().filter(stale, pk=attempt_id).first()
    if attempt is None:
        return False
    answered = attempt.answered_at is not None
    attempt.status = CallStatus.COMPLETED if answered else CallStatus.CANCELED
    attempt.ended_at = now
    if attempt.provider_call_id:
        attempt.error = "No final status from the carrier."
    elif job_error:
        attempt.error = phone_numbers_mask(f"The call job failed while placing the call: {job_error}")[:300]
    else:
        attempt.error = "The call job stopped while placing the call; the carrier never reported it."
    attempt.save(update_fields=["status", "ended_at", "error"])
    logger.warning("Call attempt %s closed as stale: %s", attempt.pk, attempt.error)
    _attempt_outcome(attempt, now=now, retry=not answered)
    return True
