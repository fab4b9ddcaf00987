"""What every report shares: the units it covers and whether their month has been fetched.

A unit's month is fetched when every source that supplies employments running in the unit that month
has fetched it successfully, whether the source is active now or switched off: another source's
success says nothing about those employments, and a report of them would show zeros where the data is
missing. A source supplies an employment from the start, or from the month it took it over
(Employment.source_since) from the source before it (Employment.previous_source), which supplied the
months before.
The source of the unit tree (WorkUnit.source) supplies no data and is waited for by nobody. A unit no
source supplies employments in that month has no source to wait for: its month counts as fetched once
any source has fetched it.
"""

from collections import defaultdict
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ..models import Employment, FetchRun, Source, WorkUnit
from ..models.fetching import RunStatus
from ..periods import period_last_day, period_text


def staff_unlisted_counts(start: date | None, end: date | None, period: date, *, file_given: bool) -> bool:
    """Whether an employment that `period`'s employments file did not give is on the month's staff, in the
    unit it is in now (`file_given`: whether its source gave an employments file of the month at all).

    The month's staff, in the absence report's planned working days as in the employments report's starts
    and ends, is everyone in force on some day of the month - not the headcount of its last day: a leaver of
    the 10th worked ten days of it, and the employments report tells her end. The month's employments file
    says who that was, in which unit, with which dates and working time. Populus may leave out of it an
    employment that began or ended within the month (a file of those in force on its last day, or an
    employment registered after the month was fetched, which only a later file gives): such an employment
    counts, with the dates it has now. Any other employment the file left out was not in force then (an
    employment known only from a payment, like a leaver's final pay, has no dates and never is). A source that
    gave no employments file of the month says nothing about it: its employments count by their dates now.
    """
    if not file_given:
        return True
    first, last = period, period_last_day(period)
    return any(day is not None and first <= day <= last for day in (start, end))


def report_units(unit: WorkUnit, *, include_subunits: bool) -> QuerySet[WorkUnit]:
    """`unit` alone, or `unit` and every unit below it (one prefix query on the materialised path)."""
    if include_subunits:
        return WorkUnit.objects.filter(path__startswith=unit.path)
    return WorkUnit.objects.filter(pk=unit.pk)


def period_suppliers(period: date, *, units: QuerySet[WorkUnit]) -> set[int]:
    """The sources (ids) that supply the employments running in `units` in `period`, active or not: the
    employment's source from the month it began supplying it, the source before it for the months before."""
    running = (
        Employment.objects.filter(unit__in=units)
        .filter(Q(start__isnull=True) | Q(start__lte=period_last_day(period)))
        .filter(Q(end__isnull=True) | Q(end__gte=period))
    )
    current = running.filter(Q(source_since__isnull=True) | Q(source_since__lte=period), source__isnull=False)
    before = running.filter(source_since__gt=period, previous_source__isnull=False)
    return set(current.values_list("source_id", flat=True).distinct()) | set(
        before.values_list("previous_source_id", flat=True).distinct()
    )


def _sources_done(periods: list[date]) -> dict[date, set[int]]:
    done: dict[date, set[int]] = defaultdict(set)
    for period, source_id in FetchRun.objects.filter(period__in=periods, status=RunStatus.DONE).values_list(
        "period", "source_id"
    ):
        done[period].add(source_id)
    return done


def periods_fetched(periods: list[date], *, units: QuerySet[WorkUnit]) -> set[date]:
    """Those of `periods` that every source supplying `units` then has fetched successfully."""
    done = _sources_done(periods)
    fetched = set()
    for period in periods:
        suppliers = period_suppliers(period, units=units)
        if suppliers <= done[period] if suppliers else done[period]:
            fetched.add(period)
    return fetched


def period_fetched(period: date, *, units: QuerySet[WorkUnit]) -> bool:
    """Whether `period` of `units` has been fetched; otherwise their report has nothing to say."""
    return period in periods_fetched([period], units=units)


def period_missing_reason(period: date, *, units: QuerySet[WorkUnit]) -> str:
    """Why `units`' report of `period` cannot be made yet, naming the sources it waits for ("" when it can)."""
    done = _sources_done([period])[period]
    suppliers = period_suppliers(period, units=units)
    text = period_text(period)
    if not suppliers:
        return "" if done else _("No data has been fetched for %(period)s yet.") % {"period": text}
    missing = list(Source.objects.filter(pk__in=suppliers - done).order_by("name"))
    reasons = []
    if failing := [source.name for source in missing if source.active]:
        waiting = _("Waiting for the data of %(period)s from the source %(sources)s: its fetch has not succeeded.")
        reasons.append(waiting % {"period": text, "sources": ", ".join(failing)})
    if switched_off := [source.name for source in missing if not source.active]:
        off = _("The data of %(period)s from the source %(sources)s is missing: the source is switched off.")
        reasons.append(off % {"period": text, "sources": ", ".join(switched_off)})
    return " ".join(reasons)
