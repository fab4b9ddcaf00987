"""Quotas: how many complete answers each age group and district of a campaign may give.

A group's quota is its population share (the `PopulationTarget`s the results are weighted to) of
the campaign's `target_completes`, rounded by the largest remainder: each group gets the whole part
of its exact share, and the completes left over go one each to the groups with the largest
fractions (the earlier group on a tie), so a dimension's quotas add up to exactly the completes
wanted. A dimension has quotas when it has targets and the campaign's survey asks its question:
without the question a respondent whose group the contact list does not tell could not be counted.

A contact's group is known from the contact list: the age group from the birth year in the year
of the campaign's first calling day (`population_groups`), the district from the postal code when
the district targets list their postal codes. Otherwise it is unknown, and the call asks the
question first. A complete, by phone or on the web (a person completes once), counts in the
contact's known group, else in the group the person answered. A complete is the report's (AAPOR I:
at least 80 % of the questions that applied to the person answered, `dispositions.interview_code`),
counted as the answers arrive (`Response.interview_code`): a person who hangs up after nine of ten
questions counts, though they never heard the closing words, and one who let most pass does not.

When a group's completes reach its quota its contacts still waiting for a call (fresh, or between
attempts) are closed: finished, their waiting attempts cancelled, `quota_closed_at` set. When every
group of a dimension is full, the campaign has its completes (a dimension's quotas add up to
`target_completes`) and whatever anyone's group, it is full: every contact still waiting is closed
alike and calling stops, rather than calling people of unknown group only to screen them out. A person
whose group turns out to be full on the line (or on the web) is thanked and let go: the response
is screened out. Both are AAPOR 4.80, quota filled: not eligible, outside every rate's
denominator. Calls already under way when a group fills may still complete, and so may web
respondents who passed their screening before it filled (their links stay open 14 days): a group
can exceed its quota by those.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, CharField, Count, OuterRef, Q, Subquery, Value, When
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from surveys.models import (
    Answer,
    CallAttempt,
    CallStatus,
    Campaign,
    Contact,
    ContactStatus,
    InterviewCode,
    PopulationTarget,
    Question,
    QuestionOption,
    Response,
    ResponseStatus,
    TargetDimension,
)
from surveys.models.results import category_key
from surveys.services.population_groups import age_group_expression, age_group_of, age_groups_from_labels

QUOTA_DIMENSIONS = (TargetDimension.AGE_GROUP, TargetDimension.DISTRICT)


@dataclass(frozen=True)
class QuotaGroup:
    key: str  # names the group's figures on the live page: quota-<dimension>-<index>
    category: str
    share: Decimal
    quota: int
    completes: int = 0

    @property
    def share_percent(self) -> float:
        return float(self.share * 100)

    @property
    def is_full(self) -> bool:
        return self.completes >= self.quota

    @property
    def percent(self) -> float:
        return round(100 * self.completes / self.quota, 1) if self.quota else 100.0


@dataclass(frozen=True)
class QuotaDimension:
    dimension: str
    question: Question
    groups: list[QuotaGroup]
    # District targets' postal codes: postal code -> district (empty for ages, or when none are listed).
    postal_codes: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return TargetDimension(self.dimension).label

    @property
    def full(self) -> set[str]:
        return {group.category for group in self.groups if group.is_full}

    @property
    def all_full(self) -> bool:
        """Every group is full: whoever the person is, their group in this dimension is full."""
        return bool(self.groups) and all(group.is_full for group in self.groups)

    def category_of_label(self, label: str | None) -> str | None:
        """The group an answer option's Finnish label names (matched as the targets are)."""
        if label is None:
            return None
        key = category_key(label)
        return next((group.category for group in self.groups if category_key(group.category) == key), None)


@dataclass(frozen=True)
class CampaignQuotas:
    """A campaign's quotas, each group with its completes so far (zeros for a plan)."""

    enabled: bool
    target_completes: int | None
    year: int
    dimensions: list[QuotaDimension]
    # Dimensions without quotas, each with the reason, for the survey manager.
    left_out: list[str]

    @property
    def active(self) -> bool:
        return self.enabled and bool(self.target_completes) and bool(self.dimensions)

    def dimension(self, name: str) -> QuotaDimension | None:
        return next((each for each in self.dimensions if each.dimension == name), None)


