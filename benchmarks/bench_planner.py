"""The planner at the pilot's scale: the demo campaign `pilotti` before its launch, with the pilot's
7,759 numbers (the demo sample's 56 and 7,703 synthetic residents), predicted as the campaign page's
"Predict" does it (`surveys.services.planner`: 3 seeds, a sample of 1,500 numbers a run, each run
rolled back). Prints the prediction's wall time and figures; with --compare, the campaign is then
started and simulated whole (`surveys.simulation.simulate`, seed 1) and the prediction's completes
are set against the simulated outcome (the issue's goal: within 10 %). Figures go to docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_planner [--compare]
"""

import argparse
import time

from benchmarks.harness import (
    benchmark_database,
    demo_surveys_seed,
    describe_machine,
    setup_django,
)

PILOT_NUMBERS = 7759


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", action="store_true", help="also simulate the whole campaign (minutes)")
    options = parser.parse_args()
    setup_django()

    from surveys.demo_results import results_demo_seed
    from surveys.models import Campaign, LaunchChecklist
    from surveys.planner_figures import numbers_needed, prediction_figures
    from surveys.services.campaigns import campaign_start
    from surveys.services.planner import prediction_request, prediction_run
    from surveys.services.synthetic_contacts import synthetic_contacts_add
    from surveys.simulation import simulate

    with benchmark_database():
        print(describe_machine())
        demo_surveys_seed()
        results_demo_seed()
        pilot = Campaign.objects.get(slug="pilotti")
        synthetic_contacts_add(campaign=pilot, count=PILOT_NUMBERS - pilot.contacts.count(), seed=1)

        start = time.perf_counter()
        prediction = prediction_run(prediction_id=prediction_request(campaign=pilot, by=pilot.created_by).pk)
        wall = time.perf_counter() - start
        print(f"prediction: {prediction.status} in {wall:.1f} s wall {prediction.failure_reason}")
        figures = prediction_figures(
            numbers=prediction.numbers,
            sample_size=prediction.sample_size,
            fixed_cost=prediction.fixed_cost,
            runs=prediction.runs,
        )
        print(f"  numbers {figures.numbers:,}, {figures.runs} runs of {figures.sample_size:,}")
        for name in ("completes", "calls", "cost", "cost_per_complete", "margin_of_error", "design_effect"):
            spread = getattr(figures, name)
            print(f"  {name:<18} {spread.mean:10.3f}  ({spread.low:.3f} - {spread.high:.3f})")
        for group in figures.age_groups:
            share = group.share
            print(f"  complete {group.group:<6} {share.mean:6.1%}  ({share.low:.1%} - {share.high:.1%})")
        print(f"  numbers for 1,132 completes: {numbers_needed(figures, 1132)}")

        if options.compare:
            pilot = campaign_start(campaign=pilot, by=LaunchChecklist.objects.get(campaign=pilot).confirmed_by)
            start = time.perf_counter()
            result = simulate(pilot, seed=1)
            print(f"whole campaign simulated in {time.perf_counter() - start:.1f} s: {result.summary_line()}")
            error = figures.completes.mean / result.complete - 1
            print(f"  predicted completes {figures.completes.mean:.0f} against {result.complete}: {error:+.1%}")


if __name__ == "__main__":
    main()
