"""Consent evidence: what a person was told and what they chose, as append-only events."""

import uuid

from django.core.exceptions import ValidationError

from surveys.errors import SurveyError
from surveys.models import Campaign, ConsentEvent, ConsentKind


def consent_record(
    *,
    kind: str,
    channel: str,
    campaign: Campaign | None = None,
    contact_ref: uuid.UUID | None = None,
    intro_hash: str = "",
) -> ConsentEvent:
    """Append one event. `intro_hash` (the hash of the exact introduction played) is required for
    INFORMED: the evidence must show which words the person heard."""
    if kind == ConsentKind.INFORMED and not intro_hash:
        raise SurveyError.of("consent_intro_hash_missing")
    event = ConsentEvent(campaign=campaign, contact_ref=contact_ref, kind=kind, channel=channel, intro_hash=intro_hash)
    try:
        event.full_clean()
    except ValidationError as error:
        raise SurveyError.of("consent_event_invalid", errors="; ".join(error.messages)) from None
    event.save()
    return event
