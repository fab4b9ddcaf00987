"""Staff sessions end after SESSION_IDLE_MINUTES without requests and SESSION_MAX_HOURS after the login,
and the next page says why; passwords are at least 12 characters."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from kuntaportaali.middleware import LOGIN_TIME_SESSION_KEY, SIGNED_IN_COOKIE
from kuntaportaali.roles import Role
from tests.conftest import TEST_PASSWORD


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def idle_message() -> str:
    with translation.override("fi"):
        return ngettext(
            "Your session has ended: you are logged out after %(minutes)d minute without activity.",
            "Your session has ended: you are logged out after %(minutes)d minutes without activity.",
            30,
        ) % {"minutes": 30}


def test_the_defaults_are_30_minutes_idle_and_12_hours_in_all():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_MAX_HOURS == 12


def test_every_request_moves_the_idle_end_30_minutes_ahead(client_as):
    client = client_as(Role.SUPERVISOR)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )

    assert client.get(reverse("staff-home")).status_code == 200

    left = stored_session(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)


def test_an_idle_session_is_logged_out_and_the_login_page_says_why(client_as):
    client = client_as(Role.SUPERVISOR)
    assert client.get(reverse("staff-home")).cookies[SIGNED_IN_COOKIE].value == "1"
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(reverse("hrreports:reports"), follow=True)

    assert response.redirect_chain == [(f"{reverse('login')}?next={reverse('hrreports:reports')}", 302)]
    assert messages_of(response) == [idle_message()]
    # Said once: the mark of the signed-in browser is gone.
    assert client.cookies[SIGNED_IN_COOKIE].value == ""
    assert messages_of(client.get(reverse("login"))) == []


def test_logging_out_says_nothing_about_an_ended_session(client_as):
    client = client_as(Role.COUNCILLOR)
    client.get(reverse("staff-home"))

    client.post(reverse("logout"))
    response = client.get(reverse("login"))

    assert messages_of(response) == []


def test_a_session_ends_12_hours_after_the_login_however_active(client_as):
    client = client_as(Role.HR_ADMIN)
    session = client.session
    session[LOGIN_TIME_SESSION_KEY] = int(time.time()) - 12 * 3600 - 1
    session.save()

    response = client.get(reverse("hrreports:units"), follow=True)

    assert response.redirect_chain == [(f"{reverse('login')}?next={reverse('hrreports:units')}", 302)]
    with translation.override("fi"):
        expected = ngettext(
            "You were logged out: a session lasts at most %(hours)d hour from the login.",
            "You were logged out: a session lasts at most %(hours)d hours from the login.",
            12,
        ) % {"hours": 12}
    assert messages_of(response) == [expected]
    assert "_auth_user_id" not in client.session


def test_just_under_12_hours_the_session_goes_on(client_as):
    client = client_as(Role.HR_ADMIN)
    session = client.session
    session[LOGIN_TIME_SESSION_KEY] = int(time.time()) - 12 * 3600 + 60
    session.save()

    assert client.get(reverse("hrreports:units")).status_code == 200


def test_the_login_time_is_that_of_the_password_login(client, role_users):
    before = int(time.time())

    client.post(reverse("login"), {"username": "user-councillor", "password": TEST_PASSWORD})

    assert before <= client.session[LOGIN_TIME_SESSION_KEY] <= int(time.time())


def test_a_password_of_11_characters_is_refused_and_12_accepted(client_as, role_users):
    with pytest.raises(ValidationError) as refused:
        validate_password("kesä-ilta-1")
    assert [error.code for error in refused.value.error_list] == ["password_too_short"]
    validate_password("kesä-ilta-12")
    client = client_as(Role.COUNCILLOR)

    short = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Pajupilli-9", "new_password2": "Pajupilli-9"},
    )
    long_enough = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Pajupilli-91", "new_password2": "Pajupilli-91"},
    )

    assert short.status_code == 200
    assert [error.code for error in short.context["form"].errors.as_data()["new_password2"]] == ["password_too_short"]
    assert long_enough.status_code == 302
