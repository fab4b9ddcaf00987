"""Populus sources as configured by HR administration, and the record of every fetch run."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntaportaali.tabular.problems import problem_message


class ReportType(models.TextChoices):
    UNITS = "units", _("Work units")
    EMPLOYMENTS = "employments", _("Employments")
    ABSENCES = "absences", _("Absences")
    SALARIES = "salaries", _("Salaries")


class Source(models.Model):
    """One configured Populus source. `kind` picks the plug-in (hrreports.sources), `config` holds
    its kind-specific settings (folder, encoding, column maps, endpoint, seed...)."""

    name = models.SlugField(_("name"), max_length=60, unique=True, help_text=_("Short name used on the command line."))
    kind = models.CharField(_("kind"), max_length=32)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Active sources are fetched every month automatically.")
    )
    config = models.JSONField(_("settings"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Populus source")
        verbose_name_plural = _("Populus sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    COMMAND = "command", _("Command line")
    SCHEDULE = "schedule", _("Monthly schedule")
    USER = "user", _("Started by a user")
    DEMO = "demo", _("Demo data")
    FETCH = "fetch", _("The month's data arriving")
    RETRY = "retry", _("Failed emails tried again")


class FetchRun(models.Model):
    """One fetch of one period from one source: pending -> running -> done or failed."""

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="runs")
    period = models.DateField(_("period"), help_text=_("The first day of the month fetched."))
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING)
    trigger = models.CharField(_("started by"), max_length=16, choices=RunTrigger.choices, default=RunTrigger.USER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    counts = models.JSONField(_("rows stored per report"), default=dict, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected rows"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True, help_text=_("Why the run failed, in English (for logs)."))
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_params = models.JSONField(_("error parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("fetch run")
        verbose_name_plural = _("fetch runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["source", "period"], name="hr_run_source_period")]

    def __str__(self) -> str:
        return f"{self.source} {self.period:%Y-%m} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 1)
        return None

    def count(self, report_type: str) -> int:
        return int(self.counts.get(report_type, 0))

    @property
    def error_message(self) -> str:
        """Why the run failed, in the active language (runs from before errors were codes: as stored)."""
        return problem_message(self.error_code, self.error_params) if self.error_code else self.error


class RejectedRow(models.Model):
    """A row (one value of it, when several are bad) the run could not take in, and why: the reason is
    stored as a code with its parameters and worded in the reader's language when shown
    (hrreports.errors). Person numbers never appear in `value` or `params`."""

    run = models.ForeignKey(FetchRun, on_delete=models.CASCADE, related_name="rejected_rows")
    report_type = models.CharField(_("report"), max_length=16, choices=ReportType.choices)
    file = models.CharField(_("file"), max_length=300, blank=True)
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    field = models.CharField(_("field"), max_length=60, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    code = models.CharField(_("reason code"), max_length=64)
    params = models.JSONField(_("reason parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.file}:{self.row} {self.field}: {self.reason}"

    @property
    def reason(self) -> str:
        """Why, in the active language."""
        return problem_message(self.code, self.params)
