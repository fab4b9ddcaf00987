"""Personal data at rest: Fernet with rotating keys (the first encrypts, all decrypt) and a keyed hash."""

import io

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


@pytest.fixture
def data_under_the_old_key(db, settings):
    """A campaign's contact numbers, an upload's pieces and an employee, all encrypted with OLD_KEY."""
    from hrreports.models import Employee
    from surveys.models import ContactImport, ContactImportChunk
    from surveys.services.contacts import contacts_import
    from tests.conftest import make_user
    from tests.surveys.factories import build_campaign, build_survey

    settings.PHONE_ENCRYPTION_KEYS = [OLD_KEY]
    owner = make_user("avainten-vaihtaja")
    campaign = build_campaign(build_survey(owner), owner)
    contacts_import(campaign=campaign, file=b"Puhelin\n040 123 4567\n09 123 4567\n", filename="numerot.csv")
    upload = ContactImport.objects.create(campaign=campaign, filename="kesken.csv", imported_by=owner)
    ContactImportChunk.objects.create(contact_import=upload, position=0, data=personal_data_encrypt(b"Puhelin\n"))
    Employee.objects.create(person_number="010175-901V", name="Esimerkki")


def stored_tokens() -> list[bytes]:
    from hrreports.models import Employee
    from surveys.models import ContactImportChunk, ContactNumber

    return [
        *(bytes(token) for token in ContactNumber.objects.values_list("phone_encrypted", flat=True)),
        *(bytes(token) for token in ContactImportChunk.objects.values_list("data", flat=True)),
        *(bytes(token) for token in Employee.objects.values_list("person_number_encrypted", flat=True)),
    ]


def test_rotating_the_keys_encrypts_every_stored_value_again_with_the_new_key(data_under_the_old_key, settings):
    from django.core.management import call_command

    from hrreports.models import Employee

    settings.PHONE_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)

    assert out.getvalue().splitlines() == [
        "surveys.ContactNumber.phone_encrypted: 2",
        "surveys.ContactImportChunk.data: 1",
        "hrreports.Employee.person_number_encrypted: 1",
        "hrreports.Source.config.token_encrypted: 0",
        "hrreports.TeamsChannel.webhook_url_encrypted: 0",
        "rotated=4",
    ]
    settings.PHONE_ENCRYPTION_KEYS = [NEW_KEY]  # the old key dropped
    assert sorted(Fernet(NEW_KEY).decrypt(token) for token in stored_tokens()) == sorted(
        [b"+358401234567", b"+35891234567", b"Puhelin\n", b"010175-901V"]
    )
    assert Employee.objects.get().person_number == "010175-901V"


def test_a_second_rotation_changes_nothing(data_under_the_old_key, settings):
    from kuntaportaali.personal_data import personal_data_keys_rotate

    settings.PHONE_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    personal_data_keys_rotate(batch_size=1)
    tokens = stored_tokens()

    assert set(personal_data_keys_rotate(batch_size=1).values()) == {0}
    assert stored_tokens() == tokens


def test_a_value_no_listed_key_reads_stops_the_rotation_and_names_the_row(data_under_the_old_key, settings):
    from django.core.management import CommandError, call_command

    settings.PHONE_ENCRYPTION_KEYS = [NEW_KEY]  # the old key dropped too early

    unreadable = r"surveys\.ContactNumber\.phone_encrypted of row \d+ is encrypted with a key"
    with pytest.raises(CommandError, match=unreadable):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
