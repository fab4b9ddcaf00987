"""Weighted against unweighted, checked with the simulator's truth: the pilot-calibrated simulator
on the demo survey (age in five groups and district asked) with 1,500 numbers, raking by age group
and district to the demo targets (the synthetic population's own shares), and every opinion
question's option shares and means compared with what the whole synthetic population thinks
(`population_truth`).

Not a speed figure: it prints the mean absolute errors, weighted and unweighted, for
docs/benchmarks.md, and exits with 1 when weighting did not bring the estimates closer to the
truth. A full-scale run: the test suite leaves it to `make bench`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_weighting [--runs 3]
"""

import argparse
import statistics
import sys
import time

from benchmarks.harness import (
    demo_surveys_seed,
    runs_in_fresh_databases,
    setup_django,
)

NUMBERS = 1500
SEED = 5


def one_run() -> dict:

    from surveys.demo_results import demo_population_targets
    from surveys.models import Campaign, CampaignStatus
    from surveys.services.results import campaign_results
    from surveys.services.synthetic_contacts import synthetic_contacts_add
    from surveys.simulation import simulate
    from surveys.synthetic_population import population_truth
    from tests.surveys.estimate_errors import estimate_errors

    demo_surveys_seed()
    demo_population_targets()
    campaign = Campaign.objects.get(slug="pilotti")
    synthetic_contacts_add(campaign=campaign, count=NUMBERS - campaign.contacts.count(), seed=SEED)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    campaign.refresh_from_db()
    start = time.perf_counter()
    simulate(campaign, seed=SEED)
    results = campaign_results(campaign, language="fi")
    return {
        "wall": time.perf_counter() - start,
        "results": results,
        "errors": estimate_errors(results, population_truth(campaign, seed=SEED)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    setup_django()

    runs = []
    for number, run in enumerate(runs_in_fresh_databases(options.runs, one_run), start=1):
        runs.append(run)
        results, errors = run["results"], run["errors"]
        print(
            f"run {number}: {run['wall']:.1f} s; respondents={results.weighting.respondents} "
            f"method={results.weighting.method} deff={results.weighting.design_effect:.2f}; "
            f"shares MAE weighted={errors['shares']['weighted']:.4f} unweighted={errors['shares']['unweighted']:.4f} "
            f"(n={errors['shares']['count']}); means MAE weighted={errors['means']['weighted']:.4f} "
            f"unweighted={errors['means']['unweighted']:.4f} (n={errors['means']['count']})"
        )
    for kind in ("shares", "means"):
        weighted = statistics.median(run["errors"][kind]["weighted"] for run in runs)
        unweighted = statistics.median(run["errors"][kind]["unweighted"] for run in runs)
        print(f"{kind}: median MAE weighted {weighted:.4f}, unweighted {unweighted:.4f}")
    closer = all(
        run["errors"][kind]["weighted"] < run["errors"][kind]["unweighted"]
        for run in runs
        for kind in ("shares", "means")
    )
    if not closer:
        print("Weighting did not bring every estimate closer to the population's truth.")
        sys.exit(1)


if __name__ == "__main__":
    main()
