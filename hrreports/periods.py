"""Pay periods are calendar months, represented by the date of their first day."""

import calendar
import re
from datetime import date

from django.utils.formats import date_format

from .errors import HrError

_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


def period_parse(text: str) -> date:
    """'2026-03' -> date(2026, 3, 1); anything else raises HrError naming the expected form."""
    match = _PERIOD_RE.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise HrError.of("period_not_a_month", period=str(text))
    return date(int(match.group(1)), int(match.group(2)), 1)


def period_label(period: date) -> str:
    """The month as machines read it (addresses, file names, logs): '2026-03'."""
    return f"{period.year:04d}-{period.month:02d}"


def period_text(period: date) -> str:
    """The month as people read it in the active language: '3/2026', 'Mar 2026'."""
    return date_format(period, "YEAR_MONTH_FORMAT")


def period_last_day(period: date) -> date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def period_shift(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_last_full(today: date) -> date:
    """The month before `today`'s month: the last month whose payroll is complete."""
    return period_shift(today.replace(day=1), -1)
