from surveys.management.purge import PurgeCommand
from surveys.services.privacy import answers_purge_expired


class Command(PurgeCommand):
    help = (
        "Delete the answers, demographics and report files of campaigns past their answer retention period, "
        "keeping the response rates and published summaries."
    )

    def purge(self, *, today):
        return answers_purge_expired(today=today)
