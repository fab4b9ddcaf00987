"""Inline SVG charts: accessible names, no style attributes or scripts, values escaped."""

from decimal import Decimal

from hrreports.charts import bar_chart, line_chart


def test_bar_chart_has_one_bar_per_point_and_an_accessible_name():
    svg = bar_chart(chart_id="c1", title="Poissaolot", description="Kuvaus", points=[("1/26", 4), ("2/26", 10)])

    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg and '<title id="c1-title">Poissaolot</title>' in svg
    assert svg.count("<rect") == 2 and "<title>2/26: 10</title>" in svg
    assert "style=" not in svg and "<script" not in svg


def test_line_chart_leaves_a_gap_where_a_month_has_no_value():
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
