"""Personal data at rest: encrypted with rotating keys, matched by a keyed hash.

Every piece the portal encrypts - phone numbers, pieces of uploaded contact files, employees' identity
codes - uses the Fernet keys of PHONE_ENCRYPTION_KEYS (the first encrypts, all decrypt, so a new key
put in front takes over while the older ones still read what they wrote) and matches values by an
HMAC-SHA256 keyed with PHONE_HASH_KEY. The settings are named for the first data they protected.
"""

import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def personal_data_hasher(*, purpose: str) -> Callable[[str], str]:
    """The keyed hash that identifies a value without revealing it, with the key read once (an import
    hashes a million values). `purpose` completes the error "PHONE_HASH_KEY must be set to ..."."""
    if not settings.PHONE_HASH_KEY:
        raise ImproperlyConfigured(f"PHONE_HASH_KEY must be set to {purpose}.")
    key = settings.PHONE_HASH_KEY.encode()
    return lambda text: hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def personal_data_encrypter(*, purpose: str) -> Callable[[bytes], bytes]:
    """`personal_data_encrypt` with the keys read once. `purpose` completes the error
    "PHONE_ENCRYPTION_KEYS must be set to ..."."""
    return _fernet(purpose).encrypt


def personal_data_encrypt(data: bytes, *, purpose: str = "store personal data") -> bytes:
    return personal_data_encrypter(purpose=purpose)(data)


def personal_data_decrypt(token: bytes, *, purpose: str = "read personal data") -> bytes:
    return _fernet(purpose).decrypt(bytes(token))


def _fernet(purpose: str) -> MultiFernet:
    keys = tuple(settings.PHONE_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured(f"PHONE_ENCRYPTION_KEYS must be set to {purpose}.")
    return _multi_fernet(keys)


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])
