"""Credentials the portal keeps in its database to reach other services, encrypted at rest.

An HTTP Populus source's access token and a Teams channel's webhook address (whose path is the
channel's secret) would let anyone who reads a database dump or backup fetch the payroll data or post
to the channel. They are encrypted with the Fernet keys of CREDENTIAL_ENCRYPTION_KEYS - a setting of
their own, so that the people who may read personal data and those who may reach Populus are not
bound to one key - the first encrypting and all decrypting, so a new key put in front takes over while
the older ones still read what they wrote; `credential_keys_rotate` then moves everything to the new key.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from kuntaportaali.personal_data import multi_fernet

SETTING = "CREDENTIAL_ENCRYPTION_KEYS"


class CredentialUnreadable(ImproperlyConfigured):
    """A stored credential that no key of CREDENTIAL_ENCRYPTION_KEYS reads (a key dropped too early, or
    a value written in plain text by hand): using it as empty would fail later, elsewhere, for another reason."""


def credential_encrypt(secret: str) -> str:
    """The Fernet token of `secret` under the first key, as text (it is URL-safe base64)."""
    return _fernet().encrypt(secret.encode()).decode("ascii")


def credential_decrypt(token: str, *, what: str) -> str:
    """The secret of a stored token; `what` names it in the error ("the access token of source x")."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, UnicodeError):
        raise CredentialUnreadable(
            f"{what} cannot be decrypted with the keys of {SETTING}: put back the key it was encrypted "
            f"with, or enter the credential again."
        ) from None


def _fernet() -> MultiFernet:
    keys = tuple(getattr(settings, SETTING, ()))
    if not keys:
        raise ImproperlyConfigured(f"{SETTING} must be set to store or use the credentials of other services.")
    return multi_fernet(keys)


def credential_keys_rotate() -> dict[str, int]:
    """Encrypt again with the first key of CREDENTIAL_ENCRYPTION_KEYS every stored credential another key
    encrypted. Returns how many of each kind were encrypted again; a second run changes nothing. A
    credential no listed key reads stops the run (CredentialUnreadable) before anything is changed."""
    rotations = {
        "hrreports.Source.config.token_encrypted": _source_tokens_rotate,
        "hrreports.TeamsChannel.webhook_url_encrypted": _teams_addresses_rotate,
    }
    newest = Fernet(_first_key())
    with transaction.atomic():
        return {label: rotate(newest) for label, rotate in rotations.items()}


def _first_key() -> str:
    _fernet()
    return getattr(settings, SETTING)[0]


def _rotated(token: str, newest: Fernet, what: str) -> str | None:
    """The token encrypted again with the newest key, or None when that key reads it already."""
    try:
        newest.decrypt(token.encode())
    except InvalidToken:
        pass
    else:
        return None
    try:
        return _fernet().rotate(token.encode()).decode("ascii")
    except InvalidToken:
        raise CredentialUnreadable(
            f"{what} is encrypted with a key {SETTING} does not list: put that key back."
        ) from None


def _source_tokens_rotate(newest: Fernet) -> int:
    model = apps.get_model("hrreports", "Source")
    rotated = 0
    for source in (
        model.objects.select_for_update().exclude(config__token_encrypted="").filter(config__has_key="token_encrypted")
    ):
        token = _rotated(source.config["token_encrypted"], newest, f"The access token of Populus source {source.name}")
        if token is not None:
            source.config = {**source.config, "token_encrypted": token}
            source.save(update_fields=["config"])
            rotated += 1
    return rotated


def _teams_addresses_rotate(newest: Fernet) -> int:
    model = apps.get_model("hrreports", "TeamsChannel")
    rotated = 0
    for channel in model.objects.select_for_update().order_by("pk"):
        token = _rotated(channel.webhook_url_encrypted, newest, f"The webhook address of Teams channel {channel.pk}")
        if token is not None:
            channel.webhook_url_encrypted = token
            channel.save(update_fields=["webhook_url_encrypted"])
            rotated += 1
    return rotated
