"""PostgreSQL for the test suite: after a transactional test, the flush deletes the rows instead of
truncating every table.

Django empties every table after each test that commits (the browser, live-server and worker
tests) with one TRUNCATE of all of them, and PostgreSQL gives each truncated table, index and
TOAST table a new file, written to disk at the commit: a quarter of a second or more for the
portal's tables, most of them empty. Locking the tables against writes first (as TRUNCATE did, it
waits for a live server's request still writing) and deleting their rows leaves the same empty
tables in a few milliseconds; the foreign keys are checked at the commit, when all the rows are
gone. A table with a trigger refusing deletes (the consent log is append-only) is truncated, with
whatever refers to it.
"""

from kuntaportaali.database import base


class DatabaseOperations(base.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        guarded = sorted(self._tables_with_triggers() & set(tables))
        names = ", ".join(self.quote_name(table) for table in tables)
        return [
            f"{style.SQL_KEYWORD('LOCK TABLE')} {names} {style.SQL_KEYWORD('IN EXCLUSIVE MODE')};",
            *(
                f"{style.SQL_KEYWORD('DELETE FROM')} {self.quote_name(table)};"
                for table in tables
                if table not in guarded
            ),
            *(super().sql_flush(style, guarded, allow_cascade=True) if guarded else []),
        ]

    def tables_with_rows(self, tables: list[str]) -> list[str]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s WHERE EXISTS (SELECT 1 FROM {self.quote_name(table)})"  # noqa: S608
                    for table in tables
                ),
                tables,
            )
            return [table for (table,) in cursor.fetchall()]

    def tables_checksum(self, tables: list[str]) -> str:
        """One checksum of every row of these tables: any insert, update or delete changes it."""
        rows = " UNION ALL ".join(
            f"SELECT %s || ':' || t::text AS row FROM {self.quote_name(table)} t"  # noqa: S608
            for table in tables
        )
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT md5(coalesce(string_agg(row, '|' ORDER BY row), '')) FROM ({rows}) rows", tables)  # noqa: S608
            return cursor.fetchone()[0]

    def _tables_with_triggers(self) -> set[str]:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
            return {table for (table,) in cursor.fetchall()}


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
