"""The rules' names in Swedish and English (filled for the default rules, found by their Finnish
name; a name HR administration has already given is kept), and the date an alert's threshold was
reached, for alerts raised late."""

from django.db import migrations, models

from hrreports.rule_defaults import DEFAULT_RULES


def name_default_rules(apps, schema_editor):
    Rule = apps.get_model("hrreports", "Rule")
    for values in DEFAULT_RULES:
        for field in ("name_sv", "name_en"):
            Rule.objects.filter(name=values["name"], **{field: ""}).update(**{field: values[field]})


class Migration(migrations.Migration):
    dependencies = [("hrreports", "0008_delivery_run_error")]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="reached_on",
            field=models.DateField(blank=True, null=True, verbose_name="threshold reached on"),
        ),
        migrations.AddField(
            model_name="rule",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in English"),
        ),
        migrations.AddField(
            model_name="rule",
            name="name_sv",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in Swedish"),
        ),
        migrations.AlterField(
            model_name="rule",
            name="name",
            field=models.CharField(max_length=200, verbose_name="name in Finnish"),
        ),
        migrations.RunPython(name_default_rules, migrations.RunPython.noop),
    ]
