"""Inline SVG charts: accessible names, no style attributes or scripts, values escaped."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from hrreports.charts import absence_charts, bar_chart, line_chart


def test_bar_chart_has_one_bar_per_point_and_an_accessible_name():
    svg = bar_chart(chart_id="c1", title="Poissaolot", description="Kuvaus", points=[("1/26", 4), ("2/26", 10)])

    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg and '<title id="c1-title">Poissaolot</title>' in svg
    assert svg.count("<rect") == 2 and "<title>2/26: 10</title>" in svg
    assert "style=" not in svg and "<script" not in svg


def test_line_chart_leaves_a_gap_where_a_month_has_no_value():
    with translation.override("fi"):
        svg = line_chart(
            chart_id="c2",
            title="Sairauspoissaolo-%",
            description="x",
            points=[("1/26", Decimal("2.5")), ("2/26", None), ("3/26", Decimal("3.0")), ("4/26", Decimal("1.0"))],
        )

    assert svg.count("<polyline") == 2 and svg.count("<circle") == 3
    assert "<title>1/26: 2,5</title>" in svg


def test_labels_are_escaped():
    svg = bar_chart(chart_id="c3", title="<b>", description="&", points=[("<x>", 1)])

    assert "<b>" not in svg and "&lt;x&gt;" in svg and "&amp;" in svg


def test_the_top_tick_is_in_the_active_languages_number_format():
    points = [("1/26", Decimal("7.36")), ("2/26", Decimal("2.0"))]  # 7,36 + 10 % rounds up to 8,1

    with translation.override("fi"):
        finnish = line_chart(chart_id="c4", title="t", description="d", points=points)
    with translation.override("en"):
        english = line_chart(chart_id="c4", title="t", description="d", points=points)

    assert 'text-anchor="end" fill="#4a4a4a">8,1</text>' in finnish and "8.1" not in finnish
    assert 'text-anchor="end" fill="#4a4a4a">8.1</text>' in english
    assert "<title>1/26: 7,4</title>" in finnish and "<title>1/26: 7.4</title>" in english


def test_a_month_without_a_value_has_no_bar():
    svg = bar_chart(chart_id="c5", title="t", description="d", points=[("1/26", 4), ("2/26", None), ("3/26", 0)])

    assert svg.count("<rect") == 2 and "2/26:" not in svg and "<title>3/26: 0</title>" in svg


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
    assert rate.count("<polyline") == 2 and rate.count("<circle") == 2
    assert charts["days"].description.endswith("Months with no fetched data are left empty: Feb 2026.")
    assert "Months with no fetched data are left empty: Feb 2026.</desc>" in rate
    assert (
        charts["figures"] == [charts["days"], charts["rate"]]
        and charts["days"].title == "Absence working days by month"
    )
