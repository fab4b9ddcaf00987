"""Production settings: `check --deploy` is clean, and a missing setting stops start-up by name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "kuntaportaali.settings.production",
    "SECRET_KEY": "x7!Qm2#pL9vR4@tZ8wK1$nB6^cF3&hJ5*eD0(yU2)sA7-gM4_oP1+iT9=lX3",
    "ALLOWED_HOSTS": "portaali.example.fi",
    "PUBLIC_BASE_URL": "https://portaali.example.fi",
    "DATABASE_URL": "postgres://kuntaportaali@db.example.fi:5432/kuntaportaali",
    "REDIS_URL": "redis://redis.example.fi:6379/0",
    "PHONE_ENCRYPTION_KEYS": "crzRXr0YyyeHBoufhLBbl6DKhnyEIP-MfLyOvRVuDnQ=",
    "PHONE_HASH_KEY": "production-like-hash-key-for-the-settings-test",
    "CREDENTIAL_ENCRYPTION_KEYS": "oS7y2kSx0b4kJ3QmHqvU9bYH3qk1PzV0m6H1bB9Qb1E=",
    "TELEPHONY_PROVIDER": "twilio",
    "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "TWILIO_AUTH_TOKEN": "production-like-twilio-token-for-the-settings-test",
}
# Set by hand or by a test run, these would change what production does: never inherited.
UNINHERITED = {
    *PRODUCTION_ENV,
    "DEBUG",
    "SIMULATOR_LIVE_CALLS",
    "DEMO_TWO_FACTOR_OFF",
    "TWO_FACTOR_REQUIRED_ROLES",
    "SESSION_IDLE_MINUTES",
    "SESSION_MAX_HOURS",
    "SMS_PROVIDER",
    "SMS_SENDER",
    "DATABASE_PREPARED_STATEMENTS",
    "EMAIL_TIMEOUT",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "TWILIO_API_BASE_URL",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return python("manage.py", *args, env=env)


def python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in UNINHERITED}
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(("extra", "kept_seconds"), [({}, "60"), ({"DATABASE_CONN_MAX_AGE": "0"}, "0")])
def test_production_keeps_database_connections_unless_told_otherwise(extra, kept_seconds):
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection as c; "
        "print(c.settings_dict['CONN_MAX_AGE'], c.settings_dict['CONN_HEALTH_CHECKS'])",
        env={**PRODUCTION_ENV, **extra},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [kept_seconds, "True"]


@pytest.mark.parametrize(("extra", "seconds"), [({}, "30"), ({"EMAIL_TIMEOUT": "5"}, "5")])
def test_production_waits_for_the_mail_server_a_limited_time(extra, seconds):
    """Django's SMTP connection has no timeout of its own: a hung mail server held a delivery run for hours."""
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.core.mail import get_connection; "
        "print(get_connection('django.core.mail.backends.smtp.EmailBackend').timeout)",
        env={**PRODUCTION_ENV, **extra},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [seconds]


@pytest.mark.django_db
def test_a_statement_a_connection_runs_repeatedly_is_prepared_and_planned_once():
    for _ in range(6):
        list(get_user_model().objects.filter(username="kyselyvastaava"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert [statement for statement in prepared if '"username" = $1' in statement]


@pytest.mark.parametrize(("value", "options"), [(None, "True 5"), ("false", "None None")])
def test_prepared_statements_can_be_turned_off_for_a_pooler_that_cannot_keep_them(value, options):
    env = PRODUCTION_ENV | ({} if value is None else {"DATABASE_PREPARED_STATEMENTS": value})

    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection as c; o = c.settings_dict['OPTIONS']; "
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))",
        env=env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == options.split()


