from surveys.management.purge import PurgeCommand
from surveys.services.privacy import contacts_purge_expired


class Command(PurgeCommand):
    help = "Delete the phone numbers of campaigns past their retention period, keeping anonymous answers."

    def purge(self, *, today):
        return contacts_purge_expired(today=today)
