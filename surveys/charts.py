"""Horizontal bar charts of survey results as inline SVG drawn on the server.

No scripts and no style attributes, so the charts pass the portal's Content-Security-Policy and
print the same in the PDF report. Every chart carries a title and a description, and the page or
report puts a table with the same figures next to it for screen readers. A chart never relies on
colour alone: the population's share is a diamond marker, not a third bar colour, and confidence
intervals are whiskers with end caps.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 200
VALUE_ROOM = 64  # right of the plot, for the value written after the longest bar
TOP, LEGEND_HEIGHT, AXIS_HEIGHT = 8, 24, 22
BAR, BAR_GAP, GROUP_GAP = 14, 3, 10
LABEL_CHARS = 32
INK = "#1b1b1f"
GRID = "#c4c7cf"
WHISKER = "#1b1b1f"
# Bar fills with at least 3:1 contrast against white (WCAG 1.4.11).
WEIGHTED_FILL = "#0b3d91"
UNWEIGHTED_FILL = "#5a6170"


@dataclass(frozen=True)
class Series:
    """One set of bars (or markers), with a value and an optional (low, high) interval per category."""

    name: str
    values: Sequence[float | None]
    fill: str = WEIGHTED_FILL
    intervals: Sequence[tuple[float, float] | None] | None = None
    marker: bool = False


def nice_maximum(top: float, *, shares: bool) -> float:
    """The axis end: the next tenth above the largest share (at most 100 %), or a 1-2-5 step for counts."""
    if shares:
        return min(1.0, max(0.1, math.ceil(round(top * 10, 6)) / 10))
    if top <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _ticks(maximum: float, *, shares: bool) -> list[float]:
    step = _tick_step(maximum, shares=shares)
    count = round(maximum / step)
    return [round(step * index, 6) for index in range(count + 1)]


def _tick_step(maximum: float, *, shares: bool) -> float:
    if shares:
        return 0.1 if maximum <= 0.5 else 0.2 if maximum < 1 else 0.25
    return maximum / 5 if maximum >= 5 else 1


def _tick_text(tick: float, *, shares: bool) -> str:
    """Axis ticks in whole numbers: "20 %" for shares, "2 500" for counts."""
    if shares:
        return f"{round(tick * 100)}\xa0%"
    return number_format(round(tick), force_grouping=True)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _diamond(x: float, y: float, size: float = 6) -> str:
    return f"M{x:.1f} {y - size:.1f} L{x + size:.1f} {y:.1f} L{x:.1f} {y + size:.1f} L{x - size:.1f} {y:.1f} Z"


def horizontal_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    value_text: Callable[[float], str],
    shares: bool = True,
) -> SafeString:
    """One row per category with a bar (or marker) per series; shares run 0..1, counts from 0."""
    tops = [value for each in series for value in each.values if value is not None]
    tops += [high for each in series for interval in (each.intervals or []) if interval for high in interval[1:]]
    maximum = nice_maximum(max(tops, default=0), shares=shares)
    legend = LEGEND_HEIGHT if len(series) > 1 else 0
    group = len(series) * (BAR + BAR_GAP) - BAR_GAP + GROUP_GAP
    plot_top = TOP + legend
    plot_height = group * len(categories)
    height = plot_top + plot_height + AXIS_HEIGHT
    plot_left, plot_right = LABEL_WIDTH, WIDTH - VALUE_ROOM
    span = plot_right - plot_left

    def x_of(value: float) -> float:
        return plot_left + span * min(max(value, 0.0), maximum) / maximum

    parts: list[str] = []
    for tick in _ticks(maximum, shares=shares):
        x = x_of(tick)
        parts.append(
            format_html(
                '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{grid}" stroke-width="1"/>'
                '<text x="{x}" y="{label_y}" font-size="11" text-anchor="middle" fill="{ink}">{text}</text>',
                x=f"{x:.1f}",
                top=plot_top,
                bottom=plot_top + plot_height,
                grid=GRID,
                label_y=plot_top + plot_height + 15,
                ink=INK,
                text=_tick_text(tick, shares=shares),
            )
        )
    for index, category in enumerate(categories):
        group_top = plot_top + index * group + GROUP_GAP / 2
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" font-size="12" text-anchor="end" fill="{ink}">{label}</text>',
                x=plot_left - 8,
                y=f"{group_top + (group - GROUP_GAP) / 2 + 4:.1f}",
                ink=INK,
                label=_short(category),
            )
        )
        for position, each in enumerate(series):
            value = each.values[index]
            if value is None:
                continue
            y = group_top + position * (BAR + BAR_GAP)
            middle = y + BAR / 2
            end = x_of(value)
            if each.marker:
                parts.append(
                    format_html(
                        '<path d="{d}" fill="{fill}"><title>{name}, {category}: {value}</title></path>',
                        d=_diamond(end, middle),
                        fill=each.fill,
                        name=each.name,
                        category=category,
                        value=value_text(value),
                    )
                )
            else:
                parts.append(
                    format_html(
                        '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}">'
                        "<title>{name}, {category}: {value}</title></rect>",
                        x=plot_left,
                        y=f"{y:.1f}",
                        w=f"{max(end - plot_left, 0.5):.1f}",
                        h=BAR,
                        fill=each.fill,
                        name=each.name,
                        category=category,
                        value=value_text(value),
                    )
                )
            interval = each.intervals[index] if each.intervals else None
            if interval:
                low, high = x_of(interval[0]), x_of(interval[1])
                parts.append(
                    format_html(
                        '<path d="M{low} {middle} H{high} M{low} {cap_top} V{cap_bottom} '
                        'M{high} {cap_top} V{cap_bottom}" stroke="{ink}" stroke-width="1.5" fill="none"/>',
                        low=f"{low:.1f}",
                        high=f"{high:.1f}",
                        middle=f"{middle:.1f}",
                        cap_top=f"{middle - 4:.1f}",
                        cap_bottom=f"{middle + 4:.1f}",
                        ink=WHISKER,
                    )
                )
                end = max(end, high)
            parts.append(
                format_html(
                    '<text x="{x}" y="{y}" font-size="11" fill="{ink}">{text}</text>',
                    x=f"{end + 8 if each.marker else end + 4:.1f}",
                    y=f"{middle + 4:.1f}",
                    ink=INK,
                    text=value_text(value),
                )
            )
    parts.append(
        format_html(
            '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{ink}" stroke-width="1"/>',
            x=plot_left,
            top=plot_top,
            bottom=plot_top + plot_height,
            ink=INK,
        )
    )
    if legend:
        parts.append(_legend(series))
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        w=WIDTH,
        h=f"{height:.0f}",
        id=chart_id,
        title=title,
        desc=description,
        body=mark_safe("".join(parts)),  # noqa: S308 (every part above is built with format_html)
    )


def _legend(series: Sequence[Series]) -> SafeString:
    items = []
    x = LABEL_WIDTH
    for each in series:
        if each.marker:
            shape = format_html('<path d="{}" fill="{}"/>', _diamond(x + 6, TOP + 7, size=5), each.fill)
        else:
            shape = format_html('<rect x="{}" y="{}" width="12" height="12" fill="{}"/>', x, TOP + 1, each.fill)
        items.append(
            format_html(
                '{}<text x="{}" y="{}" font-size="11" fill="{}">{}</text>', shape, x + 17, TOP + 11, INK, each.name
            )
        )
        x += 26 + 7 * len(each.name)
    return format_html_join("", "{}", ((item,) for item in items))
