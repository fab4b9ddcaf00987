"""A delivery run's error is stored as a reason code with its parameters, as a fetch run's is (0012), and
worded in the reader's language when shown; the English text stays for logs. The errors stored so far
are read into codes once: the sweep's sentence (shown translated before) gets its code, any other text is
kept as it was written and shown so."""

from django.db import migrations, models

WORKER_STOPPED = "The worker stopped before the run finished; start it again."


def errors_coded(apps, schema_editor):
    runs = apps.get_model("hrreports", "DeliveryRun").objects.exclude(error="")
    runs.filter(error=WORKER_STOPPED).update(error_code="run_worker_stopped", error_params={})
    for run in runs.exclude(error=WORKER_STOPPED).only("pk", "error"):
        run.error_code, run.error_params = "reason_as_stored", {"text": run.error}
        run.save(update_fields=["error_code", "error_params"])


class Migration(migrations.Migration):
    dependencies = [("hrreports", "0018_assignment_ended_at")]

    operations = [
        migrations.AddField(
            model_name="deliveryrun",
            name="error_code",
            field=models.CharField(blank=True, max_length=64, verbose_name="error code"),
        ),
        migrations.AddField(
            model_name="deliveryrun",
            name="error_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="error parameters"),
        ),
        migrations.RunPython(errors_coded, migrations.RunPython.noop),
    ]
