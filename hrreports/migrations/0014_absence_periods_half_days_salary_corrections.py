"""Absences are stored per month fetched (each month's file is the truth about that month) with their
days as decimals (half days); salary payments lose their natural key (a correction repeats the pay
period, payment date and salary type with another amount); alerts count half days too.

Existing absences get the month of their start as their period, and a copy for each later month of
the absence that their source has fetched - unless that month already has a row of the same employment
and absence type overlapping the absence's part in it (the month's file reported the absence itself,
clipped to the month: the row that was counted twice before)."""

from datetime import date, timedelta

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import TruncMonth


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def values_of(absence) -> dict:
    fields = absence._meta.concrete_fields
    return {field.attname: getattr(absence, field.attname) for field in fields if not field.primary_key}


def absence_periods(apps, schema_editor):
    Absence = apps.get_model("hrreports", "Absence")
    FetchRun = apps.get_model("hrreports", "FetchRun")
    Absence.objects.update(period=TruncMonth("start"))
    fetched = set(FetchRun.objects.filter(status="done").values_list("source_id", "period"))
    pieces = []
    longer = Absence.objects.annotate(end_month=TruncMonth("end")).filter(end_month__gt=F("period")).order_by("pk")
    for absence in longer.iterator():
        month = _next_month(absence.period)
        while month <= absence.end:
            reported = Absence.objects.filter(
                employment_id=absence.employment_id,
                absence_type_id=absence.absence_type_id,
                period=month,
                start__lte=min(absence.end, _next_month(month) - timedelta(days=1)),
                end__gte=month,
            ).exists()
            if (absence.source_id, month) in fetched and not reported:
                pieces.append(Absence(**(values_of(absence) | {"period": month})))
            month = _next_month(month)
    Absence.objects.bulk_create(pieces, batch_size=1000)


def absence_periods_undone(apps, schema_editor):
    """Back to one row per (employment, absence type, start): the one of the latest month."""
    Absence = apps.get_model("hrreports", "Absence")
    seen = set()
    for pk, key in (
        Absence.objects.order_by("-period", "pk")
        .values_list("pk", "employment_id", "absence_type_id", "start")
        .iterator()
    ):
        if key in seen:
            Absence.objects.filter(pk=pk).delete()
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [("hrreports", "0013_employment_relationship")]

    operations = [
        migrations.RemoveConstraint(model_name="absence", name="hr_absence_natural_key"),
        migrations.RemoveConstraint(model_name="salarypayment", name="hr_salary_natural_key"),
        migrations.RemoveIndex(model_name="absence", name="hr_absence_unit_start"),
        migrations.AddField(
            model_name="absence",
            name="period",
            field=models.DateField(
                null=True,
                help_text="The first day of the month whose file reported this absence.",
                verbose_name="month fetched",
            ),
        ),
        migrations.AlterField(
            model_name="absence",
            name="calendar_days",
            field=models.DecimalField(decimal_places=2, max_digits=7, verbose_name="calendar days"),
        ),
        migrations.AlterField(
            model_name="absence",
            name="working_days",
            field=models.DecimalField(decimal_places=2, max_digits=7, verbose_name="working days"),
        ),
        migrations.AlterField(
            model_name="alert",
            name="days",
            field=models.DecimalField(decimal_places=2, max_digits=7, verbose_name="calendar days"),
        ),
        migrations.RunPython(absence_periods, absence_periods_undone),
    ]
