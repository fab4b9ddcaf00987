from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kuntaportaali.tabular.problems import problem_message
from surveys.contact_files import ContactFileRejected
from surveys.errors import SurveyError
from surveys.models import Campaign
from surveys.services.contacts import contacts_import

PROBLEMS_SHOWN = 20


class Command(BaseCommand):
    help = "Import a contact file (CSV or XLSX) into a campaign and print what became of its rows."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, metavar="SLUG", help="Short name of the campaign.")
        parser.add_argument("--user", metavar="USERNAME", help="Record the import as done by this user.")
        parser.add_argument(
            "--phone-column",
            type=int,
            action="append",
            dest="phone_columns",
            metavar="N",
            help="A column (1 = the first) that holds phone numbers; repeat it for a second number of the same "
            "person. Needed only when the file does not say plainly which columns hold them.",
        )
        parser.add_argument("file", type=Path, metavar="FILE", help="The CSV or XLSX file from the data broker.")

    def handle(self, *args, campaign: str, user: str | None, phone_columns: list[int] | None, file: Path, **options):
        try:
            report = contacts_import(
                campaign=self._campaign(campaign),
                file=self._file(file),
                filename=file.name,
                by=self._user(user),
                phone_columns=[column - 1 for column in phone_columns] if phone_columns else None,
            )
        except (SurveyError, CommandError) as error:
            self.stderr.write(f"Rejected, nothing imported: {error}")
            if isinstance(error, ContactFileRejected) and error.problem.code == "contacts_choose_phone_columns":
                self.stderr.write("Name them with --phone-column N (1 = the first column), once per column.")
            self.stdout.write("imported=0 duplicates=0 invalid=0 opted_out=0")
            raise SystemExit(1) from None
        for problem in report.problems[:PROBLEMS_SHOWN]:
            reason = problem_message(problem["code"], problem["params"])
            self.stdout.write(f"row {problem['row']} ({problem['column']}): {problem['value']!r}: {reason}")
        if report.invalid > PROBLEMS_SHOWN:
            self.stdout.write(f"... and {report.invalid - PROBLEMS_SHOWN} more invalid rows")
        self.stdout.write(
            f"imported={report.imported} duplicates={report.duplicates} "
            f"invalid={report.invalid} opted_out={report.opted_out}"
        )

    def _campaign(self, slug: str) -> Campaign:
        try:
            return Campaign.objects.get(slug=slug)
        except Campaign.DoesNotExist:
            raise CommandError(f"No campaign has the short name {slug!r}.") from None

    def _file(self, path: Path) -> Path:
        try:
            if not path.is_file():
                raise CommandError(f"Cannot read {path}: no such file.")
            path.open("rb").close()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        return path

    def _user(self, username: str | None):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user has the user name {username!r}.") from None
