"""A unit's source is the one whose units file names and places it. 0020 gave units the source of their
employments, which may be a payroll source with no units file: the tree source's next units file was then
refused. A unit keeps its source only when that source has stored units; the others get theirs from the
next units file. Employments record the month their source has supplied them since (NULL: from the start).
"""

import django.db.models.deletion
from django.db import migrations, models


def unit_sources_from_units_files(apps, schema_editor):
    WorkUnit = apps.get_model("hrreports", "WorkUnit")
    FetchRun = apps.get_model("hrreports", "FetchRun")
    tree_sources = FetchRun.objects.filter(status="done", counts__units__gt=0).values("source_id")
    WorkUnit.objects.filter(source__isnull=False).exclude(source__in=tree_sources).update(source=None)


class Migration(migrations.Migration):
    dependencies = [
        ("hrreports", "0022_run_trigger_retry"),
    ]

    operations = [
        migrations.AddField(
            model_name="employment",
            name="source_since",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="supplied by its source since"),
        ),
        migrations.AlterField(
            model_name="workunit",
            name="source",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="The Populus source whose units file names and places the unit; empty when none has.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="units",
                to="hrreports.source",
                verbose_name="source",
            ),
        ),
        migrations.RunPython(unit_sources_from_units_files, migrations.RunPython.noop),
    ]
