"""A campaign's results by mode (phone, and the web survey its SMS link opens): the AAPOR rates of each
mode and combined (surveys.services.dispositions says which cases count where), the completes of
each mode by age group and district, and whether the modes' weighted estimates differ
(surveys.services.mode_effects).

Only a campaign that offered the web survey to someone has results by mode; the completes by group
are given only when both modes have completes. A mode's completes in a group are hidden like any
small group (surveys.services.disclosure): each mode's completes, each shown group's completes and
everyone's are published totals. A group the main results hide is hidden in both modes before the
complements are chosen; zero cells are shown and protect nothing, so a cell alone beside zeros under
a known total is never a complement; and when the published sums would still give a hidden cell
away (`derivable_cells`), every cell of the table is hidden.
"""

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from surveys.models import ResponseMode
from surveys.services.disclosure import COMPLEMENTARY, cells_to_suppress, derivable_cells
from surveys.services.dispositions import COMPLETE, Dispositions
from surveys.services.estimates import rounded
from surveys.services.findings import mode_sentences
from surveys.services.mode_effects import (
    MIN_ANSWERS_PER_MODE,
    MODES,
    ComparedQuestion,
    WeightingProblem,
    mode_comparisons,
)
from surveys.services.rates import E_COMBINED, E_ESTIMATED, response_rates
from surveys.services.results_contract import ModeGroups, ModeRates, ModeResults, ResponseRates
from surveys.services.weighting import DEFAULT_TRIM_CAP, EMPTY, EXTREME, Margin

COMBINED = "combined"
NOT_ANSWERED = ""
# Everyone's completes in a category, and a mode's completes in all categories: both published.
TOTAL = "total"


def mode_rates(dispositions: Dispositions, *, e: float | None) -> list[ModeRates]:
    """Each mode's rates over the cases it was attempted on, then the combined rates.

    Eligibility belongs to the number, not to the mode that tried it: an estimated e is estimated
    once, from every number's one disposition (the phone finds most of the numbers that are not
    eligible, which the web cannot), and each mode uses it (`e_source` "combined")."""
    combined = response_rates(
        dispositions.counts,
        e=e,
        eligibility_not_learnt=dispositions.eligibility_not_learnt,
        quota_filled=dispositions.quota_filled,
    )
    mode_e = combined.e if combined.e_source == E_ESTIMATED else e

    def rates_of(counts) -> ResponseRates:
        rates = response_rates(counts, e=mode_e)
        return dataclasses.replace(rates, e_source=E_COMBINED) if combined.e_source == E_ESTIMATED else rates

    return [
        *(
            ModeRates(mode=mode, cases=sum(counts.values()), rates=rates_of(counts))
            for mode in MODES
            if (counts := dispositions.by_mode.get(mode)) is not None
        ),
        ModeRates(mode=COMBINED, cases=sum(dispositions.counts.values()), rates=combined),
    ]


def completes_by_group(
    *,
    dimension: str,
    categories: Sequence[tuple[str, str]],
    groups: Sequence[str | None],
    modes: Sequence[str],
    not_answered_label: str,
    hidden_groups: Mapping[str, str],
    minimum: int,
) -> ModeGroups | None:
    """The completes of each mode in each category (`groups[i]` and `modes[i]`: complete i's category
    key, None when not answered, and mode). A category hidden among all respondents (`hidden_groups`,
    key -> why) is hidden in both modes. None when no cell of the table can be shown safely."""
    counts = Counter(zip(modes, (NOT_ANSWERED if group is None else group for group in groups), strict=True))
    columns = list(categories)
    if any(group is None for group in groups):
        columns.append((NOT_ANSWERED, not_answered_label))
    keys = [key for key, _label in columns]
    cells = {(mode, key): counts[(mode, key)] for mode in MODES for key in keys}
    cells |= {(mode, TOTAL): sum(counts[(mode, key)] for key in keys) for mode in MODES}
    cells |= {(TOTAL, key): sum(counts[(mode, key)] for mode in MODES) for key in keys}
    cells[(TOTAL, TOTAL)] = sum(cells[(mode, TOTAL)] for mode in MODES)
    lines = [([(mode, key) for key in keys], (mode, TOTAL)) for mode in MODES]
    lines += [([(mode, key) for mode in MODES], (TOTAL, key)) for key in keys]
    lines.append(([(TOTAL, key) for key in keys], (TOTAL, TOTAL)))
    published = {(mode, TOTAL) for mode in MODES} | {(mode, NOT_ANSWERED) for mode in MODES} | {(TOTAL, TOTAL)}
    published |= {(TOTAL, key) for key in keys if key not in hidden_groups}
    # A group hidden among all respondents is hidden in both modes before the complements are chosen,
    # so that each mode's row hides enough around it.
    already = {(TOTAL, key): why for key, why in hidden_groups.items() if key in keys}
    already |= {(mode, key): why for key, why in hidden_groups.items() for mode in MODES if cells.get((mode, key))}
    hidden = cells_to_suppress(cells, lines, minimum=minimum, published=published, hidden=already)
    if derivable_cells(cells, lines, hidden):
        # No pattern of this table's own keeps the published sums from giving a hidden cell away
        # (zero cells around it): every cell of a category is hidden, zeros too.
        hidden = {(mode, key): COMPLEMENTARY for mode in MODES for key in keys if key != NOT_ANSWERED} | already
        if derivable_cells(cells, lines, hidden):
            return None
    totals = {mode: cells[(mode, TOTAL)] for mode in MODES}
    return ModeGroups(
        dimension=dimension,
        categories=columns,
        counts={mode: [None if (mode, key) in hidden else cells[(mode, key)] for key in keys] for mode in MODES},
        shares={
            mode: [
                None if (mode, key) in hidden or not totals[mode] else cells[(mode, key)] / totals[mode] for key in keys
            ]
            for mode in MODES
        },
        hidden={mode: [hidden.get((mode, key), "") for key in keys] for mode in MODES},
    )


