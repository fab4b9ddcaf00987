"""Residents' personal data: phone numbers purged after the campaign's number retention, the answers'
contents after its answer retention, opt-outs honoured at once."""

import calendar
import logging
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kuntaportaali.queueing import enqueue_after_commit
from surveys.models import (
    Answer,
    Campaign,
    CampaignStatus,
    ConsentChannel,
    ConsentKind,
    Contact,
    ContactImport,
    ContactNumber,
    ContactStatus,
    DoNotCall,
    ReportFile,
    SmsMessage,
    SurveyLink,
)
from surveys.models.contacts import OPT_OUT_SOURCES
from surveys.phone_numbers import phone_hash, phone_normalise

from .consent import consent_record

logger = logging.getLogger(__name__)

OPT_OUT_QUEUE = "dialer"
OPT_OUT_JOB = "surveys.jobs.opt_out_calls_stop"
# A registry entry whose numbers' contacts are still to be called this long after it was stored lost its
# job (Redis restarted without its data, or was out of reach as the form queued it): `opt_outs_complete`
# does the job's work. The job runs within seconds; doing its work twice changes nothing.
OPT_OUT_JOB_OVERDUE_AFTER = timedelta(minutes=10)
# The registry entries completed in one round of the sweep; the rest in the next ones.
OPT_OUTS_COMPLETED_PER_ROUND = 500

# Opt-outs and contact imports serialise on this PostgreSQL advisory lock: otherwise an import that
# read the registry just before an opt-out committed could add the opted-out number afterwards.
DO_NOT_CALL_LOCK_KEY = 0x6B70_646E63  # "kpdnc"
_registry_writes_rolled_back = ContextVar("registry_writes_rolled_back", default=False)

FINISHED_CAMPAIGN_STATUSES = (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED)
CALLABLE_CONTACT_STATUSES = (ContactStatus.PENDING, ContactStatus.IN_PROGRESS)


@dataclass
class PurgeReport:
    """What one purge removed: per campaign touched and in total, a count per kind of data, in purge order."""

    campaigns: dict[str, dict[str, int]] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)

    def summary_line(self) -> str:
        counts = " ".join(f"{name}={count}" for name, count in self.removed.items())
        return f"purged_campaigns={len(self.campaigns)} {counts}".strip()

    def lines(self) -> list[str]:
        """What the purge commands print: a line per campaign purged, then the summary line."""
        per_campaign = [
            f"campaign {slug}: " + " ".join(f"{name}={count}" for name, count in counts.items())
            for slug, counts in self.campaigns.items()
        ]
        return [*per_campaign, self.summary_line()]


class PurgeStep(NamedTuple):
    """One kind of personal data removed from expired campaigns; `purge` returns how many rows it cleared."""

    name: str
    purge: Callable[[QuerySet, datetime], int]


def _purge_numbers(campaigns: QuerySet, now: datetime) -> int:
    purged = (
        ContactNumber.objects.filter(campaign__in=campaigns)
        .filter(Q(phone_encrypted__isnull=False) | Q(phone_hash__isnull=False))
        .update(phone_encrypted=None, phone_hash=None)
    )
    if purged:
        Contact.objects.filter(campaign__in=campaigns, purged_at=None).update(purged_at=now)
    return purged


def _purge_import_reports(campaigns: QuerySet, now: datetime) -> int:
    # The problems list quotes the rejected cells, which may be (mistyped) phone numbers.
    return ContactImport.objects.filter(campaign__in=campaigns).exclude(problems=[]).update(problems=[])


def _purge_call_metadata(campaigns: QuerySet, now: datetime) -> int:
    # The carrier's call ids and exact call times could be matched with the carrier's records of numbers.
    from surveys.models import CallAttempt

    return (
        CallAttempt.objects.filter(contact__campaign__in=campaigns)
        .filter(Q(provider_call_id__isnull=False) | Q(placed_at__isnull=False))
        .update(provider_call_id=None, placed_at=None, answered_at=None, ended_at=None, error="")
    )


def _purge_survey_links(campaigns: QuerySet, now: datetime) -> int:
    # A link opens a contact's survey: nothing to open once the campaign's numbers are gone.
    return SurveyLink.objects.filter(contact__campaign__in=campaigns).delete()[0]


