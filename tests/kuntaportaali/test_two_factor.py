"""The second login factor of staff: who must give it, setting it up, codes, recovery codes, throttling."""

from base64 import b32decode
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kuntaportaali.access_matrix import CARRIER, GET, PAGES, PUBLIC
from kuntaportaali.roles import Role
from kuntaportaali.two_factor import recovery_codes_generate
from tests.conftest import authenticator_give, make_user, totp_code

REQUIRED_ROLES = [Role.ADMIN, Role.HR_ADMIN, Role.SUPERVISOR]
OPTIONAL_ROLES = [Role.SURVEY_MANAGER, Role.COMMUNICATIONS, Role.COUNCILLOR]
TWO_FACTOR_PAGES = {"two-factor-verify", "two-factor-set-up", "two-factor", "two-factor-recovery-codes"}


def staff_urls() -> list[str]:
    """Every staff page of the access data that opens without parameters, the Django admin and its RQ
    dashboard."""
    urls = ["/admin/", reverse("admin:auth_user_changelist"), reverse("admin:django_rq_dashboard_changelist")]
    for name, page in PAGES.items():
        if page.audience in (PUBLIC, CARRIER) or GET not in page.methods or name in TWO_FACTOR_PAGES:
            continue
        try:
            urls.append(reverse(name))
        except NoReverseMatch:  # a page of one object
            continue
    return urls


STAFF_URLS = staff_urls()


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def error_texts(response, form: str, field: str) -> list[str]:
    return list(response.context[form].errors[field])


@pytest.fixture
def password_only(role_users):
    """`password_only(Role.X)`: a new client with that role's user after the password step only."""

    def login(role: Role):
        client = Client()
        # The pages in the language active in the test (Finnish, or English under the `english` fixture).
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = translation.get_language()
        client.force_login(role_users[role])
        return client

    return login


@pytest.mark.parametrize("url", STAFF_URLS)
@pytest.mark.parametrize("role", REQUIRED_ROLES, ids=lambda role: role.value)
def test_required_role_without_an_authenticator_is_sent_to_set_up_from_every_staff_page(password_only, role, url):
    response = password_only(role).get(url)

    assert response.status_code == 302
    assert response["Location"] == with_next("two-factor-set-up", url)


def test_superuser_counts_as_admin(password_client, db):
    superuser = get_user_model().objects.create_superuser("root", password="root-password-long-enough")
    password_client.force_login(superuser)

    response = password_client.get(reverse("admin:index"))

    assert response["Location"] == with_next("two-factor-set-up", reverse("admin:index"))


@pytest.mark.parametrize("url", [reverse("staff-home"), reverse("admin:index"), reverse("hrreports:reports")])
def test_a_user_with_an_authenticator_is_asked_for_the_code_keeping_the_page(password_only, role_users, url):
    authenticator_give(role_users[Role.SUPERVISOR])

    response = password_only(Role.SUPERVISOR).get(url)

    assert response["Location"] == with_next("two-factor-verify", url)


@pytest.mark.parametrize("role", OPTIONAL_ROLES, ids=lambda role: role.value)
def test_optional_roles_go_without(password_only, role):
    client = password_only(role)

    assert client.get(reverse("staff-home")).status_code == 200
    assert client.get(reverse("two-factor")).context["enabled"] is False


def test_an_optional_role_that_turned_it_on_is_asked_for_the_code(password_only, role_users):
    authenticator_give(role_users[Role.COUNCILLOR])

    response = password_only(Role.COUNCILLOR).get(reverse("surveys:results"))

    assert response["Location"] == with_next("two-factor-verify", reverse("surveys:results"))


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/", 200),
        ("get", "/healthz", None),
        ("get", "/fi/kyselyt/", 200),
        ("get", "/fi/kyselyt/ei-puheluita/", 200),
        ("post", "/telephony/status/999999/", 403),
    ],
)
def test_public_pages_and_webhooks_are_unaffected(password_only, method, url, status):
    response = getattr(password_only(Role.SUPERVISOR), method)(url)

    assert "two-factor" not in response.get("Location", "")
    if status is not None:
        assert response.status_code == status


def test_logout_and_the_language_switch_stay_open(password_only):
    client = password_only(Role.HR_ADMIN)

    assert client.post(reverse("set_language"), {"language": "en", "next": "/"})["Location"] == "/"
    assert client.post(reverse("logout"))["Location"] == reverse("public-home")
    assert "_auth_user_id" not in client.session


@override_settings(TWO_FACTOR_DEMO_OFF=True)
def test_the_demo_setting_lets_required_roles_in_with_the_password(password_only):
    client = password_only(Role.SUPERVISOR)

    assert client.get(reverse("hrreports:reports")).status_code == 200
    assert client.get(reverse("two-factor")).context["required"] is False


