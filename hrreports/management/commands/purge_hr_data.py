from hrreports.services.retention import hr_data_purge
from kuntaportaali.management.purge import RetentionPurgeCommand


class Command(RetentionPurgeCommand):
    help = (
        "Delete HR records older than the retention period (HR_DATA_RETENTION_MONTHS) "
        "and old report access log entries."
    )

    purge = staticmethod(hr_data_purge)
