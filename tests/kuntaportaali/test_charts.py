"""The chart kit both apps draw with (kuntaportaali/charts.py): an accessible frame, marks whose
attributes are escaped and omitted when unset, positions across in per cent, numbers as the language
writes them."""

from django.utils import translation
from django.utils.formats import get_format

from kuntaportaali.charts import across, chart_number, svg_chart, svg_line, svg_rect, svg_text, svg_tooltip


def test_a_chart_is_an_image_named_by_its_title_and_description():
    label = svg_text("a", x=0, y=1, size=11, fill="#000")

    svg = svg_chart(chart_id="c", title="Otsikko", description="Kuvaus", height=120, parts=[label])

    assert svg == (
        '<svg class="chart" width="100%" height="120" role="img" aria-labelledby="c-title c-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="c-title">Otsikko</title><desc id="c-desc">Kuvaus</desc>'
        '<text x="0" y="1" font-size="11" fill="#000">a</text></svg>'
    )


def test_text_from_people_is_escaped_and_marks_are_not_escaped_twice():
    parts = [
        svg_text("<b>", x=0, y=0, size=11, fill="#000"),
        svg_rect(x=0, y=0, width=1, height=1, fill="#000", tooltip="x < y"),
    ]

    svg = svg_chart(chart_id="c", title="<script>", description="A & B", height=10, parts=parts)

    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "A &amp; B" in svg and "&lt;b&gt;" in svg
    assert "<title>x &lt; y</title></rect>" in svg


def test_unset_attributes_are_left_out_and_the_rest_keep_their_order():
    assert svg_text("5", x="10.00%", dx=4, y=20, size=12, anchor="middle", fill="#111") == (
        '<text x="10.00%" dx="4" y="20" font-size="12" text-anchor="middle" fill="#111">5</text>'
    )
    assert svg_line(x1=0, y1=1, x2="100%", y2=1, stroke="#222", dash="4 3") == (
        '<line x1="0" y1="1" x2="100%" y2="1" stroke="#222" stroke-dasharray="4 3"/>'
    )
    assert svg_line(x1=0, y1=1, x2=2, y2=3, stroke="#222", width=2, cap="round") == (
        '<line x1="0" y1="1" x2="2" y2="3" stroke="#222" stroke-width="2" stroke-linecap="round"/>'
    )


def test_a_rect_without_a_tooltip_is_empty_and_one_with_it_carries_a_title():
    assert svg_rect(x=0, y=1, width=12, height=12, fill="#333") == (
        '<rect x="0" y="1" width="12" height="12" fill="#333"/>'
    )
    assert svg_rect(x=0, y=1, width="5.00%", height=14, fill="#333", tooltip="3/2026: 4") == (
        '<rect x="0" y="1" width="5.00%" height="14" fill="#333"><title>3/2026: 4</title></rect>'
    )
    assert svg_tooltip("a & b") == "<title>a &amp; b</title>"


def test_positions_across_are_percentages_of_the_width_to_two_decimals():
    assert across(0) == "0.00%"
    assert across(100 / 3) == "33.33%"


def test_numbers_are_rounded_not_cut_and_whole_ones_have_no_decimals():
    with translation.override("fi"):
        thousands = get_format("THOUSAND_SEPARATOR")
        assert chart_number(7.36, decimals=1) == "7,4"
        assert chart_number(8.0, decimals=1) == "8"
        assert chart_number(2500, decimals=0) == f"2{thousands}500"
        assert chart_number(2499.6, decimals=0) == f"2{thousands}500"
    with translation.override("en"):
        assert chart_number(7.36, decimals=1) == "7.4"
