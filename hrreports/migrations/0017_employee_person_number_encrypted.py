"""Employees' identity codes encrypted at rest: each stored code becomes its keyed hash (for matching) and
its Fernet token, then the plain column is dropped. Backwards, the codes are decrypted into it again."""

from django.db import migrations, models

BATCH = 2000


def batches(queryset):
    """The rows of `queryset` BATCH at a time in primary-key order, each batch read after the last one's
    key: an organisation's whole staff is never held in memory at once."""
    last = 0
    while batch := list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH]):
        yield batch
        last = batch[-1].pk


def encrypt_person_numbers(apps, schema_editor):
    Employee = apps.get_model("hrreports", "Employee")
    if not Employee.objects.exists():
        return  # a new database needs no keys to migrate
    from hrreports.person_numbers import person_number_encrypter, person_number_hasher

    hasher, encrypter = person_number_hasher(), person_number_encrypter()
    for employees in batches(Employee.objects.only("pk", "person_number")):
        for employee in employees:
            employee.person_number_hash = hasher(employee.person_number)
            employee.person_number_encrypted = encrypter(employee.person_number)
        Employee.objects.bulk_update(employees, ["person_number_hash", "person_number_encrypted"])


def decrypt_person_numbers(apps, schema_editor):
    Employee = apps.get_model("hrreports", "Employee")
    if not Employee.objects.exists():
        return
    from hrreports.person_numbers import person_number_decrypt

    for employees in batches(Employee.objects.only("pk", "person_number_encrypted")):
        for employee in employees:
            employee.person_number = person_number_decrypt(employee.person_number_encrypted)
        Employee.objects.bulk_update(employees, ["person_number"])


class Migration(migrations.Migration):
    dependencies = [
        ("hrreports", "0016_working_time_not_stated"),
    ]

    operations = [
        migrations.AddField(
            model_name="employee",
            name="person_number_hash",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="person number (keyed hash)"),
        ),
        migrations.AddField(
            model_name="employee",
            name="person_number_encrypted",
            field=models.BinaryField(null=True, verbose_name="person number (encrypted)"),
        ),
        # Nullable and not unique while the codes move, so that the way back can fill it again.
        migrations.AlterField(
            model_name="employee",
            name="person_number",
            field=models.CharField(max_length=32, null=True, verbose_name="person number"),
        ),
        migrations.RunPython(encrypt_person_numbers, decrypt_person_numbers),
        migrations.RemoveField(model_name="employee", name="person_number"),
        migrations.AlterField(
            model_name="employee",
            name="person_number_hash",
            field=models.CharField(
                editable=False, max_length=64, unique=True, verbose_name="person number (keyed hash)"
            ),
        ),
        migrations.AlterField(
            model_name="employee",
            name="person_number_encrypted",
            field=models.BinaryField(verbose_name="person number (encrypted)"),
        ),
    ]
