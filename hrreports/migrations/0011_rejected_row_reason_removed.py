"""The English text of rejection reasons is gone: 0010 read it back into codes. (A migration of its own:
PostgreSQL does not alter a table in the transaction that has just rewritten its rows.)"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hrreports", "0010_rejected_row_reason_codes")]

    operations = [migrations.RemoveField(model_name="rejectedrow", name="reason")]
