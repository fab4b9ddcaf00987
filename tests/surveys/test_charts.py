"""The results' horizontal bar charts (surveys/charts.py): readable at any width, every label whole
on its own line, the legend wrapped to the narrowest screen."""

import re

from surveys.charts import INK, LABEL_CHARS, LEGEND_LINE, TOP, Series, horizontal_bar_chart


def chart(categories, series, **options):
    return horizontal_bar_chart(
        chart_id="c",
        title="Otsikko",
        description="Kuvaus",
        categories=categories,
        series=series,
        value_text=lambda value: f"{value * 100:.1f} %",
        **options,
    )


def test_the_text_keeps_its_size_at_any_width():
    """No viewBox scales the chart to its box: positions across are percentages of the width, and no
    text is drawn under 11 CSS px on a phone any more than on a desktop."""
    svg = chart(["kyllä", "ei"], [Series("Painotettu", [0.6, 0.4], intervals=[(0.55, 0.65), (0.35, 0.45)])])

    assert "viewBox" not in svg and 'width="100%"' in svg
    assert min(int(size) for size in re.findall(r'font-size="(\d+)"', svg)) >= 11
    assert re.search(r'<rect x="0" y="[\d.]+" width="[\d.]+%"', svg)
    assert re.search(r'<line x1="[\d.]+%" y1="[\d.]+" x2="[\d.]+%"', svg)  # the whisker


def test_each_label_stands_whole_above_its_bars():
    long = "Työpaikat, yrittäjyys ja elinkeinoelämä"  # 39 characters: the old label column cut it at 32
    assert len(long) <= LABEL_CHARS

    svg = chart(["Palvelut lähellä", long], [Series("Painotettu", [0.3, 0.7])])

    label_y = float(re.search(rf'<text x="2" y="([\d.]+)"[^>]*>{long}</text>', svg)[1])
    bar_y = [float(y) for y in re.findall(r'<rect x="0" y="([\d.]+)"', svg)]
    assert bar_y[0] < label_y < bar_y[1]  # between the first category's bar and its own
    assert "…" not in svg


def test_a_legend_too_wide_for_a_phone_takes_a_second_line():
    names = ["Vastaajat", "Painotettu", "Väestön osuus asukkaista"]  # the three take over LEGEND_ROOM px
    series = [Series(names[0], [0.2]), Series(names[1], [0.3]), Series(names[2], [0.25], fill=INK, marker=True)]

    svg = chart(["18–29"], series)

    def line_of(name: str) -> float:
        return float(re.search(rf'<text x="[\d.]+" y="([\d.]+)"[^>]*>{name}<', svg)[1])

    assert line_of(names[0]) == line_of(names[1]) == TOP + 11
    assert line_of(names[2]) == TOP + 11 + LEGEND_LINE
    assert re.search(rf'<text x="17(\.0)?" y="[\d.]+"[^>]*>{names[2]}<', svg)  # from the left edge again


def test_the_population_marker_sits_at_its_share_of_the_width():
    svg = chart(["18–29"], [Series("Vastaajat", [0.2]), Series("Väestö", [0.5], fill=INK, marker=True)])

    # 0.5 of an axis ending at 0.5 (the next tenth above the largest share) is the axis' end, 83 %.
    assert '<svg x="83.00%"' in svg and 'overflow="visible"><path d="M0.0 -6.0' in svg
