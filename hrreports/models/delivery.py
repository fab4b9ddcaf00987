"""Subscriptions of supervisors to their units' monthly reports, and the log of every delivery."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntaportaali.tabular.problems import problem_message

from .fetching import RunTrigger
from .organisation import WorkUnit


class ReportKind(models.TextChoices):
    ABSENCES = "absences", _("Absences")
    SALARIES = "salaries", _("Paid salaries")
    EMPLOYMENTS = "employments", _("Employments started and ended")


class DeliveryFormat(models.TextChoices):
    LINK = "link", _("Link to the portal only")
    XLSX = "xlsx", _("Excel (XLSX) attachment")
    PDF = "pdf", _("PDF attachment")


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
    columns = models.JSONField(
        _("columns shown"),
        default=dict,
        blank=True,
        help_text=_("Per report, the columns shown; a report not listed shows every column."),
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


class DeliveryRun(models.Model):
    """One run of the monthly delivery (the cron job or the command): what it sent, the Teams notices it
    posted, and the staff time it saved - reports delivered x the manual minutes per report, the figure
    the pilot reported to management. `minutes_per_report` keeps the setting in force at the time."""

    period = models.DateField(_("period"))
    unit_code = models.CharField(_("only the unit"), max_length=32, blank=True)
    trigger = models.CharField(_("started by"), max_length=16, choices=RunTrigger.choices, default=RunTrigger.COMMAND)
    forced = models.BooleanField(_("sent again on purpose"), default=False)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    reports = models.PositiveIntegerField(_("reports delivered"), default=0)
    emails = models.PositiveIntegerField(_("emails sent"), default=0)
    failed = models.PositiveIntegerField(_("emails failed"), default=0)
    skipped = models.PositiveIntegerField(_("already sent"), default=0)
    waiting = models.PositiveIntegerField(
        _("waiting for data"), default=0, help_text=_("Emails held until the month's data of their units is fetched.")
    )
    minutes_per_report = models.PositiveIntegerField(_("manual minutes per report"))
    notices_sent = models.PositiveIntegerField(_("Teams notices sent"), default=0)
    notices_failed = models.PositiveIntegerField(_("Teams notices failed"), default=0)
    notice_errors = models.JSONField(_("Teams notice failures"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True, help_text=_("Why the run ended before it finished."))
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_params = models.JSONField(_("error parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("delivery run")
        verbose_name_plural = _("delivery runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.finished_at is None and not self.error

    @property
    def error_message(self) -> str:
        """Why the run ended before it finished, in the active language ("" for a run that did not)."""
        return problem_message(self.error_code, self.error_params)

    @property
    def minutes_saved(self) -> int:
        return self.reports * self.minutes_per_report

    @property
    def hours_saved(self) -> Decimal:
        return hours_of(self.minutes_saved)


def hours_of(minutes: int) -> Decimal:
    """Minutes as hours with one decimal, e.g. 450 -> Decimal("7.5")."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
