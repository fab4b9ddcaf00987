"""Employees' identity codes (henkilötunnus) as personal data: encrypted at rest, matched by a keyed
hash, shown masked (kuntaportaali.personal_data holds the keys and the primitives)."""

from collections.abc import Callable

from kuntaportaali.personal_data import personal_data_decrypt, personal_data_encrypter, personal_data_hasher
from kuntaportaali.redaction import PERSON_NUMBER

MASK = "****"


def person_number_hasher() -> Callable[[str], str]:
    """The keyed hash that matches an identity code, with the key read once: an import hashes thousands."""
    return personal_data_hasher(purpose="match employees' identity codes")


def person_number_encrypter() -> Callable[[str], bytes]:
    """Encrypts identity codes with the keys read once."""
    encrypt = personal_data_encrypter(purpose="store employees' identity codes")
    return lambda number: encrypt(number.encode())


def person_number_decrypt(token: bytes) -> str:
    return personal_data_decrypt(token, purpose="read employees' identity codes").decode()


def person_number_mask(number: str) -> str:
    """The birth date and century sign of a Finnish identity code, the rest hidden: 010175-****.
    Of any other identifier (a foreign or temporary one) nothing is shown."""
    if not number:
        return ""
    if PERSON_NUMBER.fullmatch(number):
        return number[:7] + MASK
    return MASK


def person_number_search_hashes(query: str) -> list[str]:
    """The keyed hashes an exact search for `query` looks for: as typed and with the check character in
    capitals, as Populus writes it (a person types 010175-901v as readily as 010175-901V)."""
    text = query.strip()
    hasher = person_number_hasher()
    return sorted({hasher(text), hasher(text.upper())}) if text else []
