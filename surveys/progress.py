"""How far a campaign has come: the figures of the live campaign page, in a fixed number of queries.

The funnel counts like `simulate_campaign` does (calls are placed attempts, answered are attempts a
person or a machine picked up, consented are distinct numbers), so the page and the simulator agree.
Its other stages count numbers. A number is reached when a person heard the introduction: an
answering machine or a fax line never is, even when the introduction started before the carrier's
verdict. Complete and partial answers and break-offs are told apart as `surveys/services/dispositions.py`
does (by the share of the questions that applied), so the funnel and the AAPOR table agree; a
response screened out by a quota is none of them.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from surveys.models import (
    CallAttempt,
    Campaign,
    CampaignStatus,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactStatus,
    Response,
    ResponseStatus,
)
from surveys.models.calls import ACTIVE_CALL_STATUSES
from surveys.selectors import campaign_spend
from surveys.services import dispositions

# Why a number has had fewer attempts than the campaign allows, in the order of the coverage table.
PENDING, COMPLETE, REFUSED, OPTED_OUT, NOT_ELIGIBLE, QUOTA_FILLED, ENDED = (
    "pending",
    "complete",
    "refused",
    "opted_out",
    "not_eligible",
    "quota_filled",
    "ended",
)
SHORT_REASONS = (PENDING, COMPLETE, REFUSED, OPTED_OUT, NOT_ELIGIBLE, QUOTA_FILLED, ENDED)
ENDED_CAMPAIGN_STATUSES = frozenset({CampaignStatus.COMPLETED, CampaignStatus.CANCELLED})


@dataclass(frozen=True)
class CoverageRow:
    attempts: int
    numbers: int
    # Only for fewer attempts than the maximum: reason -> numbers, in SHORT_REASONS order.
    reasons: dict[str, int] | None


@dataclass(frozen=True)
class CampaignProgress:
    status: str
    numbers: int
    final: int
    calls: int  # placed attempts, not numbers
    answered: int  # attempts a person or a machine picked up
    reached: int  # numbers where a person (never a machine or a fax line) heard the introduction
    consented: int
    complete: int  # AAPOR I: at least 80 % of the questions that applied answered
    partial: int  # AAPOR P: 50-80 % of them answered
    break_offs: int  # fewer answers, and no longer on the line: AAPOR counts them with the refusals (R)
    in_progress: int
    coverage: list[CoverageRow]
    spend: Decimal
    budget_cap: Decimal | None

    @property
    def percent(self) -> float:
        return round(100 * self.final / self.numbers, 1) if self.numbers else 0.0

    @property
    def budget_percent(self) -> float | None:
        if not self.budget_cap:
            return None
        return round(float(100 * self.spend / self.budget_cap), 1)

    @property
    def running(self) -> bool:
        return self.status == CampaignStatus.RUNNING


def _attempts():
    """The attempts of the contact in the outer query, each with its `outcome` (`dispositions.ATTEMPT_OUTCOME`)."""
    return CallAttempt.objects.filter(contact=OuterRef("pk")).annotate(outcome=dispositions.ATTEMPT_OUTCOME)


def _attempt_count(*outcomes_excluded) -> Coalesce:
    placed = (
        _attempts()
        .filter(placed_at__isnull=False)
        .exclude(outcome__in=outcomes_excluded)
        .order_by()
        .values("contact")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(placed, output_field=IntegerField()), Value(0))


def _coverage_groups(campaign: Campaign):
    """Numbers grouped by contact status, attempts placed and the outcome flags `_short_reason` reads:
    one query, whose rows grow with the combinations, not with the contacts."""
    pseudonym = OuterRef("pseudonym")
    contacts = Contact.objects.filter(campaign=campaign).annotate(
        placed=_attempt_count(),
        # Calls to a line that works for people: not failed at the carrier, not a fax or data line.
        placed_working=_attempt_count(dispositions.NOT_WORKING, dispositions.FAX_LINE),
        completed=Exists(Response.objects.filter(pseudonym=pseudonym, status=ResponseStatus.COMPLETE)),
        responded=Exists(Response.objects.filter(pseudonym=pseudonym)),
        declined=Exists(ConsentEvent.objects.filter(contact_ref=pseudonym, kind=ConsentKind.DECLINED)),
        picked_up=Exists(_attempts().filter(outcome=dispositions.PERSON)),
        reached=Exists(_attempts().filter(outcome=dispositions.PERSON).exclude(current_step="")),
        quota_closed=ExpressionWrapper(Q(quota_closed_at__isnull=False), output_field=BooleanField()),
    )
    return (
        contacts.order_by()
        .values(
            "status",
            "placed",
            "completed",
            "responded",
            "declined",
            "picked_up",
            "reached",
            "placed_working",
            "quota_closed",
        )
        .annotate(numbers=Count("pk"))
    )


def _short_reason(group: dict, *, campaign_ended: bool) -> str:
    """Why a number has had fewer attempts than allowed: opt-out and numbers still in play first, then
    the outcome, ranked as in `surveys/services/dispositions.py`."""
    if group["status"] == ContactStatus.OPTED_OUT:
        return OPTED_OUT
    if group["status"] in (ContactStatus.PENDING, ContactStatus.IN_PROGRESS):
        return ENDED if campaign_ended else PENDING
    if group["quota_closed"] and not group["completed"]:
        return QUOTA_FILLED
    if group["completed"]:
        return COMPLETE
    if group["responded"] or group["declined"] or group["picked_up"]:
        return REFUSED
    if group["placed"] and not group["placed_working"]:
        return NOT_ELIGIBLE
    return ENDED


def _response_counts(campaign: Campaign) -> dict[str, int]:
    """Complete answers (I), partial ones (P) and break-offs, told apart as the AAPOR dispositions
    do, in two queries. An unfinished answer still on the line is not a break-off (yet)."""
    on_the_line = CallAttempt.objects.filter(contact__pseudonym=OuterRef("pseudonym"), status__in=ACTIVE_CALL_STATUSES)
    responses = Response.objects.filter(campaign=campaign).annotate(on_the_line=Exists(on_the_line))
    questions = dispositions.survey_questions(version_id=campaign.survey_version_id)
    counts = {"complete": 0, "partial": 0, "break_offs": 0}
    for response in dispositions.responses_answers(responses, "on_the_line").values():
        code = dispositions.interview_code(questions, response)
        if code == dispositions.COMPLETE:
            counts["complete"] += 1
        elif code == dispositions.PARTIAL:
            counts["partial"] += 1
        elif code == dispositions.REFUSAL and not response.values[1]:  # no longer on the line
            counts["break_offs"] += 1
    return counts


def campaign_progress(campaign: Campaign) -> CampaignProgress:
    """The live figures of one campaign: six queries however many numbers it has."""
    campaign_ended = campaign.status in ENDED_CAMPAIGN_STATUSES
    maximum = campaign.max_attempts
    by_attempts = {attempts: 0 for attempts in range(maximum + 1)}
    reasons = {attempts: dict.fromkeys(SHORT_REASONS, 0) for attempts in range(maximum)}
    numbers = final = reached = 0
    for group in _coverage_groups(campaign):
        count = group["numbers"]
        attempts = min(group["placed"], maximum)
        numbers += count
        if group["reached"]:
            reached += count
        by_attempts[attempts] += count
        if campaign_ended or group["status"] in (ContactStatus.FINISHED, ContactStatus.OPTED_OUT):
            final += count
        if attempts < maximum:
            reasons[attempts][_short_reason(group, campaign_ended=campaign_ended)] += count

    calls = CallAttempt.objects.filter(contact__campaign=campaign).aggregate(
        calls=Count("pk", filter=Q(placed_at__isnull=False)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        in_progress=Count("pk", filter=Q(status__in=ACTIVE_CALL_STATUSES)),
    )
    responses = _response_counts(campaign)
    consented = ConsentEvent.objects.filter(campaign=campaign, kind=ConsentKind.CONSENTED).aggregate(
        numbers=Count("contact_ref", distinct=True)
    )["numbers"]
    return CampaignProgress(
        status=campaign.status,
        numbers=numbers,
        final=final,
        calls=calls["calls"],
        answered=calls["answered"],
        consented=consented,
        reached=reached,
        complete=responses["complete"],
        partial=responses["partial"],
        break_offs=responses["break_offs"],
        in_progress=calls["in_progress"],
        coverage=[
            CoverageRow(attempts=attempts, numbers=count, reasons=reasons.get(attempts))
            for attempts, count in by_attempts.items()
        ],
        spend=campaign_spend(campaign),
        budget_cap=campaign.budget_cap,
    )


def _number(value) -> str:
    return number_format(value, use_l10n=True, force_grouping=True)


def progress_summary(progress: CampaignProgress) -> str:
    return _("Numbers with a final outcome: %(final)s of %(numbers)s (%(percent)s %%).") % {
        "final": _number(progress.final),
        "numbers": _number(progress.numbers),
        "percent": _number(progress.percent),
    }


def progress_values(progress: CampaignProgress) -> dict[str, str]:
    """Every figure the page updates one by one, formatted for the active language, keyed by its
    `data-live` name; the funnel is swapped whole (`surveys.views.campaigns`)."""
    values = {
        "numbers": progress.numbers,
        "final": progress.final,
        "percent": progress.percent,
        "in_progress": progress.in_progress,
        "spend": progress.spend.quantize(Decimal("0.01")),
    }
    if progress.budget_percent is not None:
        values["budget_percent"] = progress.budget_percent
    for row in progress.coverage:
        values[f"coverage-{row.attempts}"] = row.numbers
        for reason, count in (row.reasons or {}).items():
            values[f"coverage-{row.attempts}-{reason}"] = count
    figures = {key: _number(value) for key, value in values.items()}
    figures["spend"] = number_format(values["spend"], 2, use_l10n=True, force_grouping=True)
    return figures


def progress_json(progress: CampaignProgress, *, status_label: str) -> dict:
    return {
        "status": progress.status,
        "status_label": status_label,
        "running": progress.running,
        "final": progress.final,
        "numbers": progress.numbers,
        "summary": progress_summary(progress),
        "values": progress_values(progress),
    }
