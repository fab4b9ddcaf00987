"""Running a data migration in a test: back to the state before it, rows stored as that version stored
them, then forward to the newest."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrated_from(app: str, target: str):
    """The apps of `app` at `target` (after migrating back to it) and a function that migrates to the newest."""
    executor = MigrationExecutor(connection)
    executor.migrate([(app, target)])
    old = executor.loader.project_state([(app, target)]).apps

    def forward():
        latest = MigrationExecutor(connection)
        latest.migrate(latest.loader.graph.leaf_nodes(app))

    return old, forward
