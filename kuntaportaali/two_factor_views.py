"""The second login step, setting up an authenticator, recovery codes and the staff's own two-factor page."""

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import two_factor
from .forms import AuthenticatorCodeForm, RecoveryCodeForm
from .two_factor import TwoFactorError, TwoFactorStep

# The recovery codes just made, kept in the session until the page that shows them once.
NEW_RECOVERY_CODES_SESSION_KEY = "kuntaportaali_new_recovery_codes"
# The authenticator this session is setting up: only this session sees its key and may confirm it.
PENDING_AUTHENTICATOR_SESSION_KEY = "kuntaportaali_pending_authenticator"


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def verify(request):
    step = two_factor.two_factor_step(request.user)
    if step is TwoFactorStep.SET_UP:
        return redirect(_with_next(reverse("two-factor-set-up"), request))
    if step is TwoFactorStep.NONE:
        return redirect(_next_url(request))

    code_form, recovery_form = AuthenticatorCodeForm(), RecoveryCodeForm()
    if request.method == "POST":
        if "recovery_code" in request.POST:
            recovery_form = form = RecoveryCodeForm(request.POST)
            field = "recovery_code"
        else:
            code_form = form = AuthenticatorCodeForm(request.POST)
            field = "code"
        if form.is_valid():
            try:
                device = two_factor.two_factor_verify(user=request.user, token=form.cleaned_data[field])
            except TwoFactorError as error:
                form.add_error(field, str(error))
            else:
                _session_verify(request, device)
                if field == "recovery_code":
                    messages.warning(request, _recovery_code_used_message(request.user))
                return redirect(_next_url(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"code_form": code_form, "recovery_form": recovery_form, "next": _next_url(request)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def set_up(request):
    if two_factor.two_factor_enabled(request.user):
        return redirect(_with_next(reverse("two-factor"), request))
    form = AuthenticatorCodeForm()
    if request.method == "POST":
        form = AuthenticatorCodeForm(request.POST)
        if form.is_valid():
            try:
                device, codes = two_factor.authenticator_confirm(
                    user=request.user,
                    device_id=request.session.get(PENDING_AUTHENTICATOR_SESSION_KEY),
                    token=form.cleaned_data["code"],
                )
            except TwoFactorError as error:
                form.add_error("code", str(error))
            else:
                del request.session[PENDING_AUTHENTICATOR_SESSION_KEY]
                _session_verify(request, device)
                return _show_recovery_codes(request, codes)
    device = two_factor.authenticator_pending(
        user=request.user, device_id=request.session.get(PENDING_AUTHENTICATOR_SESSION_KEY)
    )
    request.session[PENDING_AUTHENTICATOR_SESSION_KEY] = device.pk
    return render(
        request,
        "registration/two_factor_set_up.html",
        {
            "form": form,
            "qr_svg": two_factor.authenticator_qr_svg(device),
            "secret": two_factor.authenticator_secret(device),
            "required": two_factor.two_factor_required(request.user),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
def recovery_codes(request):
    """The new recovery codes, once: a reload shows that they were already shown."""
    codes = request.session.pop(NEW_RECOVERY_CODES_SESSION_KEY, None)
    return render(request, "staff/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def settings_page(request):
    user = request.user
    if request.method == "POST":
        action, code = request.POST.get("action"), request.POST.get("code", "")
        try:
            if action == "new-recovery-codes":
                return _show_recovery_codes(request, two_factor.recovery_codes_renew(user=user, token=code))
            if action == "turn-off":
                two_factor.two_factor_turn_off(user=user, token=code)
                messages.success(request, _("Two-factor login is off."))
                return redirect("two-factor")
        except TwoFactorError as error:
            messages.error(request, str(error))
            return redirect("two-factor")
    return render(
        request,
        "staff/two_factor.html",
        {
            "enabled": two_factor.two_factor_enabled(user),
            "required": two_factor.two_factor_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
        },
    )


def _session_verify(request, device) -> None:
    # A new session key once the second factor is given, as after the password.
    request.session.cycle_key()
    django_otp.login(request, device)


def _show_recovery_codes(request, codes: list[str]):
    request.session[NEW_RECOVERY_CODES_SESSION_KEY] = codes
    return redirect(_with_next(reverse("two-factor-recovery-codes"), request))


def _recovery_code_used_message(user) -> str:
    left = two_factor.recovery_codes_left(user)
    return ngettext(
        "You logged in with a recovery code; %(count)d is left. Make new ones on the two-factor login page.",
        "You logged in with a recovery code; %(count)d are left. Make new ones on the two-factor login page.",
        left,
    ) % {"count": left}


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, request) -> str:
    return f"{url}?{urlencode({'next': _next_url(request)})}"
