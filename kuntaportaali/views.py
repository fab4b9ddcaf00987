from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from surveys.selectors import public_campaigns_current

from .decorators import staff_permission_required
from .forms import PortalAuthenticationForm
from .health import health_details_allowed, system_health
from .heartbeat import heartbeats_request
from .login_throttle import KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_DAYS, known_device_token
from .roles import user_roles
from .system_tables import WorkerHeartbeatTable


class LoginView(auth_views.LoginView):
    """Django's login, which also marks the browser as one the user logs in from
    (kuntaportaali/login_throttle.py: guessers cannot make the real user wait there)."""

    authentication_form = PortalAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        response.set_cookie(
            KNOWN_DEVICE_COOKIE,
            known_device_token(form.get_user().get_username()),
            max_age=KNOWN_DEVICE_DAYS * 24 * 3600,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response


def login_locked_out(request, original_response=None, credentials=None):
    """Axes calls this instead of the login view once a username is locked out."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


def set_language(request):
    """Django's language switch, reading `next` in the language of its own address.

    Django translates `next` (/fi/kyselyt/x/ -> /sv/enkater/x/) by resolving it in the active
    language, which here is the one chosen earlier: a /fi/ page resolves in Finnish only, so after
    choosing Swedish once, the switch back from a Finnish page would stay on it."""
    next_url = request.POST.get("next", request.GET.get("next", ""))
    with translation.override(translation.get_language_from_path(urlsplit(next_url).path) or get_language()):
        return i18n.set_language(request)


def public_home(request):
    return render(request, "public/home.html", {"current": public_campaigns_current(language=get_language())})


@login_required
def staff_home(request):
    return render(request, "staff/home.html", {"roles": user_roles(request.user)})


@require_http_methods(["GET", "POST"])
@staff_permission_required("kuntaportaali.view_system_status")
def system_status(request):
    if request.method == "POST":
        heartbeats_request()
        messages.success(request, _("Every queue's worker was asked for a heartbeat. Reload in a moment."))
        return redirect("system-status")
    health = system_health()
    heartbeats = WorkerHeartbeatTable(health.queues, caption=_("Worker heartbeats per queue"))
    return render(request, "staff/system_status.html", {"health": health, "heartbeats": heartbeats})


@never_cache
@require_GET
def healthz(request):
    """The status for anyone (a load balancer needs no more); which checks fail and the workers'
    heartbeat ages only for monitoring: from an internal address or with HEALTHZ_TOKEN."""
    report = system_health()
    answer = report.as_dict() if health_details_allowed(request) else {"status": report.as_dict()["status"]}
    return JsonResponse(answer, status=200 if report.ok else 503)
