"""Settings for the test suite: PostgreSQL and Redis come from DATABASE_URL and REDIS_URL."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-for-the-kuntaportaali-test-suite-0123456789")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("PHONE_ENCRYPTION_KEYS", "hS1mJ0y0Lw3h6h3oTHjv0d1G0pbqK4bqfQk1J2mC6rU=")
os.environ.setdefault("PHONE_HASH_KEY", "test-only-phone-hash-key")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Calls placed through the simulator go nowhere unless a test plays them (tests/surveys/test_simulation_live.py).
SIMULATOR_LIVE_CALLS = False
