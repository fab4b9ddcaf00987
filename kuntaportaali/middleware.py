import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import ngettext
from django.utils.translation.trans_real import parse_accept_lang_header

from .two_factor import TwoFactorStep, two_factor_step


class ChosenLanguageMiddleware:
    """The language of a page: the one in a residents' page address (/fi/..., /sv/..., /en/...); else
    the one the visitor picked with the switcher (its cookie); else, on a first visit, the browser's
    Accept-Language as below; else Finnish.

    Finnish and Swedish are the municipality's own languages: the one the browser ranks higher of the
    two wins wherever it stands in the list. Many residents' devices are set to English although their
    owners expect their municipality's portal in Finnish or Swedish, so English is taken from the
    browser only when it is the browser's first choice and neither Finnish nor Swedish is listed at
    all; every page offers the switcher for anyone this guesses wrong. The browser's language is not
    stored, the switcher's choice is.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = translation.get_language_from_path(request.path_info)
        language_from_address = language is not None
        if not language_from_address:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            if language not in self.languages:
                language = browser_language(request.headers.get("Accept-Language", ""))
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if not language_from_address:
            # A cache must not give one visitor's language to another.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


MUNICIPALITY_LANGUAGES = ("fi", "sv")


def browser_language(accept_language: str) -> str:
    """The page language for a browser's Accept-Language header on a first visit (see
    ChosenLanguageMiddleware): Finnish or Swedish as the browser ranks them, English only as the
    browser's first choice with neither of those listed, otherwise Finnish."""
    # Ranked by quality, highest first; quality 0 means "not this language".
    ranked = [tag.split("-")[0] for tag, quality in parse_accept_lang_header(accept_language) if quality > 0]
    offered = {code for code, _name in settings.LANGUAGES}
    municipal = [language for language in ranked if language in MUNICIPALITY_LANGUAGES and language in offered]
    if municipal:
        return municipal[0]
    if ranked[:1] == ["en"] and "en" in offered:
        return "en"
    return settings.LANGUAGE_CODE


class SignedInNoStoreMiddleware:
    """What a signed-in user opens - salaries, absences, answers, their downloads - is kept in no cache:
    the browser's copy would outlive the logout on a shared computer, a proxy's would serve it to
    others (ASVS 8.2.1). A response that says how it may be cached keeps its own say; the residents'
    pages, seen without a login, may be cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


SIGNED_IN_COOKIE = "kuntaportaali_signed_in"
LOGIN_TIME_SESSION_KEY = "kuntaportaali_login_at"


def session_login_time_store(sender, request, user, **kwargs):
    """Connected to `user_logged_in`: the start of the session's SESSION_MAX_HOURS."""
    request.session[LOGIN_TIME_SESSION_KEY] = int(time.time())


class SessionLimitsMiddleware:
    """Ends a session SESSION_MAX_HOURS after its login whatever the activity, and says on the next page
    why a session ended.

    Idle sessions are ended by Django itself (SESSION_COOKIE_AGE, renewed by every request); the
    session is then simply gone. A cookie that lives as long as the browser marks that this browser was
    signed in, so a request without a session but with the mark comes from a session that ended.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ended_message = None
        if request.user.is_authenticated:
            login_at = request.session.get(LOGIN_TIME_SESSION_KEY)
            if login_at is None or time.time() - login_at > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
                ended_message = ngettext(
                    "You were logged out: a session lasts at most %(hours)d hour from the login.",
                    "You were logged out: a session lasts at most %(hours)d hours from the login.",
                    settings.SESSION_MAX_HOURS,
                ) % {"hours": settings.SESSION_MAX_HOURS}
        elif request.COOKIES.get(SIGNED_IN_COOKIE):
            ended_message = ngettext(
                "Your session has ended: you are logged out after %(minutes)d minute without activity.",
                "Your session has ended: you are logged out after %(minutes)d minutes without activity.",
                settings.SESSION_IDLE_MINUTES,
            ) % {"minutes": settings.SESSION_IDLE_MINUTES}
        if ended_message:
            messages.info(request, ended_message)

        response = self.get_response(request)

        signed_in = request.user.is_authenticated
        if signed_in and not request.COOKIES.get(SIGNED_IN_COOKIE):
            response.set_cookie(
                SIGNED_IN_COOKIE,
                "1",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
        elif not signed_in and request.COOKIES.get(SIGNED_IN_COOKIE):
            response.delete_cookie(SIGNED_IN_COOKIE, samesite=settings.SESSION_COOKIE_SAMESITE)
        return response


# Pages a signed-in user who still owes the second factor may open: its own steps, logging out and the
# language switch. The residents' pages, /healthz and the telephony webhooks are not staff pages.
TWO_FACTOR_OPEN_URL_NAMES = {"two-factor-verify", "two-factor-set-up", "logout", "set_language"}
PUBLIC_URL_NAMES = {"public-home", "healthz"}
PUBLIC_NAMESPACES = {"surveys-public", "telephony"}


class TwoFactorMiddleware:
    """A signed-in user who must give a second factor and has not yet done so in this session gets only
    the two-factor pages: every staff page (the Django admin and its RQ dashboard too) redirects to the
    set-up or to the code, keeping the page asked for in `next`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match.url_name in TWO_FACTOR_OPEN_URL_NAMES | PUBLIC_URL_NAMES or match.namespace in PUBLIC_NAMESPACES:
            return None
        step = two_factor_step(request.user)
        if step is TwoFactorStep.NONE:
            return None
        url_name = "two-factor-set-up" if step is TwoFactorStep.SET_UP else "two-factor-verify"
        return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")
