"""Reads for the survey pages."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from surveys.describe import caller_number_text, calling_days_text, calling_hours_text
from surveys.messaging.sender import InvalidSender, sms_sender_read
from surveys.models import (
    SCALE_ANSWERS,
    CallAttempt,
    Campaign,
    CampaignStatus,
    ConsentChannel,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactNumber,
    ContactStatus,
    InterviewCode,
    Question,
    QuestionKind,
    Response,
    SmsMessage,
    SmsStatus,
    Survey,
)
from surveys.models.calls import ACTIVE_CALL_STATUSES
from surveys.phone_numbers import phone_display
from surveys.progress import (
    COMPLETE,
    ENDED,
    ENDED_CAMPAIGN_STATUSES,
    NOT_ELIGIBLE,
    OPTED_OUT,
    PENDING,
    QUOTA_FILLED,
    REFUSED,
    SHORT_REASONS,
    CampaignProgress,
    CoverageRow,
)
from surveys.script import call_script
from surveys.services import dispositions
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


# The text messages the provider billed, or may bill: sent on to an operator (delivered or not) or
# perhaps so. Not those it never got (an outage), refused at once (the number), or reported failed:
# a failed message never left the provider, and is not billed (Twilio bills the attempt to deliver).
CHARGED_SMS = ~Q(status__in=[SmsStatus.NOT_SENT, SmsStatus.FAILED])


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
    """`language` is the survey's language the page shows; each text's `<text>_language` is the one
    it is in, Finnish where its translation is empty, for its lang attribute (WCAG 3.1.2)."""

    campaign: Campaign
    language: str
    title: str
    title_language: str
    name: str
    name_language: str
    purpose: str
    purpose_language: str
    organiser: str
    organiser_language: str
    caller_number: str
    days: str
    hours: str
    first_day: date
    last_day: date
    ended_early: bool
    notice: str
    notice_language: str
    questions: list[PublicQuestion]
    estimated_minutes: int
    phase: str
    # Who sends the text message with the link to the web survey, and the address the link leads to:
    # both empty when the campaign sends none.
    sms_sender: str = ""
    sms_link_host: str = ""


def _sms_facts(campaign: Campaign) -> tuple[str, str]:
    """The sender and the link's address as a resident sees them in the message, to check it is
    genuine; empty when the campaign sends no links or the site's sender could send none."""
    if not campaign.sms_follow_up:
        return "", ""
    try:
        sender = sms_sender_read(settings.SMS_SENDER)
    except InvalidSender:
        return "", ""
    shown = phone_display(sender.value) if sender.takes_replies else sender.value
    return shown, urlsplit(settings.PUBLIC_BASE_URL).netloc


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
    sms_sender, sms_link_host = _sms_facts(campaign) if detailed else ("", "")
    return PublicCampaign(
        campaign=campaign,
        language=shown_language,
        title=version.localized("title", shown_language),
        title_language=version.localized_language("title", shown_language),
        name=campaign.localized("name", shown_language),
        name_language=campaign.localized_language("name", shown_language),
        purpose=version.localized("purpose", shown_language),
        purpose_language=version.localized_language("purpose", shown_language),
        organiser=version.survey.localized("organiser", shown_language),
        organiser_language=version.survey.localized_language("organiser", shown_language),
        caller_number=caller_number_text(campaign),
        days=calling_days_text(campaign),
        hours=calling_hours_text(campaign),
        first_day=first_day,
        last_day=last_day,
        ended_early=ended_early,
        notice=campaign.localized("information_notice", shown_language) if detailed else "",
        notice_language=campaign.localized_language("information_notice", shown_language),
        questions=[_public_question(question, shown_language) for question in questions],
        estimated_minutes=call_script(version, language=shown_language).estimated_minutes if detailed else 0,
        phase=campaign_phase(campaign, timezone.localdate()),
        sms_sender=sms_sender,
        sms_link_host=sms_link_host,
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


# How far a campaign has come, in a fixed number of queries. The funnel counts like
# `simulate_campaign` does (calls are placed attempts, answered are attempts a person or a machine
# picked up, consented are distinct numbers), so the page and the simulator agree. Its other stages
# count numbers. A number is reached when a person heard the introduction (or read it on their link's
# page and chose there): an answering machine or a fax line never is, even when the introduction
# started before the carrier's verdict. Complete and
# partial answers and break-offs are told apart as `surveys/services/dispositions.py` does (by the
# share of the questions that applied, stored with each response as its answers arrive:
# `Response.interview_code`), so the funnel and the AAPOR table agree; a response screened
# out by a quota is none of them. The attempt coverage's "completed the survey" is a complete answer
# (I) in the same sense: a partial one (P) broke off, whether or not the call reached the closing.


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
    one query, whose rows grow with the combinations, not with the contacts. A number completed is a
    complete answer's (AAPOR I, its response's stored `interview_code`)."""
    pseudonym = OuterRef("pseudonym")
    contacts = Contact.objects.filter(campaign=campaign).annotate(
        placed=_attempt_count(),
        # Calls to a line that works for people: not failed at the carrier, not a fax or data line.
        placed_working=_attempt_count(dispositions.NOT_WORKING, dispositions.FAX_LINE),
        completed=Exists(Response.objects.filter(pseudonym=pseudonym, interview_code=InterviewCode.COMPLETE)),
        responded=Exists(Response.objects.filter(pseudonym=pseudonym)),
        declined=Exists(ConsentEvent.objects.filter(contact_ref=pseudonym, kind=ConsentKind.DECLINED)),
        picked_up=Exists(_attempts().filter(outcome=dispositions.PERSON)),
        # A person heard the introduction on a call, or read it on their link's page and chose there.
        reached=Exists(_attempts().filter(outcome=dispositions.PERSON).exclude(current_step=""))
        | Exists(
            ConsentEvent.objects.filter(contact_ref=pseudonym, kind=ConsentKind.INFORMED, channel=ConsentChannel.WEB)
        ),
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
    """Complete answers (I), partial ones (P) and break-offs, as the AAPOR dispositions tell them apart
    (each response's stored `interview_code`), in one query. An unfinished answer still on the line
    is not a break-off (yet)."""
    on_the_line = CallAttempt.objects.filter(contact__pseudonym=OuterRef("pseudonym"), status__in=ACTIVE_CALL_STATUSES)
    return Response.objects.filter(campaign=campaign).aggregate(
        complete=Count("pk", filter=Q(interview_code=InterviewCode.COMPLETE)),
        partial=Count("pk", filter=Q(interview_code=InterviewCode.PARTIAL)),
        break_offs=Count("pk", filter=Q(interview_code=InterviewCode.BREAK_OFF) & ~Exists(on_the_line)),
    )


def campaign_progress(campaign: Campaign) -> CampaignProgress:
    """The live figures of one campaign: five queries however many numbers it has."""
    campaign_ended = campaign.status in ENDED_CAMPAIGN_STATUSES
    maximum = campaign.max_attempts
    by_attempts = {attempts: 0 for attempts in range(maximum + 1)}
    reasons = {attempts: dict.fromkeys(SHORT_REASONS, 0) for attempts in range(maximum)}
    numbers = final = reached = 0
    responses = _response_counts(campaign)
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
