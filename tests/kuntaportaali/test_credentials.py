"""Credentials of other services kept in the database (an HTTP Populus source's token, a Teams channel's
webhook address) are stored encrypted with CREDENTIAL_ENCRYPTION_KEYS, rotate, and fail by name."""

import io
from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from hrreports.models import Source, TeamsChannel
from hrreports.services.sources import source_save
from hrreports.services.teams import teams_channel_save

TOKEN = "salainen-avain-123"
WEBHOOK = "https://kunta.webhook.office.com/webhookb2/salainen-polku-456"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored_rows(table: str) -> str:
    """The table's rows as PostgreSQL stores them, as one text: what a database dump would hold."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t::text FROM {table} AS t")  # noqa: S608 - a table name of this test
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def http_source(db, settings):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["populus.example.fi"]
    return source_save(
        source=None,
        name="rajapinta",
        kind="http",
        active=True,
        settings={"base_url": "https://populus.example.fi/api", "token": TOKEN, "timeout": 5, "retries": 0},
    )


def test_an_http_sources_token_is_stored_encrypted(http_source):
    assert TOKEN not in stored_rows("hrreports_source")


def test_a_teams_channels_webhook_address_is_stored_encrypted(db):
    teams_channel_save(channel=TeamsChannel(), unit=None, webhook_url=WEBHOOK)

    assert "salainen-polku-456" not in stored_rows("hrreports_teamschannel")
    assert TeamsChannel.objects.get().webhook_url == WEBHOOK
    assert TeamsChannel.objects.get().webhook_host == "kunta.webhook.office.com"


@pytest.fixture
def credentials_under_the_old_key(db, settings):
    settings.CREDENTIAL_ENCRYPTION_KEYS = [OLD_KEY]
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["populus.example.fi"]
    source_save(
        source=None,
        name="rajapinta",
        kind="http",
        active=True,
        settings={"base_url": "https://populus.example.fi/api", "token": TOKEN, "timeout": 5, "retries": 0},
    )
    source_save(
        source=None,
        name="ilman-avainta",
        kind="http",
        active=True,
        settings={"base_url": "https://populus.example.fi/api"},
    )
    teams_channel_save(channel=TeamsChannel(), unit=None, webhook_url=WEBHOOK)


def test_rotating_the_keys_encrypts_every_stored_credential_again_with_the_new_key(
    credentials_under_the_old_key, settings
):
    settings.CREDENTIAL_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)

    assert out.getvalue().splitlines()[-3:] == [
        "hrreports.Source.config.token_encrypted: 1",
        "hrreports.TeamsChannel.webhook_url_encrypted: 1",
        "rotated=2",
    ]
    token = Source.objects.get(name="rajapinta").config["token_encrypted"]
    assert Fernet(NEW_KEY).decrypt(token.encode()).decode() == TOKEN
    settings.CREDENTIAL_ENCRYPTION_KEYS = [NEW_KEY]  # the old key dropped
    assert TeamsChannel.objects.get().webhook_url == WEBHOOK
    assert call_command("rotate_encryption_keys", stdout=io.StringIO()) is None


def test_a_second_rotation_changes_nothing(credentials_under_the_old_key, settings):
    settings.CREDENTIAL_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    stored = stored_rows("hrreports_source"), stored_rows("hrreports_teamschannel")
    out = io.StringIO()

    call_command("rotate_encryption_keys", stdout=out)

    assert out.getvalue().splitlines()[-1] == "rotated=0"
    assert (stored_rows("hrreports_source"), stored_rows("hrreports_teamschannel")) == stored


def test_a_credential_no_listed_key_reads_stops_the_rotation_and_changes_nothing(
    credentials_under_the_old_key, settings
):
    from django.core.management import CommandError

    settings.CREDENTIAL_ENCRYPTION_KEYS = [NEW_KEY]  # the old key dropped too early
    stored = stored_rows("hrreports_source")

    with pytest.raises(CommandError, match="The access token of Populus source rajapinta is encrypted with a key"):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    assert stored_rows("hrreports_source") == stored


def test_a_teams_address_no_key_reads_fails_that_channels_notice_naming_the_setting(db, settings):
    from hrreports.services.teams import UnitDelivered, teams_notices_send
    from tests.hrreports.conftest import make_unit

    unit = make_unit("10")
    teams_channel_save(channel=TeamsChannel(), unit=None, webhook_url=WEBHOOK)
    settings.CREDENTIAL_ENCRYPTION_KEYS = [NEW_KEY]
    delivered = {unit.pk: UnitDelivered(unit=unit, kinds={"absences"}, emails=1)}

    outcome = teams_notices_send(period=date(2026, 3, 1), delivered=delivered, reports=1, hours_saved=1, run_link="/")

    assert (outcome.sent, outcome.failed) == (0, 1)
    assert outcome.errors[0]["reason"].startswith(
        f"The webhook address of Teams channel {TeamsChannel.objects.get().pk} cannot be decrypted with the keys "
        "of CREDENTIAL_ENCRYPTION_KEYS"
    )
    with translation.override("en"):
        assert TeamsChannel.objects.get().webhook_host == "unreadable: see CREDENTIAL_ENCRYPTION_KEYS"


def test_a_channel_whose_stored_address_no_key_reads_is_saved_only_with_the_address_typed_again(db, settings):
    from hrreports.errors import TeamsError

    channel = teams_channel_save(channel=TeamsChannel(), unit=None, webhook_url=WEBHOOK)
    settings.CREDENTIAL_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(TeamsError, match=r"CREDENTIAL_ENCRYPTION_KEYS"):
        teams_channel_save(channel=channel, unit=None, webhook_url=None, active=False)
    teams_channel_save(channel=channel, unit=None, webhook_url=WEBHOOK + "-uusi", active=False)

    assert TeamsChannel.objects.get().webhook_url == WEBHOOK + "-uusi"
