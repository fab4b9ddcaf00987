from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HrreportsConfig(AppConfig):
    name = "hrreports"
    verbose_name = _("HR reports")

    def ready(self):
        from . import checks, errors  # noqa: F401 (register the system checks, and the reasons rejected rows and runs are stored with)

        # The default code lists exist after `migrate` and after `flush` (tests, benchmarks).
        post_migrate.connect(_code_lists_after_migrate, sender=self)


def _code_lists_after_migrate(sender, apps=None, **kwargs):
    from .services.codes import code_lists_ensure

    code_lists_ensure()
