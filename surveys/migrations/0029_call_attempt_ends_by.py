from datetime import timedelta

from django.db import migrations, models
from django.db.models import F

# The calls out while this migration runs were placed with a ring time and time limit not kept: they are
# given Twilio's longest (600 s of ringing, a four-hour call), so that none is closed while it may go on.
LONGEST_CALL = timedelta(seconds=600, hours=4)
PLACED_ACTIVE = ("dialing", "ringing", "in-progress")


def calls_out_end_by_the_longest(apps, schema_editor):
    CallAttempt = apps.get_model("surveys", "CallAttempt")
    CallAttempt.objects.filter(status__in=PLACED_ACTIVE, placed_at__isnull=False).update(
        ends_by=F("placed_at") + LONGEST_CALL
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0028_sms_unconfirmed"),
    ]

    operations = [
        migrations.AddField(
            model_name="callattempt",
            name="ends_by",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(calls_out_end_by_the_longest, migrations.RunPython.noop),
    ]
