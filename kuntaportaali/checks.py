from django.conf import settings
from django.core import checks

from .roles import Role


@checks.register(checks.Tags.security)
def two_factor_roles_check(app_configs, **kwargs):
    """A misspelt role in TWO_FACTOR_REQUIRED_ROLES would silently let that role in without a second factor."""
    known = {role.value for role in Role}
    unknown = [name for name in settings.TWO_FACTOR_REQUIRED_ROLES if name not in known]
    if not unknown:
        return []
    return [
        checks.Error(
            f"TWO_FACTOR_REQUIRED_ROLES names roles that do not exist: {', '.join(unknown)}.",
            hint=f"Use the names {', '.join(sorted(known))}, comma-separated.",
            id="kuntaportaali.E001",
        )
    ]