@override_settings(TWO_FACTOR_REQUIRED_ROLES=["councillor"])
def test_the_required_roles_come_from_the_setting(password_only):
    assert password_only(Role.SUPERVISOR).get(reverse("staff-home")).status_code == 200
    assert (
        password_only(Role.COUNCILLOR).get(reverse("staff-home"))["Location"].startswith(reverse("two-factor-set-up"))
    )


def permission(dotted_name: str) -> Permission:
    app_label, codename = dotted_name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.mark.parametrize("granted", ["directly", "by a custom group"])
def test_a_permission_of_a_required_role_requires_it_without_the_role_group(password_client, db, granted):
    user = make_user("user-custom")
    if granted == "directly":
        user.user_permissions.add(permission("hrreports.view_unit_reports"))
    else:
        group = Group.objects.create(name="palkkahallinto")
        group.permissions.add(permission("hrreports.view_unit_reports"))
        user.groups.add(group)
    password_client.force_login(user)

    response = password_client.get(reverse("hrreports:reports"))

    assert response["Location"] == with_next("two-factor-set-up", reverse("hrreports:reports"))
    assert password_client.get(reverse("two-factor-set-up")).context["required"] is True


def test_permissions_of_optional_roles_alone_do_not_require_it(password_client, db):
    user = make_user("user-custom")
    user.user_permissions.add(permission("surveys.view_results"), permission("surveys.manage_surveys"))
    password_client.force_login(user)

    assert password_client.get(reverse("surveys:results")).status_code == 200
    assert password_client.get(reverse("two-factor")).context["required"] is False


@override_settings(TWO_FACTOR_REQUIRED_ROLES=["admin", "esihenkilö"])
def test_a_misspelt_required_role_stops_the_system_check():
    with pytest.raises(SystemCheckError, match="TWO_FACTOR_REQUIRED_ROLES names roles that do not exist: esihenkilö"):
        call_command("check")


# --- Setting up -------------------------------------------------------------------------------------


def test_set_up_shows_the_qr_code_and_the_key_of_one_pending_authenticator(password_only, role_users):
    client = password_only(Role.HR_ADMIN)

    first = client.get(reverse("two-factor-set-up"))
    again = client.get(reverse("two-factor-set-up"))

    device = TOTPDevice.objects.get(user=role_users[Role.HR_ADMIN])
    assert device.confirmed is False
    assert b32decode(first.context["secret"].replace(" ", "")) == device.bin_key
    assert again.context["secret"] == first.context["secret"]
    html = first.content.decode()
    assert '<div class="qr-code" role="img"' in html
    assert "<svg" in html and "<?xml" not in html
    assert first.context["form"]["code"].field.widget.attrs["autocomplete"] == "one-time-code"
    assert 'inputmode="numeric"' in html


def test_a_wrong_code_does_not_turn_it_on(password_only, role_users, english):
    client = password_only(Role.HR_ADMIN)
    client.get(reverse("two-factor-set-up"))

    response = client.post(reverse("two-factor-set-up"), {"code": "000000"})

    assert response.status_code == 200
    assert error_texts(response, "form", "code") == [
        "The code is wrong. Enter the six digits your authenticator app shows now."
    ]
    assert 'aria-describedby="id_code_helptext id_code_error"' in response.content.decode()
    assert not TOTPDevice.objects.filter(user=role_users[Role.HR_ADMIN], confirmed=True).exists()


def test_set_up_confirmed_by_a_code_shows_ten_recovery_codes_once_and_opens_the_page_asked_for(
    password_only, role_users
):
    client = password_only(Role.HR_ADMIN)
    next_url = reverse("hrreports:units")
    client.get(with_next("two-factor-set-up", next_url))
    device = TOTPDevice.objects.get(user=role_users[Role.HR_ADMIN])

    confirmed = client.post(reverse("two-factor-set-up"), {"code": totp_code(device), "next": next_url})

    assert confirmed["Location"] == with_next("two-factor-recovery-codes", next_url)
    shown = client.get(confirmed["Location"])
    codes = shown.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=role_users[Role.HR_ADMIN]).values_list("token", flat=True)
    )
    assert shown.context["next"] == next_url
    assert client.get(confirmed["Location"]).context["codes"] is None
    assert client.get(next_url).status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True


def app_code(secret: str) -> str:
    """The code an authenticator app shows now for the key shown on the set-up page."""
    return f"{TOTP(b32decode(secret.replace(' ', ''))).token():06d}"


