from datetime import timedelta

from django.conf import settings
from django.db import migrations, models

import surveys.models.campaign

CHANNEL_ORDER = ["website", "press", "social", "newspaper", "sms"]


def plan_what_was_announced(apps, schema_editor):
    """The gate counted any one publication made in time, so an existing campaign plans the channels it
    was announced in on time. It stays launchable if it was announced so in every language of its
    survey; one announced in only some of them is now stopped by the missing languages, which is what
    the new rule is for. One announced nowhere in time plans the default channels, which it had yet
    to publish anyway."""
    Campaign = apps.get_model("surveys", "Campaign")
    Announcement = apps.get_model("surveys", "Announcement")
    lead = timedelta(days=settings.ANNOUNCEMENT_LEAD_DAYS)
    for campaign in Campaign.objects.all():
        in_time = set(
            Announcement.objects.filter(
                campaign=campaign, published_on__isnull=False, published_on__lte=campaign.start_date - lead
            ).values_list("channel", flat=True)
        )
        if in_time:
            campaign.announcement_channels = [channel for channel in CHANNEL_ORDER if channel in in_time]
            campaign.save(update_fields=["announcement_channels"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0012_announcement_language_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="announcement_channels",
            field=models.JSONField(
                default=surveys.models.campaign.default_announcement_channels,
                validators=[surveys.models.campaign.announcement_channels_validate],
                verbose_name="planned announcement channels",
            ),
        ),
        migrations.RunPython(plan_what_was_announced, migrations.RunPython.noop),
    ]
