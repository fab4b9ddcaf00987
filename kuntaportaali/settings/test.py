"""Settings for the test suite: PostgreSQL and Redis come from DATABASE_URL and REDIS_URL."""

import os
from urllib.parse import urlsplit

# Under pytest-xdist every worker gets a Redis database of its own (the next ones after REDIS_URL's),
# so that a test emptying the queues or the cache never touches another worker's. The processes a
# test starts inherit the adjusted address and keep it.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER.startswith("gw") and os.environ.get("KUNTAPORTAALI_TEST_REDIS_FOR") != _XDIST_WORKER:
    _redis = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    _database = int(_redis.path.strip("/") or 0) + 1 + int(_XDIST_WORKER.removeprefix("gw"))
    os.environ["REDIS_URL"] = _redis._replace(path=f"/{_database}").geturl()
    os.environ["KUNTAPORTAALI_TEST_REDIS_FOR"] = _XDIST_WORKER

os.environ.setdefault("SECRET_KEY", "test-only-key-for-the-kuntaportaali-test-suite-0123456789")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# A mail server that never answers fails a test within seconds (tests/hrreports/test_delivery.py).
os.environ.setdefault("EMAIL_TIMEOUT", "2")
os.environ.setdefault("PHONE_ENCRYPTION_KEYS", "hS1mJ0y0Lw3h6h3oTHjv0d1G0pbqK4bqfQk1J2mC6rU=")
os.environ.setdefault("PHONE_HASH_KEY", "test-only-phone-hash-key")
os.environ.setdefault("CREDENTIAL_ENCRYPTION_KEYS", "b0xyT4vb0Jr5fE2wQ9kz3mH7uN1cL6aS8dG2pV4tY0o=")

from .base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# HTTP sources reach the tests' local endpoint server only, whatever the shell exports.
POPULUS_HTTP_ALLOWED_HOSTS = ["127.0.0.1"]
# Teams webhooks: Microsoft's hosts as in production, and the tests' local receiver.
TEAMS_WEBHOOK_ALLOWED_HOSTS = [
    ".webhook.office.com",
    ".logic.azure.com",
    ".environment.api.powerplatform.com",
    "127.0.0.1",
]
# Campaigns made without a provider call the simulator, whatever the shell exports.
TELEPHONY_PROVIDER = "simulator"
# Messages go through the simulator, from a sender name, whatever the shell exports.
SMS_PROVIDER = "simulator"
SMS_SENDER = "Kuntakysely"
# Calls placed through the simulator go nowhere unless a test plays them (tests/surveys/test_simulation_live.py).
SIMULATOR_LIVE_CALLS = False
# The second factor is enforced in the tests whatever the shell exports (tests/conftest.py logs in with it).
TWO_FACTOR_DEMO_OFF = False
# PostgreSQL whose flush after a transactional test deletes rows instead of truncating tables, and
# keeps what post_migrate made while no test changed it (tests/database: a backend and `flush`).
if DATABASES["default"]["ENGINE"] == "kuntaportaali.database":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.database"  # noqa: F405
    INSTALLED_APPS = ["tests.database", *INSTALLED_APPS]  # noqa: F405
