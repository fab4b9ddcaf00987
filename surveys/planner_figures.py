"""What a finished prediction says, from the runs it stored (surveys.services.planner): plain functions.

Each run simulated `sample_size` of the campaign's numbers; its counts and costs are scaled to the
whole list by numbers / sample_size, its shares and per-complete figures are as simulated. Every
figure is the mean of the runs with the range from the lowest run to the highest. A run that
completed nothing has no shares of the completes: the age groups' shares are those of the runs
that completed some.

The margin of error is the 95 % interval's half-width for a 50 % share, the widest there is, over
the effective sample size that weighting leaves: completes / design effect of the weights.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from surveys.services.estimates import Z95
from surveys.synthetic_population import AGE_GROUPS


@dataclass(frozen=True)
class Spread:
    """A figure over the runs: their mean, lowest and highest."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> "Spread":
        return cls(mean=sum(values) / len(values), low=min(values), high=max(values))


@dataclass(frozen=True)
class AgeGroupShare:
    group: str
    share: Spread  # of the completes, 0..1
    population: float  # of the adult residents, 0..1


@dataclass(frozen=True)
class PredictionFigures:
    numbers: int
    sample_size: int
    runs: int
    completes: Spread
    web_completes: Spread  # of the completes, those answered on the web (after the SMS follow-up)
    calls: Spread
    sms_sent: Spread
    age_groups: list[AgeGroupShare]
    margin_of_error: Spread | None  # 0..1; None when a run had no complete
    design_effect: Spread | None
    cost: Spread  # EUR: calls, text messages and the fixed costs
    fixed_cost: Decimal
    cost_per_complete: Spread | None
    completes_per_number: Spread
    runs_without_completes: list[int]  # their places among the runs, from 1
    # Numbers never called when the calling days or the budget ran out; None for runs stored before
    # it was counted.
    never_called: Spread | None
    # The fewest completes of a run that left numbers never called: it got what its days and budget
    # allow, and more numbers would not be called either. None when every run called all its numbers.
    completes_at_capacity: float | None
    # The completes wanted of a run's sample, shrunk like its pace (the quotas are its shares).
    sample_target_completes: int | None

    @property
    def scaled(self) -> bool:
        return self.sample_size < self.numbers


def prediction_figures(*, numbers: int, sample_size: int, fixed_cost: Decimal, runs: list[dict]) -> PredictionFigures:
    scale = numbers / sample_size
    completes = [run["complete"] * scale for run in runs]
    costs = [(Decimal(run["call_cost"]) + Decimal(run["sms_cost"])) * Decimal(scale) + fixed_cost for run in runs]
    effects = [run["design_effect"] for run in runs if run["design_effect"] is not None]
    every_run_completes = all(run["complete"] for run in runs)
    with_runs = [run for run in runs if run["complete"]]
    return PredictionFigures(
        numbers=numbers,
        sample_size=sample_size,
        runs=len(runs),
        completes=Spread.of(completes),
        web_completes=Spread.of([run.get("complete_by_mode", {}).get("web", 0) * scale for run in runs]),
        calls=Spread.of([run["calls"] * scale for run in runs]),
        sms_sent=Spread.of([run["sms_sent"] * scale for run in runs]),
        age_groups=[
            AgeGroupShare(
                group=group,
                share=Spread.of([run["complete_by_age_group"].get(group, 0) / run["complete"] for run in with_runs]),
                population=population,
            )
            for group, population in AGE_GROUPS.items()
        ]
        if with_runs
        else [],
        margin_of_error=Spread.of(
            [
                margin_of_error(complete, run["design_effect"] or 1.0)
                for complete, run in zip(completes, runs, strict=True)
            ]
        )
        if every_run_completes
        else None,
        design_effect=Spread.of(effects) if len(effects) == len(runs) else None,
        cost=Spread.of([float(cost) for cost in costs]),
        fixed_cost=fixed_cost,
        cost_per_complete=Spread.of([float(cost) / complete for cost, complete in zip(costs, completes, strict=True)])
        if every_run_completes
        else None,
        completes_per_number=Spread.of([run["complete"] / run["numbers"] for run in runs]),
        runs_without_completes=[place for place, run in enumerate(runs, start=1) if not run["complete"]],
        never_called=Spread.of([run["never_called"] * scale for run in runs])
        if all("never_called" in run for run in runs)
        else None,
        sample_target_completes=runs[0].get("target_completes") if runs else None,
        completes_at_capacity=min(
            (complete for complete, run in zip(completes, runs, strict=True) if run.get("never_called")), default=None
        ),
    )


def margin_of_error(completes: float, design_effect: float) -> float:
    """The 95 % margin of error of a 50 % share among `completes` weighted with this design effect."""
    effective = completes / design_effect
    return Z95 * math.sqrt(0.25 / effective)


def numbers_needed(figures: PredictionFigures, completes: int) -> tuple[int, int] | None:
    """How many numbers (fewest, most) give `completes` completes at the runs' completes per number:
    the best run needs the fewest. None when some run completed nothing."""
    if figures.completes_per_number.low <= 0:
        return None
    # Rounded first, so that float noise (1000.0000001) does not add a number.
    return (
        math.ceil(round(completes / figures.completes_per_number.high, 6)),
        math.ceil(round(completes / figures.completes_per_number.low, 6)),
    )
