"""Importing a data broker's contact file of the pilot's size (7,759 numbers, a few percent of
them duplicate or invalid): parse, normalise to E.164, hash, encrypt and store in one
transaction. Figures go to docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_contacts
"""

import random
from datetime import date
from itertools import count

from benchmarks.harness import benchmark_database, describe_machine, measure, setup_django

PILOT_NUMBERS = 7_759
MOBILE_PREFIXES = ("040", "041", "044", "045", "050")


def broker_file(rows: int, *, seed: int = 2021) -> bytes:
    """A semicolon-separated UTF-8 file as brokers deliver them: ~2 % repeats, ~1 % junk."""
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    lines = ["puhelinnumero;syntymävuosi;postinumero;kieli"]
    numbers = []
    for _ in range(rows):
        roll = rng.random()
        if roll < 0.02 and numbers:
            number = rng.choice(numbers)
        elif roll < 0.03:
            number = rng.choice(["123", "ei numeroa", "", "+358 40"])
        else:
            number = f"{rng.choice(MOBILE_PREFIXES)} {rng.randrange(1_000_000, 9_999_999)}"
            numbers.append(number)
        language = "sv" if rng.random() < 0.06 else "fi"
        postal_code = f"{rng.randrange(10, 99)}{rng.randrange(100, 999)}"
        lines.append(f"{number};{rng.randrange(1930, 2006)};{postal_code};{language}")
    return "\n".join(lines).encode()


def main() -> None:
    setup_django()
    from django.contrib.auth import get_user_model

    from surveys.models import Campaign, Survey, SurveyVersion
    from surveys.services.contacts import contacts_import

    with benchmark_database():
        user = get_user_model().objects.create_user("bench-manager")
        survey = Survey.objects.create(slug="bench", organiser="Kunta", created_by=user)
        version = SurveyVersion.objects.create(survey=survey, number=1, title_fi="Kysely", purpose_fi="Tarkoitus")
        data = broker_file(PILOT_NUMBERS)
        campaigns = count()

        def import_into_a_new_campaign():
            campaign = Campaign.objects.create(
                slug=f"bench-{next(campaigns)}",
                name="Bench",
                survey_version=version,
                caller_number="+35893101691",
                start_date=date(2026, 12, 7),
                end_date=date(2026, 12, 18),
                number_source="bench",
                information_notice_fi="x",
                created_by=user,
            )
            report = contacts_import(campaign=campaign, data=data, filename="broker.csv", by=user)
            return report

        print(describe_machine())
        report = import_into_a_new_campaign()
        print(
            f"file: {len(data):,} bytes, rows={report.rows_read} imported={report.imported} "
            f"duplicates={report.duplicates} invalid={report.invalid} opted_out={report.opted_out}"
        )
        measure(f"import {PILOT_NUMBERS:,} broker rows into a new campaign", import_into_a_new_campaign, repeat=1)


if __name__ == "__main__":
    main()
