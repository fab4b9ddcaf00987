"""Horizontal bar charts of survey results, drawn with the portal's chart kit (kuntaportaali/charts.py).

A chart never relies on colour alone: the population's share is a diamond marker, not a third bar
colour, and confidence intervals are whiskers with end caps. Bars, whiskers, ticks and the values
after the bars stand at percentages of the width, so a 390 px phone shows the same 13 px labels as
a desktop. Each category's label stands on its own line above its bars, so a long answer option has
the whole width and is never cut short by a label column.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString

from kuntaportaali.charts import (
    GRID,
    INK,
    NAVY,
    SLATE,
    across,
    chart_number,
    svg_chart,
    svg_line,
    svg_rect,
    svg_text,
    svg_tooltip,
)

# Across: where the axis ends, in per cent of the width. The value written after the longest bar
# (or its whisker) takes the rest: about 50 px on the narrowest phone's 290 px chart.
PLOT_END = 83.0
VALUE_GAP, MARKER_VALUE_GAP = 4, 9  # px from the end of a bar (or a diamond's centre) to its value
# Down, in CSS pixels.
TOP, LEGEND_LINE, LABEL_LINE, AXIS_HEIGHT = 8, 22, 18, 22
BAR, BAR_GAP, GROUP_GAP = 14, 3, 12
LABEL_SIZE, VALUE_SIZE, TICK_SIZE = 13, 12, 11  # font sizes in CSS px, never scaled
LABEL_CHARS = 44  # a longer label is cut with "…" (the table beside the chart has it whole)
# A legend line wraps before this many pixels: the narrowest chart, a 320 px phone's, is 290 px wide.
LEGEND_ROOM = 280
LEGEND_CHAR = 7.5  # px per character of a legend entry at VALUE_SIZE, a generous average
WHISKER = INK
WEIGHTED_FILL = NAVY
UNWEIGHTED_FILL = SLATE


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
    return chart_number(tick, decimals=0)


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
    """One row per category: its label, then a bar (or marker) per series; shares run 0..1, counts from 0."""
    tops = [value for each in series for value in each.values if value is not None]
    tops += [high for each in series for interval in (each.intervals or []) if interval for high in interval[1:]]
    maximum = nice_maximum(max(tops, default=0), shares=shares)
    ticks = _ticks(maximum, shares=shares)
    legend, legend_lines = _legend(series) if len(series) > 1 else ([], 0)
    bars_height = len(series) * (BAR + BAR_GAP) - BAR_GAP
    row = LABEL_LINE + bars_height + GROUP_GAP
    plot_top = TOP + legend_lines * LEGEND_LINE
    plot_bottom = plot_top + row * len(categories)

    def x_of(value: float) -> float:
        return PLOT_END * min(max(value, 0.0), maximum) / maximum

    parts: list[SafeString] = list(legend)
    for index, category in enumerate(categories):
        row_top = plot_top + index * row
        bars_top = row_top + LABEL_LINE
        # 2 px in: a "T" reaches left of where its text starts, and the chart's edge would cut it.
        parts.append(svg_text(_short(category), x=2, y=row_top + LABEL_SIZE, size=LABEL_SIZE, fill=INK))
        # The grid runs behind the bars only, not through the label above them.
        parts.extend(
            svg_line(
                x1=across(x_of(tick)),
                y1=bars_top - 2,
                x2=across(x_of(tick)),
                y2=bars_top + bars_height + 2,
                stroke=GRID,
                width=1,
            )
            for tick in ticks[1:]
        )
        for position, each in enumerate(series):
            value = each.values[index]
            if value is not None:
                interval = each.intervals[index] if each.intervals else None
                top = bars_top + position * (BAR + BAR_GAP)
                parts.append(_bar(each, category, value, interval, top=top, x_of=x_of, value_text=value_text))
    parts.append(svg_line(x1=0.5, y1=plot_top, x2=0.5, y2=plot_bottom, stroke=INK, width=1))
    parts.extend(
        svg_text(
            _tick_text(tick, shares=shares),
            x=across(x_of(tick)),
            y=plot_bottom + 15,
            size=TICK_SIZE,
            # The first tick is at the chart's left edge: centred on it, half of it would be cut off.
            anchor="middle" if index else "start",
            fill=INK,
        )
        for index, tick in enumerate(ticks)
    )
    return svg_chart(
        chart_id=chart_id, title=title, description=description, height=plot_bottom + AXIS_HEIGHT, parts=parts
    )


def _bar(
    each: Series,
    category: str,
    value: float,
    interval: tuple[float, float] | None,
    *,
    top: float,
    x_of: Callable[[float], float],
    value_text: Callable[[float], str],
) -> SafeString:
    """A series' bar (or diamond) in one category, its interval's whisker and its value after them."""
    middle = top + BAR / 2
    end = x_of(value)
    tooltip = format_html("{}, {}: {}", each.name, category, value_text(value))
    if each.marker:
        # A nested <svg> puts the diamond's centre at a percentage of the width; its path is in pixels.
        shape = format_html(
            '<svg x="{x}" y="{y}" overflow="visible"><path d="{d}" fill="{fill}">{tooltip}</path></svg>',
            x=across(end),
            y=f"{middle:.1f}",
            d=_diamond(0, 0),
            fill=each.fill,
            tooltip=svg_tooltip(tooltip),
        )
    else:
        shape = svg_rect(x=0, y=f"{top:.1f}", width=across(max(end, 0.1)), height=BAR, fill=each.fill, tooltip=tooltip)
    whisker = ""
    if interval:
        low, high = x_of(interval[0]), x_of(interval[1])
        whisker = format_html(
            '<g stroke="{ink}" stroke-width="1.5" fill="none">'
            '<line x1="{low}" y1="{middle}" x2="{high}" y2="{middle}"/>'
            '<line x1="{low}" y1="{cap_top}" x2="{low}" y2="{cap_bottom}"/>'
            '<line x1="{high}" y1="{cap_top}" x2="{high}" y2="{cap_bottom}"/></g>',
            ink=WHISKER,
            low=across(low),
            high=across(high),
            middle=f"{middle:.1f}",
            cap_top=f"{middle - 4:.1f}",
            cap_bottom=f"{middle + 4:.1f}",
        )
        end = max(end, high)
    label = svg_text(
        value_text(value),
        x=across(end),
        dx=MARKER_VALUE_GAP if each.marker else VALUE_GAP,
        y=f"{middle + 4:.1f}",
        size=VALUE_SIZE,
        fill=INK,
    )
    return format_html("{}{}{}", shape, whisker, label)


def _legend(series: Sequence[Series]) -> tuple[list[SafeString], int]:
    """The legend's entries, in pixels from the left, and how many lines they take: an entry that
    would pass LEGEND_ROOM starts a new line."""
    items, x, line = [], 0.0, 0
    for each in series:
        width = 17 + LEGEND_CHAR * len(each.name)
        if x and x + width > LEGEND_ROOM:
            x, line = 0.0, line + 1
        top = TOP + line * LEGEND_LINE
        if each.marker:
            shape = format_html('<path d="{}" fill="{}"/>', _diamond(x + 6, top + 7, size=5), each.fill)
        else:
            shape = svg_rect(x=x, y=top + 1, width=12, height=12, fill=each.fill)
        items.append(format_html("{}{}", shape, svg_text(each.name, x=x + 17, y=top + 11, size=VALUE_SIZE, fill=INK)))
        x += width + 14
    return items, line + 1
