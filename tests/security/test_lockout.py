"""The login lockout behind the reverse proxy (TRUSTED_PROXY_COUNT=1): five wrong passwords lock the
username for the client's address only, whatever the client writes into X-Forwarded-For."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from tests.conftest import TEST_PASSWORD

PROXY = "10.0.0.2"
ATTACKER, USER = "203.0.113.66", "198.51.100.7"
HR_USER = "user-hr_admin"


def post_login_through_proxy(client, username, password, *, forwarded_for):
    """As nginx passes it on: from the proxy's address, the client's appended to X-Forwarded-For."""
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.parametrize(
    "attacker_sends",
    [
        ATTACKER,
        # The attacker's own X-Forwarded-For claims the real user's address; nginx appends the real one.
        f"{USER}, {ATTACKER}",
    ],
)
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_an_attacker_locks_out_only_their_own_address(client, role_users, attacker_sends):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login_through_proxy(client, HR_USER, "wrong-password", forwarded_for=attacker_sends)

    attacker = post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=attacker_sends)
    user = post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=USER)

    assert attacker.status_code == 429
    assert user.status_code == 302
    assert user["Location"] == reverse("staff-home")


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_new_forged_entry_on_every_try_does_not_escape_the_lockout(client, role_users):
    for number in range(settings.AXES_FAILURE_LIMIT):
        post_login_through_proxy(client, HR_USER, "wrong-password", forwarded_for=f"192.0.2.{number}, {ATTACKER}")

    again = post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=f"192.0.2.99, {ATTACKER}")

    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_failures_from_several_addresses_lock_none_of_them(client, role_users):
    for number in range(settings.AXES_FAILURE_LIMIT):
        post_login_through_proxy(client, HR_USER, "wrong-password", forwarded_for=f"203.0.113.{number}")

    assert post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=USER).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(client, role_users):
    for number in range(settings.AXES_FAILURE_LIMIT):
        post_login_through_proxy(client, "user-councillor", "wrong-password", forwarded_for=f"192.0.2.{number}")

    response = post_login_through_proxy(client, "user-councillor", TEST_PASSWORD, forwarded_for="192.0.2.99")

    assert response.status_code == 429
