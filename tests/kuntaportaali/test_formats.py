"""Dates, months and times as Finland's public sector writes them: English day first on the 24-hour clock,
Swedish as in Finland (not Sweden's ISO dates), one month style per language."""

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


def test_finnish_and_swedish_write_dates_months_and_times_as_in_finland():
    moment = datetime(2026, 12, 5, 9, 5, tzinfo=ZoneInfo("Europe/Helsinki"))
    written = {}
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            written[language] = (
                formats.date_format(date(2026, 6, 19), "SHORT_DATE_FORMAT"),
                formats.date_format(date(2026, 11, 1), "YEAR_MONTH_FORMAT"),
                formats.date_format(moment, "SHORT_DATETIME_FORMAT"),
            )

    assert written == {
        "fi": ("19.6.2026", "11/2026", "5.12.2026 9.05"),
        "sv": ("19.6.2026", "11/2026", "5.12.2026 09.05"),
        "en": ("19/06/2026", "Nov 2026", "05/12/2026 09:05"),
    }
