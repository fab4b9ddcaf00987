"""Early support: rules on employees' sick leave, and the alerts they raise for supervisors."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .organisation import WorkUnit
from .records import AbsenceCategory, Employee


class RuleKind(models.TextChoices):
    WINDOW = "window", _("Spells or days in a period of months")
    CHECKPOINT = "checkpoint", _("Cumulative sick-leave day checkpoint")


def default_categories() -> list[str]:
    return [AbsenceCategory.SICK_LEAVE.value]


class Rule(models.Model):
    """An early-support rule. A `window` rule fires when an employee's spells reach `spells_at_least`
    or their absence days reach `days_at_least` within the last `months` months; a `checkpoint` rule
    fires when the cumulative days within the last `months` months reach `days_at_least` (day 30, 60,
    90). A rule alerts an employee at most once in any `months` months (see `alerts_evaluate`)."""

    name = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices, default=RuleKind.WINDOW)
    months = models.PositiveSmallIntegerField(_("months"), default=12, help_text=_("How many months are counted."))
    spells_at_least = models.PositiveIntegerField(_("spells at least"), null=True, blank=True)
    days_at_least = models.PositiveIntegerField(_("calendar days at least"), null=True, blank=True)
    categories = models.JSONField(_("absence categories counted"), default=default_categories)
    guidance_fi = models.TextField(_("guidance in Finnish"))
    guidance_sv = models.TextField(_("guidance in Swedish"), blank=True)
    guidance_en = models.TextField(_("guidance in English"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("early-support rule")
        verbose_name_plural = _("early-support rules")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(spells_at_least__isnull=False) | models.Q(days_at_least__isnull=False),
                name="hr_rule_has_threshold",
            ),
            models.CheckConstraint(condition=models.Q(months__gte=1), name="hr_rule_months_positive"),
        ]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        """The name in the active language, or the Finnish one when it has no translation."""
        return getattr(self, f"name_{_active_language()}", "") or self.name

    @property
    def localized_name_language(self) -> str:
        return _active_language() if getattr(self, f"name_{_active_language()}", "") else "fi"

    @property
    def guidance(self) -> str:
        return getattr(self, f"guidance_{_active_language()}", "") or self.guidance_fi

    @property
    def guidance_language(self) -> str:
        return _active_language() if getattr(self, f"guidance_{_active_language()}", "") else "fi"


def _active_language() -> str:
    return (get_language() or "fi")[:2]


class Alert(models.Model):
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="alerts")
    rule = models.ForeignKey(Rule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="alerts")
    period = models.DateField(_("period"))
    spells = models.PositiveIntegerField(_("spells"))
    days = models.DecimalField(_("calendar days"), max_digits=7, decimal_places=2)
    # A late alert (a missed monthly run, a newly added rule) is raised in a later period than the
    # threshold was reached in; the date tells the supervisor how late it is.
    reached_on = models.DateField(_("threshold reached on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    action_date = models.DateField(_("action taken on"), null=True, blank=True)
    action_note = models.TextField(_("action taken"), blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("early-support alert")
        verbose_name_plural = _("early-support alerts")
        ordering = ["-period", "rule__order", "employee__name"]
        constraints = [models.UniqueConstraint(fields=["employee", "rule", "period"], name="hr_alert_once_per_period")]

    def __str__(self) -> str:
        return f"{self.rule} {self.employee} {self.period:%Y-%m}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
