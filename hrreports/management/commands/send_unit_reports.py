from django.core.management.base import BaseCommand, CommandError

from hrreports.errors import PopulusError
from hrreports.models import Delivery
from hrreports.models.delivery import DeliveryStatus
from hrreports.periods import period_parse
from hrreports.services.delivery import unit_reports_send
from hrreports.services.early_support import alerts_evaluate


class Command(BaseCommand):
    help = (
        "Email each subscribed supervisor the month's unit reports (absences, salaries, employments) with "
        "a link to the portal. A subscription gets one email per month; --force sends again. Exits with "
        "status 1 when an email failed (failed ones are retried by the next run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The month to report, YYYY-MM (e.g. 2026-03).")
        parser.add_argument("--unit", help="Only the subscriptions of this work unit code.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be sent; send nothing.")
        parser.add_argument("--force", action="store_true", help="Send again to subscriptions already sent.")

    def handle(self, *args, period: str, unit: str | None = None, dry_run=False, force=False, **options):
        try:
            month = period_parse(period)
            if not dry_run:
                alerts_evaluate(period=month)
            summary = unit_reports_send(period=month, unit_code=unit, dry_run=dry_run, force=force)
        except PopulusError as error:
            raise CommandError(str(error)) from None
        if summary.failed:
            for delivery in Delivery.objects.filter(period=month, status=DeliveryStatus.FAILED).select_related(
                "subscription__user", "subscription__unit"
            ):
                self.stderr.write(f"{delivery.subscription}: {delivery.reason}")
        self.stdout.write(summary.line())
        if summary.failed:
            raise SystemExit(1)
