"""Every address that takes a POST refuses one without the CSRF token, even from a user who may post
there, and changes nothing. The list comes from kuntaportaali/access_matrix.py; the carrier's
webhooks are the only exempt ones and carry a signature instead (test_webhooks.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from kuntaportaali.access_matrix import CARRIER, PUBLIC, Page
from kuntaportaali.roles import Role
from surveys.models import DoNotCall
from tests.conftest import client_login
from tests.security.patterns import PATTERNS, pattern_path
from tests.security.world import World, database_writes

POSTED = [pattern for pattern in PATTERNS if pattern.page.takes_post and pattern.page.audience != CARRIER]


def poster(world: World, page: Page):
    """A user who may post to the page (one of its own roles rather than the administrator, if any)."""
    if page.audience == PUBLIC:
        return None
    roles = sorted(set(page.audience) - {Role.ADMIN}) if isinstance(page.audience, frozenset) else []
    return world.users[roles[0] if roles else Role.ADMIN]


@pytest.fixture(scope="module")
def browsers(world) -> dict:
    """Clients that check CSRF as a browser's requests are checked, each holding its CSRF cookie (as
    after opening any form) but, like a forged cross-site form, not the token."""
    found = {}
    for user in [None, *world.users.values()]:
        browser = Client(enforce_csrf_checks=True)
        if user is not None:
            client_login(browser, user)
        browser.get(reverse("surveys-public:opt-out"))
        found[user] = browser
    return found


def test_every_address_that_takes_a_post_is_checked():
    assert len(POSTED) > 100


@pytest.mark.parametrize("pattern", POSTED, ids=[pattern.label for pattern in POSTED])
def test_a_post_without_the_token_is_refused_and_changes_nothing(db, world, browsers, pattern):
    browser = browsers[poster(world, pattern.page)]
    writes = database_writes()

    response = browser.post(pattern_path(world, pattern), {})

    assert response.status_code == 403
    assert response.context["reason"] == "CSRF token missing."
    assert database_writes() == writes


def test_the_residents_opt_out_needs_the_token(db, world, browsers):
    response = browsers[None].post(reverse("surveys-public:opt-out"), {"phone": "040 123 4567"})

    assert response.status_code == 403
    assert not DoNotCall.objects.exists()
