from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class KuntaportaaliConfig(AppConfig):
    default = True
    name = "kuntaportaali"
    verbose_name = _("Kuntaportaali")

    def ready(self):
        # Also after `flush` (which empties the groups) and when a new model brings permissions
        # that the administrator role must hold.
        post_migrate.connect(_sync_roles_after_migrate, sender=self)

        from . import checks  # noqa: F401 (registers the system checks)
        from .middleware import session_login_time_store

        user_logged_in.connect(session_login_time_store, dispatch_uid="kuntaportaali-login-time")
        user_logged_in.connect(_login_failures_forget, dispatch_uid="kuntaportaali-login-failures-forget")


def _login_failures_forget(sender, request, user, **kwargs):
    from .login_throttle import login_failures_forget

    login_failures_forget(user.get_username())


def _sync_roles_after_migrate(sender, apps=None, **kwargs):
    # `migrate` passes its post-migration app registry; `flush` passes none.
    from django.apps import apps as global_apps

    from .roles import roles_sync

    roles_sync(apps=apps or global_apps)


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "kuntaportaali.admin_site.PortalAdminSite"
