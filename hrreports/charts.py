"""Charts of months, drawn with the portal's chart kit (kuntaportaali/charts.py). Numbers follow the
active language's format ("8,1" in Finnish), as the tables next to the charts do.

A phone shows the same 11 px month labels as a desktop. Under each month stands its number, and
under the first month and each January the year: twelve "11/25" labels do not fit a phone's width.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kuntaportaali import charts as kit

from .periods import period_text

HEIGHT = 200  # CSS px
TOP, BOTTOM = 22, 36  # above the plot the scale's top value, below it the months and years
TEXT_SIZE = 11  # CSS px, never scaled
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BAR_FILL = kit.BLUE
LINE_STROKE = kit.RED

Points = Sequence[tuple[date, Decimal | float | None]]


def _scale(values: Sequence[float | None]) -> float:
    """The axis end: a tenth above the largest value, rounded up to what its tick shows (8,1 or 25)."""
    top = max([value for value in values if value is not None] + [0]) * 1.1
    if top <= 0:
        return 1.0
    return float(math.ceil(top)) if top >= 10 else math.ceil(round(top * 10, 6)) / 10


def _frame(
    *, chart_id: str, title: str, description: str, top: float, marks: Sequence[SafeString], months: Sequence[date]
) -> SafeString:
    base = HEIGHT - BOTTOM
    step = 100 / max(len(months), 1)
    month_numbers = [
        kit.svg_text(
            month.month, x=kit.across(step * (i + 0.5)), y=base + 15, size=TEXT_SIZE, anchor="middle", fill=kit.AXIS
        )
        for i, month in enumerate(months)
    ]
    # The year under the first month and under each January; not under a first December, whose
    # year would run into the January's next to it.
    years = [
        kit.svg_text(month.year, x=kit.across(step * i), y=base + 29, size=TEXT_SIZE, fill=kit.AXIS)
        for i, month in enumerate(months)
        if month.month == 1 or (i == 0 and month.month != 12)
    ]
    frame = [
        kit.svg_line(x1=0, y1=TOP, x2="100%", y2=TOP, stroke=kit.GRID, dash="4 3"),
        kit.svg_line(x1=0.5, y1=TOP, x2=0.5, y2=base, stroke=kit.AXIS),
        kit.svg_line(x1=0, y1=base, x2="100%", y2=base, stroke=kit.AXIS),
        kit.svg_text(kit.chart_number(top, decimals=1), x=0, y=TOP - 6, size=TEXT_SIZE, fill=kit.AXIS),
    ]
    return kit.svg_chart(
        chart_id=chart_id,
        title=title,
        description=description,
        height=HEIGHT,
        parts=[*frame, *marks, *month_numbers, *years],
    )


def _plot(points: Points) -> tuple[list[float | None], float, float]:
    """The points' values, the axis end and one month's width in per cent."""
    values = [None if value is None else float(value) for _month, value in points]
    return values, _scale(values), 100 / max(len(points), 1)


def bar_chart(*, chart_id: str, title: str, description: str, points: Points) -> SafeString:
    """One bar per (month, value); a month without a value has no bar (a gap, not a zero)."""
    values, top, step = _plot(points)
    bars = [
        kit.svg_rect(
            x=kit.across(step * (i + 0.15)),
            y=round(TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / top, 1),
            width=kit.across(step * 0.7),
            height=round(PLOT_HEIGHT * value / top, 1),
            fill=BAR_FILL,
            tooltip=f"{period_text(month)}: {kit.chart_number(value, decimals=1)}",
        )
        for i, ((month, _raw), value) in enumerate(zip(points, values, strict=True))
        if value is not None
    ]
    months = [month for month, _value in points]
    return _frame(chart_id=chart_id, title=title, description=description, top=top, marks=bars, months=months)


def line_chart(*, chart_id: str, title: str, description: str, points: Points) -> SafeString:
    """A line through the (month, value) points; a month without a value leaves a gap on both sides."""
    values, top, step = _plot(points)
    coords = [
        None if value is None else (step * (i + 0.5), round(TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / top, 1))
        for i, value in enumerate(values)
    ]
    # Segment by segment: a polyline's points cannot be percentages of the width.
    segments = [
        kit.svg_line(
            x1=kit.across(start[0]),
            y1=start[1],
            x2=kit.across(end[0]),
            y2=end[1],
            stroke=LINE_STROKE,
            width=2,
            cap="round",
        )
        for start, end in pairwise(coords)
        if start is not None and end is not None
    ]
    dots = [
        format_html(
            '<circle cx="{}" cy="{}" r="3.5" fill="{}">{}</circle>',
            kit.across(coord[0]),
            coord[1],
            LINE_STROKE,
            kit.svg_tooltip(f"{period_text(month)}: {kit.chart_number(value, decimals=1)}"),
        )
        for (month, _raw), coord, value in zip(points, coords, values, strict=True)
        if coord is not None
    ]
    months = [month for month, _value in points]
    marks = [*segments, *dots]
    return _frame(chart_id=chart_id, title=title, description=description, top=top, marks=marks, months=months)


@dataclass(frozen=True)
class Chart:
    """A drawn chart with its title and description, for the page's visible <figcaption>; renders
    in a template as the SVG itself."""

    svg: SafeString
    title: str
    description: str

    def __html__(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg


def _chart(draw, *, chart_id: str, title: str, description: str, points: Points) -> Chart:
    svg = draw(chart_id=chart_id, title=title, description=description, points=points)
    return Chart(svg=svg, title=title, description=description)


def _month_labels(trend) -> list[str]:
    return [period_text(summary.period) for summary in trend]


def _gaps(trend) -> tuple[list[str], str]:
    """The labels of the months no source has fetched, and the sentence a description adds about them."""
    not_fetched = [label for label, summary in zip(_month_labels(trend), trend, strict=True) if not summary.fetched]
    sentence = (
        " " + _("Months with no fetched data are left empty: %(months)s.") % {"months": ", ".join(not_fetched)}
        if not_fetched
        else ""
    )
    return not_fetched, sentence


def sick_rate_chart(trend, *, chart_id: str = "chart-sick-rate") -> Chart:
    """The sick-leave rate by month of an absence trend (hrreports.reports.absence_trend or
    absence_summaries); a month no source has fetched is a gap, not a zero, and the description names it."""
    _not_fetched, gaps = _gaps(trend)
    return _chart(
        line_chart,
        chart_id=chart_id,
        title=_("Sick-leave rate by month (%)"),
        description=_("Sick-leave working days per planned working days; the table below has the figures.") + gaps,
        points=[(summary.period, summary.sick_rate if summary.fetched else None) for summary in trend],
    )


def absence_charts(trend) -> dict:
    """The two charts of a unit's absence trend (hrreports.reports.absence_trend): working days of
    absence by month, and the sick-leave rate by month; `rows` are their figures for the data table.
    A month no source has fetched is a gap in both charts, not a zero, and the descriptions name it."""
    not_fetched, gaps = _gaps(trend)
    days = _chart(
        bar_chart,
        chart_id="chart-absence-days",
        title=_("Absence working days by month"),
        description=_("Working days of all absences in each of the last 12 months; the table below has the figures.")
        + gaps,
        points=[(summary.period, summary.working_days if summary.fetched else None) for summary in trend],
    )
    rate = sick_rate_chart(trend)
    return {
        "days": days,
        "rate": rate,
        "figures": [days, rate],
        "rows": [(summary.period, summary) for summary in trend],
        "not_fetched": not_fetched,
    }
