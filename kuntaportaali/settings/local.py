"""The demo and developer settings: DEBUG on, SQLite, mails written to var/mail, no second factor required."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
# The demo's HTTP sources may reach an endpoint served on this machine (base.py allows none).
os.environ.setdefault("POPULUS_HTTP_ALLOWED_HOSTS", "127.0.0.1,::1,localhost")
# The demo users log in with their password only; DEMO_TWO_FACTOR_OFF=0 tries the second factor out.
os.environ.setdefault("DEMO_TWO_FACTOR_OFF", "1")

from .base import *  # noqa: F403

# A Teams webhook receiver on this machine (http://127.0.0.1:port/...) for trying the notices out.
TEAMS_WEBHOOK_ALLOWED_HOSTS = [*TEAMS_WEBHOOK_ALLOWED_HOSTS, "127.0.0.1", "::1"]  # noqa: F405
