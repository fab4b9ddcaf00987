"""`flush` for the test suite: what post_migrate makes is kept while no test has changed it.

After each transactional test Django flushes the database and sends post_migrate, whose receivers
make the content types, permissions, role groups and HR code lists again: about 220 queries, a
third of a second a test. This flush remembers the tables post_migrate filled and a checksum of
their rows; while the checksum holds it empties every other table and sends no signal, which leaves
the database as Django's flush does. A test that changed any of those rows (a code list edited, a
group's permissions, a content type) gets Django's flush and post_migrate. `manage.py flush` itself
(which resets the sequences) and the other callers are Django's.
"""

from django.core.management.color import no_style
from django.core.management.commands import flush
from django.db import connections

# Per test database: the tables post_migrate filled after the last full flush, and their checksum.
_made_by_post_migrate: dict[str, tuple[list[str], str]] = {}


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        name = connection.settings_dict["NAME"]
        after_a_test = not (
            options["interactive"] or options.get("reset_sequences", True) or options.get("inhibit_post_migrate", False)
        )
        made = _made_by_post_migrate.get(name)
        if after_a_test and made is not None and connection.ops.tables_checksum(made[0]) == made[1]:
            tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
            emptied = [table for table in tables if table not in made[0]]
            allow_cascade = options.get("allow_cascade", False)
            connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), emptied, allow_cascade=allow_cascade))
            return
        super().handle(**options)
        if after_a_test:
            tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
            filled = connection.ops.tables_with_rows(tables)
            _made_by_post_migrate[name] = (filled, connection.ops.tables_checksum(filled))
