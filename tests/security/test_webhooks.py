"""The telephony webhooks take no session and no CSRF token: each request must carry its provider's
signature over the public address and the parameters. For every webhook address and provider, a
missing signature, a wrong one, one over other parameters, one replayed from another address and one
by another provider than the call's get 403 and store nothing, where the rightly signed request
stores the call's step; a rightly signed request sent again changes nothing more."""

import logging

import pytest
from django.conf import settings
from django.urls import reverse
from twilio.request_validator import RequestValidator

from kuntaportaali.access_matrix import CARRIER
from surveys.models import (
    Answer,
    AnsweredBy,
    CallAttempt,
    CallStatus,
    Campaign,
    CampaignStatus,
    ConsentEvent,
    Contact,
    ContactStatus,
    DoNotCall,
    Response,
)
from surveys.telephony.simulator import simulator_auth_token
from tests.security.patterns import PATTERNS, pattern_path
from tests.security.world import database_writes

# The telephony provider's webhooks; the SMS provider's are test_sms_webhooks.py's.
WEBHOOKS = [
    pattern
    for pattern in PATTERNS
    if pattern.page.audience == CARRIER and not pattern.name.startswith("telephony:sms-")
]
TWILIO_TOKEN = "twilio-test-auth-token"
PROVIDERS = {"simulator": simulator_auth_token, "twilio": lambda: TWILIO_TOKEN}
PARAMS = {"CallSid": "SIM1", "CallStatus": "completed", "Digits": "1", "SpeechResult": "kyllä"}
FORGERIES = ["missing", "wrong-secret", "other-parameters", "another-address", "another-provider"]


def signature(token: str, path: str, params: dict) -> str:
    return RequestValidator(token).compute_signature(settings.PUBLIC_BASE_URL + path, params)


def stored() -> dict:
    return {
        "consent events": ConsentEvent.objects.count(),
        "answers": Answer.objects.count(),
        "responses": Response.objects.count(),
        "do-not-call": DoNotCall.objects.count(),
        "attempts": list(CallAttempt.objects.order_by("pk").values()),
    }


@pytest.fixture
def provider(request, world, settings):
    """The world's call attempt placed through the provider under test, ringing a person now: each
    rightly signed webhook request changes something, so "stores nothing" can fail."""
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    attempt = world.attempt
    Campaign.objects.filter(pk=attempt.contact.campaign_id).update(status=CampaignStatus.RUNNING)
    Contact.objects.filter(pk=attempt.contact_id).update(status=ContactStatus.IN_PROGRESS)
    Response.objects.filter(pseudonym=attempt.contact.pseudonym).delete()  # answered in an earlier call
    CallAttempt.objects.filter(pk=attempt.pk).update(
        provider=request.param,
        status=CallStatus.RINGING,
        provider_call_id="SIM1",
        answered_by=AnsweredBy.HUMAN,
        answered_at=None,
        current_step="",
    )
    return request.param


def signed_post(client, provider: str, path: str, params: dict = PARAMS):
    return client.post(path, params, headers={"X-Twilio-Signature": signature(PROVIDERS[provider](), path, params)})


def call_up_to(client, world, provider: str, webhook) -> None:
    """Play the call's earlier steps, rightly signed, so that the request to `webhook` is the one the
    call waits for: signed, it would store something (the introduction's consent, the first answer)."""
    attempt_id = world.attempt.pk
    steps = {
        "telephony:ivr-intro": ["telephony:ivr-start"],
        "telephony:ivr-answer": ["telephony:ivr-start", "telephony:ivr-intro"],
    }.get(webhook.name, [])
    for step in steps:
        assert signed_post(client, provider, reverse(step, kwargs={"attempt_id": attempt_id})).status_code == 200


def test_every_webhook_address_is_checked():
    assert [pattern.name for pattern in WEBHOOKS] == [
        "telephony:ivr-start",
        "telephony:ivr-intro",
        "telephony:ivr-answer",
        "telephony:call-status",
    ]


@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("provider", list(PROVIDERS), indirect=True)
@pytest.mark.parametrize("webhook", WEBHOOKS, ids=[pattern.name for pattern in WEBHOOKS])
def test_a_forged_webhook_is_refused_and_stores_nothing(db, world, client, caplog, provider, webhook, forgery):
    path = pattern_path(world, webhook)
    other_path = next(pattern_path(world, other) for other in WEBHOOKS if other is not webhook)
    token = PROVIDERS[provider]()
    other_token = next(secret() for name, secret in PROVIDERS.items() if name != provider)
    headers = {
        "missing": {},
        "wrong-secret": {"X-Twilio-Signature": signature("not-the-secret", path, PARAMS)},
        "other-parameters": {"X-Twilio-Signature": signature(token, path, PARAMS | {"Digits": "2"})},
        "another-address": {"X-Twilio-Signature": signature(token, other_path, PARAMS)},
        # Rightly signed by a provider the site offers, but not the one that placed the call.
        "another-provider": {"X-Twilio-Signature": signature(other_token, path, PARAMS)},
    }[forgery]
    call_up_to(client, world, provider, webhook)
    before, writes = stored(), database_writes()
    caplog.set_level(logging.WARNING)

    response = client.post(path, PARAMS, headers=headers)

    assert response.status_code == 403
    assert stored() == before
    assert database_writes() == writes
    assert f"Rejected an unsigned or forged telephony webhook: {path}" in caplog.text


@pytest.mark.parametrize("provider", list(PROVIDERS), indirect=True)
@pytest.mark.parametrize("webhook", WEBHOOKS, ids=[pattern.name for pattern in WEBHOOKS])
def test_the_rightly_signed_webhook_is_let_through_and_stores_its_step(db, world, client, provider, webhook):
    path = pattern_path(world, webhook)
    call_up_to(client, world, provider, webhook)
    before = stored()

    response = signed_post(client, provider, path)

    assert response.status_code in (200, 204)
    assert stored() != before


@pytest.mark.parametrize("provider", list(PROVIDERS), indirect=True)
@pytest.mark.parametrize("webhook", WEBHOOKS, ids=[pattern.name for pattern in WEBHOOKS])
def test_a_replayed_signed_request_changes_nothing_more(db, world, client, provider, webhook):
    """The provider's signature has no nonce: a request captured and sent again is rightly signed. The
    call's state makes it harmless - no second consent, answer or status change."""
    path = pattern_path(world, webhook)
    call_up_to(client, world, provider, webhook)
    signed_post(client, provider, path)
    before = stored()

    response = signed_post(client, provider, path)

    assert response.status_code in (200, 204)
    assert stored() == before
