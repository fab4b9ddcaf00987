"""The sender of the portal's text messages (SMS_SENDER), as Finnish operators deliver them.

From 4 May 2026 (Traficom regulation 28 L/2025 M, stricter from 2 November 2026) operators deliver
messages only from sender IDs authorized through the SMS service provider: a Finnish number of the
municipality, or a name of at most 11 letters, digits and spaces. A name is one-way: nobody can
reply to it, so a message from a name must not ask for replies.

Kept free of the portal's models: the production settings check SMS_SENDER with it at start-up.
"""

import re
from dataclasses import dataclass

import phonenumbers

FINNISH_COUNTRY_CODE = 358
# An alphanumeric sender ID: up to 11 characters of the GSM alphabet's letters, digits and spaces,
# at least one of them a letter (all digits would be read as a number).
SENDER_NAME = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")


@dataclass(frozen=True)
class SmsSender:
    value: str  # E.164 for a number
    takes_replies: bool


class InvalidSender(ValueError):
    """SMS_SENDER is neither a Finnish number nor a sender name; the message says why."""


def sms_sender_read(raw: str) -> SmsSender:
    text = (raw or "").strip()
    if not text:
        raise InvalidSender("SMS_SENDER is empty: set the municipality's authorized Finnish number or sender name.")
    if SENDER_NAME.match(text):
        return SmsSender(text, takes_replies=False)
    try:
        number = phonenumbers.parse(text, "FI")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidSender(
            f"SMS_SENDER {text!r} is neither a phone number nor a sender name of at most 11 letters, digits and spaces."
        )
    if number.country_code != FINNISH_COUNTRY_CODE:
        raise InvalidSender(
            f"SMS_SENDER {text!r} is not a Finnish number: Finnish operators deliver messages only from "
            "authorized Finnish senders."
        )
    return SmsSender(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), takes_replies=True)


# SMS providers that hand messages to Finnish operators through an international interface. Under
# Traficom's regulation 28 L/2025 M, messages from international interfaces with name senders are not
# delivered: through these, only a number sender reaches anyone.
INTERNATIONAL_INTERFACES = frozenset({"twilio"})


def sender_refused_by_operators(sender: SmsSender, *, provider_name: str) -> str | None:
    """Why Finnish operators would not deliver messages from `sender` sent through the provider, if
    they would not (a name sender through an international interface)."""
    if sender.takes_replies or provider_name not in INTERNATIONAL_INTERFACES:
        return None
    return (
        f"SMS_SENDER {sender.value!r} is a name, and SMS provider {provider_name} is an international interface: "
        "Finnish operators do not deliver its messages from name senders. Set the municipality's authorized "
        "Finnish number as SMS_SENDER."
    )
