"""The campaigns' retention purge commands: a line per campaign purged, then the summary line."""

from kuntaportaali.management.purge import RetentionPurgeCommand


class CampaignPurgeCommand(RetentionPurgeCommand):
    """A subclass names its purge service: `campaign_purge = staticmethod(service)`, a function of
    `today` returning a `surveys.services.privacy.PurgeReport`."""

    def purge(self, *, today):
        report = self.campaign_purge(today=today)
        for slug, counts in report.campaigns.items():
            self.stdout.write(f"campaign {slug}: " + " ".join(f"{name}={count}" for name, count in counts.items()))
        self.stdout.write(report.summary_line())
