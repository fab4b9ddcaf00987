"""A campaign's prediction as the campaign page shows it: a table of the figures with their ranges
over the runs, and the age groups' shares of the completes as a chart with its table."""

import dataclasses
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys import charts
from surveys.models import Campaign, CampaignPrediction, PredictionStatus
from surveys.planner_figures import PredictionFigures, Spread, numbers_needed, prediction_figures
from surveys.services import planner

from .display import NBSP, count_text, decimal_text, euros_text, rounding_note, share_text
from .presentation import Figure, Table


def _count(value: float) -> str:
    return count_text(round(value))


def _euros(value: float) -> str:
    return euros_text(value)


def _points(value: float) -> str:
    """A margin of error in percentage points: 0.031 -> "±3,1 %-yks."."""
    return _("±%(points)s%(space)spercentage points") % {"points": decimal_text(100 * value, 1), "space": NBSP}


def _row(label: str, spread: Spread | None, text) -> tuple[str, list[str]]:
    if spread is None:
        return label, ["–", "–"]
    return label, [text(spread.mean), f"{text(spread.low)} – {text(spread.high)}"]


def prediction_table(figures: PredictionFigures) -> Table:
    rows = [
        _row(_("Complete answers"), figures.completes, _count),
        *([_row(_("of which on the web"), figures.web_completes, _count)] if figures.web_completes.high else []),
        _row(_("Margin of error (95 %, a 50 % share)"), figures.margin_of_error, _points),
        _row(_("Design effect of the weights"), figures.design_effect, lambda value: decimal_text(value, 2)),
        _row(_("Calls"), figures.calls, _count),
    ]
    if figures.never_called and figures.never_called.high:
        rows.append(_row(_("Numbers never called (days or budget ran out)"), figures.never_called, _count))
    if figures.sms_sent.high:
        rows.append(_row(_("Text messages sent"), figures.sms_sent, _count))
    rows += [
        _row(_("Cost"), figures.cost, _euros),
        # Counted once, not scaled: the budget cap, by contrast, counts only the calls and messages.
        *(
            [_row(_("of which fixed costs"), Spread.of([float(figures.fixed_cost)]), _euros)]
            if figures.fixed_cost
            else []
        ),
        _row(_("Cost per complete answer"), figures.cost_per_complete, _euros),
        _row(_("Complete answers per number"), figures.completes_per_number, lambda value: decimal_text(value, 3)),
    ]
    return Table(
        caption=_("Prediction"),
        row_header=_("Figure"),
        headers=[_("Mean of the runs"), _("Range (lowest – highest run)")],
        rows=rows,
    )


def prediction_age_figure(figures: PredictionFigures) -> Figure:
    title = _("Age groups' shares of the complete answers")
    groups = figures.age_groups
    chart = charts.horizontal_bar_chart(
        chart_id="prediction-age-chart",
        title=title,
        description=_(
            "Each age group's predicted share of the complete answers, the mean of the runs with a whisker from "
            "the lowest run to the highest, and its share of the adults of the simulator's population as a diamond."
        ),
        categories=[group.group for group in groups],
        series=[
            charts.Series(
                name=_("Predicted share"),
                values=[group.share.mean for group in groups],
                intervals=[(group.share.low, group.share.high) for group in groups],
            ),
            charts.Series(
                name=_("Share of the adults in the simulator's population"),
                values=[group.population for group in groups],
                marker=True,
            ),
        ],
        value_text=share_text,
    )
    table = Table(
        caption=title,
        row_header=_("Age group"),
        headers=[
            _("Predicted share"),
            _("Range (lowest – highest run)"),
            _("Share of the adults in the simulator's population"),
        ],
        rows=[(group.group, [*_row("", group.share, share_text)[1], share_text(group.population)]) for group in groups],
        note=rounding_note(),
    )
    return Figure(chart=chart, table=table)


