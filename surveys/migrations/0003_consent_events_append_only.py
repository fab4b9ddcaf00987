from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION surveys_consentevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'surveys_consentevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER surveys_consentevent_append_only
    BEFORE UPDATE OR DELETE ON surveys_consentevent
    FOR EACH ROW EXECUTE FUNCTION surveys_consentevent_append_only();
"""
# No TRUNCATE trigger: Django's `flush` (run after every transactional and browser test, and by
# `manage.py flush`) truncates all tables at once and would always fail. Only the table's owner
# may TRUNCATE, and the application never does.

DROP = """
DROP TRIGGER IF EXISTS surveys_consentevent_append_only ON surveys_consentevent;
DROP FUNCTION IF EXISTS surveys_consentevent_append_only();
"""


def create_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # the SQL holds a literal %


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    """The database itself refuses to change or remove consent evidence (PostgreSQL only)."""

    dependencies = [("surveys", "0002_survey_campaign_contacts_consent")]

    operations = [migrations.RunPython(create_guard, drop_guard)]
