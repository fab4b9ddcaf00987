"""The telephony webhooks take no session and no CSRF token: each request must carry its provider's
signature over the public address and the parameters. For every webhook address and provider, a
missing signature, a wrong one, one over other parameters and one replayed from another address get
403 and store nothing; the rightly signed request is let through."""

import logging

import pytest
from django.conf import settings
from twilio.request_validator import RequestValidator

from kuntaportaali.access_matrix import CARRIER
from surveys.models import Answer, CallAttempt, ConsentEvent, DoNotCall, Response
from surveys.telephony.simulator import simulator_auth_token
from tests.security.patterns import PATTERNS, pattern_path
from tests.security.world import database_writes

WEBHOOKS = [pattern for pattern in PATTERNS if pattern.page.audience == CARRIER]
TWILIO_TOKEN = "twilio-test-auth-token"
PROVIDERS = {"simulator": simulator_auth_token, "twilio": lambda: TWILIO_TOKEN}
PARAMS = {"CallSid": "SIM1", "CallStatus": "completed", "Digits": "1", "SpeechResult": "kyllä"}
FORGERIES = ["missing", "wrong-secret", "other-parameters", "another-address"]


def signature(token: str, path: str, params: dict) -> str:
    return RequestValidator(token).compute_signature(settings.PUBLIC_BASE_URL + path, params)


def stored() -> dict:
    return {
        "consent events": ConsentEvent.objects.count(),
        "answers": Answer.objects.count(),
        "responses": Response.objects.count(),
        "do-not-call": DoNotCall.objects.count(),
        "attempts": list(CallAttempt.objects.order_by("pk").values_list("pk", "status", "answered_by")),
    }


@pytest.fixture
def provider(request, world, settings):
    """The world's call attempt placed through the provider under test."""
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    CallAttempt.objects.filter(pk=world.attempt.pk).update(provider=request.param)
    return request.param


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
    headers = {
        "missing": {},
        "wrong-secret": {"X-Twilio-Signature": signature("not-the-secret", path, PARAMS)},
        "other-parameters": {"X-Twilio-Signature": signature(token, path, PARAMS | {"Digits": "2"})},
        "another-address": {"X-Twilio-Signature": signature(token, other_path, PARAMS)},
    }[forgery]
    before, writes = stored(), database_writes()
    caplog.set_level(logging.WARNING)

    response = client.post(path, PARAMS, headers=headers)

    assert response.status_code == 403
    assert stored() == before
    assert database_writes() == writes
    assert f"Rejected an unsigned or forged telephony webhook: {path}" in caplog.text


@pytest.mark.parametrize("provider", list(PROVIDERS), indirect=True)
@pytest.mark.parametrize("webhook", WEBHOOKS, ids=[pattern.name for pattern in WEBHOOKS])
def test_the_rightly_signed_webhook_is_let_through(db, world, client, provider, webhook):
    path = pattern_path(world, webhook)

    response = client.post(path, PARAMS, headers={"X-Twilio-Signature": signature(PROVIDERS[provider](), path, PARAMS)})

    assert response.status_code in (200, 204)
