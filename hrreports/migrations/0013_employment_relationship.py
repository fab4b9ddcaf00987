"""An employment's relationship (public office or employment contract), read from the words of the
employment-kind column; a kind the source does not state is stored as not stated (no longer as permanent)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hrreports", "0012_fetch_run_error_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="employment",
            name="relationship",
            field=models.CharField(
                blank=True,
                choices=[
                    ("public_office", "Public office (virkasuhde)"),
                    ("employment_contract", "Employment contract (työsuhde)"),
                    ("", "Not stated"),
                ],
                default="",
                max_length=24,
                verbose_name="relationship",
            ),
        ),
        migrations.AlterField(
            model_name="employment",
            name="kind",
            field=models.CharField(
                blank=True,
                choices=[("permanent", "Permanent"), ("fixed_term", "Fixed-term"), ("", "Not stated")],
                default="",
                max_length=16,
                verbose_name="kind",
            ),
        ),
    ]
