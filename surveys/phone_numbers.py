"""Phone numbers as personal data: normalised to E.164, encrypted at rest, matched by a keyed hash."""

import hashlib
import hmac
from functools import lru_cache

import phonenumbers
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _


class InvalidPhoneNumber(ValueError):
    """The text is not a dialable phone number; the message says why, for a person to read."""


def phone_normalise(raw: str, *, region: str | None = None) -> str:
    """`raw` in any common notation (040 123 4567, +358 40 1234567, 00358...) -> E.164."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber(_("The phone number is empty."))
    try:
        number = phonenumbers.parse(text, region or settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(_("This is not a phone number.")) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(_("The number does not exist in the numbering plan."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_is_finnish(e164: str) -> bool:
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) in {"FI", "AX"}


def phone_display(e164: str) -> str:
    """The way residents recognise a number, e.g. '09 123 4567' for a Finnish number."""
    number = phonenumbers.parse(e164)
    if phone_is_finnish(e164):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_hash(e164: str) -> str:
    """The keyed hash (HMAC-SHA256) that identifies a number without revealing it."""
    if not settings.PHONE_HASH_KEY:
        raise ImproperlyConfigured("PHONE_HASH_KEY must be set to match phone numbers.")
    return hmac.new(settings.PHONE_HASH_KEY.encode(), e164.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("PHONE_ENCRYPTION_KEYS must be set to store phone numbers.")
    return MultiFernet([Fernet(key) for key in keys])


def phone_encrypt(e164: str) -> bytes:
    return _fernet(tuple(settings.PHONE_ENCRYPTION_KEYS)).encrypt(e164.encode())


def phone_decrypt(token: bytes) -> str:
    return _fernet(tuple(settings.PHONE_ENCRYPTION_KEYS)).decrypt(bytes(token)).decode()