def test_a_second_session_of_the_user_gets_its_own_key_and_leaves_the_first_nothing_to_confirm(
    password_only, role_users
):
    user = role_users[Role.HR_ADMIN]
    victim, attacker = password_only(Role.HR_ADMIN), password_only(Role.HR_ADMIN)
    victim_secret = victim.get(reverse("two-factor-set-up")).context["secret"]

    attacker_secret = attacker.get(reverse("two-factor-set-up")).context["secret"]
    refused = victim.post(reverse("two-factor-set-up"), {"code": app_code(victim_secret)})

    assert attacker_secret != victim_secret
    assert refused.status_code == 200
    assert refused.context["form"].errors["code"]
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    # The victim starts again and turns it on; the attacker's key was dropped by that new start.
    victim_secret = refused.context["secret"]
    assert victim_secret != attacker_secret
    victim.post(reverse("two-factor-set-up"), {"code": app_code(victim_secret)})
    assert TOTPDevice.objects.get(user=user, confirmed=True).bin_key == b32decode(victim_secret.replace(" ", ""))
    assert TOTPDevice.objects.filter(user=user).count() == 1
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    assert attacker.post(reverse("two-factor-verify"), {"code": app_code(attacker_secret)}).status_code == 200
    assert attacker.get(reverse("hrreports:reports"))["Location"].startswith(reverse("two-factor-verify"))


def test_a_session_confirms_only_its_own_pending_authenticator(password_only, role_users):
    user = role_users[Role.HR_ADMIN]
    first, second = password_only(Role.HR_ADMIN), password_only(Role.HR_ADMIN)
    first.get(reverse("two-factor-set-up"))
    second_secret = second.get(reverse("two-factor-set-up")).context["secret"]

    response = first.post(reverse("two-factor-set-up"), {"code": app_code(second_secret)})

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_a_set_up_left_pending_for_15_minutes_must_start_again(password_only, role_users, english):
    user = role_users[Role.HR_ADMIN]
    client = password_only(Role.HR_ADMIN)
    old_secret = client.get(reverse("two-factor-set-up")).context["secret"]
    TOTPDevice.objects.filter(user=user).update(created_at=timezone.now() - timedelta(minutes=15, seconds=1))

    response = client.post(reverse("two-factor-set-up"), {"code": app_code(old_secret)})

    assert error_texts(response, "form", "code") == [
        "Start the set-up again: no authenticator is waiting for confirmation."
    ]
    assert response.context["secret"] != old_secret
    assert TOTPDevice.objects.get(user=user).confirmed is False
    assert client.get(reverse("two-factor-set-up")).context["secret"] == response.context["secret"]


def test_set_up_is_closed_once_an_authenticator_is_on(password_only, role_users):
    authenticator_give(role_users[Role.HR_ADMIN])

    response = password_only(Role.HR_ADMIN).get(reverse("two-factor-set-up"), follow=True)

    # Someone with only the password cannot add an authenticator of their own.
    assert response.redirect_chain[-1][0].startswith(reverse("two-factor-verify"))
    assert TOTPDevice.objects.filter(user=role_users[Role.HR_ADMIN]).count() == 1


# --- The code at login --------------------------------------------------------------------------------


def test_the_right_code_opens_the_page_asked_for_in_a_new_session(password_only, role_users):
    device = authenticator_give(role_users[Role.SUPERVISOR])
    client = password_only(Role.SUPERVISOR)
    password_session = client.session.session_key
    next_url = reverse("hrreports:reports")

    response = client.post(reverse("two-factor-verify"), {"code": totp_code(device), "next": next_url})

    assert response["Location"] == next_url
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session.session_key != password_session
    assert client.get(next_url).status_code == 200


def test_a_wrong_code_is_refused_with_a_reason(password_only, role_users, english):
    authenticator_give(role_users[Role.SUPERVISOR])
    client = password_only(Role.SUPERVISOR)

    response = client.post(reverse("two-factor-verify"), {"code": "12345"})

    assert response.status_code == 200
    assert error_texts(response, "code_form", "code") == ["Enter the six digits your authenticator app shows."]
    assert client.get(reverse("staff-home"))["Location"].startswith(reverse("two-factor-verify"))


