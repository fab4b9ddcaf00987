"""The telephony webhooks: the carrier asks what to say next and reports call statuses.

The only CSRF-exempt views of the portal: the carrier cannot hold a CSRF token, so each request
must instead carry the provider's signature (Twilio's X-Twilio-Signature over the public URL and
its parameters). Anything unsigned or forged gets 403 and changes nothing.
"""

import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from surveys import ivr
from surveys.models import CallAttempt
from surveys.services.dialing import call_status_receive
from surveys.telephony import provider_get
from surveys.telephony.base import TelephonyProvider, Turn

logger = logging.getLogger(__name__)


def signed_webhook(view):
    """Lets through only a request signed by the provider that placed the call it names.

    The signature is checked before anything is read, against the secret of each provider the
    site offers; the view gets the attempt's id and that provider, and its step finds the attempt
    only if that provider placed it, in the step's own locked read (no query of its own for the
    check). An unknown attempt gets the same 403 as a bad signature: the answer reveals no attempt
    ids."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request, attempt_id: int, **kwargs):
        provider = _signed_by(request)
        if provider is not None:
            try:
                return view(request, attempt_id, provider, **kwargs)
            except CallAttempt.DoesNotExist:
                pass
        # The path identifies only an attempt number; no phone number or answer is logged.
        logger.warning("Rejected an unsigned or forged telephony webhook: %s", request.path)
        return HttpResponseForbidden()

    return wrapper


def _signed_by(request) -> TelephonyProvider | None:
    """The provider whose secret signed the request, of those the site offers."""
    for name in settings.TELEPHONY_PROVIDERS:
        provider = _provider(name)
        if provider is not None and provider.validate_request(request):
            return provider
    return None


def _provider(name: str) -> TelephonyProvider | None:
    """The provider; None when the site cannot use it (nothing can check its signature)."""
    try:
        return provider_get(name)
    except ImproperlyConfigured:
        return None


def _spoken(provider: TelephonyProvider, turn: Turn) -> HttpResponse:
    body, content_type = provider.render(turn)
    return HttpResponse(body, content_type=content_type)


@signed_webhook
def ivr_start(request, attempt_id: int, provider):
    return _spoken(provider, ivr.ivr_start(attempt_id=attempt_id, provider=provider.name))


@signed_webhook
def ivr_intro(request, attempt_id: int, provider):
    answer = provider.parse_input(request.POST)
    return _spoken(provider, ivr.ivr_intro_answer(attempt_id=attempt_id, provider=provider.name, answer=answer))


@signed_webhook
def ivr_answer(request, attempt_id: int, provider, position: int):
    answer = provider.parse_input(request.POST)
    turn = ivr.ivr_answer(attempt_id=attempt_id, provider=provider.name, position=position, answer=answer)
    return _spoken(provider, turn)


@signed_webhook
def call_status(request, attempt_id: int, provider):
    call_status_receive(attempt_id=attempt_id, update=provider.parse_status(request.POST), provider=provider)
    return HttpResponse(status=204)
