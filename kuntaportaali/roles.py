"""Roles are data: each role is a Django group, and ROLE_PERMISSIONS is the one table of what
each group may do. `roles_sync` makes the database match the table; it runs from a migration
and from `manage.py sync_roles`.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SURVEY_MANAGER = "survey_manager", _("Survey manager")
    COMMUNICATIONS = "communications", _("Communications")
    COUNCILLOR = "councillor", _("Councillor")
    HR_ADMIN = "hr_admin", _("HR administration")
    SUPERVISOR = "supervisor", _("Supervisor")


ALL_PERMISSIONS = "__all__"

ROLE_PERMISSIONS: dict[Role, tuple[str, ...] | str] = {
    Role.ADMIN: ALL_PERMISSIONS,
    Role.SURVEY_MANAGER: (
        "surveys.manage_surveys",
        "surveys.view_results",
        "surveys.change_campaignresultsettings",
        "surveys.add_campaignfixedcost",
        "surveys.delete_campaignfixedcost",
    ),
    Role.COMMUNICATIONS: ("surveys.publish_announcements", "surveys.publish_results"),
    Role.COUNCILLOR: ("surveys.view_results",),
    Role.HR_ADMIN: ("hrreports.manage_hr", "hrreports.view_unit_reports", "hrreports.view_all_units"),
    Role.SUPERVISOR: ("hrreports.view_unit_reports",),
}


def roles_sync(*, apps=global_apps) -> dict[str, int]:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS.

    `apps` is the historical app registry when called from a migration. Returns the number of
    permissions per group.

    A migration early in the history runs this with today's role table, whose permissions may be
    declared by models that later migrations create: with a historical registry those are skipped
    (the sync after `migrate` ends grants them). With the real registry (`sync_roles`, `seed_demo`)
    a name that no model declares is an error.
    """
    historical = apps is not global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    # Permissions of models are normally created after `migrate`; a migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)

    summary = {}
    with transaction.atomic():
        for role, wanted in ROLE_PERMISSIONS.items():
            group, _created = Group.objects.get_or_create(name=role.value)
            if wanted == ALL_PERMISSIONS:
                permissions = list(Permission.objects.all())
            else:
                found = [_permission_by_name(Permission, name, missing_ok=historical) for name in wanted]
                permissions = [permission for permission in found if permission is not None]
            group.permissions.set(permissions)
            summary[role.value] = len(permissions)
    return summary


def _permission_by_name(Permission, dotted_name: str, *, missing_ok: bool = False):
    app_label, codename = dotted_name.split(".", 1)
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist:
        if missing_ok:
            return None
        raise LookupError(f"ROLE_PERMISSIONS names {dotted_name}, which no model declares.") from None


def user_roles(user) -> list[Role]:
    if not user.is_authenticated:
        return []
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in Role if role.value in names]


def user_has_role(user, role: Role) -> bool:
    return user.is_authenticated and user.groups.filter(name=role.value).exists()


def user_is_portal_admin(user) -> bool:
    return user.is_active and (user.is_superuser or user_has_role(user, Role.ADMIN))


def user_sync_staff_flag(user) -> None:
    """Only administrators reach Django admin and the RQ dashboard, which check `is_staff`."""
    is_admin = user.is_superuser or user_has_role(user, Role.ADMIN)
    if user.is_staff != is_admin:
        user.is_staff = is_admin
        user.save(update_fields=["is_staff"])


def user_set_roles(*, user, roles: list[Role]) -> None:
    Group = global_apps.get_model("auth", "Group")
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    user_sync_staff_flag(user)
