"""Reads for the survey pages."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from surveys.describe import caller_number_text, calling_days_text, calling_hours_text
from surveys.models import (
    SCALE_ANSWERS,
    CallAttempt,
    Campaign,
    CampaignStatus,
    Contact,
    ContactNumber,
    Question,
    QuestionKind,
    SmsMessage,
    SmsStatus,
    Survey,
)
from surveys.script import call_script
from surveys.services.privacy import CALLABLE_CONTACT_STATUSES


def surveys_for_editor() -> QuerySet[Survey]:
    return Survey.objects.prefetch_related("versions").annotate(campaign_count=Count("versions__campaigns"))


def campaigns_for_staff() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("survey_version__survey").annotate(contact_count=Count("contacts"))


def callable_contacts(campaign: Campaign) -> QuerySet[Contact]:
    """The campaign's contacts the dialer would still call: not opted out or finished, with at least
    one number that the purge has not removed and the carrier has not refused."""
    dialable = ContactNumber.objects.filter(contact=OuterRef("pk"), phone_hash__isnull=False, carrier_refused=False)
    return Contact.objects.filter(campaign=campaign, status__in=CALLABLE_CONTACT_STATUSES).filter(Exists(dialable))


@dataclass(frozen=True)
class CallCosts:
    """A campaign's call costs: the estimate from its price per minute, and what the carrier billed
    per currency for the `priced_calls` of its `charged_calls` it has priced so far."""

    minutes: int
    estimate: Decimal
    billed: dict[str, Decimal]
    priced_calls: int
    charged_calls: int


def campaign_call_costs(campaign: Campaign) -> CallCosts:
    rows = list(
        CallAttempt.objects.filter(contact__campaign=campaign)
        .order_by()
        .values("price_unit")
        .annotate(
            minutes=Sum("billed_minutes"),
            estimate=Sum("cost"),
            billed=Sum("price"),
            priced=Count("price"),
            charged=Count("pk", filter=Q(duration_seconds__gt=0)),
        )
    )
    return CallCosts(
        minutes=sum(row["minutes"] or 0 for row in rows),
        estimate=sum((row["estimate"] or Decimal(0) for row in rows), Decimal(0)),
        billed={row["price_unit"]: row["billed"] for row in rows if row["price_unit"]},
        priced_calls=sum(row["priced"] for row in rows),
        charged_calls=sum(row["charged"] for row in rows),
    )


# The text messages the provider took, or may have taken: not those it never got (an outage) or
# refused at once (the number).
CHARGED_SMS = ~Q(status=SmsStatus.NOT_SENT) & ~Q(status=SmsStatus.FAILED, provider_message_id=None)


@dataclass(frozen=True)
class SmsCosts:
    """A campaign's text messages and their estimated cost (parts x SMS_PRICE_PER_SEGMENT)."""

    messages: int
    segments: int
    estimate: Decimal


def campaign_sms_costs(campaign: Campaign) -> SmsCosts:
    totals = (
        SmsMessage.objects.filter(contact__campaign=campaign)
        .filter(CHARGED_SMS)
        .aggregate(messages=Count("pk"), segments=Sum("segments"), estimate=Sum("cost"))
    )
    return SmsCosts(totals["messages"], totals["segments"] or 0, totals["estimate"] or Decimal(0))


def _campaign_total(rows: QuerySet, field: str) -> Coalesce:
    """The sum of `field` over `rows` (which belong to the campaign of the outer query), 0 without any."""
    total = rows.order_by().values("contact__campaign").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total), Value(Decimal(0)), output_field=DecimalField(max_digits=14, decimal_places=4))


def campaign_spend(campaign: Campaign) -> Decimal:
    """What contacting the campaign's numbers has cost so far, by the estimates: its calls and its text
    messages, in one query. The one figure of the spend: the budget cap, the live page and the results
    (`campaign_call_costs` + `campaign_sms_costs`) read the same rows."""
    ours = {"contact__campaign": OuterRef("pk")}
    totals = Campaign.objects.filter(pk=campaign.pk).aggregate(
        calls=Sum(_campaign_total(CallAttempt.objects.filter(**ours), "cost")),
        messages=Sum(_campaign_total(SmsMessage.objects.filter(CHARGED_SMS, **ours), "cost")),
    )
    return (totals["calls"] or Decimal(0)) + (totals["messages"] or Decimal(0))