def largest_remainder(total: int, shares: list[Decimal]) -> list[int]:
    """`total` split in proportion to `shares` into whole numbers that add up to `total`."""
    whole = sum(shares, Decimal(0))
    if not shares or whole <= 0:
        return [0] * len(shares)
    exact = [Decimal(total) * share / whole for share in shares]
    parts = [math.floor(value) for value in exact]
    by_fraction = sorted(range(len(shares)), key=lambda index: (-(exact[index] - parts[index]), index))
    for index in by_fraction[: total - sum(parts)]:
        parts[index] += 1
    return parts


def campaign_quota_plan(campaign: Campaign) -> CampaignQuotas:
    """The quotas the campaign's settings give, every group at zero completes."""
    targets: dict[str, list[PopulationTarget]] = {}
    for target in PopulationTarget.objects.filter(dimension__in=QUOTA_DIMENSIONS):
        targets.setdefault(target.dimension, []).append(target)
    questions: dict[str, Question] = {}
    # The first question of the version that asks each dimension (the dial tick reads this: one query).
    for question in Question.objects.filter(
        version_id=campaign.survey_version_id, demographic__in=QUOTA_DIMENSIONS
    ).order_by("-position"):
        questions[question.demographic] = question
    dimensions, left_out = [], []
    for dimension in QUOTA_DIMENSIONS:
        label = TargetDimension(dimension).label
        question = questions.get(dimension)
        rows = targets.get(dimension, [])
        if not rows:
            left_out.append(_("%(dimension)s: no population shares are set.") % {"dimension": label})
            continue
        if question is None:
            left_out.append(_("%(dimension)s: the survey does not ask it.") % {"dimension": label})
            continue
        quotas = largest_remainder(campaign.target_completes or 0, [row.share for row in rows])
        dimensions.append(
            QuotaDimension(
                dimension=dimension,
                question=question,
                groups=[
                    QuotaGroup(key=f"quota-{dimension}-{index}", category=row.category, share=row.share, quota=quota)
                    for index, (row, quota) in enumerate(zip(rows, quotas, strict=True))
                ],
                postal_codes={code: row.category for row in rows for code in row.postal_codes},
            )
        )
    return CampaignQuotas(
        enabled=campaign.quotas_enabled,
        target_completes=campaign.target_completes,
        year=campaign.start_date.year,
        dimensions=dimensions,
        left_out=left_out,
    )


def _known_group_expression(quotas: CampaignQuotas, dimension: QuotaDimension, prefix: str = ""):
    """The contact's group as the contact list tells it (NULL when it does not), as an expression."""
    if dimension.dimension == TargetDimension.AGE_GROUP:
        groups = age_groups_from_labels([group.category for group in dimension.groups])
        return age_group_expression(year=quotas.year, groups=groups, birth_year_field=f"{prefix}birth_year")
    by_district: dict[str, list[str]] = {}
    for code, category in dimension.postal_codes.items():
        by_district.setdefault(category, []).append(code)
    whens = [When(Q(**{f"{prefix}postal_code__in": codes}), then=Value(name)) for name, codes in by_district.items()]
    return Case(*whens, default=None, output_field=CharField()) if whens else Value(None, output_field=CharField())


def known_group(quotas: CampaignQuotas, dimension: QuotaDimension, contact: Contact) -> str | None:
    """The contact's group in `dimension` as the contact list tells it; None when it does not."""
    if dimension.dimension == TargetDimension.AGE_GROUP:
        groups = age_groups_from_labels([group.category for group in dimension.groups])
        group = age_group_of(contact.birth_year, year=quotas.year, groups=groups)
        return group.label if group else None
    return dimension.postal_codes.get(contact.postal_code)


