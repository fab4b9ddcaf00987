"""The SMS provider's webhooks: status reports of sent messages, and messages residents send to the
sender number. Like the telephony webhooks they take no session and no CSRF token: each request
must carry the provider's signature over the public address and its parameters. Anything unsigned
or forged gets 403 and changes nothing."""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from surveys.messaging import sms_provider_get
from surveys.messaging.base import SmsProvider
from surveys.models import SmsMessage
from surveys.services.sms import sms_reply_receive, sms_status_receive

logger = logging.getLogger(__name__)


def _signed_by(request, provider_name: str | None) -> SmsProvider | None:
    """The provider that signed the request; None (and a warning) for an unsigned or forged one, or
    for a provider not known (None) or no longer offered by the site (nothing can check its signature)."""
    try:
        provider = sms_provider_get(provider_name) if provider_name else None
    except ImproperlyConfigured:
        provider = None
    if provider is None or not provider.validate_request(request):
        logger.warning("Rejected an unsigned or forged SMS webhook: %s", request.path)
        return None
    return provider


@csrf_exempt
@require_POST
def message_status(request, message_id: int):
    # An unknown message gets the same 403 as a bad signature: the answer reveals no message ids.
    provider_name = SmsMessage.objects.filter(pk=message_id).values_list("provider", flat=True).first()
    provider = _signed_by(request, provider_name)
    if provider is None:
        return HttpResponseForbidden()
    sms_status_receive(message_id=message_id, update=provider.parse_status(request.POST))
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def message_inbound(request):
    # Residents reply to the sender of the site's provider.
    provider = _signed_by(request, settings.SMS_PROVIDER)
    if provider is None:
        return HttpResponseForbidden()
    body, content_type = provider.render_reply(sms_reply_receive(inbound=provider.parse_inbound(request.POST)))
    return HttpResponse(body, content_type=content_type)
