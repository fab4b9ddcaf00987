from django.db import migrations

from kuntaportaali.roles import roles_sync


def sync(apps, schema_editor):
    roles_sync(apps=apps)


class Migration(migrations.Migration):
    """Creates the role groups with their permissions. A change to the role table
    (kuntaportaali/roles.py) comes with a new migration like this one."""

    dependencies = [
        ("kuntaportaali", "0001_initial"),
        ("surveys", "0001_initial"),
        ("hrreports", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
        ("django_rq", "0003_alter_dashboard_permission_names"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
