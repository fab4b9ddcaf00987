"""Pacing: how a campaign spreads its calls over its days and hours, and whom it calls first.

**Over the days.** A campaign's calling days (`calling_window.calling_days`) are of two kinds: new
numbers are started on all but the last `max_attempts - 1` of them (the first day always starts
some), and the days kept at the end are for retries, so that a number started on the last day of
new numbers still gets each of its attempts on a day of its own. On each day of new numbers the
campaign starts its share of the numbers never called: those left when the day began, divided by
the days of new numbers left, today included. On a day after those - a campaign launched or
resumed late - the share is all that are left: every number is called. The share is released
over the day's open hours in PACING_STEP steps: by the end of the k-th of a day's n steps, at most
k/n of it has been started. The dialer's own limits (concurrency, calls a second, budget) hold as
before. A demonstration campaign (`calls_at_any_hour`, never real residents) is not paced: it shows
its calls at once.

**Retries** go to another day than the earlier attempts: the first calling day not yet tried, at
least `min_gap_minutes` after the last attempt, and there to a part of the day (morning,
afternoon, evening: `calling_window.DAY_PARTS`) not yet tried. Only when no untried day is left
before the campaign ends does a retry go to another part of the same day, and failing that to the
first open moment after the gap; past the campaign's end there is none. A retry's moment is spread
over its part in PACING_STEP steps by the contact, so a day's retries do not all start in its
first minute, and moved by a share of the part at each attempt, so that retries going to the same
part of each day still come at another time.

**Young first** (`Campaign.young_first`): contacts of the age groups short of their population
share among the campaign's completes (AAPOR I, as the report counts them) are called first, at the
hours when their group answers.
Each group's answering by hour of day is estimated from the campaign's own calls (answered /
placed), starting from the pilot's experience (ANSWER_RATE_PRIOR, counted as
ANSWER_RATE_PRIOR_CALLS calls of each group and hour, so the campaign's own calls take over as they
come in). New numbers are ordered, in the one query that picks them: first the groups that answer
at least as well at this hour as over their whole calling day, then by need times that hour's
relative answering (need: the group's target share over its share of the completes, both smoothed
by COMPLETES_PRIOR completes in the target shares), then as imported. Contacts of unknown age rank
as a group at its target share that answers alike at every hour. A retry goes to the part of its
day where the contact's group answers best (an untried part when two answer alike). Everything
stays inside the legal calling window: pacing only ever chooses among its open moments.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import BooleanField, Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import ExtractHour
from django.utils.timezone import get_default_timezone

from surveys.calling_window import calling_days, day_part, day_window, next_open_moment, part_spans
from surveys.models import (
    CallAttempt,
    Campaign,
    Contact,
    InterviewCode,
    PopulationTarget,
    Response,
    TargetDimension,
)
from surveys.services.campaign_cache import campaign_cache_key
from surveys.services.population_groups import AgeGroup, age_group_expression, age_group_of, population_age_groups

PACING_STEP = timedelta(minutes=15)

# The pilot's experience of answering (a person or their voicemail) by age and hour, as the
# simulator's residents answer (`synthetic_population.BEHAVIOUR`: picking up times the daytime or
# evening factor): (youngest age of the group, share answered before EVENING_FROM, from it on).
EVENING_FROM = 16
ANSWER_RATE_PRIOR = (
    (18, 0.57 * 0.85, 0.57 * 1.25),
    (30, 0.675 * 0.85, 0.675 * 1.25),
    (65, 0.73 * 1.05, 0.73 * 0.90),
)
ANSWER_RATE_PRIOR_CALLS = 20
COMPLETES_PRIOR = 20
# The estimates change slowly: read once an hour of the campaign's clock, not at every tick and call.
ANSWER_RATES_CACHED_FOR = timedelta(hours=1)

AnswerRates = dict[str | None, dict[int, float]]  # age group label (None: unknown age) -> hour -> share


def young_first_without_groups(campaign: Campaign) -> bool:
    """Whether young-first is chosen but the population targets name no age groups to order by
    (none, or a label not starting with its youngest age): the numbers are then called as imported."""
    return campaign.young_first and not population_age_groups()


def fresh_days(campaign: Campaign) -> list[date]:
    """The calling days on which new numbers are started: all but the ones kept for retries."""
    days = calling_days(campaign)
    kept_for_retries = max(0, min(campaign.max_attempts - 1, len(days) - 1))
    return days[: len(days) - kept_for_retries]


@dataclass(frozen=True)
class _DayPace:
    start: datetime  # the day's calling hours
    end: datetime
    share: int  # new numbers to start on the day
    started: int  # started so far on the day
    steps: int
    step: int  # the step `now` is in

    def released(self, step: int) -> int:
        """How many of the day's share may have been started by the end of `step`."""
        return math.ceil(self.share * (step + 1) / self.steps)


