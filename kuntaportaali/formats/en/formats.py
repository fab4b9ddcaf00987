"""English as written in Finland's public sector: British dates (day first), the 24-hour clock and
months as Nov 2026 (Django's "en" would show US dates, "en_GB" the 12-hour clock)."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
YEAR_MONTH_FORMAT = "M Y"
