"""Early-support alerts: evaluate the rules for a month, and record what the supervisor did."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import AlertError
from ..models import Absence, Alert, Rule
from ..models.early_support import RuleKind
from ..periods import period_last_day, period_shift
from ..rule_defaults import DEFAULT_RULES, MONTHS, SICK
from ..spells import (
    PIECE_FIELDS,
    Piece,
    absences_counted,
    days_decimal,
    person_days,
    piece_of,
    spell_starts,
    spells_count,
)


@dataclass(frozen=True)
class Figures:
    spells: int
    days: Decimal


def _window(period: date, months: int) -> tuple[date, date]:
    """The `months` months ending with `period`, as (first day, last day)."""
    return period_shift(period, -(months - 1)), period_last_day(period)


def _figures(pieces: list[Piece], *, since: date, before: list[Piece]) -> Figures:
    """One person's spells and days from `since`: each day counted once, however many of their rows cover it
    (`before`: their pieces before it, which a spell running into it may begin)."""
    days = sum((part for _day, part in person_days(pieces, since=since, before=before)), Fraction(0))
    return Figures(spells=spells_count(pieces), days=days_decimal(days))


def _reached_on(rule: Rule, pieces: list[Piece], *, since: date, before: list[Piece]) -> date | None:
    """The day the rule's threshold was reached within its window: the day the n-th spell began or the n-th
    absence day fell on (e.g. the 30th sick day), whichever came first; None if not reached. A half day
    counts as half, and a day of two overlapping rows once."""
    reached = []
    if rule.kind == RuleKind.WINDOW and rule.spells_at_least is not None:
        began = sorted(piece.start for piece in spell_starts(pieces))
        if len(began) >= rule.spells_at_least:
            reached.append(began[rule.spells_at_least - 1])
    if rule.days_at_least is not None:
        days = Fraction(0)
        for day, part in person_days(pieces, since=since, before=before):
            days += part
            if days >= rule.days_at_least:
                reached.append(day)
                break
    return min(reached, default=None)


def alerts_evaluate(*, period: date) -> int:
    """Raise the alerts due at the end of `period`: for each active rule, every employee whose figure
    in the rule's `months` months ending with `period` has reached the threshold, unless the employee
    has an alert of the rule in those months (or a later one). So a person over a threshold is alerted
    once, and again after `months` months if still over it. The alert records the figures and the day
    the threshold was reached (e.g. the day the 30th sick day fell on). Each month's days come from that
    month's file; a spell is one continuous absence of the person, however many rows make it, and a day
    counts once however many of the person's employments record it (hrreports.spells).

    Catching up: the threshold may have been reached in an earlier month that was never evaluated (a
    skipped or failed run, a rule added since); its alert is raised now, and `reached_on` shows the
    supervisor how late it is. Idempotent: evaluating a period again raises nothing new; returns how
    many alerts were created now.
    """
    created = 0
    for rule in Rule.objects.filter(active=True):
        first, last = _window(period, rule.months)
        already_alerted = Alert.objects.filter(rule=rule, period__gte=first).values("employee_id")
        # The month before the rule's months too: a spell running into them joins over their first days off.
        absences = Absence.objects.filter(
            absence_type__category__in=rule.categories, period__gte=period_shift(first, -1), period__lte=last
        )
        rows = (
            absences_counted(absences)
            .exclude(employment__employee_id__in=already_alerted)
            .values_list("unit_id", "employment__working_time_percent", *PIECE_FIELDS)
        )
        pieces: dict[int, list[Piece]] = defaultdict(list)
        before: dict[int, list[Piece]] = defaultdict(list)
        # The alert goes to the unit of the person's latest absence; of rows of the same days on concurrent
        # employments, to that of the one with the most working time (unknown counts as full), the main job.
        latest: dict[int, tuple] = {}
        for unit_id, working_time, *values in rows:
            piece = piece_of(*values)
            if piece is not None and piece.start < first:
                before[piece.employee_id].append(piece)
            elif piece is not None:
                pieces[piece.employee_id].append(piece)
                key = (piece.start, 100 if working_time is None else working_time, -piece.employment_id, unit_id)
                latest[piece.employee_id] = max(latest.get(piece.employee_id, key), key)
        for employee_id, employee_pieces in pieces.items():
            reached_on = _reached_on(rule, employee_pieces, since=first, before=before[employee_id])
            if reached_on is None:
                continue
            figures = _figures(employee_pieces, since=first, before=before[employee_id])
            try:
                with transaction.atomic():
                    _alert, was_created = Alert.objects.get_or_create(
                        employee_id=employee_id,
                        rule=rule,
                        period=period,
                        defaults={
                            "unit_id": latest[employee_id][-1],
                            "spells": figures.spells,
                            "days": figures.days,
                            "reached_on": reached_on,
                        },
                    )
            except IntegrityError:  # a concurrent evaluation created it first
                was_created = False
            created += was_created
    return created


def rule_defaults_ensure() -> int:
    """Create the default rules that are missing (by name); never overwrite an edit. Returns how many."""
    created = 0
    for values in DEFAULT_RULES:
        _rule, was_created = Rule.objects.get_or_create(
            name=values["name"], defaults=values | {"months": MONTHS, "categories": SICK}
        )
        created += was_created
    return created


def alerts_acknowledge(*, alerts: list[Alert], by, action_date: date, note: str) -> list[Alert]:
    """Record one action on open alerts together, e.g. one discussion about all of a person's alerts;
    all of them or, when one is already acknowledged, none."""
    note = note.strip()
    if not note:
        raise AlertError.of("alert_action_missing")
    if action_date > timezone.localdate():
        raise AlertError.of("alert_action_in_future")
    with transaction.atomic():
        locked = list(Alert.objects.select_for_update().filter(pk__in=[alert.pk for alert in alerts]).order_by("pk"))
        if any(not alert.is_open for alert in locked):
            raise AlertError.of("alert_acknowledged_already")
        now = timezone.now()
        for alert in locked:
            alert.action_date, alert.action_note = action_date, note
            alert.acknowledged_by, alert.acknowledged_at = by, now
            alert.save(update_fields=["action_date", "action_note", "acknowledged_by", "acknowledged_at"])
    return locked
