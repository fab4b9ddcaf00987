"""Results leaving the results page: report files generated in the background, and the summary of a
finished campaign published on the residents' page."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from kuntaportaali.downloads import file_name
from surveys.languages import LANGUAGE_NAMES

from .campaign import Campaign


def report_filename(campaign: Campaign, *, file_format: str, language: str) -> str:
    """Named in the report's language, "pilotti-raportti.pdf", "pilotti-rapport.pdf"."""
    with translation.override(language):
        return file_name(campaign.slug, pgettext("file name", "report"), extension=file_format)


class ReportFormat(models.TextChoices):
    PDF = "pdf", _("PDF report")
    XLSX = "xlsx", _("Excel workbook")


class ReportFileStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportFile(models.Model):
    """One generated report of a campaign: pending -> running -> done or failed.

    The file is kept in the database, so every web and worker process sees it without a shared
    disk; only the newest finished file per campaign, format and language is kept.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="report_files")
    file_format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    language = models.CharField(_("language"), max_length=2, choices=list(LANGUAGE_NAMES.items()))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportFileStatus.choices, default=ReportFileStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "file_format", "language"], name="report_file_lookup")]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")

    def __str__(self):
        return f"{self.campaign} {self.file_format} {self.language} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportFileStatus.DONE, ReportFileStatus.FAILED)

    @property
    def filename(self) -> str:
        return report_filename(self.campaign, file_format=self.file_format, language=self.language)


class ResultSummary(models.Model):
    """What residents read of a finished campaign's results: an introduction per language and the
    charts of the chosen questions.

    The figures are frozen into `figures` when the summary is published, per language, with small
    groups already left out (see `surveys.reports.publication`), so the public page never computes
    results and shows exactly what the communications team saw when publishing.
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="result_summary")
    intro_fi = models.TextField(_("introduction (Finnish)"))
    intro_sv = models.TextField(_("introduction (Swedish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    question_positions = models.JSONField(_("questions whose charts are shown"), default=list, blank=True)
    figures = models.JSONField(default=dict, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [("publish_results", _("Can publish result summaries on the residents' page"))]
        verbose_name = _("published result summary")
        verbose_name_plural = _("published result summaries")

    def __str__(self):
        return f"{self.campaign} summary"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
