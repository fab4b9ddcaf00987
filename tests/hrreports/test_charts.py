"""Inline SVG charts by month: accessible names, no style attributes or scripts, values escaped, and
text that keeps its size at any width."""

import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from hrreports.charts import LINE_STROKE, TEXT_SIZE, absence_charts, bar_chart, line_chart


def months(*numbers: int, year: int = 2026) -> list[date]:
    return [date(year, number, 1) for number in numbers]


def test_bar_chart_has_one_bar_per_point_and_an_accessible_name():
    svg = bar_chart(
        chart_id="c1", title="Poissaolot", description="Kuvaus", points=list(zip(months(1, 2), [4, 10], strict=True))
    )

    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg and '<title id="c1-title">Poissaolot</title>' in svg
    assert svg.count("<rect") == 2 and "<title>2/2026: 10</title>" in svg
    assert "style=" not in svg and "<script" not in svg


def test_the_text_keeps_its_size_at_any_width():
    """No viewBox scales the chart to its box: positions across are percentages of the width and the
    text is TEXT_SIZE CSS pixels on a phone as on a desktop."""
    svg = line_chart(chart_id="c6", title="t", description="d", points=list(zip(months(1, 2), [2, 3], strict=True)))

    assert "viewBox" not in svg and 'width="100%"' in svg
    assert set(re.findall(r'font-size="([\d.]+)"', svg)) == {str(TEXT_SIZE)}
    assert re.search(r'<circle cx="[\d.]+%"', svg) and re.search(r'<line x1="[\d.]+%"', svg)


def test_months_are_numbered_and_the_year_stands_under_the_first_month_and_january():
    points = [(month, 1) for month in months(10, 11, 12, year=2025) + months(1, 2)]

    svg = bar_chart(chart_id="c7", title="t", description="d", points=points)

    assert re.findall(r'text-anchor="middle" fill="#4a4a4a">(\d+)</text>', svg) == ["10", "11", "12", "1", "2"]
    years = re.findall(r'<text x="([\d.]+)%"[^>]*>(\d{4})</text>', svg)
    assert years == [("0.00", "2025"), ("60.00", "2026")]  # from the left edge of October and of January


def test_a_first_december_leaves_the_year_to_the_january_beside_it():
    points = [(month, 1) for month in months(12, year=2025) + months(1, 2)]

    svg = bar_chart(chart_id="c8", title="t", description="d", points=points)

    assert ">2025</text>" not in svg and svg.count(">2026</text>") == 1


def test_line_chart_leaves_a_gap_where_a_month_has_no_value():
    with translation.override("fi"):
        svg = line_chart(
            chart_id="c2",
            title="Sairauspoissaolo-%",
            description="x",
            points=list(zip(months(1, 2, 3, 4), [Decimal("2.5"), None, Decimal("3.0"), Decimal("1.0")], strict=True)),
        )

    # One segment, from March to April: nothing joins January to February's gap.
    assert svg.count(f'stroke="{LINE_STROKE}"') == 1 and svg.count("<circle") == 3
    assert "<title>1/2026: 2,5</title>" in svg


def test_title_and_description_are_escaped():
    svg = bar_chart(chart_id="c3", title="<b>", description="&", points=[(date(2026, 1, 1), 1)])

    assert "<b>" not in svg and "&lt;b&gt;" in svg and "&amp;" in svg


def test_the_top_tick_is_in_the_active_languages_number_format():
    points = list(zip(months(1, 2), [Decimal("7.36"), Decimal("2.0")], strict=True))  # 7,36 + 10 % rounds up to 8,1

    with translation.override("fi"):
        finnish = line_chart(chart_id="c4", title="t", description="d", points=points)
    with translation.override("en"):
        english = line_chart(chart_id="c4", title="t", description="d", points=points)

    assert 'fill="#4a4a4a">8,1</text>' in finnish and "8.1" not in finnish
    assert 'fill="#4a4a4a">8.1</text>' in english
    assert "<title>1/2026: 7,4</title>" in finnish and "<title>Jan 2026: 7.4</title>" in english


def test_a_month_without_a_value_has_no_bar():
    points = list(zip(months(1, 2, 3), [4, None, 0], strict=True))

    svg = bar_chart(chart_id="c5", title="t", description="d", points=points)

    assert svg.count("<rect") == 2 and "2/2026:" not in svg and "<title>3/2026: 0</title>" in svg


def test_absence_charts_leave_months_not_fetched_as_gaps_and_say_so():
    def month(number, *, fetched, days, rate):
        return SimpleNamespace(
            period=date(2026, number, 1),
            fetched=fetched,
            working_days=days,
            sick_rate=None if rate is None else Decimal(rate),
        )

    trend = [
        month(1, fetched=True, days=5, rate="2.0"),
        month(2, fetched=False, days=0, rate="0.0"),
        month(3, fetched=True, days=8, rate="3.5"),
    ]

    with translation.override("en"):
        charts = absence_charts(trend)

    days, rate = str(charts["days"]), str(charts["rate"])
    assert days.count("<rect") == 2 and "Feb 2026:" not in days
    assert rate.count(f'stroke="{LINE_STROKE}"') == 0 and rate.count("<circle") == 2
    assert charts["days"].description.endswith("Months with no fetched data are left empty: Feb 2026.")
    assert "Months with no fetched data are left empty: Feb 2026.</desc>" in rate
    assert (
        charts["figures"] == [charts["days"], charts["rate"]]
        and charts["days"].title == "Absence working days by month"
    )
