"""Production: DEBUG off, every secret and address from the environment, HTTPS enforced.

With its environment set, `manage.py check --deploy` reports no issues.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from surveys.messaging.sender import InvalidSender, sender_refused_by_operators, sms_sender_read

from .base import *  # noqa: F403
from .base import (
    _DEMO_CREDENTIAL_ENCRYPTION_KEY,
    _DEMO_PHONE_ENCRYPTION_KEY,
    _DEMO_PHONE_HASH_KEY,
    _DEMO_SECRET_KEY,
)
from .env import env_bool, env_int, env_list, env_required, env_str

DEBUG = False
DEMO_SEED_ALLOWED = False
SECRET_KEY = env_required("SECRET_KEY", "production has no default key.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    env_required("ALLOWED_HOSTS", "list the host names the portal answers to, comma-separated.")
_public_address = env_required("PUBLIC_BASE_URL", "the https address residents and Twilio reach the portal at.")
# Emails' and text messages' links and the providers' callbacks go to it: never over plain http.
_public_parts = urlsplit(_public_address)
if _public_parts.scheme != "https" or not _public_parts.hostname:
    raise ImproperlyConfigured(
        "The environment variable PUBLIC_BASE_URL must be an https address such as https://portaali.example.fi, "
        f"not {_public_address!r}: the links of emails and text messages and the callbacks of Twilio go to it."
    )
PUBLIC_BASE_URL = _public_address.rstrip("/")
env_required("DATABASE_URL", "production runs on PostgreSQL, e.g. postgres://user:pass@host:5432/kuntaportaali.")
env_required("REDIS_URL", "workers and the web share one Redis, e.g. redis://host:6379/0.")
# Kept connections spare every request a PostgreSQL connection set-up: with one per request the
# IVR answer step's p99 doubles (docs/benchmarks.md). Health checks drop a connection the server closed.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [PUBLIC_BASE_URL])
PHONE_ENCRYPTION_KEYS = [
    key.strip()
    for key in env_required(
        "PHONE_ENCRYPTION_KEYS", "Fernet keys that encrypt phone numbers at rest, comma-separated, newest first."
    ).split(",")
    if key.strip()
]
PHONE_HASH_KEY = env_required("PHONE_HASH_KEY", "the secret of the keyed hash that matches phone numbers.")
CREDENTIAL_ENCRYPTION_KEYS = [
    key.strip()
    for key in env_required(
        "CREDENTIAL_ENCRYPTION_KEYS",
        "Fernet keys that encrypt the stored credentials of other services (Populus tokens, Teams webhook "
        "addresses), comma-separated, newest first.",
    ).split(",")
    if key.strip()
]


def _demo_key_refuse(name: str, value: str, demo_value: str, remedy: str) -> None:
    if value == demo_value:
        raise ImproperlyConfigured(
            f"The environment variable {name} holds the demo's key, which is published with the portal's "
            f"source code: {remedy}"
        )


# The demo's keys are public: with them anyone could sign a session, or undo the keyed hash of the
# do-not-call registry by trying every Finnish number, or read the encrypted numbers. A demo environment
# copied here must not bring them along. An older encryption key may stay behind a new one, so that
# `rotate_encryption_keys` can move what it encrypted to the new key.
_demo_key_refuse(
    "SECRET_KEY",
    SECRET_KEY,
    _DEMO_SECRET_KEY,
    "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'.",
)
_demo_key_refuse(
    "PHONE_HASH_KEY",
    PHONE_HASH_KEY,
    _DEMO_PHONE_HASH_KEY,
    "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'. The do-not-call "
    "registry keeps only hashes: numbers put on it under the demo key are not matched under a new one.",
)
_demo_key_refuse(
    "PHONE_ENCRYPTION_KEYS",
    PHONE_ENCRYPTION_KEYS[0],
    _DEMO_PHONE_ENCRYPTION_KEY,
    "put a new Fernet key in front of it (python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())') and re-encrypt with manage.py rotate_encryption_keys.",
)
_demo_key_refuse(
    "CREDENTIAL_ENCRYPTION_KEYS",
    CREDENTIAL_ENCRYPTION_KEYS[0],
    _DEMO_CREDENTIAL_ENCRYPTION_KEY,
    "put a new Fernet key in front of it (python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())') and re-encrypt with manage.py rotate_encryption_keys.",
)

# Telephony: production names its carrier; the demo's simulator is never a silent default. The
# simulator may be named on purpose (a training site), but its answers come from synthetic residents,
# so its campaigns are marked simulated on their pages and in their reports.
_PROVIDER_CHOICES = ", ".join(TELEPHONY_PROVIDERS)  # noqa: F405
TELEPHONY_PROVIDER = env_required(
    "TELEPHONY_PROVIDER",
    f"the telephony provider campaigns call through, one of {_PROVIDER_CHOICES} "
    "(simulator only for a training site: no one is called and the answers are synthetic).",
)
if TELEPHONY_PROVIDER not in TELEPHONY_PROVIDERS:  # noqa: F405
    raise ImproperlyConfigured(
        f"The environment variable TELEPHONY_PROVIDER must be one of {_PROVIDER_CHOICES}, not {TELEPHONY_PROVIDER!r}."
    )
if TELEPHONY_PROVIDER == "twilio":
    TWILIO_ACCOUNT_SID = env_required("TWILIO_ACCOUNT_SID", "the Twilio account SID (AC...) that places the calls.")
    TWILIO_AUTH_TOKEN = env_required(
        "TWILIO_AUTH_TOKEN", "the Twilio auth token that signs the calls and checks every webhook request."
    )
# Another REST API host is the tests' fake Twilio server: in production calls would reach nobody, and the
# account's credentials whatever listens there.
if TWILIO_API_BASE_URL:  # noqa: F405
    raise ImproperlyConfigured(
        "The environment variable TWILIO_API_BASE_URL is for the tests' fake Twilio server: production talks "
        "to Twilio's own API. Unset it."
    )
# Simulated calls are the demo's: off in production, and a training site on the simulator says
# whether its calls play live (1) or only in `simulate_campaign` (0).
if TELEPHONY_PROVIDER == "simulator":
    env_required("SIMULATOR_LIVE_CALLS", "with TELEPHONY_PROVIDER=simulator, say 1 to play calls live or 0 not to.")
SIMULATOR_LIVE_CALLS = env_bool("SIMULATOR_LIVE_CALLS", default=False)
# A campaign calls through the site's provider only: a Twilio site offers no simulator, whose calls
# would reach nobody (and a campaign left on another provider pauses at its first call). The one
# exception is the planner's simulation of a campaign before its launch, inside a transaction that
# is always rolled back (surveys/services/planner.py: `_simulators_only`).
TELEPHONY_PROVIDERS = {TELEPHONY_PROVIDER: TELEPHONY_PROVIDERS[TELEPHONY_PROVIDER]}  # noqa: F405

# Text messages: none unless the site names its SMS provider, whose sender must be one Finnish
# operators deliver. The simulator sends nothing to anyone: only a training site, whose calls are
# simulated too, may name it.
SMS_PROVIDER = env_str("SMS_PROVIDER") or ""
if SMS_PROVIDER:
    _SMS_CHOICES = ", ".join(SMS_PROVIDERS)  # noqa: F405
    if SMS_PROVIDER not in SMS_PROVIDERS:  # noqa: F405
        raise ImproperlyConfigured(
            f"The environment variable SMS_PROVIDER must be one of {_SMS_CHOICES}, not {SMS_PROVIDER!r}."
        )
    if SMS_PROVIDER == "simulator" and TELEPHONY_PROVIDER != "simulator":
        raise ImproperlyConfigured(
            "SMS_PROVIDER=simulator sends no message to anyone: it is for a training site whose "
            "TELEPHONY_PROVIDER is simulator too. Name a real SMS provider or unset SMS_PROVIDER."
        )
    if SMS_PROVIDER != "simulator" and TELEPHONY_PROVIDER == "simulator":
        raise ImproperlyConfigured(
            f"SMS_PROVIDER={SMS_PROVIDER} texts real phones, but the calls of this site are simulated: a training "
            "site's synthetic contacts have numbers in real mobile ranges. Set SMS_PROVIDER=simulator or unset it."
        )
    if SMS_PROVIDER == "twilio":
        TWILIO_ACCOUNT_SID = env_required("TWILIO_ACCOUNT_SID", "the Twilio account SID (AC...) sending the messages.")
        TWILIO_AUTH_TOKEN = env_required(
            "TWILIO_AUTH_TOKEN", "the Twilio auth token that sends the messages and checks every webhook request."
        )
    SMS_SENDER = env_required(
        "SMS_SENDER", "the municipality's authorized Finnish sender number or name that messages are sent from."
    )
    try:
        _sender_refused = sender_refused_by_operators(sms_sender_read(SMS_SENDER), provider_name=SMS_PROVIDER)
    except InvalidSender as error:
        raise ImproperlyConfigured(f"The environment variable {error}") from None
    if _sender_refused:
        raise ImproperlyConfigured(_sender_refused)
SMS_PROVIDERS = {SMS_PROVIDER: SMS_PROVIDERS[SMS_PROVIDER]} if SMS_PROVIDER else {}  # noqa: F405

# HR data: the simulator makes up a municipality's employees and its work units, which are shared by code
# with the real sources' (its fetch would rename real units). Unlike a simulated campaign, nothing would mark
# its rows, so not even a training site offers it. A simulator source left in the database (made before, or
# in the admin) fails every fetch saying why, and `check --database default` names it (hrreports/checks.py).
POPULUS_SOURCE_KINDS = {kind: path for kind, path in POPULUS_SOURCE_KINDS.items() if kind != "simulator"}  # noqa: F405

# The second factor is never off in production: a demo environment copied here must not turn it off.
if env_bool("DEMO_TWO_FACTOR_OFF", default=False):
    raise ImproperlyConfigured(
        "The environment variable DEMO_TWO_FACTOR_OFF is for the demo only: production always asks "
        "staff of TWO_FACTOR_REQUIRED_ROLES for a second factor. Unset it."
    )
TWO_FACTOR_DEMO_OFF = False

# The monthly reports' attachments carry salaries, and an SMTP login its password: to another machine
# they go encrypted. A mail server on this machine relays them on its own terms.
if (
    EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"  # noqa: F405
    and not (EMAIL_USE_TLS or EMAIL_USE_SSL)  # noqa: F405
    and EMAIL_HOST.rstrip(".").lower() not in ("localhost", "127.0.0.1", "::1")  # noqa: F405
):
    raise ImproperlyConfigured(
        f"The environment variable EMAIL_HOST {EMAIL_HOST} is reached without encryption: set EMAIL_USE_TLS=1 "  # noqa: F405
        "(STARTTLS, usually port 587) or EMAIL_USE_SSL=1 (port 465), or relay through a mail server on this "
        "machine (EMAIL_HOST=localhost)."
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
# A load balancer or monitor may probe gunicorn directly over plain http (HEALTHZ_INTERNAL_NETWORKS): /healthz
# answers it rather than redirecting. It tells only ok or fail to anyone else; its details (check names, error
# types, heartbeat ages) hold no secret and no personal data.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The README's nginx in front: the client's address is the one it appended to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
