"""The telephony webhooks: the carrier asks what to say next and reports call statuses.

The only CSRF-exempt views of the portal: the carrier cannot hold a CSRF token, so each request
must instead carry the provider's signature (X-Twilio-Signature) over the public URL and its
parameters. Anything unsigned or forged gets 403 and changes nothing.
"""

import logging
from functools import wraps

from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from surveys import ivr
from surveys.models import CallAttempt
from surveys.services.dialing import call_status_apply
from surveys.telephony import provider_get

logger = logging.getLogger(__name__)


def signed_webhook(view):
    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request, attempt_id: int, **kwargs):
        # Only what the check needs: the step itself loads (and locks) the attempt with its campaign.
        attempt = CallAttempt.objects.only("pk", "provider", "language").filter(pk=attempt_id).first()
        # An unknown attempt gets the same 403 as a bad signature: the answer reveals no attempt ids.
        if attempt is None or not provider_get(attempt.provider).validate_request(request):
            # The path identifies only an attempt number; no phone number or answer is logged.
            logger.warning("Rejected an unsigned or forged telephony webhook: %s", request.path)
            return HttpResponseForbidden()
        return view(request, attempt, **kwargs)

    return wrapper


def _twiml(xml: str) -> HttpResponse:
    return HttpResponse(xml, content_type="text/xml; charset=utf-8")


def _confidence(request) -> float | None:
    try:
        return float(request.POST["Confidence"])
    except (KeyError, ValueError):
        return None


@signed_webhook
def ivr_start(request, attempt):
    return _twiml(ivr.ivr_start(attempt=attempt))


@signed_webhook
def ivr_intro(request, attempt):
    return _twiml(
        ivr.ivr_intro_answer(
            attempt=attempt, digits=request.POST.get("Digits", ""), speech=request.POST.get("SpeechResult", "")
        )
    )


@signed_webhook
def ivr_answer(request, attempt, position: int):
    return _twiml(
        ivr.ivr_answer(
            attempt=attempt,
            position=position,
            digits=request.POST.get("Digits", ""),
            speech=request.POST.get("SpeechResult", ""),
            confidence=_confidence(request),
        )
    )


@signed_webhook
def call_status(request, attempt):
    update = provider_get(attempt.provider).parse_status(request.POST)
    call_status_apply(attempt_id=attempt.pk, update=update)
    return HttpResponse(status=204)