def _purge_sms_metadata(campaigns: QuerySet, now: datetime) -> int:
    # Like a call's: the provider's message ids and the times could be matched with its records of numbers.
    return (
        SmsMessage.objects.filter(contact__campaign__in=campaigns)
        .filter(Q(provider_message_id__isnull=False) | Q(sent_at__isnull=False))
        .update(provider_message_id=None, sent_at=None, status_at=None, error="")
    )


def _purge_answer_contents(campaigns: QuerySet, now: datetime) -> int:
    # Each response's interview code (I, P, R) stays as it was stored while the answers were there: the
    # dispositions read it from then on (`campaign_dispositions`), as the options chosen - the skips a
    # break-off took - are gone.
    return (
        Answer.objects.filter(response__campaign__in=campaigns)
        .exclude(digits="", option__isnull=True, number_value__isnull=True, transcript="", confidence__isnull=True)
        .update(digits="", option=None, number_value=None, transcript="", confidence=None)
    )


def _purge_demographics(campaigns: QuerySet, now: datetime) -> int:
    return (
        Contact.objects.filter(campaign__in=campaigns)
        .filter(Q(birth_year__isnull=False) | ~Q(postal_code=""))
        .update(birth_year=None, postal_code="")
    )


def _purge_report_files(campaigns: QuerySet, now: datetime) -> int:
    return ReportFile.objects.filter(campaign__in=campaigns).delete()[0]


# Each step clears one kind of data, in the same report.
PURGE_STEPS: list[PurgeStep] = [
    PurgeStep("numbers", _purge_numbers),
    PurgeStep("import_reports", _purge_import_reports),
    PurgeStep("call_metadata", _purge_call_metadata),
    PurgeStep("survey_links", _purge_survey_links),
    PurgeStep("sms_metadata", _purge_sms_metadata),
]
ANSWER_PURGE_STEPS: list[PurgeStep] = [
    PurgeStep("answers", _purge_answer_contents),
    PurgeStep("demographics", _purge_demographics),
    PurgeStep("report_files", _purge_report_files),
]


def _retention_start(campaign: Campaign) -> date:
    """The day the retention periods count from: the planned last calling day, or the day the
    campaign was ended or cancelled, when earlier."""
    basis = campaign.end_date
    if campaign.status in FINISHED_CAMPAIGN_STATUSES:
        ended = (
            campaign.status_changes.filter(to_status=campaign.status)
            .order_by("-changed_at")
            .values_list("changed_at", flat=True)
            .first()
        )
        if ended is not None:
            basis = min(basis, timezone.localdate(ended))
    return basis


def campaign_numbers_expire_on(campaign: Campaign) -> date:
    """The last day the campaign's numbers may be kept."""
    return _retention_start(campaign) + timedelta(days=campaign.number_retention_days)


def campaign_answers_expire_on(campaign: Campaign) -> date:
    """The last day the contents of the campaign's answers may be kept: `answer_retention_months`
    calendar months after the retention start (the 31st becomes the month's last day)."""
    start = _retention_start(campaign)
    month_index = start.month - 1 + campaign.answer_retention_months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))


def campaign_answers_purged(campaign: Campaign, *, today: date | None = None) -> bool:
    """Whether the campaign's answers are past their retention (the nightly purge has cleared them)."""
    return campaign_answers_expire_on(campaign) < (today or timezone.localdate())


def campaigns_past_retention(*, today: date, expire_on: Callable[[Campaign], date] = campaign_numbers_expire_on):
    candidates = Campaign.objects.filter(Q(end_date__lt=today) | Q(status__in=FINISHED_CAMPAIGN_STATUSES))
    return [campaign for campaign in candidates if expire_on(campaign) < today]


def contacts_purge_expired(*, today: date) -> PurgeReport:
    """Delete the phone numbers (and the rows quoting them) of every campaign past its retention.

    Pseudonyms, statuses, demographics, answers and counts stay. Running it again removes nothing more.
    """
    return _purge(today=today, steps=PURGE_STEPS, expire_on=campaign_numbers_expire_on)


def answers_purge_expired(*, today: date) -> PurgeReport:
    """Delete what residents answered in every campaign past its answer retention: the answers'
    contents, the contacts' birth years and postal codes, and the report files quoting them.

    An emptied answer row stays as the record that the question was answered, so the dispositions
    and AAPOR rates come out as before; the published summary keeps its frozen figures. Running it
    again removes nothing more.
    """
    return _purge(today=today, steps=ANSWER_PURGE_STEPS, expire_on=campaign_answers_expire_on)


