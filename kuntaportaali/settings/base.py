"""Settings shared by every environment, read from environment variables.

`local` (the demo), `test` and `production` are thin overlays on this module.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", default=False)

# A well-known key is acceptable only on a developer's machine; anything that runs with
# DEBUG off must bring its own.
_DEMO_SECRET_KEY = "demo-only-insecure-key-kuntaportaali-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY") or (_DEMO_SECRET_KEY if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "The environment variable SECRET_KEY must be set when DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

# `seed_demo` makes the demo's users (one per role, sharing one password), its residents, employees and
# simulated calls: the demo's and the tests', never production's (production.py turns it off).
DEMO_SEED_ALLOWED = True

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

# The address residents, supervisors' email links and Twilio's callbacks reach the portal at.
PUBLIC_BASE_URL = (env_str("PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [PUBLIC_BASE_URL])

INSTALLED_APPS = [
    "kuntaportaali.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_rq",
    "django_tables2",
    "django_filters",
    "kuntaportaali",
    "surveys",
    "hrreports",
]

# Everything the portal shows comes from the portal itself: no CDN, no inline script or style
# (django-csp). The Django admin is left out: the RQ dashboard inside it uses inline event handlers.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kuntaportaali.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kuntaportaali.middleware.SignedInNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After authentication and messages: each may log the user out and say why on the next page.
    "kuntaportaali.middleware.SessionLimitsMiddleware",
    "kuntaportaali.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kuntaportaali.urls"
WSGI_APPLICATION = "kuntaportaali.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kuntaportaali.context_processors.navigation",
            ],
        },
    },
]

# Forms are drawn through the project's templates (templates/forms/), which open every form that has
# errors with a summary of them; "django.forms" lets that engine find Django's own form templates.
FORM_RENDERER = "kuntaportaali.form_rendering.PortalFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web server, worker and cron process share one SQLite file: WAL lets readers
    # and one writer work at once, IMMEDIATE transactions queue writers instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # Parameters bound on the server let psycopg prepare a statement its connection has run five
    # times: PostgreSQL then plans it once instead of on every run. The dialer's and the webhooks'
    # row lookups took longer to plan than to run. A transaction-mode pooler that cannot keep a
    # connection's prepared statements (PgBouncer before 1.21) needs this off.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's PostgreSQL, with an integer beyond its column refused as PostgreSQL would refuse it, where
    # psycopg would otherwise send another number (kuntaportaali/database/base.py).
    DATABASES["default"]["ENGINE"] = "kuntaportaali.database"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "public-home"

# Staff read salaries, absences and survey answers: these roles (superusers count as admin) must log
# in with a second factor, a TOTP authenticator app or a single-use recovery code; the other roles may
# turn it on. Only the demo may turn the requirement off (production refuses DEMO_TWO_FACTOR_OFF).
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", ["admin", "hr_admin", "supervisor"])
TWO_FACTOR_DEMO_OFF = env_bool("DEMO_TWO_FACTOR_OFF", default=False)
TWO_FACTOR_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = "Kuntaportaali"
# django-otp's throttling: after n wrong codes in a row the next try waits 2^(n-1) seconds.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Nobody, not even the administrator, reads a user's authenticator key or recovery codes in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# A session ends after SESSION_IDLE_MINUTES without requests (Django's own expiry, renewed by every
# request) and SESSION_MAX_HOURS after the login whatever the activity (SessionLimitsMiddleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True

# Login throttling: a username is locked after this many failures from one address,
# so a guessing attacker is stopped without letting anyone lock out a colleague from elsewhere.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "kuntaportaali.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# How many reverse proxies in front of the portal append to X-Forwarded-For (kuntaportaali/client_address.py):
# 0 when the portal is reached directly. The lockout keys on the client's address, not the proxy's.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "kuntaportaali.client_address.client_address"
# Guessing spread over many addresses (kuntaportaali/login_throttle.py): after this many failures for one
# user name within the window, from wherever, each next try waits 2, 4, 8 ... seconds up to the maximum.
LOGIN_THROTTLE_FREE_FAILURES = env_int("LOGIN_THROTTLE_FREE_FAILURES", 10)
LOGIN_THROTTLE_WINDOW_MINUTES = env_int("LOGIN_THROTTLE_WINDOW_MINUTES", 60)
LOGIN_THROTTLE_MAX_WAIT_SECONDS = env_int("LOGIN_THROTTLE_MAX_WAIT_SECONDS", 60)

LANGUAGE_CODE = "fi"
LANGUAGES = [
    ("fi", _("Finnish")),
    ("sv", _("Swedish")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["kuntaportaali.formats"]
LANGUAGE_COOKIE_NAME = "kuntaportaali_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Without collectstatic (demo, tests) WhiteNoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

REDIS_URL = env_str("REDIS_URL") or "redis://127.0.0.1:6379/0"
WORKER_QUEUES = ("dialer", "populus", "reports", "email", "imports")
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in WORKER_QUEUES}
# Jobs are enqueued only when the surrounding transaction commits, so a worker never
# looks for a row that was rolled back. `rqworker` runs RQ's worker restarting a dead scheduler process.
RQ = {"COMMIT_MODE": "on_db_commit", "WORKER_CLASS": "kuntaportaali.worker.PortalWorker"}
# A queue whose heartbeat is older than this has no live worker (or the cron process is down).
HEARTBEAT_MAX_AGE = timedelta(seconds=env_int("HEARTBEAT_MAX_AGE", 180))
# /healthz tells anyone only ok or fail; its details (failing checks, heartbeat ages) go to these
# networks and to requests with `Authorization: Bearer <HEALTHZ_TOKEN>`.
HEALTHZ_INTERNAL_NETWORKS = env_list("HEALTHZ_INTERNAL_NETWORKS", ["127.0.0.0/8", "::1/128"])
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN") or ""

# HR data from CGI Populus: the source plug-ins, the monthly fetch (day of month and hour,
# Helsinki time), the share of rejected rows above which a run fails as a whole, and the only
# folder that file sources may read.
POPULUS_SOURCE_KINDS = {
    "simulator": "hrreports.sources.simulator.SimulatorSource",
    "files": "hrreports.sources.files.FileSource",
    "http": "hrreports.sources.http.HttpSource",
}
POPULUS_FETCH_DAY = env_int("POPULUS_FETCH_DAY", 5)
POPULUS_FETCH_HOUR = env_int("POPULUS_FETCH_HOUR", 6)
POPULUS_REJECT_THRESHOLD = float(env_str("POPULUS_REJECT_THRESHOLD") or "0.05")
POPULUS_FILE_ROOT = Path(env_str("POPULUS_FILE_ROOT") or BASE_DIR / "var" / "populus")
# The only hosts HTTP sources may contact (names or addresses, optionally :port), comma-separated; empty,
# no HTTP source can be saved or fetched. A loopback, link-local or otherwise special address is reached only
# when listed itself (kuntaportaali/outbound.py).
POPULUS_HTTP_ALLOWED_HOSTS = env_list("POPULUS_HTTP_ALLOWED_HOSTS", [])
# The largest page an HTTP source reads, unpacked (a month of a large town's absences at 500 rows a page is
# a few hundred kilobytes): a larger answer is refused before it fills the worker's memory.
POPULUS_HTTP_MAX_PAGE_BYTES = env_int("POPULUS_HTTP_MAX_PAGE_BYTES", 64 * 1024 * 1024)
# The only hosts Teams channels' webhooks may be on, in the same form (a leading dot: the domain and every
# name under it): Microsoft's incoming webhooks and Power Automate workflows. A name must resolve to a
# public address unless the address is listed itself (kuntaportaali/outbound.py).
TEAMS_WEBHOOK_ALLOWED_HOSTS = env_list(
    "TEAMS_WEBHOOK_ALLOWED_HOSTS",
    [".webhook.office.com", ".logic.azure.com", ".environment.api.powerplatform.com"],
)
# The monthly emails of unit reports (Helsinki time), after the fetch of POPULUS_FETCH_DAY.
UNIT_REPORTS_DAY = env_int("UNIT_REPORTS_DAY", 6)
UNIT_REPORTS_HOUR = env_int("UNIT_REPORTS_HOUR", 7)
# Staff minutes one report took by hand in the pilot; each monthly run shows reports x minutes saved.
HR_MANUAL_MINUTES_PER_REPORT = env_int("HR_MANUAL_MINUTES_PER_REPORT", 20)
# Processes that render and send the monthly unit reports side by side (PDF rendering is CPU-bound).
HR_REPORT_PROCESSES = env_int("HR_REPORT_PROCESSES", 2)
# Months of HR data (absences, salaries, employments, early-support alerts, rejected rows) kept before
# the current month; older data is purged nightly, Populus stays the system of record. 25, because a
# year ago the newest report was of the month 13 months back, and that absence report compares with
# the same month a year earlier (25 months back), as does the early-support rules' 12-month window
# evaluated for it (its month before starts 12 months earlier still). So every report opened within
# the last year shows the same figures and comparisons as when it was sent. Rules counting more than
# 12 months need a correspondingly longer retention.
HR_DATA_RETENTION_MONTHS = env_int("HR_DATA_RETENTION_MONTHS", 25)
# Whether two sick leaves with only Saturdays, Sundays or public holidays between them are one spell, as
# HR counts one illness recorded in working days (Monday-Friday, Monday-Friday); False where units work
# weekends and a weekend between is a return to work (hrreports.spells).
HR_SPELLS_JOIN_OVER_DAYS_OFF = env_bool("HR_SPELLS_JOIN_OVER_DAYS_OFF", True)
# How many months back a month's absences file may still add to the figures: an absence registered in Populus
# after its month was fetched (a doctor's certificate arriving late) comes in a later month's file with the
# earlier dates, and is counted in the months of its days (hrreports.services.store). 12 covers the
# early-support rules' window and the absence report's comparison with the same month a year earlier.
HR_ABSENCE_CORRECTION_MONTHS = env_int("HR_ABSENCE_CORRECTION_MONTHS", 12)
# Months before the current month for which the HR report access log is kept.
HR_ACCESS_LOG_RETENTION_MONTHS = env_int("HR_ACCESS_LOG_RETENTION_MONTHS", 24)
# The RQ job timeout of a fetch run and of the monthly fetch and delivery jobs. No run outlives its job,
# so a run still "running" HR_RUN_STALE_MINUTES after it started has lost its worker (killed, out of
# memory, machine restarted): the hourly sweep marks it failed. Keep the limit above the timeout.
HR_RUN_JOB_TIMEOUT = 3 * 3600
HR_RUN_STALE_MINUTES = env_int("HR_RUN_STALE_MINUTES", HR_RUN_JOB_TIMEOUT // 60 + 15)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL") or REDIS_URL,
        "KEY_PREFIX": "kuntaportaali",
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND") or "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
# Seconds the SMTP connection waits for each answer of the mail server. Django waits for ever: a server
# that took the connection and then hung held the monthly delivery run until its job was killed hours later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "kuntaportaali@localhost"
SERVER_EMAIL = env_str("SERVER_EMAIL") or DEFAULT_FROM_EMAIL

# Surveys: phone numbers are encrypted at rest (Fernet; the first key encrypts, all decrypt, so
# keys can be rotated) and matched by a keyed hash (HMAC-SHA256) that the do-not-call registry keeps.
_DEMO_PHONE_ENCRYPTION_KEY = "3BBKvmP0dWYnM_1_ayPXUrvjEYgd7ZJ6j0kbNgW7vWk="
_DEMO_PHONE_HASH_KEY = "demo-only-phone-hash-key"
PHONE_ENCRYPTION_KEYS = env_list("PHONE_ENCRYPTION_KEYS", [_DEMO_PHONE_ENCRYPTION_KEY] if DEBUG else [])
PHONE_HASH_KEY = env_str("PHONE_HASH_KEY") or (_DEMO_PHONE_HASH_KEY if DEBUG else "")
PHONE_REGION = "FI"
# Credentials of other services kept in the database (an HTTP Populus source's access token, a Teams
# channel's webhook address) are encrypted at rest with these Fernet keys: the first encrypts, all decrypt,
# so a new key put in front takes over and `rotate_encryption_keys` moves the stored ones to it.
_DEMO_CREDENTIAL_ENCRYPTION_KEY = "Hk3cQbX2fO6mR0sVt9yWzA1eC5gI7kM2nP4qS6uX8zA="
CREDENTIAL_ENCRYPTION_KEYS = env_list("CREDENTIAL_ENCRYPTION_KEYS", [_DEMO_CREDENTIAL_ENCRYPTION_KEY] if DEBUG else [])
# A campaign may start only this many days after its first pre-announcement was published.
ANNOUNCEMENT_LEAD_DAYS = env_int("ANNOUNCEMENT_LEAD_DAYS", 7)
# Contact files: the largest upload and the most rows a file may have (a worker imports them in the
# background on the `imports` queue, a million rows in about a minute).
CONTACT_FILE_MAX_BYTES = env_int("CONTACT_FILE_MAX_BYTES", 64 * 1024 * 1024)
CONTACT_FILE_MAX_ROWS = env_int("CONTACT_FILE_MAX_ROWS", 2_000_000)
# The telephony providers a campaign may call through; the default for new campaigns.
TELEPHONY_PROVIDERS = {
    "simulator": "surveys.telephony.simulator.SimulatorProvider",
    "twilio": "surveys.telephony.twilio.TwilioProvider",
}
TELEPHONY_PROVIDER = env_str("TELEPHONY_PROVIDER") or "simulator"
# Twilio: credentials, the REST API host (another host only for a local fake server in tests),
# the text-to-speech voice per survey language and the ring time before "no answer".
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID") or ""
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN") or ""
# Twilio signs a webhook with a SharedKey instead of the auth token when a Webhook Rule of the account says so.
TWILIO_WEBHOOK_SHARED_KEY_SECRET = env_str("TWILIO_WEBHOOK_SHARED_KEY_SECRET") or ""
TWILIO_API_BASE_URL = (env_str("TWILIO_API_BASE_URL") or "").rstrip("/")
TWILIO_VOICES = {
    "fi": env_str("TWILIO_VOICE") or "Polly.Suvi-Neural",
    "sv": env_str("TWILIO_VOICE_SV") or "Polly.Elin-Neural",
    "en": env_str("TWILIO_VOICE_EN") or "Polly.Amy-Neural",
}
TWILIO_RING_TIMEOUT = env_int("TWILIO_RING_TIMEOUT", 30)
# The simulator carrier plays each call it is given in real time, one RQ job per step on the dialer
# queue (the demo's calls), unless a virtual-clock simulation runs in the process; with
# SIMULATOR_LIVE_SPEED above 1 these calls run that many times faster than real ones.
SIMULATOR_LIVE_CALLS = env_bool("SIMULATOR_LIVE_CALLS", True)
SIMULATOR_LIVE_SPEED = env_int("SIMULATOR_LIVE_SPEED", 1)
OPT_OUT_LIMIT_PER_HOUR = env_int("OPT_OUT_LIMIT_PER_HOUR", 20)
# Text messages: the SMS with a contact's link to the web survey. The providers, the one the site
# sends through, the authorized sender (a Finnish number, which takes STOP replies, or a name of at most
# 11 letters, digits and spaces, which nobody can reply to: surveys/messaging/sender.py) and the
# estimated price of one message part (160 characters, 70 with characters outside the GSM alphabet).
SMS_PROVIDERS = {
    "simulator": "surveys.messaging.simulator.SimulatorSmsProvider",
    "twilio": "surveys.messaging.twilio.TwilioSmsProvider",
}
SMS_PROVIDER = env_str("SMS_PROVIDER") or "simulator"
SMS_SENDER = env_str("SMS_SENDER") or "Kuntakysely"
try:
    SMS_PRICE_PER_SEGMENT = Decimal(env_str("SMS_PRICE_PER_SEGMENT") or "0.08")
except InvalidOperation:
    raise ImproperlyConfigured(
        f"The environment variable SMS_PRICE_PER_SEGMENT must be a price in euros, e.g. 0.08, "
        f"not {env_str('SMS_PRICE_PER_SEGMENT')!r}."
    ) from None
# Days a contact's personal link to the web survey stays open after it was made (its SMS sent).
SMS_LINK_VALID_DAYS = env_int("SMS_LINK_VALID_DAYS", 14)
if SMS_LINK_VALID_DAYS < 1:
    raise ImproperlyConfigured(
        f"The environment variable SMS_LINK_VALID_DAYS must be 1 or more, not {SMS_LINK_VALID_DAYS}."
    )
# Results never show the answers of fewer respondents than this: smaller groups (and the groups that
# would give them away) are hidden in every page, report, export and published summary.
RESULTS_MIN_GROUP_SIZE = env_int("RESULTS_MIN_GROUP_SIZE", 5)
if RESULTS_MIN_GROUP_SIZE < 1:
    raise ImproperlyConfigured(
        f"The environment variable RESULTS_MIN_GROUP_SIZE must be 1 or more, not {RESULTS_MIN_GROUP_SIZE}."
    )

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Plain markup styled by static/css/portal.css (no Bootstrap).
DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

# Every handler masks phone numbers and hides person numbers (kuntaportaali.redaction); a filter on a
# logger would miss the records its children pass up. RQ gives rq.worker its own, unfiltered
# handlers only when no ancestor has one: the root's console keeps it from doing so.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "kuntaportaali.redaction.PersonalDataFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {
        # Django's own handlers of these (a console while DEBUG, mail_admins, the runserver log) would
        # not mask: replaced by the root's console and a masking runserver log. No ADMINS are set,
        # so mail_admins sent nothing.
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO; its warnings (a missing font) still show.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        # redis-py gives this logger its own unmasked stdout handler unless the logger already exists.
        "push_response": {"level": "INFO"},
        # The Twilio SDK logs every request's parameters and headers at INFO.
        "twilio.http_client": {"level": "WARNING"},
    },
}
