"""The results by mode laid out for people (the page, the PDF and, through its rows, the XLSX): what the
web added, the completes of each mode by group, the AAPOR rates of each mode and combined, and each
question's weighted estimate by mode. A phone-only campaign has none of it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from surveys import charts
from surveys.models import ResponseMode
from surveys.services.results_contract import CampaignResults, ModeComparison, ModeGroups, ModeResults

from .display import (
    DISPOSITION_LABELS,
    count_text,
    decimal_text,
    dimension_label,
    hidden_text,
    interval_text,
    mean_interval_text,
    share_text,
    suppression_note,
)
from .layout import Figure, Table

RATE_GROUPS = ("rr", "coop", "ref", "con")
DISPOSITION_ORDER = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
WEB_FILL = "#b35900"


@dataclass(frozen=True)
class ModesView:
    findings: list[str]
    warnings: list[str]
    convention: str
    method: str
    not_compared: str  # why the modes are not compared although both have respondents, or ""
    rates: Table
    dispositions: Table
    completes: list[Figure]  # empty unless both modes have completes
    comparisons: Table | None


def mode_label(mode: str) -> str:
    if mode in ResponseMode.values:
        return str(ResponseMode(mode).label)
    return _("Combined")


def rates_convention() -> str:
    return _(
        "Following AAPOR's Standard Definitions for mixed-mode surveys, the combined rates give every number one "
        "final disposition, whichever mode reached it, so that no one is counted twice. The rates of a mode are "
        "computed over the numbers that mode was attempted on: the phone's over the numbers called, the web's over "
        "those the survey link was sent to (or that chose on the web), so a number tried both ways is in both. A "
        "person reached by phone who answered on the web counts as other (O), not as a refusal, in the phone's "
        "rates, and a person who began on the web and was interviewed by phone counts as other in the web's. "
        "Eligibility is the number's, not the mode's: a number the phone found not eligible is not eligible in the "
        "web's rates either, a number known to be eligible that a mode got nothing back from is a non-contact (NC) "
        "in that mode's rates, not of unknown eligibility, and every mode's rates use the share of eligible numbers "
        "(e) estimated from all numbers. An opt-out on the public opt-out page "
        "is no attempt of either mode. Each mode's rates say how well that mode worked; only the combined rates "
        "describe the survey."
    )


def comparison_method(modes: ModeResults) -> str:
    return _(
        "Each mode's respondents are weighted on their own to the same population shares, with the same groups as "
        "the results' weights, so that the web's younger respondents and the phone's older ones are compared as if "
        "both were the whole population; when a mode has too few respondents in one of those groups, the modes are "
        "not compared. The "
        "modes differ beyond chance when the 95 %% interval of the difference leaves out zero (for a question of "
        "several options, at the stricter level of each option, Bonferroni). A question is compared when both "
        "modes have at least %(minimum)s answers. A difference may come from who chose each mode, beyond age and "
        "district, or from hearing a question against reading it: this does not tell which, nor which mode is "
        "right. The results themselves combine both modes, weighted to the population together. Among twenty "
        "questions about one may differ by chance alone."
    ) % {"minimum": modes.minimum_answers}


def modes_view(results: CampaignResults) -> ModesView | None:
    modes = results.modes
    if modes is None:
        return None
    return ModesView(
        findings=list(modes.findings),
        warnings=_warnings(modes),
        convention=rates_convention(),
        method=comparison_method(modes),
        not_compared=modes.not_compared,
        rates=_rates(modes),
        dispositions=_dispositions(modes),
        completes=[_completes(groups, minimum=results.minimum_group_size) for groups in modes.groups],
        comparisons=_comparisons(modes) if modes.comparisons else None,
    )


def _warnings(modes: ModeResults) -> list[str]:
    """One per question whose modes differ beyond chance, with what that does not say; then, when
    several questions were compared, the chance that one differs by chance alone."""
    if not modes.mode_effects:
        return []
    warnings = [
        _(
            "After weighting, the phone and web answers to “%(question)s” differ beyond chance. This does not say "
            "that the mode caused it: it may come from who chose each mode or from hearing a question against "
            "reading it. Read its combined result with care."
        )
        % {"question": comparison.text}
        for comparison in modes.mode_effects
    ]
    compared = sum(1 for comparison in modes.comparisons if comparison.differs is not None)
    if compared > 1:
        warnings.append(
            _(
                "%(count)s questions were compared, each at 95 %%: about one in twenty may differ beyond chance by "
                "chance alone."
            )
            % {"count": compared}
        )
    return warnings


def _rates(modes: ModeResults) -> Table:
    rows = [(_("Numbers"), [count_text(each.cases) for each in modes.rates])]
    for group in RATE_GROUPS:
        for code in getattr(modes.rates[-1].rates, group):
            rows.append((code, [share_text(getattr(each.rates, group)[code]) for each in modes.rates]))
    rows.append(("e", [share_text(each.rates.e) for each in modes.rates]))
    return Table(
        caption=_("Response rates by mode and combined (AAPOR Standard Definitions)"),
        row_header=_("Rate"),
        headers=[mode_label(each.mode) for each in modes.rates],
        rows=rows,
    )


def _dispositions(modes: ModeResults) -> Table:
    return Table(
        caption=_("Final dispositions by mode: numbers"),
        row_header=_("Code"),
        headers=[_("Disposition")] + [mode_label(each.mode) for each in modes.rates],
        text_columns=(0,),
        rows=[
            (
                code,
                [str(DISPOSITION_LABELS.get(code, code))]
                + [count_text(each.rates.dispositions[code]) for each in modes.rates],
            )
            for code in DISPOSITION_ORDER
        ],
    )


def _completes(groups: ModeGroups, *, minimum: int) -> Figure:
    name = dimension_label(groups.dimension)
    modes = list(groups.counts)
    labels = [label for _key, label in groups.categories]
    chart = charts.horizontal_bar_chart(
        chart_id=f"modes-{groups.dimension}",
        title=_("Completes by mode: %(dimension)s") % {"dimension": name},
        description=_("Share of each mode's completes in each group; the table has the figures."),
        categories=labels,
        series=[
            charts.Series(
                name=mode_label(mode),
                values=groups.shares[mode],
                fill=charts.UNWEIGHTED_FILL if mode == ResponseMode.PHONE else WEB_FILL,
            )
            for mode in modes
        ],
        value_text=share_text,
    )
    headers = []
    for mode in modes:
        headers += [
            _("%(mode)s: completes") % {"mode": mode_label(mode)},
            _("%(mode)s: share") % {"mode": mode_label(mode)},
        ]
    rows = []
    for index, label in enumerate(labels):
        cells = []
        for mode in modes:
            hidden = groups.hidden[mode][index]
            cells += [
                hidden_text() if hidden else count_text(groups.counts[mode][index]),
                hidden_text() if hidden else share_text(groups.shares[mode][index]),
            ]
        rows.append((label, cells))
    table = Table(
        caption=_("Completes by mode and %(dimension)s") % {"dimension": name.lower()},
        row_header=name,
        headers=headers,
        rows=rows,
        note=suppression_note([why for mode in modes for why in groups.hidden[mode]], minimum),
    )
    return Figure(chart=chart, table=table)


def estimate_text(comparison: ModeComparison, value: float | None) -> str:
    return decimal_text(value) if comparison.measure == "mean" else share_text(value)


def difference_text(comparison: ModeComparison) -> str:
    """A mean's difference on its scale, a share's in percentage points, with its interval."""
    if comparison.difference is None:
        return "-"
    low, high = comparison.difference_low, comparison.difference_high
    if comparison.measure == "mean":
        return f"{decimal_text(comparison.difference)} ({mean_interval_text(low, high)})"
    values = {
        "difference": decimal_text(100 * comparison.difference, 1),
        "low": decimal_text(100 * low, 1) if low is not None else "-",
        "high": decimal_text(100 * high, 1) if high is not None else "-",
    }
    return _("%(difference)s points (%(low)s to %(high)s)") % values


def verdict_text(comparison: ModeComparison) -> str:
    if comparison.differs is None:
        return _("Too few answers to compare")
    return _("Yes: the modes differ beyond chance") if comparison.differs else _("No")


def _comparisons(modes: ModeResults) -> Table:
    rows = []
    for comparison in modes.comparisons:
        cells = [comparison.label if comparison.measure == "share" else _("Mean")]
        for estimate in comparison.estimates:
            if estimate.estimate is None:
                cells.append(_("%(answered)s answers") % {"answered": count_text(estimate.answered)})
                continue
            low_high = (
                mean_interval_text(estimate.ci_low, estimate.ci_high)
                if comparison.measure == "mean"
                else interval_text(estimate.ci_low, estimate.ci_high)
            )
            cells.append(f"{estimate_text(comparison, estimate.estimate)} ({low_high})")
        cells += [difference_text(comparison), verdict_text(comparison)]
        rows.append((f"{comparison.position}. {comparison.text}", cells))
    return Table(
        caption=_("Weighted estimates by mode, each mode weighted on its own to the population"),
        row_header=_("Question"),
        headers=[
            _("Compared"),
            *(_("%(mode)s (interval)") % {"mode": mode_label(mode)} for mode in (ResponseMode.PHONE, ResponseMode.WEB)),
            _("Web minus phone (interval)"),
            _("Beyond chance?"),
        ],
        rows=rows,
        text_columns=(0, 4),
    )
