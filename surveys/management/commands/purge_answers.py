from surveys.management.purge import CampaignPurgeCommand
from surveys.services.privacy import answers_purge_expired


class Command(CampaignPurgeCommand):
    help = (
        "Delete the answers, demographics and report files of campaigns past their answer retention period, "
        "keeping the response rates and published summaries."
    )

    campaign_purge = staticmethod(answers_purge_expired)
