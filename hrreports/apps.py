from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrreportsConfig(AppConfig):
    name = "hrreports"
    verbose_name = _("HR reports")