def not_compared_text(
    problem: WeightingProblem,
    *,
    trim_cap: float | None,
    dimension_names: Mapping[str, str],
    category_labels: Mapping[tuple[str, str], str],
) -> str:
    """Why the modes are not compared, for the reader of the results."""
    issue = problem.issue
    values = {
        "mode": str(ResponseMode(problem.mode).label).lower(),
        "dimension": dimension_names.get(issue.dimension, issue.dimension),
        "categories": ", ".join(category_labels.get((issue.dimension, each), each) for each in issue.categories),
        "cap": number_format(rounded(trim_cap or DEFAULT_TRIM_CAP, 1), 1, use_l10n=True),
    }
    if issue.kind == EMPTY:
        reason = _("the %(mode)s has no respondents in %(dimension)s: %(categories)s") % values
    elif issue.kind == EXTREME:
        reason = (
            _(
                "the %(mode)s has too few respondents in %(dimension)s: %(categories)s (each would stand for more "
                "than %(cap)s times the mean)"
            )
            % values
        )
    else:
        reason = _("the %(mode)s's respondents could not be weighted to the population shares") % values
    return _(
        "The phone and web answers are not compared: weighted on its own, with the same groups as the results' "
        "weights, %(reason)s. A difference in who answered each mode would then look like a difference between "
        "the modes."
    ) % {"reason": reason}


def campaign_mode_results(
    *,
    dispositions: Dispositions,
    e: float | None,
    pseudonyms: Sequence,
    modes: Sequence[str],
    demographics: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    groups_of: Mapping[str, Sequence[str | None]],
    hidden_groups: Mapping[str, Mapping[str, str]],
    questions: Sequence[ComparedQuestion],
    rows: Sequence[Mapping[str, str | None]],
    margins: Sequence[Margin],
    trim_cap: float | None,
    cells: Mapping[str, Mapping[str, tuple[str, ...]]],
    minimum: int,
    not_answered_label: str,
    dimension_names: Mapping[str, str],
    category_labels: Mapping[tuple[str, str], str],
) -> ModeResults | None:
    """Results by mode of the respondents (`pseudonyms`, `modes`, `groups_of` and `rows` aligned with
    them); `demographics` are the (dimension, categories) to count the completes by, `hidden_groups`
    each dimension's hidden categories among all respondents; `rows`, `margins`, `trim_cap` and
    `cells` those of the results' weights. None when the web survey was offered to nobody."""
    if ResponseMode.WEB not in dispositions.by_mode:
        return None
    completes = {mode: dispositions.by_mode.get(mode, Counter())[COMPLETE] for mode in MODES}
    groups = []
    # After the answer retention the completes are still counted, but nobody's group is known.
    if all(completes.values()) and pseudonyms:
        complete_indexes = [index for index, pseudonym in enumerate(pseudonyms) if pseudonym in dispositions.completes]
        tables = (
            completes_by_group(
                dimension=dimension,
                categories=categories,
                groups=[groups_of[dimension][index] for index in complete_indexes],
                modes=[modes[index] for index in complete_indexes],
                not_answered_label=not_answered_label,
                hidden_groups=hidden_groups.get(dimension, {}),
                minimum=minimum,
            )
            for dimension, categories in demographics
        )
        groups = [table for table in tables if table is not None]
    comparisons, problem = mode_comparisons(
        questions, modes, rows, margins, trim_cap=trim_cap, minimum=minimum, cells=cells
    )
    results = ModeResults(
        rates=mode_rates(dispositions, e=e),
        completes=completes,
        groups=groups,
        comparisons=comparisons,
        minimum_answers=max(MIN_ANSWERS_PER_MODE, minimum),
        not_compared=""
        if problem is None
        else not_compared_text(
            problem, trim_cap=trim_cap, dimension_names=dimension_names, category_labels=category_labels
        ),
    )
    return dataclasses.replace(results, findings=mode_sentences(results, dimension_names=dimension_names))
