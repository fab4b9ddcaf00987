"""The access log of HR reports and alerts: every view and download, and every refused attempt."""

import logging
from datetime import date

from ..models import ReportAccess, WorkUnit
from ..models.access import AccessKind

logger = logging.getLogger("hrreports.access")


def report_access_record(
    *, user, kind: str, what: str, unit: WorkUnit | None = None, unit_ref: str = "", period: date | None = None
) -> ReportAccess:
    """Record that `user` viewed, downloaded or was refused `what` of a unit; refusals are also logged."""
    if kind == AccessKind.DENIED:
        logger.warning("HR report refused: user=%s unit=%s what=%s", getattr(user, "pk", None), unit_ref, what)
    return ReportAccess.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        unit=unit,
        unit_ref=unit_ref or (unit.code if unit else ""),
        kind=kind,
        what=what,
        period=period,
    )
