"""Telephony providers: each a class behind `TelephonyProvider`, listed in TELEPHONY_PROVIDERS."""

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import ProviderError, StatusUpdate, TelephonyProvider

__all__ = ["ProviderError", "StatusUpdate", "TelephonyProvider", "provider_get", "provider_label"]


@lru_cache(maxsize=8)
def _provider_class(name: str, dotted_path: str) -> type[TelephonyProvider]:
    return import_string(dotted_path)


def provider_get(name: str | None = None) -> TelephonyProvider:
    """The provider called `name` (the default TELEPHONY_PROVIDER when None), freshly configured."""
    name = name or settings.TELEPHONY_PROVIDER
    try:
        dotted_path = settings.TELEPHONY_PROVIDERS[name]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown telephony provider {name!r}; see TELEPHONY_PROVIDERS.") from None
    return _provider_class(name, dotted_path)()


def provider_label(name: str) -> str:
    """What people see for the provider called `name`; a name the site does not list shows as it is."""
    dotted_path = settings.TELEPHONY_PROVIDERS.get(name)
    return name if dotted_path is None else str(_provider_class(name, dotted_path).label)
