"""Charts as inline SVG drawn on the server: no scripts and no style attributes, so they pass the
portal's Content-Security-Policy and print in PDFs. Every chart has a data table next to it for
screen readers; the SVG itself carries a title and a description. Numbers follow the active
language's format ("8,1" in Finnish), as the tables next to the charts do."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .periods import period_text

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
BAR_FILL = "#1f5f99"
LINE_STROKE = "#a4262c"
AXIS = "#4a4a4a"


def _scale(values: Sequence[float | None]) -> float:
    """The axis end: a tenth above the largest value, rounded up to what its tick shows (8,1 or 25)."""
    top = max([value for value in values if value is not None] + [0]) * 1.1
    if top <= 0:
        return 1.0
    return float(math.ceil(top)) if top >= 10 else math.ceil(round(top * 10, 6)) / 10


def _frame(*, chart_id: str, title: str, description: str, top: float, body: SafeString, labels: Sequence[str]):
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels), 1)
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}</text>',
        ((round(LEFT + step * (i + 0.5), 1), HEIGHT - BOTTOM + 16, AXIS, label) for i, label in enumerate(labels)),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<line x1="{l}" y1="{t}" x2="{l}" y2="{base}" stroke="{axis}"/>'
        '<line x1="{l}" y1="{base}" x2="{r}" y2="{base}" stroke="{axis}"/>'
        '<text x="{lx}" y="{ty}" font-size="11" text-anchor="end" fill="{axis}">{top}</text>'
        '<text x="{lx}" y="{base}" font-size="11" text-anchor="end" fill="{axis}">0</text>{body}{ticks}</svg>',
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=title,
        desc=description,
        l=LEFT,
        t=TOP,
        r=WIDTH - RIGHT,
        base=TOP + plot_h,
        axis=AXIS,
        lx=LEFT - 6,
        ty=TOP + 10,
        top=_number(top),
        body=body,
        ticks=ticks,
    )


def bar_chart(
    *, chart_id: str, title: str, description: str, points: Sequence[tuple[str, Decimal | float | None]]
) -> SafeString:
    """One bar per (label, value); a month without a value has no bar (a gap, not a zero)."""
    values = [None if value is None else float(value) for _label, value in points]
    top = _scale(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points), 1)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
        (
            (
                round(LEFT + step * i + step * 0.15, 1),
                round(TOP + plot_h - plot_h * value / top, 1),
                round(step * 0.7, 1),
                round(plot_h * value / top, 1),
                BAR_FILL,
                label,
                _number(value),
            )
            for i, ((label, _raw), value) in enumerate(zip(points, values, strict=True))
            if value is not None
        ),
    )
    labels = [label for label, _value in points]
    return _frame(chart_id=chart_id, title=title, description=description, top=top, body=bars, labels=labels)


def line_chart(
    *, chart_id: str, title: str, description: str, points: Sequence[tuple[str, Decimal | float | None]]
) -> SafeString:
    """A line through the (label, value) points; months without a value leave a gap."""
    values = [None if value is None else float(value) for _label, value in points]
    top = _scale(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points), 1)
    coords = [
        None if value is None else (round(LEFT + step * (i + 0.5), 1), round(TOP + plot_h - plot_h * value / top, 1))
        for i, value in enumerate(values)
    ]
    segments, current = [], []
    for coord in coords:
        if coord is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(coord)
    if current:
        segments.append(current)
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
        ((" ".join(f"{x},{y}" for x, y in segment), LINE_STROKE) for segment in segments),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{}: {}</title></circle>',
        (
            (coord[0], coord[1], LINE_STROKE, label, _number(value))
            for (label, _raw), coord, value in zip(points, coords, values, strict=True)
            if coord is not None
        ),
    )
    labels = [label for label, _value in points]
    body = format_html("{}{}", lines, dots)
    return _frame(chart_id=chart_id, title=title, description=description, top=top, body=body, labels=labels)


def _number(value: float) -> str:
    """One decimal at most, rounded (number_format alone would cut 7,36 to 7,3)."""
    value = round(value, 1)
    return number_format(value, decimal_pos=0 if value == int(value) else 1, force_grouping=True)


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


def _chart(draw, *, chart_id: str, title: str, description: str, points: list[tuple[str, object]]) -> Chart:
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
        points=[
            (label, summary.sick_rate if summary.fetched else None)
            for label, summary in zip(_month_labels(trend), trend, strict=True)
        ],
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
        points=[
            (label, summary.working_days if summary.fetched else None)
            for label, summary in zip(_month_labels(trend), trend, strict=True)
        ],
    )
    rate = sick_rate_chart(trend)
    return {
        "days": days,
        "rate": rate,
        "figures": [days, rate],
        "rows": [(summary.period, summary) for summary in trend],
        "not_fetched": not_fetched,
    }
