from django.db import migrations, models
from django.db.models import F


def reported_in_their_own_month(apps, schema_editor):
    """Every absence stored so far came from the file of the month it counts in."""
    apps.get_model("hrreports", "Absence").objects.update(reported_in=F("period"))


class Migration(migrations.Migration):
    dependencies = [
        ("hrreports", "0026_credentials_encrypted"),
    ]

    operations = [
        migrations.AddField(
            model_name="absence",
            name="reported_in",
            field=models.DateField(editable=False, null=True, verbose_name="reported in the file of"),
        ),
        migrations.RunPython(reported_in_their_own_month, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="absence",
            name="reported_in",
            field=models.DateField(editable=False, verbose_name="reported in the file of"),
        ),
        migrations.AlterField(
            model_name="absence",
            name="period",
            field=models.DateField(
                help_text="The first day of the month whose figures this absence counts in.",
                verbose_name="month fetched",
            ),
        ),
        migrations.RemoveConstraint(model_name="absence", name="hr_absence_natural_key"),
        migrations.AddConstraint(
            model_name="absence",
            constraint=models.UniqueConstraint(
                fields=("employment", "absence_type", "start", "period", "reported_in"), name="hr_absence_natural_key"
            ),
        ),
        migrations.RemoveIndex(model_name="absence", name="hr_absence_source_period"),
        migrations.AddIndex(
            model_name="absence",
            index=models.Index(fields=["source", "reported_in"], name="hr_absence_source_reported"),
        ),
    ]
