"""The default rules' guidance says which days are counted: the calendar days of sick leave, the weekends and
public holidays within one included (hrreports.spells: `person_days`). A guidance HR administration has
edited is kept; the sentences are frozen here as this migration adds them."""

from django.db import migrations

from hrreports.rule_defaults import DEFAULT_RULES

DAYS_COUNTED = {
    "fi": "Päiviksi lasketaan sairauspoissaolon kalenteripäivät, myös sairausloman sisään jäävät viikonloput ja "
    "arkipyhät.",
    "sv": "Som dagar räknas sjukfrånvarons kalenderdagar, också veckoslut och helgdagar inom en sjukledighet.",
    "en": "The days counted are the calendar days of sick leave, including the weekends and public holidays "
    "within a sick leave.",
}


def guidance_days_counted(apps, schema_editor):
    Rule = apps.get_model("hrreports", "Rule")
    for values in DEFAULT_RULES:
        for language, days in DAYS_COUNTED.items():
            field = f"guidance_{language}"
            before = values[field].removesuffix(f" {days}")
            Rule.objects.filter(name=values["name"], **{field: before}).update(**{field: f"{before} {days}"})


class Migration(migrations.Migration):
    dependencies = [("hrreports", "0028_absence_deletion")]

    operations = [migrations.RunPython(guidance_days_counted, migrations.RunPython.noop)]