@pytest.mark.parametrize("prepared", ["true", "false"])
def test_production_refuses_an_integer_beyond_its_column_however_parameters_are_bound(prepared):
    """The portal's backend, not Django's: bound on the server, psycopg would send another number."""
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import DataError, connection as c\n"
        "print(c.settings_dict['ENGINE'])\n"
        "try:\n    c.ops.adapt_integerfield_value(99999999999, 'IntegerField')\n"
        "except DataError as error:\n    print('refused:', error)",
        env=PRODUCTION_ENV | {"DATABASE_PREPARED_STATEMENTS": prepared},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "kuntaportaali.database",
        "refused: IntegerField value 99999999999 out of range -2147483648..2147483647",
    ]


@pytest.mark.parametrize("missing", [name for name in PRODUCTION_ENV if name != "DJANGO_SETTINGS_MODULE"])
def test_missing_production_setting_stops_start_up_naming_it(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"The environment variable {missing} must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "demo_value"),
    [
        ("SECRET_KEY", "demo-only-insecure-key-kuntaportaali-never-use-in-production"),
        ("PHONE_HASH_KEY", "demo-only-phone-hash-key"),
        ("PHONE_ENCRYPTION_KEYS", "3BBKvmP0dWYnM_1_ayPXUrvjEYgd7ZJ6j0kbNgW7vWk="),
        ("CREDENTIAL_ENCRYPTION_KEYS", "Hk3cQbX2fO6mR0sVt9yWzA1eC5gI7kM2nP4qS6uX8zA="),
    ],
)
def test_production_refuses_the_demo_keys_published_in_the_repository(name, demo_value):
    result = manage("check", env=PRODUCTION_ENV | {name: demo_value})

    assert result.returncode != 0
    assert f"The environment variable {name} holds the demo's key" in result.stderr


def test_production_reads_the_demo_encryption_key_only_behind_a_new_one_until_rotated():
    keys = "crzRXr0YyyeHBoufhLBbl6DKhnyEIP-MfLyOvRVuDnQ=, 3BBKvmP0dWYnM_1_ayPXUrvjEYgd7ZJ6j0kbNgW7vWk="

    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(len(s.PHONE_ENCRYPTION_KEYS))",
        env=PRODUCTION_ENV | {"PHONE_ENCRYPTION_KEYS": keys},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2"]


@pytest.mark.parametrize(
    ("email", "refused"),
    [
        ({"EMAIL_HOST": "smtp.example.fi"}, True),
        ({"EMAIL_HOST": "smtp.example.fi", "EMAIL_USE_TLS": "1"}, False),
        ({"EMAIL_HOST": "127.0.0.1"}, False),
    ],
)
def test_production_sends_no_email_unencrypted_to_another_machine(email, refused):
    """The reports' attachments carry salaries, and the SMTP login its password."""
    # The settings alone decide: `shell` starts them without the system checks, which wait for the network.
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; settings.EMAIL_HOST",
        env=PRODUCTION_ENV | email,
    )

    assert (result.returncode != 0) is refused, result.stderr
    if refused:
        assert "EMAIL_HOST smtp.example.fi is reached without encryption: set EMAIL_USE_TLS=1" in result.stderr


def test_production_refuses_the_tests_fake_twilio_server():
    """Calls would go nowhere, and the account's credentials to whatever listens there."""
    result = manage("check", env=PRODUCTION_ENV | {"TWILIO_API_BASE_URL": "http://127.0.0.1:8765"})

    assert result.returncode != 0
    assert "The environment variable TWILIO_API_BASE_URL is for the tests' fake Twilio server" in result.stderr


@pytest.mark.parametrize("address", ["http://portaali.example.fi", "portaali.example.fi", "https://"])
def test_production_refuses_a_public_address_that_is_not_https(address):
    result = manage("check", env=PRODUCTION_ENV | {"PUBLIC_BASE_URL": address})

    assert result.returncode != 0
    assert (
        f"The environment variable PUBLIC_BASE_URL must be an https address such as https://portaali.example.fi, "
        f"not {address!r}"
    ) in result.stderr


