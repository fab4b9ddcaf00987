"""The second login factor of staff: a TOTP authenticator app, and single-use recovery codes for when
the phone is not at hand. Built on django-otp's devices (`otp_totp`, `otp_static`) and its throttling.

Who must have it is data: the roles of TWO_FACTOR_REQUIRED_ROLES (superusers count as admin), unless
the demo turned the requirement off. Anyone else may turn it on; whoever has it is asked for it.
"""

import enum
import io
import math
import re
from base64 import b32encode
from datetime import datetime, timedelta

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import ALL_PERMISSIONS, ROLE_PERMISSIONS, Role

AUTHENTICATOR_NAME = "authenticator"
RECOVERY_CODES_NAME = "recovery codes"
# How long a set-up may wait for its first code before it must start again with a new key.
AUTHENTICATOR_SET_UP_TIME = timedelta(minutes=15)
_TOTP_CODE = re.compile(r"\d{6}")


class TwoFactorError(Exception):
    """A code that was refused, or a change that is not allowed; the message says why to the user."""


class TwoFactorStep(enum.Enum):
    """What a signed-in user still has to do before the staff pages open."""

    NONE = "none"
    SET_UP = "set-up"
    VERIFY = "verify"


def two_factor_required(user) -> bool:
    """Whoever has a required role, or any permission of one: access is granted by permission, and the
    admin may give one directly or through a group of their own."""
    if settings.TWO_FACTOR_DEMO_OFF or not user.is_authenticated:
        return False
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    if user.is_superuser and Role.ADMIN.value in required:
        return True
    if user.groups.filter(name__in=required).exists():
        return True
    # has_perm caches the user's permissions for the request; the views check them with it anyway.
    return any(user.has_perm(permission) for permission in _required_permissions(required))


def two_factor_enabled(user) -> bool:
    return _authenticator(user) is not None


def two_factor_step(user) -> TwoFactorStep:
    """NONE for a user verified in this session or one who neither has nor needs a second factor."""
    if not user.is_authenticated or user.is_verified():
        return TwoFactorStep.NONE
    if two_factor_enabled(user):
        return TwoFactorStep.VERIFY
    if two_factor_required(user):
        return TwoFactorStep.SET_UP
    return TwoFactorStep.NONE


def authenticator_pending(*, user, device_id: int | None) -> TOTPDevice:
    """The not yet confirmed authenticator this session is setting up (`device_id`, kept in the session):
    the same one (and QR code) until confirmed, so reloading the set-up page does not invalidate an app
    already scanned.

    A session without one, or whose one was replaced or is older than AUTHENTICATOR_SET_UP_TIME, gets a
    new one, and the user's other unconfirmed authenticators go: another session of the user (someone
    else with the password) never sees this key, and only the newest set-up can be confirmed.
    """
    if two_factor_enabled(user):
        raise TwoFactorError(_("Two-factor login is already on."))
    with transaction.atomic():
        _lock(user)
        device = _pending_authenticators(user, device_id).first()
        if device is None:
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def authenticator_confirm(*, user, device_id: int | None, token: str) -> tuple[TOTPDevice, list[str]]:
    """Turn this session's pending authenticator on with a code from the app; returns it and the first
    recovery codes."""
    token = _totp_code(token)
    with transaction.atomic():
        _lock(user)
        device = _pending_authenticators(user, device_id).select_for_update().first()
        if device is None:
            raise TwoFactorError(_("Start the set-up again: no authenticator is waiting for confirmation."))
        refusal = _verify(device, token)
        if refusal is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            return device, recovery_codes_generate(user=user)
    # Raised after the commit: the failure stays counted for django-otp's throttling.
    raise TwoFactorError(refusal)


@transaction.atomic
def recovery_codes_generate(*, user) -> list[str]:
    """New single-use recovery codes; the old ones stop working. Shown to the user once, by the caller."""
    if not two_factor_enabled(user):
        raise TwoFactorError(_("Turn two-factor login on first."))
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_CODES_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_verify(*, user, token: str) -> Device:
    """The device that accepts the code: the authenticator for six digits, else a recovery code (used up).

    Wrong codes count towards django-otp's throttling of that device, which then refuses even the right
    code until the wait is over.
    """
    token = "".join(token.split())
    if token.isdigit():
        token, model = _totp_code(token), TOTPDevice
    else:
        token, model = token.replace("-", "").lower(), StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            refusal = _("The code is wrong. Enter the six digits your authenticator app shows now.")
        else:
            refusal = _verify(device, token)
        if refusal is None:
            return device
    # Raised after the commit: the failure stays counted for django-otp's throttling.
    raise TwoFactorError(refusal)


def recovery_codes_renew(*, user, token: str) -> list[str]:
    """New recovery codes for a user who gives the second factor again (`two_factor_verify`): whoever
    sits at a session left open must not make codes of their own, which open a later login with the
    password alone (ASVS 3.7.1)."""
    _change_confirm(user, token)
    return recovery_codes_generate(user=user)


def two_factor_turn_off(*, user, token: str) -> None:
    """Off for a user whose role does not require it, given the second factor again (as above)."""
    if two_factor_required(user):
        raise TwoFactorError(_("Your role requires two-factor login: it cannot be turned off."))
    _change_confirm(user, token)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def _change_confirm(user, token: str) -> None:
    if not token.strip():
        raise TwoFactorError(_("Enter the six digits your authenticator app shows."))
    two_factor_verify(user=user, token=token)


def authenticator_secret(device: TOTPDevice) -> str:
    """The key as an app asks for it when typed in by hand: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def authenticator_qr_svg(device: TOTPDevice) -> str:
    """The app's set-up link as a QR code, an inline SVG (the page loads nothing from elsewhere)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=4)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode("utf-8")
    # Drop the XML declaration: the SVG goes inside the page's HTML.
    return svg[svg.index("<svg") :]


def _totp_code(token: str) -> str:
    token = "".join(token.split())
    if not _TOTP_CODE.fullmatch(token):
        raise TwoFactorError(_("Enter the six digits your authenticator app shows."))
    return token


def _required_permissions(required_roles: set[str]) -> set[str]:
    """The permissions of the required roles; the admin's all-permissions is the admin group, above."""
    return {
        permission
        for role, permissions in ROLE_PERMISSIONS.items()
        if role.value in required_roles and permissions != ALL_PERMISSIONS
        for permission in permissions
    }


def _pending_authenticators(user, device_id: int | None):
    """The session's unconfirmed authenticator, unless older than AUTHENTICATOR_SET_UP_TIME (or from
    before django-otp kept the creation time)."""
    return TOTPDevice.objects.filter(
        user=user, pk=device_id, confirmed=False, created_at__gte=timezone.now() - AUTHENTICATOR_SET_UP_TIME
    )


def _lock(user) -> None:
    """One set-up step of the user at a time: two sessions starting or confirming at once could otherwise
    each keep a pending authenticator and both turn theirs on."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").get()


def _authenticator(user) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _verify(device, token: str) -> str | None:
    """None when the device accepts the token, else why not (a wrong code, or a wait still running)."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return _throttled_message(details["locked_until"])
    if device.verify_token(token):
        return None
    if isinstance(device, StaticDevice):
        return _("The recovery code is wrong or already used.")
    return _("The code is wrong. Enter the six digits your authenticator app shows now.")


def _throttled_message(locked_until: datetime) -> str:
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return ngettext(
        "Too many wrong codes in a row. Try again in %(seconds)d second.",
        "Too many wrong codes in a row. Try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}
