"""A work unit is supplied by one Populus source. The units stored so far get the source their employments
came from, when that is one source; a unit with none, or with employments of several sources, stays
without one until the next fetch that supplies it (or is refused from it) says which."""

import django.db.models.deletion
from django.db import migrations, models


def unit_sources_from_employments(apps, schema_editor):
    WorkUnit = apps.get_model("hrreports", "WorkUnit")
    Employment = apps.get_model("hrreports", "Employment")
    sources: dict[int, set[int]] = {}
    pairs = Employment.objects.filter(source__isnull=False).values_list("unit_id", "source_id").distinct()
    for unit_id, source_id in pairs:
        sources.setdefault(unit_id, set()).add(source_id)
    for unit_id, found in sources.items():
        if len(found) == 1:
            WorkUnit.objects.filter(pk=unit_id).update(source_id=next(iter(found)))


class Migration(migrations.Migration):
    dependencies = [("hrreports", "0019_delivery_run_error_code")]

    operations = [
        migrations.AddField(
            model_name="workunit",
            name="source",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="The Populus source that supplies the unit; empty until a source has supplied it.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="units",
                to="hrreports.source",
                verbose_name="source",
            ),
        ),
        migrations.RunPython(unit_sources_from_employments, migrations.RunPython.noop),
    ]
