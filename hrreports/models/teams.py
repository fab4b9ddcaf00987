"""Microsoft Teams channels that hear, through their incoming webhook, when the monthly reports are ready."""

from urllib.parse import urlsplit

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .organisation import WorkUnit


class TeamsChannel(models.Model):
    """A channel's incoming-webhook address. With a unit, the channel hears when that unit's reports have
    been delivered; without one it is HR's channel, which hears one summary of each monthly run. The
    notices carry no personal data and no salary figures, only the month, the unit and a link."""

    unit = models.ForeignKey(
        WorkUnit,
        verbose_name=_("work unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="teams_channels",
        help_text=_("Empty: HR's own channel, which gets a summary of every monthly run."),
    )
    webhook_url = models.URLField(
        _("incoming webhook address"),
        max_length=2000,
        help_text=_(
            "The address Teams gives for the channel's incoming webhook (or workflow); it starts with https://."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Teams channel")
        verbose_name_plural = _("Teams channels")
        ordering = ["unit__path", "pk"]
        constraints = [
            # One channel per unit, and one for HR (unit empty): unit ids start at 1.
            models.UniqueConstraint(
                Coalesce("unit", 0),
                name="hr_teams_channel_one_per_unit",
                violation_error_message=_("This unit (or HR) has a Teams channel already."),
            )
        ]

    def __str__(self) -> str:
        return str(self.unit) if self.unit_id else str(_("HR"))

    @property
    def webhook_host(self) -> str:
        """The address's host only: its path is the channel's secret, so lists do not show it."""
        return urlsplit(self.webhook_url).hostname or ""
