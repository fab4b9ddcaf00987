"""The shared shape of the retention purge commands (`purge_expired`, `purge_answers`,
`purge_hr_data`): an optional --today that purges as if it were that day, then the purge's report."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class RetentionPurgeCommand(BaseCommand):
    """A subclass names its purge service, `purge = staticmethod(service)`: a function of `today`
    returning a report whose `lines()` the command writes."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", metavar="YYYY-MM-DD", help="Purge as if it were this day (default: today in Helsinki)."
        )

    def handle(self, *args, today: str | None, **options):
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(
                f"--today must be a date in the form YYYY-MM-DD, e.g. 2025-01-31, not {today!r}."
            ) from None
        for line in self.purge(today=day).lines():
            self.stdout.write(line)
