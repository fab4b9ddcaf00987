"""Working days: Monday to Friday except Finnish public holidays."""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _cumulative(year: int) -> tuple[int, tuple[int, ...]]:
    """(ordinal of 1 January of `year`, working days counted from then up to and including each day)."""
    first = date(year, 1, 1)
    off = holidays.country_holidays("FI", years=year)
    counts, total = [], 0
    for offset in range((date(year + 1, 1, 1) - first).days):
        day = first + timedelta(days=offset)
        if day.weekday() < 5 and day not in off:
            total += 1
        counts.append(total)
    return first.toordinal(), tuple(counts)


def working_days(start: date, end: date) -> int:
    """Working days from `start` to `end`, both included (0 when end is before start)."""
    total = 0
    for year in range(start.year, end.year + 1):
        base, counts = _cumulative(year)
        first = max(start, date(year, 1, 1)).toordinal() - base
        last = min(end, date(year, 12, 31)).toordinal() - base
        if last >= first:
            total += counts[last] - (counts[first - 1] if first else 0)
    return total
