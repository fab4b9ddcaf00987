"""The login lockout behind the reverse proxy (TRUSTED_PROXY_COUNT=1): five wrong passwords lock the
username for the client's address only, whatever the client writes into X-Forwarded-For; guesses spread
over many addresses slow the user name down for everyone, by seconds."""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kuntaportaali.login_throttle import login_try_begin
from kuntaportaali.models import LoginFailure
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


def spread_guesses(client, count: int, *, username: str = HR_USER) -> None:
    """`count` wrong passwords for `username`, each from an address of its own (none reaches axes' limit)."""
    for number in range(count):
        response = post_login_through_proxy(client, username, "wrong-password", forwarded_for=f"203.0.113.{number}")
        assert response.status_code == 200


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_THROTTLE_FREE_FAILURES=10, LOGIN_THROTTLE_MAX_WAIT_SECONDS=60)
def test_guesses_spread_over_addresses_make_the_next_try_wait(client, role_users, time_machine):
    time_machine.move_to("2026-12-07 09:00:00+02:00", tick=False)
    spread_guesses(client, 10)

    response = post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=USER)

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["__all__"][0].code == "throttled"
    assert response.context["form"].errors.as_data()["__all__"][0].params == {"seconds": 2}
    assert "_auth_user_id" not in client.session
    other_user = post_login_through_proxy(client, "user-councillor", TEST_PASSWORD, forwarded_for=USER)
    assert other_user.status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_THROTTLE_FREE_FAILURES=10, LOGIN_THROTTLE_MAX_WAIT_SECONDS=60)
def test_the_wait_doubles_with_each_guess_up_to_its_maximum_and_then_the_user_logs_in(client, role_users, time_machine):
    time_machine.move_to("2026-12-07 09:00:00+02:00", tick=False)
    spread_guesses(client, 10)
    waits = []
    for number in range(7):
        time_machine.shift(120)  # past any wait: the guess is checked, and fails
        post_login_through_proxy(client, HR_USER, "wrong-password", forwarded_for=f"198.51.100.{number}")
        refused = post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=USER)
        waits.append(refused.context["form"].errors.as_data()["__all__"][0].params["seconds"])

    time_machine.shift(60)
    response = post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=USER)

    assert waits == [4, 8, 16, 32, 60, 60, 60]
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username=HR_USER).exists()  # the real user's login forgets them


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_THROTTLE_FREE_FAILURES=10, LOGIN_THROTTLE_WINDOW_MINUTES=60)
def test_failures_older_than_the_window_are_forgotten(client, role_users, time_machine):
    time_machine.move_to("2026-12-07 09:00:00+02:00", tick=False)
    spread_guesses(client, 10)

    time_machine.shift(61 * 60)
    response = post_login_through_proxy(client, "user-councillor", "wrong-password", forwarded_for=USER)

    assert response.context["form"].errors.as_data()["__all__"][0].code == "invalid_login"
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["user-councillor"]
    assert post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=USER).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_THROTTLE_FREE_FAILURES=10)
def test_the_admin_login_is_slowed_down_the_same_way(client, role_users, time_machine):
    time_machine.move_to("2026-12-07 09:00:00+02:00", tick=False)
    spread_guesses(client, 10, username="user-admin")

    response = client.post(reverse("admin:login"), {"username": "user-admin", "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["__all__"][0].code == "throttled"


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(client, role_users):
    for number in range(settings.AXES_FAILURE_LIMIT):
        post_login_through_proxy(client, "user-councillor", "wrong-password", forwarded_for=f"192.0.2.{number}")

    response = post_login_through_proxy(client, "user-councillor", TEST_PASSWORD, forwarded_for="192.0.2.99")

    assert response.status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_THROTTLE_FREE_FAILURES=10)
def test_tries_from_one_locked_out_address_never_make_the_real_user_wait(client, role_users, time_machine):
    time_machine.move_to("2026-12-07 09:00:00+02:00", tick=False)
    answers = []
    for _ in range(40):  # a try a minute from one address: axes locks it after five
        time_machine.shift(61)
        answers.append(post_login_through_proxy(client, HR_USER, "wrong-password", forwarded_for=ATTACKER).status_code)

    user = post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=USER)

    locked = settings.AXES_FAILURE_LIMIT  # the try that reaches the limit is answered with the lockout
    assert answers == [200] * (locked - 1) + [429] * (40 - locked + 1)
    assert user.status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_THROTTLE_FREE_FAILURES=10)
def test_a_browser_the_user_logged_in_from_before_is_not_made_to_wait(client, role_users, time_machine):
    time_machine.move_to("2026-12-07 09:00:00+02:00", tick=False)
    assert post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=USER).status_code == 302
    client.post(reverse("logout"))
    guesser = Client()
    spread_guesses(guesser, 15)

    new_browser = post_login_through_proxy(Client(), HR_USER, TEST_PASSWORD, forwarded_for=USER)
    again = post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=USER)

    assert new_browser.context["form"].errors.as_data()["__all__"][0].code == "throttled"
    assert again.status_code == 302


@override_settings(LOGIN_THROTTLE_FREE_FAILURES=10)
def test_of_two_tries_at_the_same_moment_after_a_wait_only_the_first_is_checked(db, time_machine):
    time_machine.move_to("2026-12-07 09:00:00+02:00", tick=False)
    for _ in range(10):
        login_try_begin(HR_USER, now=timezone.now(), known_device=False)
    time_machine.shift(2)  # the 2-second wait after the tenth failure is over

    first = login_try_begin(HR_USER, now=timezone.now(), known_device=False)
    second = login_try_begin(HR_USER, now=timezone.now(), known_device=False)

    assert (first.pk is not None, first.wait) == (True, 0)
    assert (second.pk, second.wait) == (None, 4)
    assert LoginFailure.objects.filter(username=HR_USER).count() == 11


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_THROTTLE_FREE_FAILURES=10)
def test_a_form_sent_without_a_password_counts_for_nothing(client, role_users):
    for number in range(15):
        post_login_through_proxy(client, HR_USER, "", forwarded_for=f"203.0.113.{number}")

    assert not LoginFailure.objects.exists()
    assert post_login_through_proxy(client, HR_USER, TEST_PASSWORD, forwarded_for=USER).status_code == 302
