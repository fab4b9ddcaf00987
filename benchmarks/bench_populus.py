"""One month of HR data from the simulator, end to end: generate + validate (the source's fetch)
and store (resolve against units and code lists, upsert) for the full 150-unit, 2,500-employee
organisation. Also the re-fetch of the same month (an update of every row). Figures go to
docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_populus
"""

from datetime import date

from benchmarks.harness import benchmark_database, describe_machine, measure, setup_django

PERIOD = date(2026, 2, 1)


def main() -> None:
    setup_django()
    from hrreports.models import Source
    from hrreports.services.fetch import populus_fetch
    from hrreports.sources.simulator import SimulatorSource

    with benchmark_database():
        source = Source.objects.create(name="bench", kind="simulator", config=SimulatorSource.config_defaults())
        plugin = SimulatorSource(name="bench", config=source.config)
        print(describe_machine())
        for report in ("employments", "absences", "salaries"):
            rows = len(plugin.fetch(report, PERIOD).rows)
            measure(f"simulator fetch {report} ({rows} rows)", lambda r=report: plugin.fetch(r, PERIOD), repeat=3)

        def fetch_month():
            run = populus_fetch(source=source, period=PERIOD)
            if run.status != "done":
                raise RuntimeError(run.error)

        populus_fetch(source=source, period=PERIOD)
        measure("re-fetch 2026-02: generate + validate + upsert", fetch_month, repeat=1)

        months = iter(range(1, 400))

        def fetch_new_month():
            month = next(months)
            run = populus_fetch(source=source, period=date(2030 + month // 12, month % 12 + 1, 1))
            if run.status != "done":
                raise RuntimeError(run.error)

        measure("fetch a month not stored yet (inserts)", fetch_new_month, repeat=1)


if __name__ == "__main__":
    main()