def campaign_quotas(campaign: Campaign) -> CampaignQuotas:
    """The quotas with each group's completes so far: one query for the completes of every group."""
    plan = campaign_quota_plan(campaign)
    if not plan.dimensions:
        return plan
    annotations = {}
    for index, dimension in enumerate(plan.dimensions):
        contact = Contact.objects.filter(pseudonym=OuterRef("pseudonym")).annotate(
            group=_known_group_expression(plan, dimension)
        )
        answer = Answer.objects.filter(response=OuterRef("pk"), question=dimension.question)
        annotations[f"known_{index}"] = Subquery(contact.values("group")[:1], output_field=CharField())
        annotations[f"answered_{index}"] = Subquery(answer.values("option__label_fi")[:1], output_field=CharField())
    rows = (
        Response.objects.filter(campaign=campaign, interview_code=InterviewCode.COMPLETE)
        .annotate(**annotations)
        .order_by()
        .values(*annotations)
        .annotate(n=Count("pk"))
    )
    counts = [Counter() for _dimension in plan.dimensions]
    for row in rows:
        for index, dimension in enumerate(plan.dimensions):
            group = row[f"known_{index}"] or dimension.category_of_label(row[f"answered_{index}"])
            if group is not None:
                counts[index][group] += row["n"]
    dimensions = [
        QuotaDimension(
            dimension=dimension.dimension,
            question=dimension.question,
            groups=[
                QuotaGroup(group.key, group.category, group.share, group.quota, counts[index][group.category])
                for group in dimension.groups
            ],
            postal_codes=dimension.postal_codes,
        )
        for index, dimension in enumerate(plan.dimensions)
    ]
    return CampaignQuotas(plan.enabled, plan.target_completes, plan.year, dimensions, plan.left_out)


def quota_filled_contacts_close(*, campaign: Campaign, now: datetime) -> int:
    """Close the contacts still waiting for a call whose known group has filled its quota: finished,
    their waiting attempts cancelled, `quota_closed_at` set (AAPOR 4.80). Contacts on a call are left
    to it. Returns how many were closed. Runs in the dial tick, which holds the campaign's lock."""
    if not campaign.quotas_enabled:
        return 0
    quotas = campaign_quotas(campaign)
    if not quotas.active:
        return 0
    full = Q()
    annotations = {}
    for index, dimension in enumerate(quotas.dimensions):
        if dimension.all_full:
            # Every group of the dimension is full: so is every contact's, known or not.
            full, annotations = Q(), {}
            break
        if dimension.full:
            annotations[f"group_{index}"] = _known_group_expression(quotas, dimension)
            full |= Q(**{f"group_{index}__in": dimension.full})
    else:
        if not annotations:
            return 0
    with transaction.atomic():
        closing = list(
            Contact.objects.select_for_update(skip_locked=True)
            .filter(campaign=campaign, status=ContactStatus.PENDING)
            .annotate(**annotations)
            .filter(full)
            .values_list("pk", flat=True)
        )
        if not closing:
            return 0
        CallAttempt.objects.filter(contact_id__in=closing, status=CallStatus.PENDING).update(
            status=CallStatus.CANCELED, ended_at=now
        )
        return Contact.objects.filter(pk__in=closing).update(status=ContactStatus.FINISHED, quota_closed_at=now)


@dataclass(frozen=True)
class Screening:
    """What a call (or the web) must do with a person who agreed to answer, before the questions.

    Decided once a response, as the person first consents, and stored on it (`Response.asked_first`):
    a group filling later changes neither which questions come first nor where the survey starts
    (the end of the quota questions checks only whether the person's group is full now).
    A quota question asked first that gets no answer (skipped when optional, or no valid answer
    after the call's reprompt) leaves the person's group unknown: the survey goes on from its start,
    the question is not asked again in its place, and a complete counts in no group of that
    dimension (the quota pages show only the groups' completes). Both modes do this.
    """

    # The quota questions to ask first, in the survey's order: the person's group is not known.
    ask_first: list[Question]
    # A dimension whose group, known from the contact list, is full already: thank and let go.
    full_dimension: str | None = None

    @property
    def asked_first(self) -> list[int]:
        """The positions to store on the response."""
        return [question.position for question in self.ask_first]


NO_SCREENING = Screening([])


def contact_screening(*, campaign: Campaign, contact: Contact) -> Screening:
    """Whether the person is screened out at once, or which quota questions come first."""
    if not campaign.quotas_enabled:
        return NO_SCREENING
    quotas = campaign_quotas(campaign)
    if not quotas.active:
        return NO_SCREENING
    ask_first = []
    for dimension in quotas.dimensions:
        group = known_group(quotas, dimension, contact)
        if dimension.all_full:
            return Screening([], dimension.dimension)
        if group is None:
            ask_first.append(dimension.question)
        elif group in dimension.full:
            return Screening([], dimension.dimension)
    return Screening(sorted(ask_first, key=lambda question: question.position))


