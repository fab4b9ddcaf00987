"""The default early-support rules: the municipal example model (5 spells or 20 days, 10 spells or
30 days in 12 months) and the statutory 30-60-90 checkpoints of sick leave. HR administration may
edit them; re-running the migration never overwrites an edit."""

from django.db import migrations

from hrreports.rule_defaults import DEFAULT_RULES, MONTHS, SICK


def seed_rules(apps, schema_editor):
    Rule = apps.get_model("hrreports", "Rule")
    # The shared defaults also hold fields that later migrations add (the names in Swedish and
    # English, filled by 0009); this historical model does not have them yet.
    fields = {field.name for field in Rule._meta.get_fields()}
    for values in DEFAULT_RULES:
        defaults = {key: value for key, value in values.items() if key in fields}
        Rule.objects.get_or_create(name=values["name"], defaults=defaults | {"months": MONTHS, "categories": SICK})


def unseed_rules(apps, schema_editor):
    Rule = apps.get_model("hrreports", "Rule")
    Rule.objects.filter(name__in=[values["name"] for values in DEFAULT_RULES], alerts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("hrreports", "0004_early_support")]

    operations = [migrations.RunPython(seed_rules, unseed_rules)]
