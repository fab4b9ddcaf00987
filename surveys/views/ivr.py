"""The telephony webhooks: the carrier asks what to say next and reports call statuses.

The only CSRF-exempt views of the portal: the carrier cannot hold a CSRF token, so each request
must instead carry the provider's signature (Twilio's X-Twilio-Signature over the public URL and
its parameters). Anything unsigned or forged gets 403 and changes nothing.
"""

import logging
from functools import wraps

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
    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request, attempt_id: int, **kwargs):
        # Only what the check needs: the step itself loads (and locks) the attempt with its campaign.
        attempt = CallAttempt.objects.only("pk", "provider", "language").filter(pk=attempt_id).first()
        provider = _provider(attempt.provider) if attempt is not None else None
        # An unknown attempt gets the same 403 as a bad signature: the answer reveals no attempt ids.
        if provider is None or not provider.validate_request(request):
            # The path identifies only an attempt number; no phone number or answer is logged.
            logger.warning("Rejected an unsigned or forged telephony webhook: %s", request.path)
            return HttpResponseForbidden()
        return view(request, attempt, provider, **kwargs)

    return wrapper


def _provider(name: str) -> TelephonyProvider | None:
    """The attempt's provider; None when the site no longer offers it (nothing can check its signature)."""
    try:
        return provider_get(name)
    except ImproperlyConfigured:
        return None


def _spoken(provider: TelephonyProvider, turn: Turn) -> HttpResponse:
    body, content_type = provider.render(turn)
    return HttpResponse(body, content_type=content_type)


@signed_webhook
def ivr_start(request, attempt, provider):
    return _spoken(provider, ivr.ivr_start(attempt=attempt))


@signed_webhook
def ivr_intro(request, attempt, provider):
    return _spoken(provider, ivr.ivr_intro_answer(attempt=attempt, answer=provider.parse_input(request.POST)))


@signed_webhook
def ivr_answer(request, attempt, provider, position: int):
    answer = provider.parse_input(request.POST)
    return _spoken(provider, ivr.ivr_answer(attempt=attempt, position=position, answer=answer))


@signed_webhook
def call_status(request, attempt, provider):
    call_status_receive(attempt_id=attempt.pk, update=provider.parse_status(request.POST), provider=provider)
    return HttpResponse(status=204)
