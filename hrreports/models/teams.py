"""Microsoft Teams channels that hear, through their incoming webhook, when the monthly reports are ready."""

from urllib.parse import urlsplit

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kuntaportaali.credentials import CredentialUnreadable, credential_decrypt, credential_encrypt

from .organisation import WorkUnit

WEBHOOK_URL_LABEL = _("incoming webhook address")
WEBHOOK_URL_HELP = _(
    "The address Teams gives for the channel's incoming webhook (or workflow); it starts with https://."
)


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
    # The address as CREDENTIAL_ENCRYPTION_KEYS encrypts it (kuntaportaali.credentials): its path lets anyone
    # post to the channel. `webhook_url` reads and sets it.
    webhook_url_encrypted = models.TextField(_("incoming webhook address (encrypted)"), editable=False)
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
    def webhook_url(self) -> str:
        """The address (raises CredentialUnreadable, naming the setting, if no key reads it)."""
        return credential_decrypt(self.webhook_url_encrypted, what=f"The webhook address of Teams channel {self.pk}")

    @webhook_url.setter
    def webhook_url(self, address: str) -> None:
        self.webhook_url_encrypted = credential_encrypt(address)

    @property
    def webhook_host(self) -> str:
        """The address's host only: its path is the channel's secret, so lists do not show it."""
        try:
            return urlsplit(self.webhook_url).hostname or ""
        except CredentialUnreadable:
            return str(_("unreadable: see CREDENTIAL_ENCRYPTION_KEYS"))