def test_wrong_codes_are_throttled_even_before_the_right_one(password_only, role_users, english):
    device = authenticator_give(role_users[Role.SUPERVISOR])
    client = password_only(Role.SUPERVISOR)
    for _ in range(3):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
        client.post(reverse("two-factor-verify"), {"code": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 3

    response = client.post(reverse("two-factor-verify"), {"code": totp_code(device)})

    # 2^(3-1) seconds after the third wrong code.
    assert error_texts(response, "code_form", "code") == ["Too many wrong codes in a row. Try again in 4 seconds."]
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    assert client.post(reverse("two-factor-verify"), {"code": totp_code(device)})["Location"] == reverse("staff-home")


def test_a_code_is_taken_only_once(password_only, role_users, english):
    device = authenticator_give(role_users[Role.SUPERVISOR])
    code = totp_code(device)
    password_only(Role.SUPERVISOR).post(reverse("two-factor-verify"), {"code": code})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)

    response = password_only(Role.SUPERVISOR).post(reverse("two-factor-verify"), {"code": code})

    assert response.status_code == 200


def test_a_recovery_code_works_once(password_only, role_users, english):
    user = role_users[Role.SUPERVISOR]
    authenticator_give(user)
    code = recovery_codes_generate(user=user)[0]

    first = password_only(Role.SUPERVISOR).post(reverse("two-factor-verify"), {"recovery_code": code.upper()})
    second = password_only(Role.SUPERVISOR).post(reverse("two-factor-verify"), {"recovery_code": code})

    assert first["Location"] == reverse("staff-home")
    assert StaticToken.objects.filter(device__user=user).count() == 9
    assert second.status_code == 200
    assert error_texts(second, "recovery_form", "recovery_code") == ["The recovery code is wrong or already used."]


def test_login_with_a_recovery_code_says_how_many_are_left(password_only, role_users, english):
    user = role_users[Role.SUPERVISOR]
    authenticator_give(user)
    code = recovery_codes_generate(user=user)[0]

    response = password_only(Role.SUPERVISOR).post(reverse("two-factor-verify"), {"recovery_code": code}, follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        "You logged in with a recovery code; 9 are left. Make new ones on the two-factor login page."
    ]


# --- The staff's own two-factor page -------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(client_as, role_users):
    client = client_as(Role.SUPERVISOR)
    old = set(recovery_codes_generate(user=role_users[Role.SUPERVISOR]))
    code = totp_code(authenticator_give(role_users[Role.SUPERVISOR]))

    response = client.post(reverse("two-factor"), {"action": "new-recovery-codes", "code": code})

    new = client.get(response["Location"]).context["codes"]
    stored = set(StaticToken.objects.filter(device__user=role_users[Role.SUPERVISOR]).values_list("token", flat=True))
    assert stored == set(new)
    assert not old & stored


def test_a_required_role_cannot_turn_it_off(client_as, role_users, english):
    client = client_as(Role.HR_ADMIN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("two-factor"), {"action": "turn-off"}, follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        "Your role requires two-factor login: it cannot be turned off."
    ]
    assert response.context["enabled"] is True


def test_an_optional_role_turns_it_on_and_off(password_only, role_users):
    client = password_only(Role.COUNCILLOR)
    client.get(reverse("two-factor-set-up"))
    device = TOTPDevice.objects.get(user=role_users[Role.COUNCILLOR])
    client.post(reverse("two-factor-set-up"), {"code": totp_code(device)})
    assert client.get(reverse("two-factor")).context["codes_left"] == 10

    client.post(reverse("two-factor"), {"action": "turn-off", "code": totp_code(device)})

    assert not TOTPDevice.objects.filter(user=role_users[Role.COUNCILLOR]).exists()
    assert not StaticToken.objects.filter(device__user=role_users[Role.COUNCILLOR]).exists()
    assert client.get(reverse("surveys:results")).status_code == 200


@pytest.mark.parametrize("code", ["", "000000", "kirjain-koodi"])
def test_a_session_without_the_second_factor_at_hand_cannot_replace_the_recovery_codes_or_turn_it_off(
    client_as, role_users, english, code
):
    """Someone at a session left open (or taken over) must not make recovery codes of their own, which
    would let them log in later with the password alone, nor turn the second factor off (ASVS 3.7.1)."""
    user = role_users[Role.COUNCILLOR]
    client = client_as(Role.COUNCILLOR)
    old = set(recovery_codes_generate(user=user))

    renewed = client.post(reverse("two-factor"), {"action": "new-recovery-codes", "code": code}, follow=True)
    turned_off = client.post(reverse("two-factor"), {"action": "turn-off", "code": code}, follow=True)

    for response in (renewed, turned_off):
        assert response.redirect_chain == [(reverse("two-factor"), 302)]
        assert len(list(response.context["messages"])) == 1
        assert response.context["enabled"] is True
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == old
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_the_two_factor_page_says_it_is_on(client_as):
    response = client_as(Role.ADMIN).get(reverse("two-factor"))

    assert 'id="two-factor-state" data-state="on"' in response.content.decode()
