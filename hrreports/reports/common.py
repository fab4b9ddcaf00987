"""What every report shares: the units it covers and whether their month has been fetched.

A unit's month is fetched when the active source that supplies the unit (WorkUnit.source) has fetched
it successfully; a report over several units needs every one of their sources. Another source's
success says nothing about the unit: its report would show zeros where the data is missing. A unit no
active source supplies (added by hand and never supplied, or its source switched off) has no source to
wait for: its month counts as fetched once any source has fetched it.
"""

from collections import defaultdict
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ..models import FetchRun, Source, WorkUnit
from ..models.fetching import RunStatus
from ..periods import period_text


def report_units(unit: WorkUnit, *, include_subunits: bool) -> QuerySet[WorkUnit]:
    """`unit` alone, or `unit` and every unit below it (one prefix query on the materialised path)."""
    if include_subunits:
        return WorkUnit.objects.filter(path__startswith=unit.path)
    return WorkUnit.objects.filter(pk=unit.pk)


def units_sources(units: QuerySet[WorkUnit]) -> QuerySet[Source]:
    """The active sources that supply some of `units`, by name."""
    return Source.objects.filter(active=True, units__in=units).distinct().order_by("name")


def periods_fetched(periods: list[date], *, units: QuerySet[WorkUnit]) -> set[date]:
    """Those of `periods` that every source supplying `units` has fetched successfully (two queries)."""
    done = FetchRun.objects.filter(period__in=periods, status=RunStatus.DONE)
    wanted = set(units_sources(units).values_list("pk", flat=True))
    if not wanted:
        return set(done.values_list("period", flat=True))
    fetched_by: dict[date, set[int]] = defaultdict(set)
    for period, source_id in done.filter(source__in=wanted).values_list("period", "source_id"):
        fetched_by[period].add(source_id)
    return {period for period, sources in fetched_by.items() if sources >= wanted}


def period_fetched(period: date, *, units: QuerySet[WorkUnit]) -> bool:
    """Whether `period` of `units` has been fetched; otherwise their report has nothing to say."""
    return period in periods_fetched([period], units=units)


def period_missing_reason(period: date, *, units: QuerySet[WorkUnit]) -> str:
    """Why `units`' report of `period` cannot be made yet, naming the sources it waits for ("" when it can)."""
    if period_fetched(period, units=units):
        return ""
    done = FetchRun.objects.filter(period=period, status=RunStatus.DONE).values("source_id")
    missing = [source.name for source in units_sources(units).exclude(pk__in=done)]
    if not missing:
        return _("No data has been fetched for %(period)s yet.") % {"period": period_text(period)}
    waiting = _("Waiting for the data of %(period)s from the source %(sources)s: its fetch has not succeeded.")
    return waiting % {"period": period_text(period), "sources": ", ".join(missing)}