def _day_pace(*, campaign: Campaign, never_called: QuerySet, now: datetime) -> _DayPace:
    today = now.astimezone(get_default_timezone()).date()
    start, end = day_window(campaign, today)
    started = CallAttempt.objects.filter(contact__campaign=campaign, number=1, scheduled_for__gte=start).count()
    days_left = max(1, sum(1 for day in fresh_days(campaign) if day >= today))
    steps = math.ceil((end - start) / PACING_STEP)
    return _DayPace(
        start=start,
        end=end,
        share=math.ceil((never_called.count() + started) / days_left),
        started=started,
        steps=steps,
        step=min(max(0, int((now - start) / PACING_STEP)), steps - 1),
    )


def fresh_allowance(*, campaign: Campaign, never_called: QuerySet, now: datetime) -> int | None:
    """How many of the numbers never called (`never_called`) may be started now; None: no limit."""
    if campaign.calls_at_any_hour:
        return None
    pace = _day_pace(campaign=campaign, never_called=never_called, now=now)
    return max(0, pace.released(pace.step) - pace.started)


def next_fresh_release(*, campaign: Campaign, never_called: QuerySet, after: datetime) -> datetime | None:
    """The next moment after `after` at which pacing lets more of the numbers never called start:
    the next step that releases one today, or the next calling day. None: unpaced, none left, or
    the campaign is over."""
    if campaign.calls_at_any_hour or not never_called.exists():
        return None
    pace = _day_pace(campaign=campaign, never_called=never_called, now=after)
    if after < pace.start:
        return next_open_moment(campaign, after)
    # The first step whose release exceeds what was started: share * (k + 1) / steps > started.
    step = max(pace.started * pace.steps // max(1, pace.share), pace.step + 1)
    if step < pace.steps:
        return next_open_moment(campaign, pace.start + PACING_STEP * step)
    return next_open_moment(campaign, pace.end)


def fresh_contacts_pick(*, campaign: Campaign, never_called: QuerySet, now: datetime, slots: int) -> list[Contact]:
    """The numbers never called to start now (locked; others' locked rows skipped), in calling order."""
    if slots <= 0:
        return []
    allowance = fresh_allowance(campaign=campaign, never_called=never_called, now=now)
    limit = slots if allowance is None else min(slots, allowance)
    if limit <= 0:
        return []
    chosen = never_called.select_for_update(skip_locked=True)
    groups = population_age_groups() if campaign.young_first else []
    if groups:
        answers_now, priority = _young_first_keys(campaign=campaign, groups=groups, now=now)
        chosen = chosen.alias(
            age_group=age_group_expression(year=campaign.start_date.year, groups=groups),
            answers_now=answers_now,
            priority=priority,
        ).order_by(F("answers_now").desc(), F("priority").desc(), "pk")
    else:
        chosen = chosen.order_by("pk")
    return list(chosen[:limit])


def _young_first_keys(*, campaign: Campaign, groups: Sequence[AgeGroup], now: datetime) -> tuple[Case, Case]:
    """Per age group: whether it answers at least as well now as over the day, and its priority."""
    needs = age_group_needs(campaign=campaign, groups=groups)
    rates = answer_rates(campaign=campaign, groups=groups, now=now)
    local = now.astimezone(get_default_timezone())
    hours = _open_hours(campaign, local.date())
    answers_now, priority = [], []
    for group in groups:
        relative = _relative_rate(_group_rates(rates, group), hour=local.hour, hours=hours)
        answers_now.append(When(age_group=group.label, then=Value(relative >= 1)))
        priority.append(When(age_group=group.label, then=Value(needs.get(group.label, 1.0) * relative)))
    unknown = _relative_rate(_group_rates(rates, None), hour=local.hour, hours=hours)
    return (
        Case(*answers_now, default=Value(unknown >= 1), output_field=BooleanField()),
        Case(*priority, default=Value(unknown), output_field=FloatField()),
    )


def _open_hours(campaign: Campaign, day: date) -> list[int]:
    start, end = day_window(campaign, day)
    first = start.astimezone(get_default_timezone()).hour
    return list(range(first, first + math.ceil((end - start) / timedelta(hours=1))))


def _relative_rate(by_hour: dict[int, float], *, hour: int, hours: Sequence[int]) -> float:
    usual = sum(by_hour[each % 24] for each in hours) / len(hours)
    return by_hour[hour] / usual if usual else 1.0


def age_group_needs(*, campaign: Campaign, groups: Sequence[AgeGroup]) -> dict[str, float]:
    """Each age group's target share over its share of the campaign's completes so far (above 1:
    under-filled), both smoothed by COMPLETES_PRIOR completes in the target shares."""
    targets = {
        category: float(share)
        for category, share in PopulationTarget.objects.filter(dimension=TargetDimension.AGE_GROUP).values_list(
            "category", "share"
        )
    }
    total = sum(targets.values())
    if not total:
        return {}
    # The report's completes (AAPOR I), whether or not they heard the closing words.
    complete = Response.objects.filter(campaign=campaign, interview_code=InterviewCode.COMPLETE).values("pseudonym")
    completes = dict(
        Contact.objects.filter(campaign=campaign, pseudonym__in=complete)
        .annotate(age_group=age_group_expression(year=campaign.start_date.year, groups=groups))
        .order_by()
        .values("age_group")
        .annotate(count=Count("pk"))
        .values_list("age_group", "count")
    )
    known = sum(completes.get(label, 0) for label in targets)
    needs = {}
    for label, share in targets.items():
        target = share / total
        got = (completes.get(label, 0) + target * COMPLETES_PRIOR) / (known + COMPLETES_PRIOR)
        needs[label] = target / got
    return needs


def prior_answer_rate(youngest: int | None, hour: int) -> float:
    """The pilot's share of calls answered at `hour` by the group whose youngest age is `youngest`
    (None: unknown age, the groups' average)."""
    column = 1 if hour < EVENING_FROM else 2
    if youngest is None:
        return sum(row[column] for row in ANSWER_RATE_PRIOR) / len(ANSWER_RATE_PRIOR)
    rows = [row for row in ANSWER_RATE_PRIOR if row[0] <= youngest] or [ANSWER_RATE_PRIOR[0]]
    return rows[-1][column]


def answer_rates_estimate(*, campaign: Campaign, groups: Sequence[AgeGroup]) -> AnswerRates:
    """Each age group's share of calls answered by local hour: the campaign's ended calls, in one
    query, with the prior counted as ANSWER_RATE_PRIOR_CALLS calls."""
    counts = (
        CallAttempt.objects.filter(contact__campaign=campaign, placed_at__isnull=False, ended_at__isnull=False)
        .annotate(
            age_group=age_group_expression(
                year=campaign.start_date.year, groups=groups, birth_year_field="contact__birth_year"
            ),
            hour=ExtractHour("placed_at", tzinfo=get_default_timezone()),
        )
        .order_by()
        .values("age_group", "hour")
        .annotate(placed=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    )
    seen = {(row["age_group"], row["hour"]): (row["placed"], row["answered"]) for row in counts}
    youngest: dict[str | None, int | None] = {group.label: group.youngest for group in groups} | {None: None}
    rates: AnswerRates = {}
    for label, age in youngest.items():
        rates[label] = {}
        for hour in range(24):
            placed, answered = seen.get((label, hour), (0, 0))
            prior = prior_answer_rate(age, hour)
            rates[label][hour] = (answered + prior * ANSWER_RATE_PRIOR_CALLS) / (placed + ANSWER_RATE_PRIOR_CALLS)
    return rates


def answer_rates(*, campaign: Campaign, groups: Sequence[AgeGroup], now: datetime) -> AnswerRates:
    """`answer_rates_estimate`, read at most once per hour of the campaign's clock."""
    # Keyed by all the estimate depends on: the groups (a label may change while its ages stay) and the
    # year the campaign's ages are counted in.
    hour = now.astimezone(get_default_timezone()).strftime("%Y%m%d%H")
    groups_key = [(group.label, group.youngest, group.oldest) for group in groups]
    key = campaign_cache_key("pacing-answer-rates", campaign, campaign.start_date.year, groups_key) + f":{hour}"
    return cache.get_or_set(
        key,
        lambda: answer_rates_estimate(campaign=campaign, groups=groups),
        ANSWER_RATES_CACHED_FOR.total_seconds(),
    )


def _group_rates(rates: AnswerRates, group: AgeGroup | None) -> dict[int, float]:
    """The group's estimates by hour; the prior for a group the estimates do not know (read
    before the targets changed), so that a call's outcome is never lost to a renamed group."""
    if group is None:
        return rates.get(None) or {hour: prior_answer_rate(None, hour) for hour in range(24)}
    return rates.get(group.label) or {hour: prior_answer_rate(group.youngest, hour) for hour in range(24)}


def retry_moment(campaign: Campaign, *, contact: Contact, after: datetime) -> datetime | None:
    """When to try the contact next after an attempt that ended at `after` (the rule: module docstring)."""
    earliest = after + timedelta(minutes=campaign.min_gap_minutes)
    first_open = next_open_moment(campaign, earliest)
    if first_open is None:
        return None
    placed = [
        moment.astimezone(get_default_timezone())
        for moment in contact.attempts.exclude(placed_at=None).values_list("placed_at", flat=True)
    ]
    tried_days = {moment.date() for moment in placed}
    tried_parts = {day_part(moment) for moment in placed}
    attempt = len(placed) + 1

    def spans(day: date) -> list[tuple[str, datetime, datetime]]:
        return [(name, max(low, earliest), high) for name, low, high in part_spans(campaign, day) if earliest < high]

    days = calling_days(campaign, since=first_open.astimezone(get_default_timezone()).date())
    other_day = next((day for day in days if day not in tried_days and spans(day)), None)
    if other_day is not None:
        rate = _part_rate(campaign, contact=contact, now=after)
        _name, low, high = min(spans(other_day), key=lambda span: (-rate(span), span[0] in tried_parts, span[1]))
        return _spread(low, high, contact=contact, attempt=attempt, attempts=campaign.max_attempts)
    for day in days:
        for name, low, high in spans(day):
            if name not in tried_parts:
                return _spread(low, high, contact=contact, attempt=attempt, attempts=campaign.max_attempts)
    return first_open


def _part_rate(campaign: Campaign, *, contact: Contact, now: datetime):
    """How well the contact's group answers in a part of a day: for young-first campaigns, the
    estimates' average over the part's hours; for others alike everywhere."""
    groups = population_age_groups() if campaign.young_first else []
    if not groups:
        return lambda span: 0.0
    group = age_group_of(contact.birth_year, year=campaign.start_date.year, groups=groups)
    by_hour = _group_rates(answer_rates(campaign=campaign, groups=groups, now=now), group)

    def rate(span: tuple[str, datetime, datetime]) -> float:
        _name, low, high = span
        first = low.astimezone(get_default_timezone()).hour
        hours = range(first, first + max(1, math.ceil((high - low) / timedelta(hours=1))))
        return sum(by_hour[hour % 24] for hour in hours) / len(hours)

    return rate


def _spread(low: datetime, high: datetime, *, contact: Contact, attempt: int, attempts: int) -> datetime:
    """A moment in [low, high) by the contact, so that a day's retries do not all start at once;
    moved by a share of the span at each attempt, so that a contact whose retries go to the same
    part of each day (young first) is tried at another time each day."""
    steps = max(1, math.ceil((high - low) / PACING_STEP))
    stride = max(1, steps // max(1, attempts))
    return low + PACING_STEP * ((contact.pk + attempt * stride) % steps)
