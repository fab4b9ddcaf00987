"""Keys of what a campaign's pages and dialer keep in the cache (Redis)."""

import hashlib

from django.conf import settings

from surveys.models import Campaign


def campaign_cache_key(kind: str, campaign: Campaign, *depends_on) -> str:
    """A key for `kind` of `campaign`'s cached values, also naming what else the value `depends_on`. The
    database is in it, as two sites (a staging copy, production) may share one Redis, and the campaign's
    creation, as a test database reuses its ids; hashed, as labels are not safe in every cache's keys."""
    parts = repr((settings.DATABASES["default"]["NAME"], campaign.pk, campaign.created_at.timestamp(), *depends_on))
    return f"{kind}:{hashlib.sha256(parts.encode()).hexdigest()}"