def test_demo_settings_refuse_to_run_without_secret_key_when_debug_is_off():
    result = manage("check", env={"DJANGO_SETTINGS_MODULE": "kuntaportaali.settings.base", "DEBUG": "0"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_malformed_boolean_is_named():
    result = manage("check", env={"DEBUG": "maybe"})

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def production_setting(name: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A setting as a process started with `env` reads it (the settings alone: the apps are not loaded)."""
    return python("-c", f"from django.conf import settings; print(settings.{name})", env=env)


def test_production_refuses_an_unknown_telephony_provider_naming_the_choices():
    result = manage("check", env=PRODUCTION_ENV | {"TELEPHONY_PROVIDER": "simulaattori"})

    assert result.returncode != 0
    assert "TELEPHONY_PROVIDER must be one of simulator, twilio, not 'simulaattori'" in result.stderr


def test_production_names_the_choices_when_the_telephony_provider_is_missing():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "TELEPHONY_PROVIDER"}

    result = manage("check", env=env)

    assert "one of simulator, twilio" in result.stderr


def test_production_on_twilio_plays_no_simulated_calls():
    result = production_setting("SIMULATOR_LIVE_CALLS", PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"]


def test_a_twilio_site_offers_no_simulator_to_its_campaigns():
    result = production_setting("TELEPHONY_PROVIDERS", PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'twilio': 'surveys.telephony.twilio.TwilioProvider'}"


@pytest.mark.parametrize(
    "site",
    [
        {},
        {
            "TELEPHONY_PROVIDER": "simulator",
            "SIMULATOR_LIVE_CALLS": "1",
            "SMS_PROVIDER": "simulator",
            "SMS_SENDER": "Kuntakysely",
        },
    ],
    ids=["twilio", "training"],
)
def test_production_offers_no_hr_simulator_not_even_to_a_training_site(site):
    result = production_setting("POPULUS_SOURCE_KINDS", PRODUCTION_ENV | site)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "{'files': 'hrreports.sources.files.FileSource', 'http': 'hrreports.sources.http.HttpSource'}"
    )


def test_a_training_site_on_the_simulator_must_say_whether_its_calls_play():
    simulator = {key: value for key, value in PRODUCTION_ENV.items() if not key.startswith("TWILIO_")}

    result = manage("check", env=simulator | {"TELEPHONY_PROVIDER": "simulator"})

    assert result.returncode != 0
    assert "The environment variable SIMULATOR_LIVE_CALLS must be set" in result.stderr


@pytest.mark.parametrize(("live", "played"), [("1", "True"), ("0", "False")])
def test_a_training_site_on_the_simulator_plays_calls_only_when_told(live, played):
    simulator = {key: value for key, value in PRODUCTION_ENV.items() if not key.startswith("TWILIO_")}
    env = simulator | {"TELEPHONY_PROVIDER": "simulator", "SIMULATOR_LIVE_CALLS": live}

    result = production_setting("SIMULATOR_LIVE_CALLS", env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [played]


@pytest.mark.parametrize("value", ["1", "true"])
def test_production_refuses_to_start_with_the_demo_switch_of_the_second_factor(value):
    result = manage("check", env=PRODUCTION_ENV | {"DEMO_TWO_FACTOR_OFF": value})

    assert result.returncode != 0
    assert "ImproperlyConfigured: The environment variable DEMO_TWO_FACTOR_OFF is for the demo only" in result.stderr


def test_production_requires_the_second_factor_of_admins_hr_and_supervisors():
    result = production_setting("TWO_FACTOR_DEMO_OFF, settings.TWO_FACTOR_REQUIRED_ROLES", PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['admin', 'hr_admin', 'supervisor']"


@pytest.mark.parametrize(("extra", "off"), [({}, "True"), ({"DEMO_TWO_FACTOR_OFF": "0"}, "False")])
def test_the_demo_lets_its_users_in_without_a_second_factor_unless_told(extra, off):
    result = production_setting(
        "TWO_FACTOR_DEMO_OFF", {"DJANGO_SETTINGS_MODULE": "kuntaportaali.settings.local", **extra}
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == off


def test_session_limits_come_from_the_environment():
    env = PRODUCTION_ENV | {"SESSION_IDLE_MINUTES": "15", "SESSION_MAX_HOURS": "8"}

    result = production_setting("SESSION_COOKIE_AGE, settings.SESSION_MAX_HOURS", env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["900", "8"]


def test_production_sends_no_text_messages_unless_it_names_an_sms_provider():
    result = production_setting("SMS_PROVIDERS", PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{}"


def test_production_sends_messages_through_twilio_from_an_authorized_sender():
    env = PRODUCTION_ENV | {"SMS_PROVIDER": "twilio", "SMS_SENDER": "+358 9 310 1691"}

    result = production_setting("SMS_PROVIDERS", env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'twilio': 'surveys.messaging.twilio.TwilioSmsProvider'}"


def test_production_refuses_the_sms_simulator_where_real_residents_are_called():
    result = manage("check", env=PRODUCTION_ENV | {"SMS_PROVIDER": "simulator", "SMS_SENDER": "Kuntakysely"})

    assert result.returncode != 0
    assert "SMS_PROVIDER=simulator sends no message to anyone" in result.stderr


def test_production_refuses_a_name_sender_through_twilio_an_international_interface():
    result = manage("check", env=PRODUCTION_ENV | {"SMS_PROVIDER": "twilio", "SMS_SENDER": "Kuntakysely"})

    assert result.returncode != 0
    assert "SMS_SENDER 'Kuntakysely' is a name, and SMS provider twilio is an international interface" in result.stderr


def test_a_training_site_with_simulated_calls_refuses_a_real_sms_provider():
    env = PRODUCTION_ENV | {
        "TELEPHONY_PROVIDER": "simulator",
        "SIMULATOR_LIVE_CALLS": "0",
        "SMS_PROVIDER": "twilio",
        "SMS_SENDER": "+358 9 310 1691",
    }

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SMS_PROVIDER=twilio texts real phones, but the calls of this site are simulated" in result.stderr


def test_a_training_site_may_simulate_its_messages_with_its_calls():
    simulator = {key: value for key, value in PRODUCTION_ENV.items() if not key.startswith("TWILIO_")}
    env = simulator | {
        "TELEPHONY_PROVIDER": "simulator",
        "SIMULATOR_LIVE_CALLS": "0",
        "SMS_PROVIDER": "simulator",
        "SMS_SENDER": "Kuntakysely",
    }

    result = production_setting("SMS_PROVIDERS", env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'simulator': 'surveys.messaging.simulator.SimulatorSmsProvider'}"


@pytest.mark.parametrize(
    ("sender", "reason"),
    [
        (None, "The environment variable SMS_SENDER must be set"),
        ("+44 20 7946 0958", "The environment variable SMS_SENDER '+44 20 7946 0958' is not a Finnish number"),
        ("Kuntaportaali", "The environment variable SMS_SENDER 'Kuntaportaali' is neither a phone number"),
    ],
)
def test_production_refuses_a_missing_sender_or_one_operators_would_not_deliver_from(sender, reason):
    env = PRODUCTION_ENV | {"SMS_PROVIDER": "twilio"} | ({"SMS_SENDER": sender} if sender else {})

    result = manage("check", env=env)

    assert result.returncode != 0
    assert reason in result.stderr


def test_production_answers_healthz_over_plain_http_and_redirects_the_rest_to_https():
    """A monitor on the machine probes gunicorn directly, with no proxy's X-Forwarded-Proto."""
    probe = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "[print(p, r.status_code, r.get('Location', '-')) "
        "for p in ('/healthz', '/') for r in [c.get(p, headers={'host': 'portaali.example.fi'})]]"
    )
    unreachable = {"DATABASE_URL": "postgres://kuntaportaali@127.0.0.1:9/none", "REDIS_URL": "redis://127.0.0.1:9/0"}

    result = python("-c", probe, env=PRODUCTION_ENV | unreachable)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["/healthz 503 -", "/ 301 https://portaali.example.fi/"]
