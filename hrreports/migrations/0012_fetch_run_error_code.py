"""A fetch run's error is stored as a reason code with its parameters too (worded in the reader's language
when shown); the English text stays for logs and commands. Runs the sweep ended are given their code."""

from django.db import migrations, models

WORKER_STOPPED = "The worker stopped before the run finished; start it again."


def worker_stopped_coded(apps, schema_editor):
    apps.get_model("hrreports", "FetchRun").objects.filter(error=WORKER_STOPPED).update(error_code="run_worker_stopped")


class Migration(migrations.Migration):
    dependencies = [("hrreports", "0011_rejected_row_reason_removed")]

    operations = [
        migrations.AlterField(
            model_name="fetchrun",
            name="error",
            field=models.TextField(
                blank=True, help_text="Why the run failed, in English (for logs).", verbose_name="error"
            ),
        ),
        migrations.AddField(
            model_name="fetchrun",
            name="error_code",
            field=models.CharField(blank=True, max_length=64, verbose_name="error code"),
        ),
        migrations.AddField(
            model_name="fetchrun",
            name="error_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="error parameters"),
        ),
        migrations.RunPython(worker_stopped_coded, migrations.RunPython.noop),
    ]
