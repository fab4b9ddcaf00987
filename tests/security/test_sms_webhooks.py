"""The SMS provider's webhooks take no session and no CSRF token: each request must carry the
provider's signature over the public address and the parameters (as the telephony webhooks,
test_webhooks.py). For each address and provider, a missing signature, a wrong one, one over other
parameters and one replayed from another address get 403 and store nothing, where the rightly signed
request stores its report (a status, an opt-out); a rightly signed request sent again changes nothing more."""

import logging

import pytest
from django.conf import settings
from django.urls import reverse
from twilio.request_validator import RequestValidator

from kuntaportaali.access_matrix import CARRIER
from surveys.models import ConsentEvent, Contact, DoNotCall, SmsMessage
from surveys.telephony.simulator import simulator_auth_token
from tests.security.patterns import PATTERNS, pattern_path
from tests.security.world import database_writes

SMS_WEBHOOKS = [
    pattern for pattern in PATTERNS if pattern.page.audience == CARRIER and pattern.name.startswith("telephony:sms-")
]
TWILIO_TOKEN = "twilio-test-auth-token"
PROVIDERS = {"simulator": simulator_auth_token, "twilio": lambda: TWILIO_TOKEN}
# A status report of the world's message and a STOP reply from its number, in Twilio's parameters.
PARAMS = {"MessageSid": "SMSIM1", "MessageStatus": "delivered", "From": "+358401234568", "Body": "STOP"}
FORGERIES = ["missing", "wrong-secret", "other-parameters", "another-address"]


def signature(token: str, path: str, params: dict) -> str:
    return RequestValidator(token).compute_signature(settings.PUBLIC_BASE_URL + path, params)


def signed_post(client, provider: str, path: str, params: dict = PARAMS):
    return client.post(path, params, headers={"X-Twilio-Signature": signature(PROVIDERS[provider](), path, params)})


def stored() -> dict:
    return {
        "messages": list(SmsMessage.objects.order_by("pk").values()),
        "contacts": list(Contact.objects.order_by("pk").values_list("pk", "status")),
        "consent events": ConsentEvent.objects.count(),
        "do-not-call": DoNotCall.objects.count(),
    }


@pytest.fixture
def provider(request, world, settings):
    """The world's message sent through the provider under test, which is the site's SMS provider."""
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.SMS_PROVIDER = request.param
    SmsMessage.objects.filter(pk=world.sms_message.pk).update(provider=request.param)
    return request.param


def test_every_sms_webhook_address_is_checked():
    assert [pattern.name for pattern in SMS_WEBHOOKS] == ["telephony:sms-status", "telephony:sms-inbound"]


@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("provider", list(PROVIDERS), indirect=True)
@pytest.mark.parametrize("webhook", SMS_WEBHOOKS, ids=[pattern.name for pattern in SMS_WEBHOOKS])
def test_a_forged_sms_webhook_is_refused_and_stores_nothing(db, world, client, caplog, provider, webhook, forgery):
    path = pattern_path(world, webhook)
    other_path = next(pattern_path(world, other) for other in SMS_WEBHOOKS if other is not webhook)
    token = PROVIDERS[provider]()
    headers = {
        "missing": {},
        "wrong-secret": {"X-Twilio-Signature": signature("not-the-secret", path, PARAMS)},
        "other-parameters": {"X-Twilio-Signature": signature(token, path, PARAMS | {"Body": "HELLO"})},
        "another-address": {"X-Twilio-Signature": signature(token, other_path, PARAMS)},
    }[forgery]
    before, writes = stored(), database_writes()
    caplog.set_level(logging.WARNING)

    response = client.post(path, PARAMS, headers=headers)

    assert response.status_code == 403
    assert stored() == before
    assert database_writes() == writes
    assert f"Rejected an unsigned or forged SMS webhook: {path}" in caplog.text


@pytest.mark.parametrize("provider", list(PROVIDERS), indirect=True)
def test_a_rightly_signed_status_report_is_stored(db, world, client, provider):
    path = reverse("telephony:sms-status", kwargs={"message_id": world.sms_message.pk})

    response = signed_post(client, provider, path)

    assert response.status_code == 204
    assert SmsMessage.objects.get(pk=world.sms_message.pk).status == "delivered"


@pytest.mark.parametrize("provider", list(PROVIDERS), indirect=True)
def test_a_rightly_signed_stop_reply_opts_the_number_out(db, world, client, provider):
    contact = world.sms_message.contact

    response = signed_post(client, provider, reverse("telephony:sms-inbound"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert "<Message>" in response.content.decode()
    assert DoNotCall.objects.filter(phone_hash=contact.numbers.get().phone_hash, source="sms").exists()
    assert ConsentEvent.objects.filter(kind="opted_out", channel="sms", contact_ref=contact.pseudonym).exists()


@pytest.mark.parametrize("provider", list(PROVIDERS), indirect=True)
@pytest.mark.parametrize("webhook", SMS_WEBHOOKS, ids=[pattern.name for pattern in SMS_WEBHOOKS])
def test_a_replayed_signed_request_changes_nothing_more(db, world, client, provider, webhook):
    """The signature has no nonce: a request captured and sent again is rightly signed. The message's
    and the registry's state make it harmless - no second status change, event or registry entry."""
    path = pattern_path(world, webhook)
    signed_post(client, provider, path)
    before = stored()

    response = signed_post(client, provider, path)

    assert response.status_code in (200, 204)
    assert stored() == before


def test_a_signed_report_of_a_message_that_does_not_exist_gets_the_same_403(db, world, client, settings):
    path = reverse("telephony:sms-status", kwargs={"message_id": world.sms_message.pk + 1000})

    assert signed_post(client, "simulator", path).status_code == 403


def test_a_site_without_an_sms_provider_takes_no_replies(db, world, client, settings):
    settings.SMS_PROVIDERS, settings.SMS_PROVIDER = {}, ""
    before = stored()

    response = signed_post(client, "simulator", reverse("telephony:sms-inbound"))

    assert response.status_code == 403
    assert stored() == before