def _purge(*, today: date, steps: list[PurgeStep], expire_on: Callable[[Campaign], date]) -> PurgeReport:
    now = timezone.now()
    report = PurgeReport(removed={step.name: 0 for step in steps})
    with transaction.atomic():
        for campaign in campaigns_past_retention(today=today, expire_on=expire_on):
            one = Campaign.objects.filter(pk=campaign.pk)
            counts = {step.name: step.purge(one, now) for step in steps}
            if any(counts.values()):
                report.campaigns[campaign.slug] = counts
                for name, count in counts.items():
                    report.removed[name] += count
    return report


@contextmanager
def registry_writes_rolled_back():
    """A transaction (a savepoint inside one) that is rolled back at its end, whatever happens in it
    (a planning run), in which opt-outs and imports take no registry lock. The lock, held to the
    end, minutes later, would make every opt-out and import of the site wait for it; and nothing of
    this transaction is committed, so no committed import can miss an opt-out of it. (An opt-out of
    the site of a number this transaction put on the registry would still wait for it at the
    registry's unique index: a planning run's numbers are made up and listed nowhere.)"""
    with transaction.atomic():
        token = _registry_writes_rolled_back.set(True)
        try:
            yield
        finally:
            _registry_writes_rolled_back.reset(token)
        transaction.set_rollback(True)


def do_not_call_lock() -> None:
    """Hold the registry lock until the current transaction ends (SQLite serialises writers itself;
    a transaction rolled back needs none: registry_writes_rolled_back)."""
    if connection.vendor == "postgresql" and not _registry_writes_rolled_back.get():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DO_NOT_CALL_LOCK_KEY])


def opt_out_register(*, raw_number: str, source: str) -> bool:
    """Put the number's keyed hash on the do-not-call registry and stop every call still to come.

    Raises InvalidPhoneNumber for text that is not a phone number. Returns True when the number was
    not on the registry before - for the caller's log only: a resident must be shown the same
    answer either way, so that the form reveals nothing about any list.
    """
    if source not in OPT_OUT_SOURCES:
        raise ValueError(f"Unknown opt-out source {source!r}.")
    return _opt_out(hashes=[phone_hash(phone_normalise(raw_number))], source=source)


def opt_out_request(*, raw_number: str, source: str) -> None:
    """The residents' opt-out form: the number's keyed hash goes on the registry and a consent event is
    written, the same statements whatever the number; stopping the calls of its contacts, and their consent
    events, is left to a job (`opt_out_calls_stop`) that gets the registry entry's id - neither the number
    nor its hash is kept in Redis or in the worker's log. Doing that while the resident waited made the
    answer slower for a number on a campaign's list, and the time told what the answer does not. The
    opt-out holds from the answer on all the same: the dialer and the text messages read the registry
    before every call and message. Should Redis not take the job (or lose it), nothing more is done here:
    stopping the contacts' calls here, while the resident waited, would again tell by the time whether the
    number was on a list; the sweep (`opt_outs_complete`) does the job's work a few minutes later.

    Raises InvalidPhoneNumber for text that is not a phone number."""
    if source not in ConsentChannel.values:
        raise ValueError(f"Unknown opt-out channel {source!r}.")
    number_hash = phone_hash(phone_normalise(raw_number))
    with transaction.atomic():
        do_not_call_lock()
        DoNotCall.objects.bulk_create([DoNotCall(phone_hash=number_hash, source=source)], ignore_conflicts=True)
        entry_id = DoNotCall.objects.values_list("pk", flat=True).get(phone_hash=number_hash)
        consent_record(kind=ConsentKind.OPTED_OUT, channel=source)
        enqueue_after_commit(
            OPT_OUT_QUEUE,
            OPT_OUT_JOB,
            entry_id,
            str(source),
            on_unqueued=_opt_out_left_to_the_sweep,
        )


def _opt_out_left_to_the_sweep(error: Exception) -> None:
    logger.warning("An opt-out's contacts are left to the sweep (opt_outs_complete): its job was not queued.")


def opt_out_calls_stop(*, entry_id: int, source: str) -> int:
    """Stop the calls still to come of every contact with the number of the registry entry, each with its
    consent event; returns how many contacts. A contact opted out before is left as it is, so a second
    run changes nothing (nor does an entry gone)."""
    hashes = list(DoNotCall.objects.filter(pk=entry_id).values_list("phone_hash", flat=True))
    with transaction.atomic():
        return len(_calls_stop(hashes=hashes, source=source)) if hashes else 0


