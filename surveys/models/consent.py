from django.db import models
from django.utils.translation import gettext_lazy as _

from .campaign import Campaign


class ConsentKind(models.TextChoices):
    INFORMED = "informed", _("Informed")
    CONSENTED = "consented", _("Consented")
    DECLINED = "declined", _("Declined")
    OPTED_OUT = "opted_out", _("Opted out")
    # Chose at the call's introduction to answer on the web instead: not a refusal.
    WEB_LINK = "web_link", _("Asked for the web link")
    # Asked by text message to be messaged again after an opt-out (Twilio's START): the opt-out stays.
    OPT_IN_REFUSED = "opt_in_no", _("Asked to opt back in (the opt-out stays)")


class ConsentChannel(models.TextChoices):
    """Where the person was told and chose: on a call, on the web (a residents' page or their own
    survey link) or by a text message reply."""

    CALL = "call", _("call")
    WEB = "web", _("web")
    SMS = "sms", _("text message")


class ConsentEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Consent events are append-only: they cannot be updated.")

    def delete(self):
        raise TypeError("Consent events are append-only: they cannot be deleted.")


class ConsentEvent(models.Model):
    """Evidence of what a person was told and what they chose. Append-only.

    Besides this model guard, PostgreSQL refuses UPDATE and DELETE on the table (a trigger).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    contact_ref = models.UUIDField(_("pseudonymous contact"), null=True, blank=True, db_index=True)
    kind = models.CharField(_("event"), max_length=10, choices=ConsentKind.choices)
    channel = models.CharField(_("channel"), max_length=4, choices=ConsentChannel.choices)
    intro_hash = models.CharField(_("hash of the introduction played"), max_length=64, blank=True)
    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.kind} ({self.channel})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Consent events are append-only: an existing event cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Consent events are append-only: they cannot be deleted.")
