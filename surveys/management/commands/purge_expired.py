from kuntaportaali.management.purge import RetentionPurgeCommand
from surveys.services.privacy import contacts_purge_expired


class Command(RetentionPurgeCommand):
    help = "Delete the phone numbers of campaigns past their retention period, keeping anonymous answers."

    purge = staticmethod(contacts_purge_expired)
