from kuntaportaali.management.purge import RetentionPurgeCommand
from surveys.services.privacy import answers_purge_expired


class Command(RetentionPurgeCommand):
    help = (
        "Delete the answers, demographics and report files of campaigns past their answer retention period, "
        "keeping the response rates and published summaries."
    )

    purge = staticmethod(answers_purge_expired)
