"""The funnel of the results page, the PDF report and the live campaign page: calls are attempts, so
they are given per number and kept out of the chart; partial answers count like AAPOR's P."""

from django.utils import translation

from surveys.reports.presentation import funnel_figure
from surveys.services.results_contract import Funnel

FUNNEL = Funnel(
    numbers=1000, calls=2598, answered=1691, reached=420, consented=160, complete=146, partial=9, break_offs=5
)


def rows_of(figure) -> dict[str, list[str]]:
    return dict(figure.table.rows)


def test_calls_are_given_per_number_and_numbers_as_shares():
    with translation.override("en"):
        rows = rows_of(funnel_figure(FUNNEL, title="Funnel"))
    assert rows["Calls"] == ["2,598", "2.6 calls per number"]
    assert rows["Answered calls"] == ["1,691", "1.7 answered calls per number"]
    assert rows["Numbers reached (a person heard the introduction or read it on the web)"] == ["420", "42.0\xa0%"]
    assert rows["Complete answers"] == ["146", "14.6\xa0%"]
    assert rows["Partial answers (50 to 80 per cent of the questions that applied answered)"] == ["9", "0.9\xa0%"]
    assert rows["Break-offs (fewer than half answered, counted as refusals)"] == ["5", "0.5\xa0%"]


def test_no_stage_is_a_share_of_the_numbers_above_100_percent():
    with translation.override("en"):
        rows = rows_of(funnel_figure(FUNNEL, title="Funnel"))
    shares = [cells[1] for cells in rows.values() if cells[1].endswith("%")]
    assert len(shares) == 6
    assert all(float(share.split("\xa0")[0]) <= 100 for share in shares)


def test_the_chart_shrinks_and_leaves_the_calls_out():
    with translation.override("en"):
        chart = funnel_figure(FUNNEL, title="Funnel").chart
    assert ">Calls<" not in chart and "2,598" not in chart and ">Answered calls<" not in chart
    positions = [chart.index(f": {value}</title>") for value in ("1,000", "420", "160", "146")]
    assert positions == sorted(positions)


def test_the_charts_stage_names_fit_its_label_column():
    with translation.override("fi"):
        chart = funnel_figure(FUNNEL, title="Suppilo").chart
    for label in ("Numerot", "Tavoitetut", "Suostui", "Valmiit vastaukset"):
        assert f">{label}</text>" in chart
    assert "…" not in chart


def test_an_empty_campaign_has_no_shares_or_calls_per_number():
    empty = Funnel(numbers=0, calls=0, answered=0, reached=0, consented=0, complete=0, partial=0, break_offs=0)
    with translation.override("en"):
        rows = rows_of(funnel_figure(empty, title="Funnel"))
    assert rows["Calls"][0] == "0"
    assert "%" not in rows["Calls"][1] and "0.0" not in rows["Calls"][1]
