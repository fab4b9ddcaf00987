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

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

# Every column that holds personal data encrypted with PHONE_ENCRYPTION_KEYS, as "app.Model.field":
# `personal_data_keys_rotate` re-encrypts them all, so an old key can then be dropped.
ENCRYPTED_FIELDS = (
    "surveys.ContactNumber.phone_encrypted",
    "surveys.ContactImportChunk.data",
    "hrreports.Employee.person_number_encrypted",
)
ROTATE_BATCH_SIZE = 2000


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
    return multi_fernet(keys)


@lru_cache(maxsize=8)
def multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    """The MultiFernet of these keys (the first encrypts, all decrypt), built once for each set of keys."""
    return MultiFernet([Fernet(key) for key in keys])


def personal_data_keys_rotate(*, batch_size: int = ROTATE_BATCH_SIZE) -> dict[str, int]:
    """Encrypt again with the first key of PHONE_ENCRYPTION_KEYS every value another key encrypted, in
    every column of ENCRYPTED_FIELDS. Returns how many values of each column were encrypted again.

    Each batch is its own transaction, so a stopped run keeps what it did and the next run goes on;
    a value the first key already reads is left as it is, so a second run changes nothing. A value
    no listed key reads stops the run (ImproperlyConfigured): dropping its key would lose it."""
    fernet = _fernet("re-encrypt personal data")
    newest = Fernet(settings.PHONE_ENCRYPTION_KEYS[0])
    return {label: _column_rotate(label, fernet, newest, batch_size) for label in ENCRYPTED_FIELDS}


def _column_rotate(label: str, fernet: MultiFernet, newest: Fernet, batch_size: int) -> int:
    app_label, model_name, field = label.split(".")
    model = apps.get_model(app_label, model_name)
    rows = model.objects.exclude(**{f"{field}__isnull": True}).order_by("pk")
    rotated, last_pk = 0, None
    while True:
        batch = rows if last_pk is None else rows.filter(pk__gt=last_pk)
        batch = list(batch.values_list("pk", field)[:batch_size])
        if not batch:
            return rotated
        last_pk = batch[-1][0]
        changed = [
            model(pk=pk, **{field: _rotated(fernet, token, label, pk)})
            for pk, token in batch
            if not _readable_by(newest, token)
        ]
        with transaction.atomic():
            model.objects.bulk_update(changed, [field], batch_size=batch_size)
        rotated += len(changed)


def _readable_by(fernet: Fernet, token) -> bool:
    try:
        fernet.decrypt(bytes(token))
    except InvalidToken:
        return False
    return True


def _rotated(fernet: MultiFernet, token, label: str, pk) -> bytes:
    try:
        return fernet.rotate(bytes(token))
    except InvalidToken:
        raise ImproperlyConfigured(
            f"{label} of row {pk} is encrypted with a key PHONE_ENCRYPTION_KEYS does not list: put that key back."
        ) from None
