"""PostgreSQL as Django's backend has it, but an integer beyond its column is refused, not stored as
another number.

Django hands psycopg an IntegerField's value as psycopg's Int4 (Int2, Int8 by the field), and with the
parameters bound on the server (DATABASE_PREPARED_STATEMENTS, settings/base.py) psycopg packs it into the
column's bytes and keeps only the low ones: 99999999999 reached PostgreSQL as 1215752191, which it
stored. Bound on the client the same value is refused by PostgreSQL as out of range; so it is here,
before psycopg sees it, with the same error (django.db.DataError)."""

from django.db import DataError
from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def adapt_integerfield_value(self, value, internal_type):
        if value is not None and not hasattr(value, "resolve_expression"):
            low, high = self.integer_field_range(internal_type)
            if not low <= int(value) <= high:
                raise DataError(f"{internal_type} value {value} out of range {low}..{high}")
        return super().adapt_integerfield_value(value, internal_type)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
