"""Telephony providers: each a class behind `TelephonyProvider`, listed in TELEPHONY_PROVIDERS."""

from django.conf import settings

from kuntaportaali.plugins import plugin_class, plugin_instance

from .base import ProviderError, StatusUpdate, TelephonyProvider

__all__ = ["ProviderError", "StatusUpdate", "TelephonyProvider", "provider_get", "provider_label"]


def provider_get(name: str | None = None) -> TelephonyProvider:
    """The provider called `name` (the default TELEPHONY_PROVIDER when None), freshly configured."""
    return plugin_instance(
        settings.TELEPHONY_PROVIDERS,
        name or settings.TELEPHONY_PROVIDER,
        refusal="Unknown telephony provider %(name)r; see TELEPHONY_PROVIDERS.",
    )


def provider_label(name: str) -> str:
    """What people see for the provider called `name`; a name the site does not list shows as it is."""
    dotted_path = settings.TELEPHONY_PROVIDERS.get(name)
    return name if dotted_path is None else str(plugin_class(dotted_path).label)
