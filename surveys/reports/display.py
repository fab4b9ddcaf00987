"""Numbers and codes as the results page and the reports write them, in the active language.

Shares are fractions in the results; people read percentages with one decimal. A value that is
not defined (a zero denominator) is written as a dash, never as zero. Figures are rounded half up
(`estimates.rounded`), as the Excel workbook's number formats show the same values and as the
findings' sentences round them.
"""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from surveys.models import Demographic
from surveys.services.estimates import rounded

NOT_DEFINED = "–"
NBSP = "\xa0"

RATE_DEFINITIONS = {
    "RR1": _("Complete answers of all eligible numbers and numbers of unknown eligibility"),
    "RR2": _("Complete and partial answers of all eligible numbers and numbers of unknown eligibility"),
    "RR3": _("Complete answers of the eligible numbers, unknown ones counted by the estimated share e"),
    "RR4": _("Complete and partial answers, unknown numbers counted by the estimated share e"),
    "RR5": _("Complete answers of the numbers known to be eligible"),
    "RR6": _("Complete and partial answers of the numbers known to be eligible"),
    "COOP1": _("Complete answers of the people reached"),
    "COOP2": _("Complete and partial answers of the people reached"),
    # O is never "unable to answer" here (surveys.services.dispositions): AAPOR's wording would mislead.
    "COOP3": _(
        "Complete answers of the people reached, leaving out the other eligible ones reached (O: asked for the "
        "link, or answered in the other mode)"
    ),
    "COOP4": _(
        "Complete and partial answers of the people reached, leaving out the other eligible ones reached (O: asked "
        "for the link, or answered in the other mode)"
    ),
    "REF1": _("Refusals of all eligible numbers and numbers of unknown eligibility"),
    "REF2": _("Refusals, unknown numbers counted by the estimated share e"),
    "REF3": _("Refusals of the numbers known to be eligible"),
    "CON1": _("People reached of all eligible numbers and numbers of unknown eligibility"),
    "CON2": _("People reached, unknown numbers counted by the estimated share e"),
    "CON3": _("People reached of the numbers known to be eligible"),
}

DISPOSITION_LABELS = {
    "I": _("Complete interview"),
    "P": _("Partial interview"),
    "R": _("Refusal or break-off"),
    "NC": _("Non-contact (e.g. answering machine)"),
    "O": _("Other eligible, not interviewed"),
    "UH": _("Unknown eligibility (never answered)"),
    "UO": _("Unknown eligibility, other"),
    "NE": _("Not eligible (e.g. disconnected number)"),
}

# AAPOR 4.80, a part of NE (not eligible) told apart: the numbers list had nothing to do with it.
QUOTA_FILLED_CODE = "4.80"
QUOTA_FILLED_LABEL = _("of which not eligible as their group's quota was filled")

WEIGHTING_METHODS = {
    "none": _("No weighting"),
    "post-stratification": _("Post-stratification"),
    "raking": _("Raking (iterative proportional fitting)"),
}


def dimension_label(dimension: str) -> str:
    return str(Demographic(dimension).label) if dimension in Demographic.values else dimension


def count_text(value: int | None) -> str:
    return NOT_DEFINED if value is None else number_format(value, force_grouping=True)


def share_text(value: float | None) -> str:
    """0.4234 -> "42,3 %" (in Finnish and Swedish; "42.3 %" in English)."""
    return (
        NOT_DEFINED
        if value is None
        else f"{number_format(rounded(100 * value, 1), decimal_pos=1, force_grouping=True)}{NBSP}%"
    )


def interval_text(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return NOT_DEFINED
    return f"{number_format(rounded(100 * low, 1), decimal_pos=1, force_grouping=True)}–{share_text(high)}"


def decimal_text(value: float | None, places: int = 2) -> str:
    return (
        NOT_DEFINED if value is None else number_format(rounded(value, places), decimal_pos=places, force_grouping=True)
    )


def mean_interval_text(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return NOT_DEFINED
    return f"{decimal_text(low)}–{decimal_text(high)}"


def euros_text(value: Decimal | None) -> str:
    return money_text(value, "EUR")


def money_text(value: Decimal | None, currency: str) -> str:
    if value is None:
        return NOT_DEFINED
    return (
        f"{number_format(Decimal(value).quantize(Decimal('0.01')), decimal_pos=2, force_grouping=True)}{NBSP}{currency}"
    )


def rounding_note() -> str:
    """Said wherever shares are published. Each share is rounded on its own, as a statistics office
    publishes them (Statistics Finland: the figures as rounded, with a note), so three thirds show as
    33.3 % each; nudging one to make the total 100 % would publish a figure that is not the estimate."""
    return gettext("Each share is rounded on its own, so the shares shown may not add up to exactly 100 %.")


def hidden_text() -> str:
    """What a hidden group's cell says. One word for every reason: "fewer than 5" beside "hidden" (at
    least 5, hidden with it) would narrow down both sizes."""
    return pgettext("a hidden figure", "hidden")


def suppression_note(reasons, minimum: int) -> str:
    """Why the table's hidden groups are hidden ("" when none is), without how many for which reason."""
    if not any(reasons):
        return ""
    return gettext(
        "To protect the respondents' privacy, the figures of groups with fewer than %(minimum)s respondents, "
        "and of groups from which those could be worked out, are hidden."
    ) % {"minimum": minimum}
