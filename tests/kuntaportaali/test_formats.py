"""English pages write dates day first and times on the 24-hour clock, as Finland's public sector does."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import formats, translation


def test_english_dates_are_british_and_times_24_hour():
    moment = datetime(2026, 12, 5, 14, 30, tzinfo=ZoneInfo("Europe/Helsinki"))
    with translation.override("en"):
        assert formats.date_format(date(2026, 6, 19), "SHORT_DATE_FORMAT") == "19/06/2026"
        assert formats.date_format(date(2026, 6, 19)) == "19 Jun 2026"
        assert formats.time_format(moment.time()) == "14:30"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "05/12/2026 14:30"


def test_finnish_and_swedish_keep_their_own_formats():
    with translation.override("fi"):
        assert formats.date_format(date(2026, 6, 19), "SHORT_DATE_FORMAT") == "19.6.2026"
    with translation.override("sv"):
        assert formats.date_format(date(2026, 6, 19), "SHORT_DATE_FORMAT") == "2026-06-19"
