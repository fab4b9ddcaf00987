from django.core.management.base import BaseCommand

from kuntaportaali.roles import roles_sync


class Command(BaseCommand):
    help = "Make the role groups and their permissions match the role table (kuntaportaali/roles.py)."

    def handle(self, *args, **options):
        summary = roles_sync()
        counts = " ".join(f"{role}={count}" for role, count in summary.items())
        self.stdout.write(f"sync_roles: groups={len(summary)} permissions: {counts}")
