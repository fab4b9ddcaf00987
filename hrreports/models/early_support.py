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
    90). A rule fires in the month the figure reaches the threshold, once per employee and month."""

    name = models.CharField(_("name"), max_length=200)
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
        return self.name

    @property
    def guidance(self) -> str:
        language = get_language() or "fi"
        return getattr(self, f"guidance_{language[:2]}", "") or self.guidance_fi


class Alert(models.Model):
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="alerts")
    rule = models.ForeignKey(Rule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="alerts")
    period = models.DateField(_("period"))
    spells = models.PositiveIntegerField(_("spells"))
    days = models.PositiveIntegerField(_("calendar days"))
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