@dataclass(frozen=True)
class PredictionPanel:
    """The campaign page's planner: the latest prediction and what can be asked of it."""

    prediction: CampaignPrediction | None
    may_request: bool  # before the launch
    asks_numbers: bool  # no contacts yet: the requester says how many numbers to predict for
    default_numbers: int
    progress: str = ""  # of a running prediction
    figures: PredictionFigures | None = None
    table: Table | None = None
    age_figure: Figure | None = None
    settings_changed: bool = False
    # Why the figures that divide by the completes are dashes: a run completed nothing.
    without_completes: str = ""
    completes_wanted: int | None = None
    numbers_needed: tuple[int, int] | None = None
    # The completes the campaign stops at (quotas), when fewer than those wanted.
    completes_cap: int | None = None
    # More completes wanted than a run got that left numbers never called: no count of numbers is said.
    beyond_capacity: bool = False


def prediction_progress(prediction: CampaignPrediction | None) -> str:
    """How far a running prediction is: the runs done and, once one is, about how long the rest take
    at the pace of those done. Empty when none is running."""
    if prediction is None or prediction.status != PredictionStatus.RUNNING or prediction.started_at is None:
        return ""
    done, total = len(prediction.runs), len(prediction.seeds)
    if not done:
        return _("Simulating run 1 of %(total)s.") % {"total": total}
    elapsed = (timezone.now() - prediction.started_at).total_seconds()
    minutes = max(1, round(elapsed / done * (total - done) / 60))
    return ngettext(
        "%(done)s of %(total)s runs simulated, about %(minutes)s minute left.",
        "%(done)s of %(total)s runs simulated, about %(minutes)s minutes left.",
        minutes,
    ) % {"done": done, "total": total, "minutes": minutes}


def prediction_panel(campaign: Campaign, *, completes_wanted: int | None) -> PredictionPanel | None:
    """None after the launch when no prediction was ever made."""
    prediction = planner.prediction_latest(campaign)
    may_request = campaign.status in planner.PREDICTABLE_STATUSES
    if prediction is None and not may_request:
        return None
    panel = PredictionPanel(
        prediction=prediction,
        may_request=may_request,
        asks_numbers=may_request and not planner.predictable_contacts(campaign).exists(),
        default_numbers=planner.PILOT_NUMBERS,
        progress=prediction_progress(prediction),
    )
    if prediction is None or prediction.status != PredictionStatus.DONE:
        return panel
    figures = prediction_figures(
        numbers=prediction.numbers,
        sample_size=prediction.sample_size,
        fixed_cost=prediction.fixed_cost,
        runs=prediction.runs,
    )
    cap = planner.completes_cap(campaign) if completes_wanted else None
    beyond_cap = cap is not None and completes_wanted > cap
    capacity = figures.completes_at_capacity
    beyond_capacity = bool(completes_wanted) and capacity is not None and completes_wanted > capacity
    return dataclasses.replace(
        panel,
        figures=figures,
        table=prediction_table(figures),
        age_figure=prediction_age_figure(figures) if figures.age_groups else None,
        settings_changed=planner.settings_changed(prediction),
        without_completes=_without_completes_text(figures.runs_without_completes),
        completes_wanted=completes_wanted,
        numbers_needed=numbers_needed(figures, completes_wanted)
        if completes_wanted and not (beyond_cap or beyond_capacity)
        else None,
        completes_cap=cap if beyond_cap else None,
        beyond_capacity=beyond_capacity and not beyond_cap,
    )


def _without_completes_text(places: list[int]) -> str:
    if not places:
        return ""
    return ngettext(
        "Run %(runs)s got no complete answers: the cost per complete answer, the margin of error and the design "
        "effect of the weights cannot be worked out from its figures.",
        "Runs %(runs)s got no complete answers: the cost per complete answer, the margin of error and the design "
        "effect of the weights cannot be worked out from their figures.",
        len(places),
    ) % {"runs": ", ".join(str(place) for place in places)}
