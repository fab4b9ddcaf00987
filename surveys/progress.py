"""How far a campaign has come: the figures of the live campaign page (read by
`surveys.selectors.campaign_progress`), and how the page words them."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from surveys.models import CampaignStatus

# Why a number has had fewer attempts than the campaign allows, in the order of the coverage table.
PENDING, COMPLETE, REFUSED, OPTED_OUT, NOT_ELIGIBLE, QUOTA_FILLED, ENDED = (
    "pending",
    "complete",
    "refused",
    "opted_out",
    "not_eligible",
    "quota_filled",
    "ended",
)
SHORT_REASONS = (PENDING, COMPLETE, REFUSED, OPTED_OUT, NOT_ELIGIBLE, QUOTA_FILLED, ENDED)
ENDED_CAMPAIGN_STATUSES = frozenset({CampaignStatus.COMPLETED, CampaignStatus.CANCELLED})


@dataclass(frozen=True)
class CoverageRow:
    attempts: int
    numbers: int
    # Only for fewer attempts than the maximum: reason -> numbers, in SHORT_REASONS order.
    reasons: dict[str, int] | None


@dataclass(frozen=True)
class CampaignProgress:
    status: str
    numbers: int
    final: int
    calls: int  # placed attempts, not numbers
    answered: int  # attempts a person or a machine picked up
    reached: int  # numbers where a person (never a machine or a fax line) heard the introduction
    consented: int
    complete: int  # AAPOR I: at least 80 % of the questions that applied answered
    partial: int  # AAPOR P: 50-80 % of them answered
    break_offs: int  # fewer answers, and no longer on the line: AAPOR counts them with the refusals (R)
    in_progress: int
    coverage: list[CoverageRow]
    spend: Decimal
    budget_cap: Decimal | None

    @property
    def percent(self) -> float:
        return round(100 * self.final / self.numbers, 1) if self.numbers else 0.0

    @property
    def budget_percent(self) -> float | None:
        if not self.budget_cap:
            return None
        return round(float(100 * self.spend / self.budget_cap), 1)

    @property
    def running(self) -> bool:
        return self.status == CampaignStatus.RUNNING


def _number(value) -> str:
    return number_format(value, use_l10n=True, force_grouping=True)


def progress_summary(progress: CampaignProgress) -> str:
    return _("Numbers with a final outcome: %(final)s of %(numbers)s (%(percent)s %%).") % {
        "final": _number(progress.final),
        "numbers": _number(progress.numbers),
        "percent": _number(progress.percent),
    }


def progress_values(progress: CampaignProgress) -> dict[str, str]:
    """Every figure the page updates one by one, formatted for the active language, keyed by its
    `data-live` name; the funnel is swapped whole (`surveys.views.campaigns`)."""
    values = {
        "numbers": progress.numbers,
        "final": progress.final,
        "percent": progress.percent,
        "in_progress": progress.in_progress,
        "spend": progress.spend.quantize(Decimal("0.01")),
    }
    if progress.budget_percent is not None:
        values["budget_percent"] = progress.budget_percent
    for row in progress.coverage:
        values[f"coverage-{row.attempts}"] = row.numbers
        for reason, count in (row.reasons or {}).items():
            values[f"coverage-{row.attempts}-{reason}"] = count
    figures = {key: _number(value) for key, value in values.items()}
    figures["spend"] = number_format(values["spend"], 2, use_l10n=True, force_grouping=True)
    return figures


def progress_json(progress: CampaignProgress, *, status_label: str) -> dict:
    return {
        "status": progress.status,
        "status_label": status_label,
        "running": progress.running,
        "final": progress.final,
        "numbers": progress.numbers,
        "summary": progress_summary(progress),
        "values": progress_values(progress),
    }
