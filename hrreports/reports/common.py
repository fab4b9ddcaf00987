"""What every report shares: the units it covers and whether its period was fetched at all."""

from datetime import date

from django.db.models import QuerySet

from ..models import FetchRun, WorkUnit
from ..models.fetching import RunStatus


def report_units(unit: WorkUnit, *, include_subunits: bool) -> QuerySet[WorkUnit]:
    """`unit` alone, or `unit` and every unit below it (one prefix query on the materialised path)."""
    if include_subunits:
        return WorkUnit.objects.filter(path__startswith=unit.path)
    return WorkUnit.objects.filter(pk=unit.pk)


def period_fetched(period: date) -> bool:
    """True when some source has successfully fetched `period`; otherwise a report has nothing to say."""
    return FetchRun.objects.filter(period=period, status=RunStatus.DONE).exists()


def periods_fetched(periods: list[date]) -> set[date]:
    """Those of `periods` that some source has fetched successfully (one query)."""
    return set(FetchRun.objects.filter(period__in=periods, status=RunStatus.DONE).values_list("period", flat=True))