def public_campaigns() -> QuerySet[Campaign]:
    """Campaigns residents may see: questions published, not cancelled."""
    return (
        Campaign.objects.filter(questions_published_at__isnull=False)
        .exclude(status=CampaignStatus.CANCELLED)
        .select_related("survey_version__survey")
        .prefetch_related("status_changes")
        .order_by("start_date", "slug")
    )


def campaign_calling_dates(campaign: Campaign) -> tuple[date, date, bool]:
    """The first and last calling day residents are told, and whether calling ended before the plan.

    A campaign completed or cancelled before its planned last day shows the day it ended, not a
    future date on which no one will be called; one ended before its first day has its last day
    before its first."""
    ended_at = max(
        (
            change.changed_at
            for change in campaign.status_changes.all()
            if change.to_status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED)
        ),
        default=None,
    )
    if ended_at is None:
        return campaign.start_date, campaign.end_date, False
    ended_on = timezone.localdate(ended_at)
    if ended_on >= campaign.end_date:
        return campaign.start_date, campaign.end_date, False
    return campaign.start_date, ended_on, True


@dataclass(frozen=True)
class PublicQuestion:
    position: int
    text: str
    answers: list[str]
    demographic: bool


@dataclass(frozen=True)
class PublicCampaign:
    campaign: Campaign
    language: str
    title: str
    name: str
    purpose: str
    organiser: str
    caller_number: str
    days: str
    hours: str
    first_day: date
    last_day: date
    ended_early: bool
    notice: str
    questions: list[PublicQuestion]
    estimated_minutes: int
    phase: str


def campaign_phase(campaign: Campaign, today: date) -> str:
    """Where a campaign stands for residents: "running" only while it calls (started, first day
    reached), "paused" while staff have stopped the calls, "upcoming" until it calls, "finished"."""
    if campaign.status == CampaignStatus.COMPLETED or campaign.end_date < today:
        return "finished"
    if campaign.status == CampaignStatus.PAUSED:
        return "paused"
    if campaign.status == CampaignStatus.RUNNING and campaign.start_date <= today:
        return "running"
    return "upcoming"


def public_campaign_view(campaign: Campaign, *, language: str, detailed: bool = True) -> PublicCampaign:
    """What the residents' page shows of a campaign; the list leaves out questions and notice."""
    version = campaign.survey_version
    shown_language = language if language in version.languages else "fi"
    first_day, last_day, ended_early = campaign_calling_dates(campaign)
    questions = version.questions.prefetch_related("options").order_by("position") if detailed else []
    return PublicCampaign(
        campaign=campaign,
        language=shown_language,
        title=version.localized("title", shown_language),
        name=campaign.name,
        purpose=version.localized("purpose", shown_language),
        organiser=version.survey.organiser,
        caller_number=caller_number_text(campaign),
        days=calling_days_text(campaign),
        hours=calling_hours_text(campaign),
        first_day=first_day,
        last_day=last_day,
        ended_early=ended_early,
        notice=campaign.localized("information_notice", shown_language) if detailed else "",
        questions=[_public_question(question, shown_language) for question in questions],
        estimated_minutes=call_script(version, language=shown_language).estimated_minutes if detailed else 0,
        phase=campaign_phase(campaign, timezone.localdate()),
    )


def _public_question(question: Question, language: str) -> PublicQuestion:
    if question.kind == QuestionKind.SCALE:
        with translation.override(language):
            answers = [str(SCALE_ANSWERS)]
    else:
        answers = [f"{option.digit} = {option.localized('label', language)}" for option in question.options.all()]
    return PublicQuestion(
        position=question.position,
        text=question.localized("text", language),
        answers=answers,
        demographic=bool(question.demographic),
    )


def public_campaigns_grouped(campaigns, *, language: str) -> dict[str, list[PublicCampaign]]:
    groups: dict[str, list[PublicCampaign]] = {"running": [], "paused": [], "upcoming": [], "finished": []}
    for campaign in campaigns:
        view = public_campaign_view(campaign, language=language, detailed=False)
        groups[view.phase].append(view)
    return groups


def public_campaigns_current(*, language: str) -> list[PublicCampaign]:
    """The front page's campaigns: calling, paused or coming up, in that order."""
    groups = public_campaigns_grouped(public_campaigns(), language=language)
    return groups["running"] + groups["paused"] + groups["upcoming"]
