"""The security suite's shared portal: built once per module in a transaction rolled back after it."""

import pytest
from django.db import transaction

from tests.security.world import World, world_build, world_forget


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """Each test runs in a savepoint of this module's transaction, so what a test changes is undone
    after it and the module's objects are undone after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = world_build()
        yield world
        transaction.set_rollback(True)
    world_forget(world)
