from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hrreports.demo import hr_demo_seed
from kuntaportaali.demo import DEMO_PASSWORD, DEMO_USERS, demo_users_seed
from kuntaportaali.roles import roles_sync
from surveys.demo import survey_demo_seed
from surveys.demo_results import results_demo_seed


class Command(BaseCommand):
    help = "Create or reset the demo users (one per role) and print their logins. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=f"Password for every demo user (default {DEMO_PASSWORD!r}, allowed only with DEBUG on).",
        )

    def handle(self, *args, password=None, **options):
        if not settings.DEMO_SEED_ALLOWED:
            raise CommandError(
                "seed_demo is for the demo and development only: production makes no demo users (one password "
                "for all), made-up residents or employees, or simulated calls. Nothing was written. Create staff "
                "users with createsuperuser and give them their roles in the admin."
            )
        if password is None:
            if not settings.DEBUG:
                raise CommandError("With DEBUG off the demo users need an explicit --password.")
            password = DEMO_PASSWORD
        roles_sync()
        created, updated = demo_users_seed(password=password)
        self.stdout.write(f"surveys: {survey_demo_seed()}")
        self.stdout.write(f"survey results: {results_demo_seed()}")
        self.stdout.write(f"hr: {hr_demo_seed()}")

        self.stdout.write("Demo logins (username / role):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<15} {demo.role.label}")
        self.stdout.write(f"  password for all: {password}")
        if settings.TWO_FACTOR_DEMO_OFF:
            self.stdout.write("  two-factor login: off for every demo user (DEMO_TWO_FACTOR_OFF)")
        else:
            roles = ", ".join(settings.TWO_FACTOR_REQUIRED_ROLES)
            self.stdout.write(f"  two-factor login: required of {roles}; each sets it up at the first login")
        self.stdout.write(f"seed_demo: users={len(DEMO_USERS)} created={created} updated={updated}")
