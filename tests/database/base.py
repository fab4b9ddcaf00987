"""PostgreSQL for the test suite: after a transactional test, the flush deletes the rows of the
tables that hold any instead of truncating every table.

Django empties every table after each test that commits (the browser, live-server and worker
tests) with one TRUNCATE of all of them, and PostgreSQL gives each truncated table, index and
TOAST table a new file, written to disk at the commit: a quarter of a second or more for the
portal's tables, most of them empty. DELETE leaves the same empty tables (the foreign keys are
checked at the commit, when all the rows are gone). A table with a trigger refusing deletes (the
consent log is append-only) is truncated, as before.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        filled = self._tables_with_rows(tables)
        guarded = self._tables_with_triggers()
        deleted = [table for table in filled if table not in guarded]
        truncated = [table for table in filled if table in guarded]
        deletes = [f"{style.SQL_KEYWORD('DELETE FROM')} {self.quote_name(table)};" for table in deleted]
        return deletes + (super().sql_flush(style, truncated, allow_cascade=allow_cascade) if truncated else [])

    def _tables_with_rows(self, tables) -> list[str]:
        found = " UNION ALL ".join(
            f"SELECT %s WHERE EXISTS (SELECT 1 FROM {self.quote_name(table)})"  # noqa: S608 (Django's table names, quoted)
            for table in tables
        )
        with self.connection.cursor() as cursor:
            cursor.execute(found, list(tables))
            return [table for (table,) in cursor.fetchall()]

    def _tables_with_triggers(self) -> set[str]:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
            return {table for (table,) in cursor.fetchall()}


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
