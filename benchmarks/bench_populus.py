"""Populus fetches end to end. Figures go to docs/benchmarks.md.

1. One month of the simulator's organisation (150 work units, 2,500 employees): generate + validate
   (the source's fetch) and store, and the re-fetch of the same month (an update of every row).
2. A month of a city the size of Helsinki through the file source: 2,000 work units, 40,000
   employments, their absences and salary rows, written by this benchmark as the CSV files Populus
   reporting writes (UTF-8, `;`, d.m.yyyy, decimal comma, title rows above the header), then read
   through the shared tabular reader, checked, resolved and stored in one transaction - into an empty
   database, and again over the stored month. Median of 3 runs each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_populus
    DATABASE_URL=... python -m benchmarks.bench_populus helsinki   # only the Helsinki-size month
"""

import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from benchmarks.harness import benchmark_database, describe_machine, measure, setup_django

PERIOD = date(2026, 2, 1)

HELSINKI_PERIOD = date(2026, 3, 1)
HELSINKI_UNITS = 2_000
HELSINKI_EMPLOYMENTS = 40_000
RUNS = 3
# (code, share of employments with an absence row in the month, typical length in days)
ABSENCES = (("102", 0.16, 2), ("101", 0.07, 9), ("300", 0.03, 2), ("200", 0.10, 6), ("410", 0.01, 60))
SALARY_LINES = (("1101", 0.45), ("1201", 0.55), ("2001", 0.30), ("2004", 0.18), ("2101", 0.06))


def simulator_month() -> None:
    from hrreports.models import Source
    from hrreports.services.fetch import populus_fetch
    from hrreports.sources.simulator import SimulatorSource

    source = Source.objects.create(name="bench", kind="simulator", config=SimulatorSource.config_defaults())
    plugin = SimulatorSource(name="bench", config=source.config)
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


