import pytest
from django.conf import settings
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
