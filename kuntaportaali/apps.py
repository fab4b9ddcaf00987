from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class KuntaportaaliConfig(AppConfig):
    default = True
    name = "kuntaportaali"
    verbose_name = _("Kuntaportaali")


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "kuntaportaali.admin_site.PortalAdminSite"
