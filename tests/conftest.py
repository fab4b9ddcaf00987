"""Fixtures shared by the whole suite: one user per role, clients logged in with both factors, and clean
RQ queues on the real Redis."""

import time

import django_rq
import hypothesis
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def authenticator_give(user) -> TOTPDevice:
    """The user's confirmed authenticator app, set up now if the user has none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app with the device's key shows now; or, if the device already took
    this time step's code, the next step's (as if the user waited for the next code)."""
    device.refresh_from_db()
    app = TOTP(device.bin_key, device.step, device.t0, device.digits)
    app.time = time.time()
    if app.t() <= device.last_t:
        app.time = device.t0 + (device.last_t + 1) * device.step
    return f"{app.token():0{device.digits}d}"


class TwoFactorClient(Client):
    """Django's test client, whose `force_login` goes past both login steps: the user has an
    authenticator app and gave its code in this session (django-otp's session key, as `django_otp.login`
    sets it). The two-factor tests use `password_client` for a session after the password only."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        session_verify(self, user)


def session_verify(client: Client, user) -> None:
    """Mark the client's session as having given the user's second factor (as `django_otp.login` does)."""
    device = authenticator_give(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def client() -> Client:
    return TwoFactorClient()


@pytest.fixture
def password_client() -> Client:
    """A test client whose `force_login` is the password step only."""
    return Client()


@pytest.fixture
def role_users(db) -> dict[Role, object]:
    """One active user per role, named after the role."""
    return {role: make_user(f"user-{role.value}", role) for role in Role}


@pytest.fixture
def user_without_role(db):
    return make_user("user-no-role")


@pytest.fixture
def client_as(client, role_users):
    """`client_as(Role.X)` returns the test client logged in as that role's user, with both factors."""

    def login(role: Role):
        return client_login(client, role_users[role])

    return login


def client_login(client, user):
    """`client` signed in as `user` past both login steps, as `client_as` signs in a role's user (for
    users of a test's own and clients of a module's own)."""
    client.force_login(user)
    session_verify(client, user)
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
    # RQ's `empty` leaves the scheduled jobs, which a later test's scheduler would enqueue, and the failed
    # and started ones, which a later test's sweep would take for its own (job ids repeat across runs).
    registry = queue.scheduled_job_registry
    for job_id in registry.get_job_ids():
        registry.remove(job_id, delete_job=True)
    queue.connection.delete(queue.failed_job_registry.key, queue.started_job_registry.key)


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language (Finnish): a request of an earlier test in the same
    process leaves its language active, and dates and times are written in the active one."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


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
