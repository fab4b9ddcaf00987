"""Every URL pattern x every role, a user without a role and an anonymous visitor, answered as
kuntaportaali/access_matrix.py declares; and each supervisor refused every unit-scoped address of
another unit.

The patterns come from Django's URL resolver, so an address added without a declaration fails here.
"""

import copy

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from hrreports.models import Alert, Subscription
from kuntaportaali.access_matrix import ADMIN_SITE, CARRIER, GET, PAGES, POST, Page
from kuntaportaali.roles import Role
from tests.conftest import client_login
from tests.security.patterns import ANONYMOUS, NO_ROLE, PATTERNS, pattern_path, permitted
from tests.security.world import database_writes

AUDIENCES = [*Role, NO_ROLE, ANONYMOUS]


def test_every_url_pattern_is_declared_in_the_access_data():
    undeclared = [pattern.label for pattern in PATTERNS if pattern.page is None]

    assert undeclared == [], "declare these in kuntaportaali/access_matrix.py"


def test_the_access_data_names_only_patterns_that_exist():
    names = {pattern.name for pattern in PATTERNS}

    assert [name for name in PAGES if name not in names] == []


@pytest.fixture(scope="module")
def clients(world) -> dict:
    """A client per audience, signed in once for the module (as `client_as` signs in)."""
    signed_in = {role: client_login(Client(), user) for role, user in world.users.items()}
    return signed_in | {NO_ROLE: client_login(Client(), world.no_role), ANONYMOUS: Client()}


def ask(client, method: str, path: str, data: dict | None = None, *, fails: bool = False):
    """One request undone after it (its savepoint rolled back, the client's cookies restored): every
    audience finds the same objects and stays signed in, and a page declared to fail (500) leaves the
    transaction usable."""
    client.raise_request_exception = not fails
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, method)(path, data or {})
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def assert_refused(response, page: Page, audience, path: str) -> None:
    admin = path.startswith("/admin/")
    if page.refused is not None:
        assert response.status_code == page.refused
    elif audience == ANONYMOUS or admin:
        login = reverse("admin:login") if admin else reverse("login")
        assert response.status_code == 302
        assert response["Location"].startswith(f"{login}?next=")
    else:
        assert response.status_code == 403


def assert_answered(response, page: Page) -> None:
    if page is ADMIN_SITE:
        # Django admin answers the administrator as it does (a page, a redirect, 404 for a missing
        # object, 405 for a GET of a POST-only action), never with its login page.
        assert response.status_code < 500
        assert not response.get("Location", "").startswith(reverse("admin:login"))
    else:
        assert response.status_code in page.answers


# What a permitted user posts to an action (POST-only) page: enough for the action's redirect.
ACTION_DATA = {
    "hrreports:run-create": lambda world: {"source": world.source.pk, "period": "2026-03"},
    # A form with a mistake comes back as a page (400), with what was typed: an allowed action is a valid one.
    "hrreports:alert-acknowledge": lambda world: {
        f"alert-{world.own.alert.pk}-action_date": "2026-03-20",
        f"alert-{world.own.alert.pk}-note": "Puhuttu",
    },
}


@pytest.mark.parametrize("pattern", PATTERNS, ids=[pattern.label for pattern in PATTERNS])
def test_each_audience_gets_the_declared_answer(db, world, clients, pattern):
    page = pattern.page
    path = pattern_path(world, pattern)
    for audience in AUDIENCES:
        client = clients[audience]
        if page.audience == CARRIER:
            # No session opens a webhook: it must carry the provider's signature (test_webhooks.py).
            assert ask(client, "get", path).status_code == 405
            writes = database_writes()
            assert ask(client, "post", path).status_code == 403
            assert database_writes() == writes
            continue
        may = permitted(page, audience)
        response = ask(client, "get", path, fails=may and 500 in page.answers)
        if GET in page.methods:
            assert_answered(response, page) if may else assert_refused(response, page, audience, path)
        elif may:
            assert response.status_code == 405
        elif response.status_code != 405:
            # An action refuses a GET before or after the permission check (405 or the refusal).
            assert_refused(response, page, audience, path)
        if POST not in page.methods:
            continue
        if not may:
            writes = database_writes()
            assert_refused(ask(client, "post", path), page, audience, path)
            assert database_writes() == writes, f"a refused POST by {audience} changed the database"
        elif GET not in page.methods and page is not ADMIN_SITE:
            data = ACTION_DATA.get(pattern.name, lambda world: {})(world)
            assert ask(client, "post", path, data).status_code == 302


UNIT_SCOPED = [name for name, page in PAGES.items() if page.scope]
# The unit report's kinds and downloads are all one pattern: each is asked for.
REPORT_VARIANTS = [
    f"{kind}/{query}"
    for kind in ("absences", "salaries", "employments")
    for query in ("", "?export=pdf", "?export=xlsx", "?export=csv")
]


@pytest.mark.parametrize("url_name", UNIT_SCOPED)
@pytest.mark.parametrize("asking", ["own", "foreign"])
def test_a_supervisor_is_refused_every_unit_scoped_address_of_another_unit(db, world, url_name, asking):
    """Supervisor A asks for unit B's objects and B for A's: 404, as for an id that does not exist."""
    asker, target = (world.own, world.foreign) if asking == "own" else (world.foreign, world.own)
    client = client_login(Client(), asker.supervisor)
    pattern = next(pattern for pattern in PATTERNS if pattern.name == url_name)
    path = pattern_path(world, pattern, target)
    paths = [path.replace("absences/", variant) for variant in REPORT_VARIANTS] if "/reports/units/" in path else [path]

    acknowledgement = {f"alert-{target.alert.pk}-action_date": "2026-03-20", f"alert-{target.alert.pk}-note": "Puhuttu"}
    for path in paths:
        if GET in PAGES[url_name].methods:
            assert client.get(path).status_code == 404
        if POST in PAGES[url_name].methods:
            assert client.post(path, acknowledgement).status_code == 404

    assert Alert.objects.get(pk=target.alert.pk).acknowledged_at is None
    assert Subscription.objects.filter(pk=target.subscription.pk, user=target.supervisor).exists()
