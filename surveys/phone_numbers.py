"""Phone numbers as personal data: normalised to E.164, encrypted at rest, matched by a keyed hash."""

import re
from collections.abc import Callable
from typing import Any

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext_noop
from phonenumbers import PhoneNumberType

from kuntaportaali.personal_data import (
    personal_data_decrypt,
    personal_data_encrypt,
    personal_data_encrypter,
    personal_data_hasher,
)
from kuntaportaali.redaction import person_number_is_valid
from kuntaportaali.tabular.problems import ValueProblem, problem_messages_register
from kuntaportaali.tabular.values import digits_restore, text_clean

problem_messages_register(
    {
        "phone_empty": gettext_noop("The phone number is empty."),
        "phone_not_a_number": gettext_noop("This is not a phone number."),
        "phone_not_in_plan": gettext_noop("The number does not exist in the numbering plan."),
        "phone_formula": gettext_noop("The cell holds a spreadsheet formula, not a phone number."),
        "phone_letters": gettext_noop("The cell has letters or other text besides a phone number."),
        "phone_premium_rate": gettext_noop(
            "A premium-rate number (such as 0600 or 0700): no resident answers it, so it is not called."
        ),
        "phone_toll_free": gettext_noop(
            "A toll-free service number (0800): no resident answers it, so it is not called."
        ),
        "phone_service_number": gettext_noop(
            "A service or company number (such as 0100, 0200 or 020): no resident answers it, so it is not called."
        ),
        "phone_person_number": gettext_noop(
            "This is a personal identity code (henkilötunnus), not a phone number: check the file's columns."
        ),
        "phone_not_personal": gettext_noop(
            "A pager, voicemail or internet-call number: no resident answers it, so it is not called."
        ),
    }
)

# The number types a person answers: only these are called.
CALLABLE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
SMS_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_REFUSED_TYPES = {
    PhoneNumberType.PREMIUM_RATE: "phone_premium_rate",
    PhoneNumberType.TOLL_FREE: "phone_toll_free",
    PhoneNumberType.SHARED_COST: "phone_service_number",
    PhoneNumberType.UAN: "phone_service_number",
}
# A number as people write it, and nothing more: an optional + or 00 and country code (with "(0)" after
# it, as in "+358 (0)40 ..."), an area code in brackets or followed by one hyphen or slash, then digits
# grouped by spaces. Anything else - a second hyphen, a bracket at the end, dots - could hide a different
# number ("040 123 4567-2", "040 123 4567 (2)", a date "1.4.2026") and is refused.
_NUMBER_TEXT = re.compile(r"^(?:\+\d{1,3}[ -]?(?:\(0\) ?)?|00\d{1,3} ?)?(?:\(\d{1,4}\) ?|\d+ ?[-/] ?)?\d[\d ]*$")
_NOT_DIGITS = re.compile(r"\D")
FINNISH_COUNTRY_CODE = 358
_STORE = "store phone numbers"


class InvalidPhoneNumber(ValueProblem):
    """The text is not a number that may be dialled; `problem` says why, for a person to read."""


def phone_normalise(raw: str, *, region: str | None = None) -> str:
    """`raw` in any common notation (040 123 4567, +358 40 1234567, 00358...) -> E.164."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("phone_empty")
    try:
        number = phonenumbers.parse(text, region or settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber("phone_not_a_number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber("phone_not_in_plan")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_read(value: Any, *, region: str) -> str:
    """A contact file's cell as the E.164 number of a phone a person answers (mobile or fixed line).

    Stricter than `phone_normalise`: the cell must hold a number and nothing else (a formula such as
    =HYPERLINK("http://x/1433799") is refused, not mined for digits); a number a spreadsheet stored as
    401234575.0 or 4.01234567E8 gets its digits back; premium-rate and service numbers are refused.
    """
    digits = digits_restore(value)
    text = digits if digits is not None else text_clean(value)
    if not text:
        raise InvalidPhoneNumber("phone_empty")
    if person_number_is_valid(text):
        # 040175-9070 (born 4.1.1975) passes for the mobile number 040 175 9070: a stranger would be called.
        raise InvalidPhoneNumber("phone_person_number")
    if text.startswith("="):
        raise InvalidPhoneNumber("phone_formula")
    text = " ".join(text.split())  # spaces of any kind and number, as one space
    if not _NUMBER_TEXT.match(text):
        raise InvalidPhoneNumber("phone_letters" if any(char.isalpha() for char in text) else "phone_not_a_number")
    number = _finnish_number(text, region) or _parsed_number(text, region)
    kind = phonenumbers.number_type(number)
    if kind in CALLABLE_TYPES:
        if number.country_code == FINNISH_COUNTRY_CODE:
            return f"+{FINNISH_COUNTRY_CODE}{number.national_number}"  # as format_number writes it, faster
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == PhoneNumberType.UNKNOWN:
        raise InvalidPhoneNumber("phone_not_in_plan")
    raise InvalidPhoneNumber(_REFUSED_TYPES.get(kind, "phone_not_personal"))


def _finnish_number(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The common Finnish forms (040 123 4567, +358 40..., 00358 40...) without phonenumbers' general
    parser, which costs most of an import's time; None for anything else."""
    digits = _NOT_DIGITS.sub("", text)
    if text.startswith("+"):
        national = digits[3:] if digits.startswith("358") else None
    elif digits.startswith("00358"):
        national = digits[5:]
    elif region == "FI" and digits.startswith("0") and not digits.startswith("00"):
        national = digits[1:]
    else:
        national = None
    if not national or national.startswith("0") or len(national) > 12:
        return None
    return phonenumbers.PhoneNumber(country_code=FINNISH_COUNTRY_CODE, national_number=int(national))


def _parsed_number(text: str, region: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber("phone_not_a_number") from None


def phone_takes_sms(e164: str) -> bool:
    """Whether the number is a mobile one, which text messages reach."""
    return phonenumbers.number_type(phonenumbers.parse(e164)) in SMS_TYPES


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
    return phone_hasher()(e164)


def phone_hasher() -> Callable[[str], str]:
    """`phone_hash` with the key read once: an import hashes a million numbers."""
    return personal_data_hasher(purpose="match phone numbers")


def phone_encrypt(e164: str) -> bytes:
    return personal_data_encrypt(e164.encode(), purpose=_STORE)


def phone_encrypter() -> Callable[[str], bytes]:
    """`phone_encrypt` with the keys read once: an import encrypts a million numbers."""
    encrypt = personal_data_encrypter(purpose=_STORE)
    return lambda e164: encrypt(e164.encode())


def phone_decrypt(token: bytes) -> str:
    return personal_data_decrypt(token, purpose="read phone numbers").decode()