def _fi_date(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def _fi_amount(amount: Decimal) -> str:
    """'3 912,40' (a space between thousands, a decimal comma), as Populus reports write euros."""
    whole, cents = f"{amount:.2f}".split(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{' '.join(groups)},{cents}"


def helsinki_files(folder: Path, period: date) -> dict[str, int]:
    """Write a Helsinki-size month's export files into `folder`; returns the rows written per report."""
    rng = random.Random(2026)  # noqa: S311 (reproducible made-up data, not secrets)
    last = date(period.year, period.month + 1, 1) - timedelta(days=1)
    title = f"Populus-raportti {_fi_date(period)}-{_fi_date(last)}\nHelsingin kaupunki\n"
    units = ["10" + f"{division:02d}" for division in range(10)]
    units += [f"{20 + division}{section:02d}" for division in range(10) for section in range(20)]
    parents = {unit: "" for unit in units[:10]}
    parents |= {f"{20 + division}{section:02d}": units[division] for division in range(10) for section in range(20)}
    sections = units[10:]
    teams = [f"{section}{team:02d}" for section in sections for team in range(9)][: HELSINKI_UNITS - len(units)]
    parents |= {team: team[:4] for team in teams}
    lines = ["Yksikkö;Yksikön nimi;Ylempi yksikkö;Voimassa"]
    lines += [f"{code};Yksikkö {code};{parent};K" for code, parent in parents.items()]
    (folder / "yksikot.csv").write_text(title + "\n".join(lines) + "\n", encoding="utf-8")

    month = f"{period:%Y%m}"
    employments = [
        "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Nimike;Palvelussuhteen laji;Alkupvm;Loppupvm;Työaika-%"
    ]
    absences = [
        "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Poissaolokoodi;Poissaolon nimi;"
        "Alkupvm;Loppupvm;Kalenteripäivät;Työpäivät;Palkallinen"
    ]
    salaries = [
        "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Palkkakausi;Maksupäivä;Palkkalaji;Palkkalajin nimi;Summa"
    ]
    kinds = ("Vakinainen virkasuhde", "Vakinainen työsuhde", "Määräaikainen työsuhde", "Sijainen")
    payday = date(period.year, period.month, 13)
    for number in range(HELSINKI_EMPLOYMENTS):
        # A made-up identity code in the temporary range (individual number 900-999): unique per person.
        day, month_of_birth, year = 1 + number % 28, 1 + number // 28 % 12, number // 336 % 50 + 50
        person = f"{day:02d}{month_of_birth:02d}{year:02d}-{900 + number // 16_800:03d}X"
        who = f"{person};Työntekijä {number};{3_000_000 + number};{rng.choice(teams)}"
        start = date(2000 + number % 26, 1 + number % 12, 1)
        end = _fi_date(date(2026, 12, 31)) if number % 7 == 0 else ""
        percent = rng.choice(("100", "100", "100", "80", "60"))
        employments.append(f"{who};Nimike;{rng.choice(kinds)};{_fi_date(start)};{end};{percent}")
        base = Decimal(rng.randrange(2_300_00, 5_200_00)) / 100
        salaries.append(f"{who};{period:%m/%Y};{_fi_date(payday)};1001;Tehtäväkohtainen palkka;{_fi_amount(base)}")
        for code, share in SALARY_LINES:
            if rng.random() < share:
                amount = Decimal(rng.randrange(20_00, 600_00)) / 100
                salaries.append(f"{who};{period:%m/%Y};{_fi_date(payday)};{code};Lisä;{_fi_amount(amount)}")
        if rng.random() < 0.02:  # a correction of last month, paid this month
            correction = -Decimal(rng.randrange(10_00, 300_00)) / 100
            previous = date(period.year, period.month - 1, 1)
            salaries.append(f"{who};{previous:%m/%Y};{_fi_date(payday)};1001;Korjaus;{_fi_amount(correction)}")
        for code, share, length in ABSENCES:
            if rng.random() < share:
                first = period + timedelta(days=rng.randrange(-length // 2, last.day))
                days = max(1, int(rng.expovariate(1 / length)))
                end_day = first + timedelta(days=days - 1)
                if end_day < period:
                    end_day = period
                calendar = (end_day - first).days + 1
                working = max(1, calendar * 5 // 7)
                half = code == "300" and calendar == 1 and rng.random() < 0.3
                shown = "0,5" if half else str(calendar), "0,5" if half else str(working)
                absences.append(f"{who};{code};Poissaolo;{_fi_date(first)};{_fi_date(end_day)};{shown[0]};{shown[1]};K")
    for name, rows in (("palvelussuhteet", employments), ("poissaolot", absences), ("palkat", salaries)):
        (folder / f"{name}_{month}.csv").write_text(title + "\n".join(rows) + "\n", encoding="utf-8")
    return {
        "units": len(parents),
        "employments": len(employments) - 1,
        "absences": len(absences) - 1,
        "salaries": len(salaries) - 1,
    }


def helsinki_month() -> None:
    from django.conf import settings

    from hrreports.models import Absence, Employee, Employment, FetchRun, SalaryPayment, Source, WorkUnit
    from hrreports.services.fetch import populus_fetch
    from hrreports.sources.files import FileSource

    with tempfile.TemporaryDirectory() as root:
        settings.POPULUS_FILE_ROOT = Path(root)
        folder = Path(root) / "helsinki"
        folder.mkdir()
        written = helsinki_files(folder, HELSINKI_PERIOD)
        size = sum(path.stat().st_size for path in folder.iterdir())
        print(f"Helsinki-size month {HELSINKI_PERIOD:%Y-%m}: {written}, {size / 1e6:.1f} MB of CSV")
        source = Source.objects.create(
            name="helsinki", kind="files", config=FileSource.config_defaults() | {"folder": "helsinki"}
        )

        def run_once() -> float:
            started = time.perf_counter()
            run = populus_fetch(source=source, period=HELSINKI_PERIOD)
            elapsed = time.perf_counter() - started
            if run.status != "done":
                raise RuntimeError(run.error)
            print(f"  run {run.pk}: {elapsed:.1f} s, stored {run.counts}, {run.rejected_count} rejected")
            return elapsed

        def empty_database() -> None:
            for model in (Absence, SalaryPayment, Employment, Employee, FetchRun):
                model.objects.all().delete()
            WorkUnit.objects.update(parent=None)
            WorkUnit.objects.all().delete()

        into_empty = []
        for _run in range(RUNS):
            empty_database()
            into_empty.append(run_once())
        again = [run_once() for _run in range(RUNS)]
        for label, times in (("into an empty database", into_empty), ("over the stored month", again)):
            each = ", ".join(f"{elapsed:.1f}" for elapsed in times)
            print(f"Helsinki-size month {label}: median {statistics.median(times):.1f} s ({each})")


def main() -> None:
    setup_django()
    with benchmark_database():
        print(describe_machine())
        if sys.argv[1:] != ["helsinki"]:
            simulator_month()
        helsinki_month()


if __name__ == "__main__":
    main()
