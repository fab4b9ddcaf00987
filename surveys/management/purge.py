"""The shared shape of the retention purge commands: an optional --today, a line per campaign
purged, then the purge's summary line."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class PurgeCommand(BaseCommand):
    def purge(self, *, today: date):
        """The purge service to run, returning a `PurgeReport`."""
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", metavar="YYYY-MM-DD", help="Purge as if it were this day (default: today in Helsinki)."
        )

    def handle(self, *args, today: str | None, **options):
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today must be a date such as 2025-01-31, not {today!r}.") from None
        report = self.purge(today=day)
        for slug, counts in report.campaigns.items():
            self.stdout.write(f"campaign {slug}: " + " ".join(f"{name}={count}" for name, count in counts.items()))
        self.stdout.write(report.summary_line())
