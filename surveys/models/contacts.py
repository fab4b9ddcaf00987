import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .campaign import Campaign


class ContactStatus(models.TextChoices):
    PENDING = "pending", _("Not called yet")
    IN_PROGRESS = "in_progress", _("Being called")
    FINISHED = "finished", pgettext_lazy("contact status", "Finished")
    OPTED_OUT = "opted_out", _("Opted out")


class Contact(models.Model):
    """A number to call in one campaign. The number is encrypted; `phone_hash` (HMAC) finds it.

    Answers never point here: they carry `pseudonym`, which survives the purge of the number.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contacts")
    pseudonym = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    phone_encrypted = models.BinaryField(null=True, editable=False)
    # NULL after the purge: unlike empty strings, NULLs never collide in the per-campaign unique constraint.
    phone_hash = models.CharField(max_length=64, null=True, db_index=True, editable=False)  # noqa: DJ001
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    postal_code = models.CharField(max_length=5, blank=True)
    language = models.CharField(max_length=2, default="fi")
    status = models.CharField(max_length=12, choices=ContactStatus.choices, default=ContactStatus.PENDING)
    imported_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "phone_hash"], name="contact_number_once_per_campaign")
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return str(self.pseudonym)


class ContactImport(models.Model):
    """One uploaded contact file and what became of its rows."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contact_imports")
    filename = models.CharField(max_length=255)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    rows_read = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    opted_out = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, help_text="[{row, value, reason}] of the invalid rows")

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")

    def __str__(self):
        return f"{self.filename} -> {self.campaign.slug}"


class DoNotCall(models.Model):
    """The do-not-call registry: the keyed hash of a number, never the number itself."""

    phone_hash = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=10, choices=[("web", "web"), ("call", "call"), ("admin", "admin")])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("do-not-call entry")
        verbose_name_plural = _("do-not-call registry")

    def __str__(self):
        return f"{self.phone_hash[:12]}… ({self.source})"
