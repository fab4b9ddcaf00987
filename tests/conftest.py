"""Fixtures shared by the whole suite: one user per role, and clean RQ queues on the real Redis."""

import django_rq
import hypothesis
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from kuntaportaali.roles import Role, user_set_roles

TEST_PASSWORD = "correct-horse-battery-staple"

# Property tests keep no example database in the checkout and have no per-example time limit
# (the machine is shared with PostgreSQL and Chromium).
hypothesis.settings.register_profile("kuntaportaali", database=None, deadline=None)
hypothesis.settings.load_profile("kuntaportaali")


def make_user(username: str, *roles: Role, password: str = TEST_PASSWORD):
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=username.title(), email=f"{username}@example.invalid"
    )
    user_set_roles(user=user, roles=list(roles))
    return user


@pytest.fixture
def role_users(db) -> dict[Role, object]:
    """One active user per role, named after the role."""
    return {role: make_user(f"user-{role.value}", role) for role in Role}


@pytest.fixture
def user_without_role(db):
    return make_user("user-no-role")


@pytest.fixture
def client_as(client, role_users):
    """`client_as(Role.X)` returns the test client logged in as that role's user."""

    def login(role: Role):
        return client_login(client, role_users[role])

    return login


def client_login(client, user):
    """`client` signed in as `user`, as `client_as` signs in a role's user (for users of a test's own)."""
    client.force_login(user)
    return client


@pytest.fixture
def rq_queues():
    """The worker queues on the real Redis, emptied (also of jobs due later) before and after the test."""
    queues = {name: django_rq.get_queue(name) for name in settings.WORKER_QUEUES}
    for queue in queues.values():
        rq_queue_empty(queue)
    yield queues
    for queue in queues.values():
        rq_queue_empty(queue)


def rq_queue_empty(queue) -> None:
    queue.empty()
    # RQ's `empty` leaves the scheduled jobs, which a later test's scheduler would enqueue.
    registry = queue.scheduled_job_registry
    for job_id in registry.get_job_ids():
        registry.remove(job_id, delete_job=True)


@pytest.fixture
def english():
    """Messages in English (the msgids), for tests that match a service's wording."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of the test's own on a free port (tests marked `processes`), killed after it."""
    from tests.processes import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()
