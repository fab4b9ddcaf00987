"""Who opened or downloaded which HR report or alert, and who was refused: personal data is read
here, so every read leaves a trace HR administration can review."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisation import WorkUnit


class AccessKind(models.TextChoices):
    VIEW = "view", _("Viewed")
    DOWNLOAD = "download", _("Downloaded")
    DENIED = "denied", _("Refused (outside scope)")


class ReportAccess(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        WorkUnit, verbose_name=_("work unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit_ref = models.CharField(_("unit asked for"), max_length=64, blank=True)
    kind = models.CharField(_("access"), max_length=16, choices=AccessKind.choices)
    what = models.CharField(_("what"), max_length=64)
    period = models.DateField(_("period"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("report access")
        verbose_name_plural = _("report accesses")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.what} {self.unit_ref}"
