"""Reaching the young (issue 16's goals): the pilot's set-up, `pilotti`, against `pilotti-plus` -
the same survey, numbers, window and attempts with quotas, young-first pacing and an SMS link
after the last unanswered call - on the same seeds, each at the pilot's scale (7,759 numbers)
through `surveys.simulation.simulate` (see bench_simulation.py).

For each run: completes, the 18-29 and 65+ shares of the completes (true age groups), completes
by mode, SMS sent, cost and cost per complete (calls, SMS and the number list), the design effect
of the weights, and each opinion question's weighted error against the synthetic population's
truth, with the part of it that is not the luck of the answers (its selection error,
`surveys.simulation_report`). Then the goals, each strategy's mean over the seeds. Figures go to docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_strategies \
        [--seeds 1 2 3] [--strategies pilotti-plus]
"""

import argparse
import statistics

from benchmarks.bench_simulation import one_run
from benchmarks.harness import benchmark_database, describe_machine, setup_django

STRATEGIES = ("pilotti", "pilotti-plus")
PILOT_YOUNG_SHARE = 0.053
PILOT_COST_PER_COMPLETE = 10.6  # about 12,000 EUR for 1,132 completes


def strategy_run(*, slug: str, seed: int) -> dict:
    from django.conf import settings

    from surveys.models import Campaign
    from surveys.services.results import campaign_results

    # Both strategies call pilotti's synthetic residents: the same people, measured against the same truth.
    run = one_run(seed=seed, workers=None, slug=slug, people="pilotti")
    campaign = Campaign.objects.get(slug=slug)
    results = campaign_results(campaign, language=settings.LANGUAGE_CODE)
    simulated = run["result"].as_dict()
    report = run["report"]
    complete = simulated["complete"]
    return {
        "slug": slug,
        "seed": seed,
        "wall": run["wall"],
        "complete": complete,
        "young": run["ages"]["18-29"],
        "old": run["ages"]["65+"],
        "by_mode": simulated.get("completes_by_mode", {"phone": complete}),
        "sms_sent": simulated.get("sms_sent", 0),
        "cost": report.cost_eur,
        "cost_per_complete": report.cost_eur / complete if complete else float("nan"),
        "design_effect": results.weighting.design_effect,
        "errors": {
            question.position: abs(question.weighted_error)
            for question in report.questions
            if question.weighted_error is not None
        },
        # The error apart from the luck of the answers (simulation_report), signed.
        "selection": {
            question.position: question.selection_error
            for question in report.questions
            if question.selection_error is not None
        },
    }


def line(run: dict) -> str:
    modes = ", ".join(f"{mode} {count:,}" for mode, count in run["by_mode"].items())
    errors = " ".join(f"q{position} {error:.3f}" for position, error in sorted(run["errors"].items()))
    selection = " ".join(f"q{position} {error:+.3f}" for position, error in sorted(run["selection"].items()))
    return (
        f"{run['slug']:<13} seed {run['seed']}: {run['wall']:.0f} s, complete {run['complete']:,} ({modes}), "
        f"18-29 {run['young']:.1%}, 65+ {run['old']:.1%}, SMS {run['sms_sent']:,}, cost {run['cost']:,.0f} EUR "
        f"({run['cost_per_complete']:.2f} EUR a complete), deff {run['design_effect']:.2f}; |weighted error| {errors}; "
        f"of it selection {selection}"
    )


def mean(runs: list[dict], name: str) -> float:
    return statistics.fmean(run[name] for run in runs)


def goals(runs: dict[str, list[dict]]) -> list[str]:
    pilot, plus = runs["pilotti"], runs["pilotti-plus"]
    questions = sorted(pilot[0]["errors"])
    pilot_errors = {q: statistics.fmean(run["errors"][q] for run in pilot) for q in questions}
    plus_errors = {q: statistics.fmean(run["errors"][q] for run in plus) for q in questions}
    verdict = {True: "met", False: "NOT met"}
    return [
        f"18-29 share of completes {mean(plus, 'young'):.1%} >= {2 * PILOT_YOUNG_SHARE:.1%}: "
        f"{verdict[mean(plus, 'young') >= 2 * PILOT_YOUNG_SHARE]} (pilotti {mean(pilot, 'young'):.1%})",
        f"65+ share of completes {mean(plus, 'old'):.1%} <= 40 %: {verdict[mean(plus, 'old') <= 0.40]} "
        f"(pilotti {mean(pilot, 'old'):.1%})",
        f"completes {mean(plus, 'complete'):,.0f} >= pilotti's {mean(pilot, 'complete'):,.0f}: "
        f"{verdict[mean(plus, 'complete') >= mean(pilot, 'complete')]}",
        f"cost per complete {mean(plus, 'cost_per_complete'):.2f} EUR <= pilotti's "
        f"{mean(pilot, 'cost_per_complete'):.2f} EUR (the pilot about {PILOT_COST_PER_COMPLETE} EUR): "
        f"{verdict[mean(plus, 'cost_per_complete') <= mean(pilot, 'cost_per_complete')]}",
        f"design effect {mean(plus, 'design_effect'):.2f} < pilotti's {mean(pilot, 'design_effect'):.2f}: "
        f"{verdict[mean(plus, 'design_effect') < mean(pilot, 'design_effect')]}",
        "weighted error no worse on any question: "
        + verdict[all(plus_errors[q] <= pilot_errors[q] for q in questions)]
        + " ("
        + ", ".join(f"q{q} {plus_errors[q]:.3f} vs {pilot_errors[q]:.3f}" for q in questions)
        + ")",
        f"weighted error better on average: {statistics.fmean(plus_errors.values()):.4f} vs "
        f"{statistics.fmean(pilot_errors.values()):.4f}: "
        f"{verdict[statistics.fmean(plus_errors.values()) < statistics.fmean(pilot_errors.values())]}",
        # Not a goal of its own: what of the errors above the strategy made, and what was the answers' luck.
        "selection error (the weighted error apart from the answers' luck), mean |error|: "
        + ", ".join(
            f"q{q} {mean_abs(plus, 'selection', q):.3f} vs {mean_abs(pilot, 'selection', q):.3f}" for q in questions
        ),
    ]


def mean_abs(runs: list[dict], name: str, position: int) -> float:
    return statistics.fmean(abs(run[name][position]) for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--strategies", nargs="+", choices=STRATEGIES, default=list(STRATEGIES))
    options = parser.parse_args()
    options.strategies = [slug for slug in STRATEGIES if slug in options.strategies]
    setup_django()
    runs: dict[str, list[dict]] = {slug: [] for slug in STRATEGIES}
    for seed in options.seeds:
        for slug in options.strategies:
            with benchmark_database():
                if not any(runs.values()):
                    print(describe_machine())
                run = strategy_run(slug=slug, seed=seed)
            runs[slug].append(run)
            print(line(run), flush=True)
    if not all(runs.values()):
        print("goals: not judged, they compare both strategies")
        return
    print("goals (means over the seeds):")
    for goal in goals(runs):
        print(f"  {goal}")


if __name__ == "__main__":
    main()
