from hrreports.services.retention import hr_data_purge
from kuntaportaali.management.purge import RetentionPurgeCommand


class Command(RetentionPurgeCommand):
    help = (
        "Delete HR records older than the retention period (HR_DATA_RETENTION_MONTHS) "
        "and old report access log entries."
    )

    def purge(self, *, today):
        report = hr_data_purge(today=today)
        self.stdout.write(f"kept: HR records from {report.cutoff}, access log from {report.access_log_cutoff}")
        self.stdout.write(report.summary_line())
