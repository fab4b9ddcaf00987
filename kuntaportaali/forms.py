from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .login_throttle import KNOWN_DEVICE_COOKIE, known_device_of, login_try_begin, login_try_void


class UsernameThrottled:
    """Refuses a login try for a user name that must still wait (kuntaportaali/login_throttle.py)
    before the password is checked; a try axes refuses counts for nothing."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()  # no password is checked: nothing to count
        login_try = login_try_begin(
            username,
            now=timezone.now(),
            known_device=known_device_of(self.request.COOKIES.get(KNOWN_DEVICE_COOKIE, ""), username),
        )
        if login_try.wait:
            raise ValidationError(
                ngettext(
                    "There have been many failed logins for this user name. Try again in %(seconds)d second.",
                    "There have been many failed logins for this user name. Try again in %(seconds)d seconds.",
                    login_try.wait,
                ),
                code="throttled",
                params={"seconds": login_try.wait},
            )
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                login_try_void(login_try)
            raise


class PortalAuthenticationForm(UsernameThrottled, AuthenticationForm):
    pass


class PortalAdminAuthenticationForm(UsernameThrottled, AdminAuthenticationForm):
    pass


class AuthenticatorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the authenticator app"),
        help_text=_("Six digits; the app shows a new code every 30 seconds."),
        max_length=7,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label=_("Recovery code"),
        help_text=_("One of the codes you saved when you turned two-factor login on. Each works once."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "size": 12}
        ),
    )


def service_error_add(form: forms.BaseForm, error) -> None:
    """A service's refusal (a CodedError) on the form field it is about, marked invalid and linked from the
    form's summary of errors: the field the error names itself (an HR error's `field`, where the field
    depends on the value refused), else the form's `SERVICE_ERROR_FIELDS` (error code: field); on the whole
    form when neither names one of the form's fields."""
    field = getattr(error, "field", None) or getattr(form, "SERVICE_ERROR_FIELDS", {}).get(error.code)
    form.add_error(field if field in form.fields else None, str(error))
