"""Personal data at rest: Fernet with rotating keys (the first encrypts, all decrypt) and a keyed hash."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured

from kuntaportaali.personal_data import (
    personal_data_decrypt,
    personal_data_encrypt,
    personal_data_encrypter,
    personal_data_hasher,
)
from surveys.phone_numbers import phone_decrypt, phone_encrypt, phone_hash, phone_hasher

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_a_token_of_the_old_key_is_read_after_a_new_key_is_put_in_front(settings):
    settings.PHONE_ENCRYPTION_KEYS = [OLD_KEY]
    old_token = personal_data_encrypt(b"010175-901V")

    settings.PHONE_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    new_token = personal_data_encrypter(purpose="test")(b"010175-901V")

    assert personal_data_decrypt(old_token) == b"010175-901V"
    assert Fernet(NEW_KEY).decrypt(new_token) == b"010175-901V"
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(new_token)


def test_the_keyed_hash_is_hmac_sha256_with_the_hash_key(settings):
    import hashlib
    import hmac

    settings.PHONE_HASH_KEY = "avain"

    digest = personal_data_hasher(purpose="test")("010175-901V")

    assert digest == hmac.new(b"avain", b"010175-901V", hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("setting", "use", "message"),
    [
        (
            "PHONE_HASH_KEY",
            lambda: personal_data_hasher(purpose="match identity codes"),
            "PHONE_HASH_KEY must be set to match identity codes",
        ),
        (
            "PHONE_ENCRYPTION_KEYS",
            lambda: personal_data_encrypter(purpose="store identity codes"),
            "PHONE_ENCRYPTION_KEYS must be set to store identity codes",
        ),
        ("PHONE_HASH_KEY", phone_hasher, "PHONE_HASH_KEY must be set to match phone numbers"),
        (
            "PHONE_ENCRYPTION_KEYS",
            lambda: phone_encrypt("+358401234567"),
            "PHONE_ENCRYPTION_KEYS must be set to store phone numbers",
        ),
    ],
)
def test_a_missing_key_is_named_with_what_it_is_needed_for(settings, setting, use, message):
    setattr(settings, setting, [] if setting.endswith("KEYS") else "")

    with pytest.raises(ImproperlyConfigured, match=message):
        use()


def test_the_phone_number_functions_still_work_through_the_shared_module(settings):
    settings.PHONE_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    assert phone_decrypt(phone_encrypt("+358401234567")) == "+358401234567"
    assert phone_hash("+358401234567") == personal_data_hasher(purpose="test")("+358401234567")
