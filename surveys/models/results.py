"""What turning answers into results needs besides the answers: the municipality's population
shares to weight to, a campaign's fixed costs and its result settings.

A target's `category` names one answer option of a survey's demographic question. It is matched
against the option's Finnish label, normalised by `category_key` (case, spacing and the kind of
dash ignored), so "18–29" in a survey and "18-29" in the targets are the same category. The
Finnish label is required of every option and is what a person reads, unlike the keypad digit,
which may be renumbered when a question is edited.
"""

import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.services.weighting import DEFAULT_TRIM_CAP

from .campaign import Campaign
from .survey import Demographic

DASHES = "‐‑‒–—―−"  # hyphen, non-breaking hyphen, figure dash, en dash, em dash, bar, minus


def category_key(label: str) -> str:
    """The form of a category name used to match targets and answer options."""
    text = unicodedata.normalize("NFKC", label).casefold()
    for dash in DASHES:
        text = text.replace(dash, "-")
    text = " ".join(text.split())
    return text.replace(" -", "-").replace("- ", "-")


class TargetDimension(models.TextChoices):
    AGE_GROUP = Demographic.AGE_GROUP.value, Demographic.AGE_GROUP.label
    DISTRICT = Demographic.DISTRICT.value, Demographic.DISTRICT.label
    GENDER = Demographic.GENDER.value, Demographic.GENDER.label


class PopulationTarget(models.Model):
    """The municipality's population share of one category of one dimension (e.g. age group 65+: 0.35)."""

    dimension = models.CharField(_("dimension"), max_length=10, choices=TargetDimension.choices)
    category = models.CharField(
        _("category"), max_length=100, help_text=_("As the answer option reads in Finnish, e.g. 65-74.")
    )
    share = models.DecimalField(
        _("share of the population"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # A district's postal codes: how a contact's postal code tells their district (for quotas).
    postal_codes = models.JSONField(
        _("postal codes"),
        default=list,
        blank=True,
        help_text=_("Districts only: the five-digit postal codes of the district."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dimension", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "category"], name="population_target_once"),
            models.CheckConstraint(
                condition=models.Q(share__gte=0, share__lte=1), name="population_target_share_range"
            ),
        ]
        verbose_name = _("population target")
        verbose_name_plural = _("population targets")

    def __str__(self):
        return f"{self.dimension}: {self.category} {self.share}"


class CampaignFixedCost(models.Model):
    """A cost of the campaign besides the calls, e.g. the number list or project work."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="fixed_costs")
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(
        _("amount (EUR)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="fixed_cost_not_negative")]
        verbose_name = _("fixed cost")
        verbose_name_plural = _("fixed costs")

    def __str__(self):
        return f"{self.description}: {self.amount} EUR"


def default_weighting_dimensions() -> list[str]:
    return list(TargetDimension.values)


class CampaignResultSettings(models.Model):
    """How a campaign's results are computed. Created on first use with the defaults."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="result_settings")
    eligibility_e = models.FloatField(
        _("eligible share of unknown numbers (e)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Leave empty to estimate it from the numbers whose eligibility is known."),
    )
    weighting_dimensions = models.JSONField(
        _("weight by"),
        default=default_weighting_dimensions,
        blank=True,
        help_text=_("Dimensions used when the survey asks them and population targets exist."),
    )
    trim_cap = models.FloatField(
        _("largest weight (times the mean)"),
        default=DEFAULT_TRIM_CAP,
        validators=[MinValueValidator(1.0)],
        help_text=_("Larger weights are cut to this and the rest re-weighted."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(eligibility_e__isnull=True) | models.Q(eligibility_e__gte=0, eligibility_e__lte=1),
                name="result_settings_e_range",
            ),
            models.CheckConstraint(condition=models.Q(trim_cap__gte=1), name="result_settings_trim_cap_min"),
        ]
        verbose_name = _("result settings")
        verbose_name_plural = _("result settings")

    def __str__(self):
        return f"{self.campaign} result settings"
