"""When a campaign may call: Helsinki wall-clock hours on its weekdays, between its first and last
calling day, outside Finnish public holidays. DST-safe: hours are read on the local clock and
converted with zoneinfo, so a day that is 23 or 25 hours long keeps its 10-20 window."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils.timezone import get_default_timezone

from surveys.models import Campaign

# Parts of the day, by local start hour: a retry goes to another part than the earlier attempts.
DAY_PARTS = (("morning", 0), ("afternoon", 12), ("evening", 16))


@lru_cache(maxsize=32)
def _finnish_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("FI", years=year)


def is_calling_day(campaign: Campaign, day: date) -> bool:
    if not campaign.start_date <= day <= campaign.end_date or day.weekday() not in campaign.weekdays:
        return False
    return not (campaign.exclude_holidays and day in _finnish_holidays(day.year))


def _local(day: date, clock: time) -> datetime:
    # fold=0 and zoneinfo's normalisation: a wall time skipped by the spring change moves forward.
    local_zone = get_default_timezone()
    return datetime.combine(day, clock, tzinfo=local_zone).astimezone(local_zone)


def day_window(campaign: Campaign, day: date) -> tuple[datetime, datetime]:
    """The hours the campaign may call on `day`, if it is one of its calling days."""
    if campaign.calls_at_any_hour:
        return _local(day, time(0)), _local(day + timedelta(days=1), time(0))
    return _local(day, campaign.daily_start), _local(day, campaign.daily_end)


def next_open_moment(campaign: Campaign, after: datetime) -> datetime | None:
    """The first moment at or after `after` when the campaign may call, None when none is left."""
    moment = after.astimezone(get_default_timezone())
    day = max(moment.date(), campaign.start_date)
    while day <= campaign.end_date:
        if is_calling_day(campaign, day):
            start, end = day_window(campaign, day)
            if moment < end:
                return max(moment, start)
        day += timedelta(days=1)
    return None


def calling_days(campaign: Campaign, *, since: date | None = None) -> list[date]:
    """The campaign's calling days, from `since` (or its first) to its last."""
    day = max(since or campaign.start_date, campaign.start_date)
    days = []
    while day <= campaign.end_date:
        if is_calling_day(campaign, day):
            days.append(day)
        day += timedelta(days=1)
    return days


def is_open(campaign: Campaign, moment: datetime) -> bool:
    return next_open_moment(campaign, moment) == moment


def day_part(moment: datetime) -> str:
    hour = moment.astimezone(get_default_timezone()).hour
    return [name for name, start in DAY_PARTS if hour >= start][-1]


def part_spans(campaign: Campaign, day: date) -> list[tuple[str, datetime, datetime]]:
    """Each part of the day with the hours the campaign may call in it on `day`: (name, from, until)."""
    start, end = day_window(campaign, day)
    bounds = [_local(day, time(hour)) for _name, hour in DAY_PARTS[1:]] + [_local(day + timedelta(days=1), time(0))]
    spans = []
    part_start = _local(day, time(0))
    for (name, _hour), part_end in zip(DAY_PARTS, bounds, strict=True):
        low, high = max(part_start, start), min(part_end, end)
        if low < high:
            spans.append((name, low, high))
        part_start = part_end
    return spans
