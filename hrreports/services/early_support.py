"""Early-support alerts: evaluate the rules for a month, and record what the supervisor did."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

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


def _reached_on(rule: Rule, absences, first: date, last: date) -> date | None:
    """The day the rule's threshold was reached, counting from `first` to `last`: the day the n-th spell
    began or the n-th absence day fell on (e.g. the 30th sick day), whichever came first; None if not
    reached by `last`."""
    spells = days = 0
    for start, end in absences:  # in order of start
        if start > last or end < first:
            continue
        begin, finish = max(start, first), min(end, last)
        spells += 1
        if rule.kind == RuleKind.WINDOW and rule.spells_at_least is not None and spells >= rule.spells_at_least:
            return begin
        length = (finish - begin).days + 1
        if rule.days_at_least is not None and days + length >= rule.days_at_least:
            return begin + timedelta(days=max(rule.days_at_least - days, 1) - 1)
        days += length
    return None


def alerts_evaluate(*, period: date) -> int:
    """Raise the alerts due at the end of `period`: for each active rule, every employee whose figure
    in the rule's `months` months ending with `period` has reached the threshold, unless the employee
    has an alert of the rule in those months (or a later one). So a person over a threshold is alerted
    once, and again after `months` months if still over it. The alert records the figures and the day
    the threshold was reached (e.g. the day the 30th sick day fell on).

    Catching up: the threshold may have been reached in an earlier month that was never evaluated (a
    skipped or failed run, a rule added since); its alert is raised now, and `reached_on` shows the
    supervisor how late it is. Idempotent: evaluating a period again raises nothing new; returns how
    many alerts were created now.
    """
    created = 0
    for rule in Rule.objects.filter(active=True):
        first, last = _window(period, rule.months)
        already_alerted = Alert.objects.filter(rule=rule, period__gte=first).values("employee_id")
        rows = (
            Absence.objects.filter(absence_type__category__in=rule.categories, start__lte=last, end__gte=first)
            .exclude(employment__employee_id__in=already_alerted)
            .order_by("start")
            .values_list("employment__employee_id", "unit_id", "start", "end")
        )
        spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
        latest_unit: dict[int, int] = {}
        for employee_id, unit_id, start, end in rows:
            spans[employee_id].append((start, end))
            latest_unit[employee_id] = unit_id
        for employee_id, absences in spans.items():
            reached_on = _reached_on(rule, absences, first, last)
            if reached_on is None:
                continue
            figures = _figures(absences, first, last)
            try:
                with transaction.atomic():
                    _alert, was_created = Alert.objects.get_or_create(
                        employee_id=employee_id,
                        rule=rule,
                        period=period,
                        defaults={
                            "unit_id": latest_unit[employee_id],
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
