import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kuntaportaali.tabular.problems import problem_message

from .campaign import Campaign
from .consent import ConsentChannel


class ContactStatus(models.TextChoices):
    PENDING = "pending", _("Not called yet")
    IN_PROGRESS = "in_progress", _("Being called")
    FINISHED = "finished", pgettext_lazy("contact status", "Finished")
    OPTED_OUT = "opted_out", _("Opted out")


class Contact(models.Model):
    """A person to call in one campaign, at one or more numbers (`numbers`, tried in turn).

    Answers never point here: they carry `pseudonym`, which survives the purge of the numbers.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contacts")
    pseudonym = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Which upload brought the contact. Neither an index nor a database constraint: a million-row import
    # would pay for both on every row, and nothing looks contacts up by their import but the import itself.
    source_import = models.ForeignKey(
        "ContactImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    postal_code = models.CharField(max_length=5, blank=True)
    language = models.CharField(max_length=2, default="fi")
    status = models.CharField(max_length=12, choices=ContactStatus.choices, default=ContactStatus.PENDING)
    imported_at = models.DateTimeField(auto_now_add=True)
    # When the contact's group filled its quota and the contact's calls stopped, or the person was
    # screened out on the line (AAPOR 4.80, quota filled). NULL: not closed by a quota.
    quota_closed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return str(self.pseudonym)


class ContactNumber(models.Model):
    """One phone number of a contact. The number is encrypted; `phone_hash` (HMAC) finds it.

    `campaign` repeats the contact's campaign so that the database itself keeps a number once per campaign.
    """

    # No index of their own: the unique constraints below begin with them. (A million-row import pays
    # for every index and every constraint; `campaign` repeats the contact's, which the database checks.)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="numbers", db_index=False)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    position = models.PositiveSmallIntegerField(help_text="1 for the number called first")
    phone_encrypted = models.BinaryField(null=True, editable=False)
    # NULL after the purge: unlike empty strings, NULLs never collide in the per-campaign unique constraint.
    phone_hash = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001
    # The carrier refused to call the number (invalid, unreachable): the contact's other numbers are tried.
    carrier_refused = models.BooleanField(default=False)

    class Meta:
        ordering = ["contact", "position"]
        constraints = [
            # Hash first: the registry and opt-outs look numbers up by hash alone, imports by hash and campaign.
            models.UniqueConstraint(fields=["phone_hash", "campaign"], name="contact_number_once_per_campaign"),
            models.UniqueConstraint(fields=["contact", "position"], name="contact_number_position_unique"),
        ]
        verbose_name = _("contact's phone number")
        verbose_name_plural = _("contacts' phone numbers")

    def __str__(self):
        return f"{self.contact_id} #{self.position}"


class ContactImportStatus(models.TextChoices):
    CHOOSING = "choosing", _("Waiting for the phone columns to be chosen")
    PENDING = "pending", _("Waiting for a worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused, nothing imported")


class ContactImport(models.Model):
    """One uploaded contact file and what became of its rows: choosing -> pending -> running -> done | failed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contact_imports")
    filename = models.CharField(max_length=255)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ContactImportStatus.choices, default=ContactImportStatus.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    layout = models.JSONField(default=dict, help_text="The columns found in the file and the phone columns used")
    error = models.JSONField(default=dict, help_text="{code, params} of the reason the whole file was refused")
    rows_read = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    numbers = models.PositiveIntegerField(default=0, help_text="Phone numbers stored for the imported contacts")
    duplicates = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    opted_out = models.PositiveIntegerField(default=0)
    languages_defaulted = models.PositiveIntegerField(
        default=0, help_text="Imported contacts whose language the survey is not in: called in the default language"
    )
    problems = models.JSONField(default=list, help_text="[{row, column, value, code, params}] of the invalid rows")

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")

    def __str__(self):
        return f"{self.filename} -> {self.campaign.slug}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ContactImportStatus.DONE, ContactImportStatus.FAILED)

    @property
    def error_message(self) -> str:
        """Why the whole file was refused, in the reader's language."""
        return problem_message(self.error["code"], self.error.get("params")) if self.error else ""


class ContactImportChunk(models.Model):
    """A piece of an uploaded contact file, encrypted, kept only until its import has ended."""

    contact_import = models.ForeignKey(ContactImport, on_delete=models.CASCADE, related_name="file_chunks")
    position = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["contact_import", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contact_import", "position"], name="contact_import_chunk_unique")
        ]

    def __str__(self):
        return f"{self.contact_import_id} #{self.position}"


# Where an opt-out came from: a channel the person chose on, or staff in the admin.
OPT_OUT_SOURCES = (ConsentChannel.WEB, ConsentChannel.CALL, ConsentChannel.SMS, "admin")


class DoNotCall(models.Model):
    """The do-not-call registry: the keyed hash of a number, never the number itself."""

    phone_hash = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=10, choices=[(str(source), str(source)) for source in OPT_OUT_SOURCES])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("do-not-call entry")
        verbose_name_plural = _("do-not-call registry")

    def __str__(self):
        return f"{self.phone_hash[:12]}… ({self.source})"
