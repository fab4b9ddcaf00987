from django.core.management.base import BaseCommand, CommandError

from hrreports.errors import HrError
from hrreports.models import Source
from hrreports.models.fetching import RunStatus, RunTrigger
from hrreports.periods import period_label, period_parse
from hrreports.services.fetch import populus_fetch, sources_in_fetch_order


class Command(BaseCommand):
    help = (
        "Fetch one month of HR data (absences, salaries, employments) from Populus sources and store it. "
        "Fetching a month again updates it. Exits with status 1 when a run failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The month to fetch, YYYY-MM (e.g. 2026-03).")
        parser.add_argument("--source", help="Name of the source (default: every active source).")

    def handle(self, *args, period: str, source: str | None = None, **options):
        try:
            month = period_parse(period)
        except HrError as error:
            raise CommandError(error.problem.english()) from None
        if source:
            sources = list(Source.objects.filter(name=source))
            if not sources:
                known = ", ".join(Source.objects.values_list("name", flat=True)) or "none"
                raise CommandError(f"No Populus source is named {source!r} (configured: {known}).")
        else:
            sources = sources_in_fetch_order()
            if not sources:
                raise CommandError("No active Populus source is configured; add one on the HR administration pages.")
        totals = {"absences": 0, "salaries": 0, "employments": 0, "rejected": 0}
        failed = False
        for configured in sources:
            run = populus_fetch(source=configured, period=month, trigger=RunTrigger.COMMAND)
            for report in ("absences", "salaries", "employments"):
                totals[report] += run.count(report)
            totals["rejected"] += run.rejected_count
            if run.status == RunStatus.FAILED:
                failed = True
                self.stderr.write(f"{configured.name}: failed: {run.error}")
            else:
                self.stdout.write(f"{configured.name}: run {run.pk} done in {run.duration_seconds} s")
        status = "failed" if failed else "ok"
        self.stdout.write(
            f"period={period_label(month)} absences={totals['absences']} salaries={totals['salaries']} "
            f"employments={totals['employments']} rejected={totals['rejected']} status={status}"
        )
        if failed:
            raise SystemExit(1)
