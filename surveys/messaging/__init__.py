"""SMS providers: each a class behind `SmsProvider`, listed in SMS_PROVIDERS; the site sends
through SMS_PROVIDER (none in production unless it names one)."""

from django.conf import settings

from kuntaportaali.plugins import plugin_instance


def sms_provider_get(name: str | None = None):
    """The SMS provider called `name` (the site's SMS_PROVIDER when None), freshly configured.
    Raises ImproperlyConfigured when the site offers no such provider (or none at all)."""
    return plugin_instance(
        settings.SMS_PROVIDERS,
        name or settings.SMS_PROVIDER,
        refusal="No SMS provider %(name)r is offered: see SMS_PROVIDER.",
    )
