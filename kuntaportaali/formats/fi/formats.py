"""Finnish as Django writes it, with one month style for every page, file and chart: 11/2026
(Django's "marraskuu 2026" does not fit a chart axis, and a page should not mix the two)."""

from django.conf.locale.fi.formats import *  # noqa: F403

YEAR_MONTH_FORMAT = "n/Y"
