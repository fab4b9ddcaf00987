"""SMS providers: each a class behind `SmsProvider`, listed in SMS_PROVIDERS; the site sends
through SMS_PROVIDER (none in production unless it names one)."""

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@lru_cache(maxsize=8)
def _provider_class(name: str, dotted_path: str):
    return import_string(dotted_path)


def sms_provider_get(name: str | None = None):
    """The SMS provider called `name` (the site's SMS_PROVIDER when None), freshly configured.
    Raises ImproperlyConfigured when the site offers no such provider (or none at all)."""
    name = name or settings.SMS_PROVIDER
    try:
        dotted_path = settings.SMS_PROVIDERS[name]
    except KeyError:
        raise ImproperlyConfigured(f"No SMS provider {name!r} is offered: see SMS_PROVIDER.") from None
    return _provider_class(name, dotted_path)()
