from django.core.management.base import BaseCommand, CommandError

from hrreports.errors import HrError
from hrreports.models import Delivery
from hrreports.models.delivery import DeliveryStatus
from hrreports.periods import period_parse
from hrreports.selectors import deliveries_waiting
from hrreports.services.delivery import unit_reports_send
from hrreports.services.early_support import alerts_evaluate


class Command(BaseCommand):
    help = (
        "Email each subscribed supervisor the month's unit reports (absences, salaries, employments) with "
        "a link to the portal, and tell the units' and HR's Teams channels. A subscription gets one email per "
        "month; --force sends again. Before the summary line it prints the Teams notices and the staff time "
        "saved (reports x HR_MANUAL_MINUTES_PER_REPORT). Exits with status 1 when an email failed (failed "
        "ones are sent again by the next run, and daily by the cron scheduler up to 4 attempts); a failed Teams "
        "notice is reported but does not fail the run. An email "
        "whose units' month the source supplying them has not fetched waits, and is sent when that fetch succeeds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The month to report, YYYY-MM (e.g. 2026-03).")
        parser.add_argument("--unit", help="Only the subscriptions of this work unit code.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be sent; send nothing.")
        parser.add_argument("--force", action="store_true", help="Send again to subscriptions already sent.")
        parser.add_argument(
            "--processes",
            type=int,
            help="Processes that render and send side by side (default: the HR_REPORT_PROCESSES setting).",
        )

    def handle(
        self, *args, period: str, unit: str | None = None, dry_run=False, force=False, processes=None, **options
    ):
        try:
            month = period_parse(period)
            if not dry_run:
                alerts_evaluate(period=month)
            summary = unit_reports_send(period=month, unit_code=unit, dry_run=dry_run, force=force, processes=processes)
        except HrError as error:
            raise CommandError(error.problem.english()) from None
        if summary.failed:
            for delivery in Delivery.objects.filter(period=month, status=DeliveryStatus.FAILED).select_related(
                "subscription__user", "subscription__unit"
            ):
                self.stderr.write(f"{delivery.subscription}: {delivery.reason}")
        if summary.waiting:
            for delivery in deliveries_waiting(period=month, unit_code=unit or ""):
                self.stdout.write(f"waiting: {delivery.subscription}: {delivery.reason}")
        for error in summary.notice_errors:
            self.stderr.write(f"Teams {error['channel']}: {error['reason']}")
        if not dry_run:
            self.stdout.write(summary.notices_line())
        self.stdout.write(summary.time_saved_line())
        self.stdout.write(summary.line())
        if summary.failed:
            raise SystemExit(1)
