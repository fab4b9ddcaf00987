"""The kit both apps draw their charts with: inline SVG built on the server, element by element.

No scripts and no style attributes, so a chart passes the portal's Content-Security-Policy and
prints the same in a PDF. Every chart is an image with an accessible name: its <title> and <desc>,
which `svg_chart` writes; the page puts a table with the same figures next to it for screen readers.

A chart takes the whole width of its box and keeps its text at its own size: it has no viewBox to
scale it, every position across is a percentage of the width (`across`) and every height is in CSS
pixels, so a phone shows the same label size as a desktop.
"""

from collections.abc import Iterable

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# The palette. Marks and text have at least 3:1 contrast against white (WCAG 1.4.11); the grid only
# guides the eye and stays light.
INK = "#1b1b1f"
AXIS = "#4a4a4a"
GRID = "#c4c7cf"
NAVY = "#0b3d91"
SLATE = "#5a6170"
BLUE = "#1f5f99"
RED = "#a4262c"


def across(percent: float) -> str:
    """A position across the chart: a percentage of its width."""
    return f"{percent:.2f}%"


def chart_number(value: float, *, decimals: int) -> str:
    """`value` rounded to at most `decimals` places in the active language's format, a whole number
    without decimals: "2 500", "8,1" (number_format alone would cut 7,36 to 7,3, not round it)."""
    value = round(value, decimals)
    return number_format(value, decimal_pos=0 if value == int(value) else decimals, force_grouping=True)


def svg_chart(*, chart_id: str, title: str, description: str, height: float, parts: Iterable[SafeString]) -> SafeString:
    """The chart's <svg>, named by its title and description, around `parts` drawn in that order."""
    return format_html(
        '<svg class="chart" width="100%" height="{h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        h=height,
        id=chart_id,
        title=title,
        desc=description,
        body=format_html_join("", "{}", ((part,) for part in parts)),
    )


def _attributes(**values) -> SafeString:
    """` name="value"` for each value that is not None, in the order given; `_` in a name is `-`."""
    return format_html_join(
        "", ' {}="{}"', ((name.replace("_", "-"), value) for name, value in values.items() if value is not None)
    )


def svg_tooltip(text: str) -> SafeString:
    """What a browser shows on pointing at a mark."""
    return format_html("<title>{}</title>", text)


def svg_text(text, *, x, y, size: int, fill: str, dx=None, anchor: str | None = None) -> SafeString:
    return format_html(
        "<text{}>{}</text>", _attributes(x=x, dx=dx, y=y, font_size=size, text_anchor=anchor, fill=fill), text
    )


def svg_line(
    *, x1, y1, x2, y2, stroke: str | None = None, width=None, dash: str | None = None, cap: str | None = None
) -> SafeString:
    attributes = _attributes(
        x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, stroke_width=width, stroke_dasharray=dash, stroke_linecap=cap
    )
    return format_html("<line{}/>", attributes)


def svg_rect(*, x, y, width, height, fill: str, tooltip: str | None = None) -> SafeString:
    attributes = _attributes(x=x, y=y, width=width, height=height, fill=fill)
    if tooltip is None:
        return format_html("<rect{}/>", attributes)
    return format_html("<rect{}>{}</rect>", attributes, svg_tooltip(tooltip))
