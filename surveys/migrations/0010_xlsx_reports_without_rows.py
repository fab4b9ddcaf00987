"""Excel report files made before issue 14 hold a sheet of every response with its finishing time to
the second and its background answers, and any reader of results (councillors too) could download
them. They are copies that the results page makes again on request (now without that sheet), so
they are deleted, not kept."""

from django.db import migrations


def delete_xlsx_report_files(apps, schema_editor):
    apps.get_model("surveys", "ReportFile").objects.filter(file_format="xlsx").delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0009_calling_for_real")]

    operations = [migrations.RunPython(delete_xlsx_report_files, migrations.RunPython.noop)]
