from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from surveys.services.privacy import contacts_purge_expired


class Command(BaseCommand):
    help = "Delete the phone numbers of campaigns past their retention period, keeping anonymous answers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", metavar="YYYY-MM-DD", help="Purge as if it were this day (default: today in Helsinki)."
        )

    def handle(self, *args, today: str | None, **options):
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today must be a date such as 2025-01-31, not {today!r}.") from None
        report = contacts_purge_expired(today=day)
        for slug, counts in report.campaigns.items():
            self.stdout.write(f"campaign {slug}: " + " ".join(f"{name}={count}" for name, count in counts.items()))
        self.stdout.write(report.summary_line())
