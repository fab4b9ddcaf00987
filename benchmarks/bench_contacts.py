"""Importing data brokers' contact files: the pilot's list (7,759 numbers) through the command line's
service, and a million-row file the way the pages import it - uploaded (checked and kept encrypted),
then imported by the `imports` job in a worker process of its own, whose wall time and peak memory
(maximum resident set size) are measured, each run into empty contact tables. Goal: 1,000,000 rows
in <= 60 s with <= 300 MB.

Each file is ~2 % repeated numbers and ~1 % junk, `;`-separated UTF-8 with birth year, postal code
and language, like the pilot's. Figures go to docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_contacts [--runs 3]
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from itertools import count
from pathlib import Path

from benchmarks.harness import benchmark_database, describe_machine, measure, setup_django

PILOT_NUMBERS = 7_759
LARGE_FILE_ROWS = 1_000_000
# The workbook that once killed a web worker: 200,000 rows, under half a megabyte compressed.
WORKBOOK_ROWS = 200_000
MOBILE_PREFIXES = ("040", "041", "044", "045", "050")


def broker_lines(rows: int, *, seed: int = 2021):
    """The lines of a semicolon-separated broker file: ~2 % repeats, ~1 % junk."""
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    yield "puhelinnumero;syntymävuosi;postinumero;kieli\n"
    recent: list[str] = []
    for _ in range(rows):
        roll = rng.random()
        if roll < 0.02 and recent:
            number = rng.choice(recent)
        elif roll < 0.03:
            number = rng.choice(["123", "ei numeroa", "", "+358 40"])
        else:
            number = f"{rng.choice(MOBILE_PREFIXES)} {rng.randrange(1_000_000, 9_999_999)}"
            recent = [*recent[-999:], number]
        language = "sv" if rng.random() < 0.06 else "fi"
        postal_code = f"{rng.randrange(10, 99)}{rng.randrange(100, 999)}"
        yield f"{number};{rng.randrange(1930, 2006)};{postal_code};{language}\n"


def broker_file(rows: int, *, seed: int = 2021) -> bytes:
    return "".join(broker_lines(rows, seed=seed)).encode()


def broker_workbook(path: Path, rows: int) -> None:
    """The same rows as an Excel workbook (openpyxl writes the texts into the sheet itself)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Numerot")
    for line in broker_lines(rows):
        sheet.append(line.rstrip("\n").split(";"))
    workbook.save(path)


def campaign_new(user, version, number: int):
    from surveys.models import Campaign

    return Campaign.objects.create(
        slug=f"bench-{number}",
        name="Bench",
        survey_version=version,
        caller_number="+35893101691",
        start_date=date(2026, 12, 7),
        end_date=date(2026, 12, 18),
        number_source="bench",
        information_notice_fi="x",
        created_by=user,
    )


def _contacts_emptied(connection) -> None:
    from surveys.models import Contact, ContactNumber

    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in (ContactNumber, Contact))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
        cursor.execute(f"VACUUM ANALYZE {tables}")


def import_in_a_worker_process(import_id: int, database_url: str) -> tuple[float, float]:
    """(seconds, peak MB) of the import job run in a fresh Python process, as a worker runs it."""
    environment = dict(os.environ, DATABASE_URL=database_url)
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (this interpreter, this module)
        [sys.executable, "-m", "benchmarks.bench_contacts", "--worker", str(import_id)], env=environment
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the import worker failed with {status}")
    return elapsed, usage.ru_maxrss / 1024


def worker(import_id: int) -> None:
    """The job, in this process: what `rq worker imports` runs for an uploaded file."""
    setup_django()
    from surveys.jobs import import_contacts

    print(f"  worker: {import_contacts(import_id)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="imports of the large file (median reported)")
    parser.add_argument("--rows", type=int, default=LARGE_FILE_ROWS, help="rows of the large file")
    parser.add_argument("--workbook-rows", type=int, default=WORKBOOK_ROWS, help="rows of the Excel workbook")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(options.worker)
        return

    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from surveys.models import ContactImport, ContactImportStatus, Survey, SurveyVersion
    from surveys.services.contacts import contact_import_upload, contacts_import

    with benchmark_database():
        user = get_user_model().objects.create_user("bench-manager")
        survey = Survey.objects.create(slug="bench", organiser="Kunta", created_by=user)
        version = SurveyVersion.objects.create(survey=survey, number=1, title_fi="Kysely", purpose_fi="Tarkoitus")
        campaigns = count()
        print(describe_machine())

        pilot = broker_file(PILOT_NUMBERS)
        report = contacts_import(campaign=campaign_new(user, version, next(campaigns)), file=pilot, filename="a.csv")
        print(
            f"pilot file: {len(pilot):,} bytes, rows={report.rows_read} imported={report.imported} "
            f"duplicates={report.duplicates} invalid={report.invalid}"
        )
        measure(
            f"import {PILOT_NUMBERS:,} broker rows into a new campaign",
            lambda: contacts_import(campaign=campaign_new(user, version, next(campaigns)), file=pilot, filename="a"),
            repeat=1,
        )

        settings = connection.settings_dict
        database_url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8") as large:
            large.writelines(broker_lines(options.rows))
            large.flush()
            print(f"large file: {options.rows:,} rows, {Path(large.name).stat().st_size / 1e6:.1f} MB")
            seconds, peaks, uploads = [], [], []
            for run in range(options.runs):
                if run:
                    _contacts_emptied(connection)  # each run imports into empty tables, untimed
                with open(large.name, "rb") as handle:
                    started = time.perf_counter()
                    report = contact_import_upload(
                        campaign=campaign_new(user, version, next(campaigns)),
                        file=handle,
                        filename="large.csv",
                        by=user,
                    )
                    uploads.append(time.perf_counter() - started)
                elapsed, peak = import_in_a_worker_process(report.pk, database_url)
                report = ContactImport.objects.get(pk=report.pk)
                if report.status != ContactImportStatus.DONE:
                    raise RuntimeError(f"the import ended {report.status}: {report.error}")
                seconds.append(elapsed)
                peaks.append(peak)
                print(
                    f"  upload checked and kept in {uploads[-1]:.1f} s; imported in {elapsed:.1f} s, "
                    f"peak {peak:.0f} MB: rows={report.rows_read:,} imported={report.imported:,} "
                    f"duplicates={report.duplicates:,} invalid={report.invalid:,}"
                )
        with tempfile.TemporaryDirectory() as folder:
            workbook = Path(folder) / "numerot.xlsx"
            broker_workbook(workbook, options.workbook_rows)
            with workbook.open("rb") as handle:
                report = contact_import_upload(
                    campaign=campaign_new(user, version, next(campaigns)), file=handle, filename="a.xlsx", by=user
                )
            elapsed, peak = import_in_a_worker_process(report.pk, database_url)
            report = ContactImport.objects.get(pk=report.pk)
            print(
                f"workbook: {options.workbook_rows:,} rows, {workbook.stat().st_size / 1e6:.1f} MB: {report.status} "
                f"in {elapsed:.1f} s, peak {peak:.0f} MB, imported={report.imported:,}"
            )
        print(
            f"large file import: median {statistics.median(seconds):.1f} s "
            f"(range {min(seconds):.1f}-{max(seconds):.1f}), peak memory {max(peaks):.0f} MB; "
            f"upload step median {statistics.median(uploads):.1f} s"
        )


if __name__ == "__main__":
    main()
