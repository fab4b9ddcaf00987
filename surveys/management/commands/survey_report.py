from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Campaign, ReportFormat
from surveys.reports.files import REPORT_LANGUAGES, report_build


class Command(BaseCommand):
    help = "Write a campaign's results report as a PDF or an Excel workbook (XLSX) to a file."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, metavar="SLUG", help="The campaign's short name.")
        parser.add_argument("--format", required=True, choices=ReportFormat.values, dest="file_format")
        parser.add_argument(
            "--output", required=True, metavar="PATH", help="The file to write (replaced if it exists)."
        )
        parser.add_argument(
            "--language", choices=REPORT_LANGUAGES, default="fi", help="Language of the report (default: fi)."
        )

    def handle(self, *args, campaign, file_format, output, language, **options):
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            raise CommandError(f"No campaign called {campaign!r}.")
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"The folder {str(path.parent)!r} does not exist.")
        data = report_build(campaign=found, file_format=file_format, language=language)
        path.write_bytes(data)
        self.stdout.write(
            f"campaign={found.slug} format={file_format} language={language} file={path} bytes={len(data)}"
        )
