from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from kuntaportaali.credentials import credential_keys_rotate
from kuntaportaali.personal_data import personal_data_keys_rotate


class Command(BaseCommand):
    help = (
        "Encrypt the stored personal data (phone numbers, contact file pieces, identity codes) again with the "
        "first key of PHONE_ENCRYPTION_KEYS, and the stored credentials of other services (Populus access "
        "tokens, Teams webhook addresses) with the first key of CREDENTIAL_ENCRYPTION_KEYS, so that the older "
        "keys can be dropped."
    )

    def handle(self, *args, **options):
        try:
            rotated = personal_data_keys_rotate() | credential_keys_rotate()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        for label, count in rotated.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(f"rotated={sum(rotated.values())}")
