"""The pilot-scale simulation: the demo campaign `pilotti`, configured like the pilot (weekdays
10-20 in the first half of December, up to 3 attempts, 0.09 EUR a minute), with 7,759 numbers -
the demo sample's 56 and 7,703 synthetic residents - run from its first calling day to its end
through the real dialer, its call jobs on Redis and the signed webhook views, on the virtual clock
(`surveys.simulation.simulate`, as `manage.py simulate_campaign` runs it).

Each run starts from an empty database. Prints the wall time of `simulate` (median of the runs),
the CPU time of this process and of the simulation's worker processes, the funnel and the
respondents' age groups against the pilot's figures, and for each opinion question the error of
the unweighted and the weighted estimate against the synthetic population's truth and whether the
95 % interval covers it (`surveys.simulation_report`). Figures go to docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_simulation [--runs 3]
        [--young-first]

Also prints the calls placed on each calling day (the pacing, `surveys.services.pacing`).
"""

import argparse
import resource
import statistics
import time
from functools import partial

from benchmarks.harness import (
    demo_surveys_seed,
    runs_in_fresh_databases,
    setup_django,
)

# The pilot's 1,132 "full responses" answered to the end: the simulation's responses that reached the
# closing words (its `complete` is the results' AAPOR I).
PILOT = {"numbers": 7759, "calls": 20219, "answered": 13139, "full_responses": 1132}
PILOT_AGE_SHARES = {"18-29": 0.053, "65+": 0.54}


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process and of its finished child processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def calls_by_day(campaign) -> dict:
    """The calls placed on each calling day (Helsinki time), first attempts and retries."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncDate
    from django.utils.timezone import get_default_timezone

    from surveys.models import CallAttempt

    return {
        row["day"]: (row["calls"], row["first"])
        for row in CallAttempt.objects.filter(contact__campaign=campaign, placed_at__isnull=False)
        .annotate(day=TruncDate("placed_at", tzinfo=get_default_timezone()))
        .values("day")
        .annotate(calls=Count("pk"), first=Count("pk", filter=Q(number=1)))
        .order_by("day")
    }


def one_run(
    *, seed: int, workers: int | None, slug: str = "pilotti", young_first: bool = False, people: str = "pilotti"
) -> dict:
    """Seed the demo, give campaign `slug` the pilot's 7,759 numbers (synthetic residents of `people`,
    see `synthetic_contacts_add`) and simulate it from its first calling day to its end."""
    from surveys.demo_results import results_demo_seed
    from surveys.models import Campaign, LaunchChecklist
    from surveys.services.campaigns import campaign_start
    from surveys.services.synthetic_contacts import synthetic_contacts_add
    from surveys.simulation import complete_by_age_group, simulate
    from surveys.simulation_report import simulation_report

    demo_surveys_seed()
    results_demo_seed()  # the population targets the results are weighted to
    pilot = Campaign.objects.get(slug=slug)
    pilot = campaign_start(campaign=pilot, by=LaunchChecklist.objects.get(campaign=pilot).confirmed_by)
    if young_first:
        Campaign.objects.filter(pk=pilot.pk).update(young_first=True)
        pilot.refresh_from_db()
    synthetic_contacts_add(campaign=pilot, count=PILOT["numbers"] - pilot.contacts.count(), seed=seed, people=people)

    own_before, children_before = cpu_seconds()
    start = time.perf_counter()
    result = simulate(pilot, seed=seed, workers=workers)
    wall = time.perf_counter() - start
    own_after, children_after = cpu_seconds()
    ages = complete_by_age_group(pilot, seed=seed)
    return {
        "wall": wall,
        "cpu_main": own_after - own_before,
        "cpu_workers": children_after - children_before,
        "result": result,
        "ages": {group: count / max(1, sum(ages.values())) for group, count in ages.items()},
        "report": simulation_report(pilot, seed=seed),
        "calls_by_day": calls_by_day(pilot),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per CPU)")
    parser.add_argument("--young-first", action="store_true", help="the pilot's campaign with young-first pacing on")
    options = parser.parse_args()
    setup_django()

    runs = []
    one = partial(one_run, seed=options.seed, workers=options.workers, young_first=options.young_first)
    for number, run in enumerate(runs_in_fresh_databases(options.runs, one), start=1):
        runs.append(run)
        print(
            f"run {number}: {run['wall']:.1f} s wall, CPU {run['cpu_main']:.1f} s main + "
            f"{run['cpu_workers']:.1f} s workers; {run['result'].summary_line()}"
        )
    walls = [run["wall"] for run in runs]
    print(f"wall time: median {statistics.median(walls):.1f} s (min {min(walls):.1f}, max {max(walls):.1f})")
    result = runs[0]["result"].as_dict()
    for name, pilot in PILOT.items():
        print(f"  {name:<14} {result[name]:>7,}  pilot {pilot:>7,}  {result[name] / pilot - 1:+.1%}")
    for group, pilot in PILOT_AGE_SHARES.items():
        share = runs[0]["ages"][group]
        print(f"  complete {group:<6} {share:6.1%}  pilot {pilot:6.1%}  {share / pilot - 1:+.1%}")
    print("calls by calling day (of them first calls):")
    for day, (calls, first) in runs[0]["calls_by_day"].items():
        print(f"  {day:%a %d.%m.}  {calls:>6,}  ({first:,})")
    print("estimates against the truth:")
    for question in runs[0]["report"].questions:
        print(f"  {question.line()}")


if __name__ == "__main__":
    main()
