"""How far a campaign has come: the figures of the live campaign page, in a fixed number of queries.

The funnel counts like `simulate_campaign` does (calls are placed attempts, answered are attempts a
person or a machine picked up, consented are distinct numbers), so the page and the simulator agree.
Its other stages count numbers; partial answers count like AAPOR's P (at least half the questions
answered) and the rest of the unfinished answers are break-offs, so the funnel and the AAPOR table agree.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from surveys.models import (
    Answer,
    CallAttempt,
    CallStatus,
    Campaign,
    CampaignStatus,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactStatus,
    Question,
    Response,
    ResponseStatus,
)
from surveys.models.calls import ACTIVE_CALL_STATUSES
from surveys.services.dispositions import PARTIAL_THRESHOLD

# Why a number has had fewer attempts than the campaign allows, in the order of the coverage table.
PENDING, COMPLETE, REFUSED, OPTED_OUT, NOT_ELIGIBLE, ENDED = (
    "pending",
    "complete",
    "refused",
    "opted_out",
    "not_eligible",
    "ended",
)
SHORT_REASONS = (PENDING, COMPLETE, REFUSED, OPTED_OUT, NOT_ELIGIBLE, ENDED)
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
    reached: int  # numbers where a person heard the introduction
    consented: int
    complete: int
    partial: int  # AAPOR P: at least half of the questions answered
    break_offs: int  # unfinished with fewer answers: AAPOR counts them with the refusals (R)
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


def _attempt_count(*statuses_excluded) -> Coalesce:
    placed = (
        CallAttempt.objects.filter(contact=OuterRef("pk"), placed_at__isnull=False)
        .exclude(status__in=statuses_excluded)
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
        placed_not_failed=_attempt_count(CallStatus.FAILED),
        completed=Exists(Response.objects.filter(pseudonym=pseudonym, status=ResponseStatus.COMPLETE)),
        responded=Exists(Response.objects.filter(pseudonym=pseudonym)),
        declined=Exists(ConsentEvent.objects.filter(contact_ref=pseudonym, kind=ConsentKind.DECLINED)),
        reached=Exists(CallAttempt.objects.filter(contact=OuterRef("pk")).exclude(current_step="")),
    )
    return (
        contacts.order_by()
        .values("status", "placed", "completed", "responded", "declined", "reached", "placed_not_failed")
        .annotate(numbers=Count("pk"))
    )


def _short_reason(group: dict, *, campaign_ended: bool) -> str:
    """Why a number has had fewer attempts than allowed: opt-out and numbers still in play first, then
    the outcome, ranked as in `surveys/services/dispositions.py`."""
    if group["status"] == ContactStatus.OPTED_OUT:
        return OPTED_OUT
    if group["status"] in (ContactStatus.PENDING, ContactStatus.IN_PROGRESS):
        return ENDED if campaign_ended else PENDING
    if group["completed"]:
        return COMPLETE
    if group["responded"] or group["declined"] or group["reached"]:
        return REFUSED
    if group["placed"] and not group["placed_not_failed"]:
        return NOT_ELIGIBLE
    return ENDED


def _responses_with_answer_counts(campaign: Campaign):
    """The campaign's responses with their answers and the survey's questions counted in subqueries,
    so telling partial answers from break-offs (as `surveys/services/dispositions.py` does) stays one query."""
    answers = Answer.objects.filter(response=OuterRef("pk")).order_by().values("response").annotate(n=Count("pk"))
    questions = (
        Question.objects.filter(version=campaign.survey_version_id).order_by().values("version").annotate(n=Count("pk"))
    )
    return Response.objects.filter(campaign=campaign).annotate(
        answer_count=Coalesce(Subquery(answers.values("n"), output_field=IntegerField()), Value(0)),
        question_count=Coalesce(Subquery(questions.values("n"), output_field=IntegerField()), Value(0)),
        threshold=ExpressionWrapper(F("question_count") * PARTIAL_THRESHOLD, output_field=FloatField()),
    )


def campaign_progress(campaign: Campaign) -> CampaignProgress:
    """The live figures of one campaign: four queries however many numbers it has."""
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
        spend=Coalesce(Sum("cost"), Value(Decimal(0)), output_field=DecimalField(max_digits=12, decimal_places=4)),
    )
    # An interview still on the line is unfinished but not broken off (yet).
    on_the_line = CallAttempt.objects.filter(contact__pseudonym=OuterRef("pseudonym"), status__in=ACTIVE_CALL_STATUSES)
    half_answered = Q(question_count__gt=0, answer_count__gte=F("threshold"))
    responses = (
        _responses_with_answer_counts(campaign)
        .annotate(on_the_line=Exists(on_the_line))
        .aggregate(
            complete=Count("pk", filter=Q(status=ResponseStatus.COMPLETE)),
            partial=Count("pk", filter=Q(status=ResponseStatus.PARTIAL) & half_answered),
            break_offs=Count("pk", filter=Q(status=ResponseStatus.PARTIAL, on_the_line=False) & ~half_answered),
        )
    )
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
        spend=calls["spend"],
        budget_cap=campaign.budget_cap,
    )


def _number(value) -> str:
    return number_format(value, use_l10n=True)


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
