from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hrreports.services.retention import hr_data_purge


class Command(BaseCommand):
    help = (
        "Delete HR records older than the retention period (HR_DATA_RETENTION_MONTHS) "
        "and old report access log entries."
    )

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
        report = hr_data_purge(today=day)
        self.stdout.write(f"kept: HR records from {report.cutoff}, access log from {report.access_log_cutoff}")
        self.stdout.write(report.summary_line())
