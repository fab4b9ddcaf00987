"""A campaign's prediction before its launch: what simulating it as configured found (surveys.services.planner)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .campaign import Campaign


class PredictionStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being calculated")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class CampaignPrediction(models.Model):
    """One prediction of a campaign: queued -> running -> done or failed.

    `runs` holds what each simulation of the sample found, as the simulation counted it (one dict a
    run: seed, numbers, calls, complete, complete_by_age_group, sms_sent, variable_cost,
    design_effect); the figures shown are computed from them (surveys.planner_figures), scaled by
    `numbers` / `sample_size`. `campaign_settings` are the campaign's settings it was made for."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="predictions")
    status = models.CharField(
        _("status"), max_length=10, choices=PredictionStatus.choices, default=PredictionStatus.QUEUED
    )
    failure_reason = models.TextField(_("reason of the failure"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The numbers predicted for: the campaign's contacts that may be called, or (with none yet) the
    # count the requester gave, drawn from the synthetic population.
    numbers = models.PositiveIntegerField(_("numbers"))
    numbers_assumed = models.BooleanField(_("numbers given by the requester"), default=False)
    sample_size = models.PositiveIntegerField(_("numbers simulated per run"))
    seeds = models.JSONField(_("seeds"), default=list)
    campaign_settings = models.JSONField(_("the campaign's settings"), default=dict)
    fixed_cost = models.DecimalField(_("fixed costs (EUR)"), max_digits=10, decimal_places=2, default=0)
    runs = models.JSONField(_("simulated runs"), default=list)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("campaign prediction")
        verbose_name_plural = _("campaign predictions")

    def __str__(self):
        return f"{self.campaign} prediction ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (PredictionStatus.DONE, PredictionStatus.FAILED)
