from surveys.management.purge import CampaignPurgeCommand
from surveys.services.privacy import contacts_purge_expired


class Command(CampaignPurgeCommand):
    help = "Delete the phone numbers of campaigns past their retention period, keeping anonymous answers."

    campaign_purge = staticmethod(contacts_purge_expired)
