from django.conf import settings
from django.core import checks
from django.db import connections


@checks.register(checks.Tags.database)
def sources_not_offered_check(app_configs, databases=None, **kwargs):
    """A source of a kind the site does not offer fails every fetch: the demo's simulator in production,
    made before or in the admin. Named when `migrate` or `check --database default` runs."""
    from .models import Source

    if not databases or Source.objects.db not in databases:
        return []
    if Source._meta.db_table not in connections[Source.objects.db].introspection.table_names():
        return []  # before the first `migrate`
    refused = Source.objects.exclude(kind__in=list(settings.POPULUS_SOURCE_KINDS)).order_by("name")
    if not refused:
        return []
    named = ", ".join(f"{source.name} ({source.kind}{', active' if source.active else ''})" for source in refused)
    return [
        checks.Warning(
            f"Populus sources of a kind this site does not fetch: {named}. Every fetch of them fails.",
            hint=(
                "Change their kind, or delete them, at HR administration -> Sources (POPULUS_SOURCE_KINDS lists the "
                "kinds this site offers). The demo's simulator makes up employees and work units: what it fetched "
                "before stays when the source is deleted."
            ),
            id="hrreports.W001",
        )
    ]