def opt_outs_complete(*, now: datetime | None = None) -> int:
    """Stop the calls still to come, each with its consent event, of every contact with a number that has
    been on the do-not-call registry for OPT_OUT_JOB_OVERDUE_AFTER: what the job of a lost opt-out
    (`opt_out_calls_stop`) would have done, in the entry's own channel; returns how many contacts. A
    contact opted out already is no longer found, so a second run changes nothing."""
    now = now or timezone.now()
    still_to_call = (
        ContactNumber.objects.filter(phone_hash=OuterRef("phone_hash"), contact__status__in=CALLABLE_CONTACT_STATUSES)
        .exclude(contact__campaign__status__in=FINISHED_CAMPAIGN_STATUSES)
        .values("pk")
    )
    overdue = (
        DoNotCall.objects.filter(created_at__lte=now - OPT_OUT_JOB_OVERDUE_AFTER)
        .filter(Exists(still_to_call))
        .order_by("pk")
        .values_list("phone_hash", "source")[:OPT_OUTS_COMPLETED_PER_ROUND]
    )
    hashes_by_source: dict[str, list[str]] = {}
    for number_hash, source in overdue:
        hashes_by_source.setdefault(source, []).append(number_hash)
    with transaction.atomic():
        stopped = sum(len(_calls_stop(hashes=hashes, source=source)) for source, hashes in hashes_by_source.items())
    if stopped:
        logger.warning("The opt-outs of %d contacts were not completed by their job; completed now.", stopped)
    return stopped


def contact_opt_out(*, contact: Contact, source: str) -> bool:
    """The person on the line (or on their own survey link) asked never to be contacted again: every
    number of theirs goes on the registry and their calls still to come stop, in every campaign.
    The contact itself is marked opted out, with its consent event, even when no call of it was left."""
    if source not in OPT_OUT_SOURCES:
        raise ValueError(f"Unknown opt-out source {source!r}.")
    hashes = list(contact.numbers.exclude(phone_hash=None).values_list("phone_hash", flat=True))
    return _opt_out(hashes=hashes, source=source, asking=contact) if hashes else False


def _opt_out(*, hashes: list[str], source: str, asking: Contact | None = None) -> bool:
    with transaction.atomic():
        do_not_call_lock()
        listed = set(DoNotCall.objects.filter(phone_hash__in=hashes).values_list("phone_hash", flat=True))
        new = [number_hash for number_hash in dict.fromkeys(hashes) if number_hash not in listed]
        DoNotCall.objects.bulk_create([DoNotCall(phone_hash=number_hash, source=source) for number_hash in new])
        still_to_call = _calls_stop(hashes=hashes, source=source, asking=asking)
        if new and not still_to_call and source in ConsentChannel.values:
            consent_record(kind=ConsentKind.OPTED_OUT, channel=source)
    return bool(new)


def _calls_stop(*, hashes: list[str], source: str, asking: Contact | None = None) -> list[Contact]:
    """Mark opted out, each with its consent event, the contacts of these numbers still to be called in an
    unfinished campaign (and `asking`); returns them."""
    contacts = Contact.objects.select_for_update(of=("self",)).select_related("campaign")
    still_to_call = list(
        contacts.filter(pk__in=ContactNumber.objects.filter(phone_hash__in=hashes).values("contact_id"))
        .filter(status__in=CALLABLE_CONTACT_STATUSES)
        .exclude(campaign__status__in=FINISHED_CAMPAIGN_STATUSES)
    )
    if asking is not None and all(contact.pk != asking.pk for contact in still_to_call):
        # Asked from a contact whose calls had ended (its survey link came after the last call):
        # its campaign's evidence names it all the same.
        still_to_call += contacts.filter(pk=asking.pk).exclude(status=ContactStatus.OPTED_OUT)
    Contact.objects.filter(pk__in=[contact.pk for contact in still_to_call]).update(status=ContactStatus.OPTED_OUT)
    if source in ConsentChannel.values:
        for contact in still_to_call:
            consent_record(
                kind=ConsentKind.OPTED_OUT, channel=source, campaign=contact.campaign, contact_ref=contact.pseudonym
            )
    return still_to_call