def contact_group_full(*, campaign: Campaign, contact: Contact) -> str | None:
    """A dimension whose group the person is in (known from the contact list, or answered in their
    response) is full: the dimension, else None. Asked at the end of the quota questions asked first
    (a group may have filled meanwhile: then the person is screened out rather than taken to the
    survey's start), and before a link is sent or offered."""
    if not campaign.quotas_enabled:
        return None
    quotas = campaign_quotas(campaign)
    if not quotas.active:
        return None
    answered = dict(
        Answer.objects.filter(
            response__pseudonym=contact.pseudonym, question__demographic__in=QUOTA_DIMENSIONS
        ).values_list("question_id", "option__label_fi")
    )
    for dimension in quotas.dimensions:
        group = known_group(quotas, dimension, contact) or dimension.category_of_label(
            answered.get(dimension.question.pk)
        )
        if dimension.all_full or (group is not None and group in dimension.full):
            return dimension.dimension
    return None


def answer_screens_out(*, campaign: Campaign, contact: Contact, question: Question, option_id: int | None) -> bool:
    """Whether this answer to a quota question puts the person in a full group. Only when the contact
    list does not tell the group: a known group decides, as the person's complete counts in it."""
    if not campaign.quotas_enabled or not question.demographic or option_id is None:
        return False
    quotas = campaign_quotas(campaign)
    dimension = quotas.dimension(question.demographic) if quotas.active else None
    if dimension is None or dimension.question.pk != question.pk or known_group(quotas, dimension, contact):
        return False
    label = QuestionOption.objects.filter(pk=option_id).values_list("label_fi", flat=True).first()
    return dimension.category_of_label(label) in dimension.full


def response_screen_out(*, contact: Contact, now: datetime) -> None:
    """The person's group is full: their unfinished response is screened out (never an interview)
    and their number is not called again."""
    Response.objects.filter(pseudonym=contact.pseudonym, status=ResponseStatus.PARTIAL).update(
        status=ResponseStatus.SCREENED_OUT, interview_code=InterviewCode.SCREENED_OUT, finished_at=now
    )
    CallAttempt.objects.filter(contact=contact, status=CallStatus.PENDING).update(
        status=CallStatus.CANCELED, ended_at=now
    )
    Contact.objects.filter(pk=contact.pk).update(quota_closed_at=now)
    Contact.objects.filter(pk=contact.pk, status=ContactStatus.PENDING).update(status=ContactStatus.FINISHED)


def screened_out_text(dimension: str) -> str:
    """The words that let a screened-out person go, in the active language."""
    if dimension == TargetDimension.DISTRICT:
        return _("Thank you. We already have enough answers from your area, so we will not ask you more. Goodbye.")
    return _("Thank you. We already have enough answers from your age group, so we will not ask you more. Goodbye.")


@dataclass(frozen=True)
class QuotaCounts:
    """How many numbers the quotas closed: not called any more, and screened out on the line or the web."""

    closed: int
    screened_out: int


def quota_closed_counts(campaign: Campaign) -> QuotaCounts:
    closed = Contact.objects.filter(campaign=campaign, quota_closed_at__isnull=False).count()
    screened = Response.objects.filter(campaign=campaign, status=ResponseStatus.SCREENED_OUT).count()
    return QuotaCounts(closed=closed - screened, screened_out=screened)


def quota_live_values(quotas: CampaignQuotas, counts: QuotaCounts) -> dict[str, str]:
    """Each group's figures for the live page, and the numbers the quotas closed, keyed by their
    `data-live` names."""
    values = {
        "quota-closed": number_format(counts.closed, use_l10n=True, force_grouping=True),
        "quota-screened-out": number_format(counts.screened_out, use_l10n=True, force_grouping=True),
    }
    for dimension in quotas.dimensions:
        for group in dimension.groups:
            values[group.key] = number_format(group.completes, use_l10n=True, force_grouping=True)
            values[f"{group.key}-percent"] = number_format(group.percent, 1, use_l10n=True, force_grouping=True)
    return values


def quota_bars(quotas: CampaignQuotas) -> dict[str, list[int]]:
    """Each group's bar as [completes, quota], keyed as in `quota_live_values`."""
    return {group.key: [group.completes, group.quota] for dimension in quotas.dimensions for group in dimension.groups}
