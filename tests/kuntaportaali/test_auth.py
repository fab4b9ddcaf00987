import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from kuntaportaali.roles import Role
from tests.conftest import TEST_PASSWORD


def post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_with_right_password_lands_on_staff_home(client, role_users):
    response = post_login(client, "user-councillor", TEST_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("staff-home")


@pytest.mark.parametrize("username", ["user-councillor", "nobody-by-this-name"])
def test_wrong_password_and_unknown_user_get_the_same_generic_message(client, role_users, username):
    response = post_login(client, username, "wrong-password")

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    with translation.override("fi"):
        assert errors == [
            translation.gettext(
                "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."
            )
            % {"username": "käyttäjätunnus"}
        ]


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(client, role_users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "user-councillor", "wrong-password")

    response = post_login(client, "user-councillor", TEST_PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert response.context["cooloff_minutes"] == minutes == 15


def test_failures_below_the_limit_do_not_lock(client, role_users):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, "user-councillor", "wrong-password")

    assert post_login(client, "user-councillor", TEST_PASSWORD).status_code == 302


def test_logout_needs_post_and_ends_the_session(client_as):
    client = client_as(Role.SUPERVISOR)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("public-home")
    assert client.get(reverse("staff-home")).status_code == 302


def test_password_change_requires_the_old_password(client_as, role_users):
    client = client_as(Role.HR_ADMIN)
    new_password = "uusi-salasana-kevät-2027"

    refused = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": new_password, "new_password2": new_password},
    )
    assert refused.status_code == 200
    assert "old_password" in refused.context["form"].errors

    changed = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert changed.status_code == 302
    role_users[Role.HR_ADMIN].refresh_from_db()
    assert role_users[Role.HR_ADMIN].check_password(new_password)


PROXY = "10.0.0.2"


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
        "203.0.113.66",
        # The attacker's own X-Forwarded-For claims the real user's address; nginx appends the real one.
        "198.51.100.7, 203.0.113.66",
    ],
)
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_an_attacker_locks_out_only_their_own_address(client, role_users, attacker_sends):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login_through_proxy(client, "user-hr_admin", "wrong-password", forwarded_for=attacker_sends)

    attacker = post_login_through_proxy(client, "user-hr_admin", TEST_PASSWORD, forwarded_for=attacker_sends)
    user = post_login_through_proxy(client, "user-hr_admin", TEST_PASSWORD, forwarded_for="198.51.100.7")

    assert attacker.status_code == 429
    assert user.status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(client, role_users):
    for number in range(settings.AXES_FAILURE_LIMIT):
        post_login_through_proxy(client, "user-councillor", "wrong-password", forwarded_for=f"192.0.2.{number}")

    response = post_login_through_proxy(client, "user-councillor", TEST_PASSWORD, forwarded_for="192.0.2.99")

    assert response.status_code == 429
