"""Early-support alerts: evaluate the rules for a month, and record what the supervisor did."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import PopulusError
from ..models import Absence, Alert, Rule
from ..models.early_support import RuleKind
from ..periods import period_last_day, period_shift
from ..rule_defaults import DEFAULT_RULES, MONTHS, SICK


@dataclass(frozen=True)
class Figures:
    spells: int
    days: int


def _window(period: date, months: int) -> tuple[date, date]:
    """The `months` months ending with `period`, as (first day, last day)."""
    return period_shift(period, -(months - 1)), period_last_day(period)


def _figures(absences, first: date, last: date) -> Figures:
    spells = days = 0
    for start, end in absences:
        if start <= last and end >= first:
            spells += 1
            days += (min(end, last) - max(start, first)).days + 1
    return Figures(spells=spells, days=days)


def _reached(rule: Rule, figures: Figures) -> bool:
    if rule.kind == RuleKind.WINDOW and rule.spells_at_least is not None and figures.spells >= rule.spells_at_least:
        return True
    return rule.days_at_least is not None and figures.days >= rule.days_at_least


def alerts_evaluate(*, period: date) -> int:
    """Raise the alerts of `period`: for each active rule, every employee whose figure reached the
    rule's threshold during the month (reached at its end, not yet at the end of the month before).

    Idempotent: an (employee, rule, period) alert is created once; returns how many were created now.
    """
    created = 0
    for rule in Rule.objects.filter(active=True):
        first, last = _window(period, rule.months)
        before_first, before_last = _window(period_shift(period, -1), rule.months)
        rows = (
            Absence.objects.filter(absence_type__category__in=rule.categories, start__lte=last, end__gte=before_first)
            .order_by("start")
            .values_list("employment__employee_id", "unit_id", "start", "end")
        )
        spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
        latest_unit: dict[int, int] = {}
        for employee_id, unit_id, start, end in rows:
            spans[employee_id].append((start, end))
            latest_unit[employee_id] = unit_id
        for employee_id, absences in spans.items():
            now = _figures(absences, first, last)
            if not _reached(rule, now) or _reached(rule, _figures(absences, before_first, before_last)):
                continue
            try:
                with transaction.atomic():
                    _alert, was_created = Alert.objects.get_or_create(
                        employee_id=employee_id,
                        rule=rule,
                        period=period,
                        defaults={"unit_id": latest_unit[employee_id], "spells": now.spells, "days": now.days},
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


def alert_acknowledge(*, alert: Alert, by, action_date: date, note: str) -> Alert:
    """Record the action the supervisor took on an open alert."""
    note = note.strip()
    if not note:
        raise PopulusError(_("Describe the action taken."))
    if action_date > timezone.localdate():
        raise PopulusError(_("The date of the action cannot be in the future."))
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if not alert.is_open:
            raise PopulusError(_("This alert has already been acknowledged."))
        alert.action_date, alert.action_note = action_date, note
        alert.acknowledged_by, alert.acknowledged_at = by, timezone.now()
        alert.save(update_fields=["action_date", "action_note", "acknowledged_by", "acknowledged_at"])
    return alert
