"""Subscriptions of supervisors to their units' monthly reports, and the log of every delivery."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisation import WorkUnit


class ReportKind(models.TextChoices):
    ABSENCES = "absences", _("Absences")
    SALARIES = "salaries", _("Paid salaries")
    EMPLOYMENTS = "employments", _("Employments started and ended")


class DeliveryFormat(models.TextChoices):
    LINK = "link", _("Link to the portal only")
    XLSX = "xlsx", _("Excel (XLSX) attachment")


def all_reports() -> list[str]:
    return list(ReportKind.values)


class Subscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        WorkUnit, verbose_name=_("work unit"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    reports = models.JSONField(_("reports"), default=all_reports)
    format = models.CharField(_("format"), max_length=8, choices=DeliveryFormat.choices, default=DeliveryFormat.LINK)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="fi")
    categories = models.JSONField(
        _("absence categories included"), default=list, blank=True, help_text=_("Empty: every category.")
    )
    include_subunits = models.BooleanField(_("include sub-units"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["unit__path", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="hr_subscription_user_unit")]

    def __str__(self) -> str:
        return f"{self.user} – {self.unit}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One subscription's email of one month; the unique constraint keeps it to one row, and the
    sender's row lock to one email, however many runs overlap."""

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    period = models.DateField(_("period"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    reason = models.TextField(_("reason"), blank=True)
    reports = models.PositiveSmallIntegerField(_("reports"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-period", "pk"]
        constraints = [models.UniqueConstraint(fields=["subscription", "period"], name="hr_delivery_once_per_period")]

    def __str__(self) -> str:
        return f"{self.subscription} {self.period:%Y-%m} {self.status}"
