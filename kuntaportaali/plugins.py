"""Plug-ins a setting chooses: a mapping of names to dotted class paths (TELEPHONY_PROVIDERS,
SMS_PROVIDERS) and the name in use. Each class is imported once per process."""

from collections.abc import Mapping
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@lru_cache(maxsize=16)
def plugin_class(dotted_path: str) -> type:
    return import_string(dotted_path)


def plugin_instance(offered: Mapping[str, str], name: str, *, refusal: str):
    """A fresh instance of the plug-in called `name`; `refusal` (with `%(name)r`) when none is offered."""
    try:
        dotted_path = offered[name]
    except KeyError:
        raise ImproperlyConfigured(refusal % {"name": name}) from None
    return plugin_class(dotted_path)()
