"""Every absence has its month (0014 filled it in); the natural key includes it. (A migration of its
own: PostgreSQL does not alter a table in the transaction that has just added rows to it.)"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("hrreports", "0014_absence_periods_half_days_salary_corrections")]

    operations = [
        migrations.AlterField(
            model_name="absence",
            name="period",
            field=models.DateField(
                help_text="The first day of the month whose file reported this absence.", verbose_name="month fetched"
            ),
        ),
        migrations.AddConstraint(
            model_name="absence",
            constraint=models.UniqueConstraint(
                fields=("employment", "absence_type", "start", "period"), name="hr_absence_natural_key"
            ),
        ),
        migrations.AddConstraint(
            model_name="absence",
            constraint=models.CheckConstraint(
                condition=models.Q(calendar_days__gte=0, working_days__gte=0), name="hr_absence_days_not_negative"
            ),
        ),
        migrations.AddIndex(
            model_name="absence", index=models.Index(fields=["unit", "period"], name="hr_absence_unit_period")
        ),
        migrations.AddIndex(
            model_name="absence", index=models.Index(fields=["period", "absence_type"], name="hr_absence_period_type")
        ),
        migrations.AddIndex(
            model_name="absence", index=models.Index(fields=["source", "period"], name="hr_absence_source_period")
        ),
        migrations.AddIndex(
            model_name="salarypayment",
            index=models.Index(fields=["source", "payment_date"], name="hr_salary_source_paid"),
        ),
    ]
