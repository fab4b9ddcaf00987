"""A worker's database connection after PostgreSQL dropped it (a restart, a failover, a proxy's idle timeout).

Django renews a broken connection only between requests: a job that goes on after the error, to record
that it failed, would fail again on every query over the dead connection, and its row would be left
as it was ("running") with no reason given.
"""

from django.db import InterfaceError, OperationalError, connection


def database_connection_renew() -> None:
    """Close the database connection if it was lost, so that the next query opens a new one. Never inside
    a transaction, whose work went with the connection (its block ends it)."""
    if not connection.in_atomic_block and connection.connection is not None and not connection.is_usable():
        connection.close()


def database_connection_error(error: BaseException) -> bool:
    """Whether `error` is the loss of the database connection: PostgreSQL's connection exceptions (SQLSTATE
    class 08) and its operator's intervention (57P: shutting down, the session terminated), or an error
    with no SQLSTATE at all (the socket closed under the client)."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(("08", "57P"))
