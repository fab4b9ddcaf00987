"""Statistical disclosure control: no survey output lets a reader learn the answers of fewer than
`RESULTS_MIN_GROUP_SIZE` respondents (default 5).

A *group* is the respondents who share a category in one or more demographic dimensions: "aged
65+", "aged 18-29 living in the centre". Every output shows groups - the results of a group filter,
a cross-tab column, a row of "who answered", an option of a demographic question - and every
group's figures (answer counts, shares, open answers) are sums over its respondents. So:

- *Primary suppression*: a group with 1 to minimum - 1 respondents is hidden.
- *Complementary suppression*: a hidden group must not be the difference of shown ones. A *line*
  is a group split by one more dimension ("65+" into its districts, plus those who did not say
  their district) with the group itself as the line's total. Wherever a line's total is shown, its
  hidden groups together are none or at least the minimum, and are never just one (a single
  unknown is the total minus the rest); where a line's total is hidden, at least one of its groups
  is hidden too. A line that breaks this hides its next-smallest shown group, or its total when
  it has none left.
- *Those who did not answer* a demographic question are never a group to filter by, but their
  number is published (a question's "skipped", the shares among those who answered), also within
  every group. So they never hide anyone: a line's hidden groups are real groups, and a line where
  fewer than the minimum did not answer hides real groups too (or their answers would be the
  total less the rest). Among everyone that would hide whole groups to protect a handful, and
  weight them as one: `surveys.services.results` leaves such a handful out of the results instead.

Like the line-by-line methods of official statistics (the "hypercube" idea of tau-Argus), this
protects every row and column of every table with its totals; it does not solve the linear
programme across all tables at once. Counts of zero reveal nobody and are never hidden, except when
fewer than the minimum answered at all: then every group is hidden.

Decisions use unweighted respondent counts. Weighted figures could still tell hidden groups apart
when their weights differ (the weighted and the unweighted total of a line are two equations): so
the hidden groups of a line are weighted as one category (see `weighting_merges` and
surveys.services.results), and all labels say just "hidden", as "fewer than 5" beside "hidden"
(at least 5) would bound the sizes.
"""

import itertools
from collections import Counter, deque
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings

SMALL = "small"  # fewer respondents than the minimum
COMPLEMENTARY = "complementary"  # hidden so that a small group cannot be worked out from the others

Line = tuple[Sequence[Hashable], Hashable | None]  # (the groups, their total; None: everyone, always shown)


def minimum_group_size() -> int:
    return settings.RESULTS_MIN_GROUP_SIZE


def cells_to_suppress(
    counts: Mapping[Hashable, int],
    lines: Sequence[Line],
    *,
    minimum: int,
    published: Collection[Hashable] = frozenset(),
    hidden: Mapping[Hashable, str] | None = None,
) -> dict[Hashable, str]:
    """The cells to hide, each with why (SMALL or COMPLEMENTARY). The counts of `published` cells
    are public whatever else is hidden (those who did not answer a question), so they are never
    hidden and never protect another cell. `hidden` cells are hidden already (by another table's
    rules, with their reasons): their complements are chosen with the rest. Ties go to the cell
    listed first in its line. A cell that would be the only unknown of another line whose total is
    known (its other cells zero or published) protects nothing: it is chosen as a complement only
    when no other cell of the line can be."""
    published = set(published)
    hidden = dict(hidden or {}) | {
        cell: SMALL for cell, count in counts.items() if 0 < count < minimum and cell not in published
    }
    lines_of: dict[Hashable, list[int]] = {}
    for index, (members, total) in enumerate(lines):
        for cell in [*members, total]:
            lines_of.setdefault(cell, []).append(index)

    def exposed(cell) -> bool:
        for index in lines_of.get(cell, []):
            members, total = lines[index]
            if cell not in members or (total is not None and total in hidden):
                continue
            others = [other for other in members if other != cell]
            if all(other in published or counts[other] == 0 for other in others):
                return True
        return False

    waiting = deque(range(len(lines)))
    queued = set(waiting)

    while waiting:
        index = waiting.popleft()
        queued.discard(index)
        members, total = lines[index]
        while not _line_protected(members, total, counts, hidden, published, minimum):
            candidates = [cell for cell in members if cell not in hidden and cell not in published and counts[cell] > 0]
            shown = [cell for cell in candidates if not exposed(cell)] or candidates
            if shown:
                cell = min(shown, key=lambda each: counts[each])
            elif total is not None and total not in hidden and total not in published:
                cell = total
            else:
                # Nothing left to hide: everyone together is below the minimum (the caller hides all
                # of it), or everyone's answered categories are all hidden and together fewer than
                # the minimum (or just one): their size together is everyone less those who did not
                # answer, their figures stay hidden.
                break
            hidden[cell] = COMPLEMENTARY
            for other in lines_of.get(cell, []):
                if other not in queued:
                    waiting.append(other)
                    queued.add(other)
    return hidden


def derivable_cells(counts: Mapping[Hashable, int], lines: Sequence[Line], hidden: Collection[Hashable]) -> set:
    """The `hidden` cells with people in them that a reader can work out exactly from the lines'
    sums (a line whose total is None sums to a published figure), every other cell being known:
    exact row reduction over the rationals, a cell being determined when a reduced row names it alone."""
    unknowns = sorted(set(hidden) & set(counts), key=repr)
    position = {cell: index for index, cell in enumerate(unknowns)}
    rows = []
    for members, total in lines:
        row = [Fraction(0)] * (len(unknowns) + 1)
        for cell in members:
            if cell in position:
                row[position[cell]] += 1
        if total is not None and total in position:
            row[position[total]] -= 1
        if any(row[:-1]):
            rows.append(row)
    pivot_row = 0
    for column in range(len(unknowns)):
        pivot = next((index for index in range(pivot_row, len(rows)) if rows[index][column]), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        rows[pivot_row] = [value / rows[pivot_row][column] for value in rows[pivot_row]]
        for index, row in enumerate(rows):
            if index != pivot_row and row[column]:
                factor = row[column]
                rows[index] = [a - factor * b for a, b in zip(row, rows[pivot_row], strict=True)]
        pivot_row += 1
    found = set()
    for row in rows:
        named = [unknowns[index] for index, value in enumerate(row[:-1]) if value]
        if len(named) == 1 and counts[named[0]] > 0:
            found.add(named[0])
    return found


def _line_protected(members, total, counts, hidden, published, minimum) -> bool:
    unknown = [counts[cell] for cell in members if cell in hidden and counts[cell] > 0]
    if total is not None and total in hidden and counts[total] > 0:
        # Those of a hidden group who did not answer are published nowhere: its page is not shown.
        return bool(unknown) or any(counts[cell] > 0 for cell in members if cell in published)
    small_published = any(0 < counts[cell] < minimum for cell in members if cell in published)
    if not unknown:
        return not small_published
    return len(unknown) >= 2 and sum(unknown) >= minimum


GroupKey = frozenset  # of (dimension, category key) pairs; the empty key is everyone


@dataclass(frozen=True)
class WeightingMerges:
    """See `GroupPrivacy.weighting_merges`: both empty when no group is hidden."""

    together: dict[str, list[tuple[str, ...]]]  # dimension -> groups of categories weighted as one cell
    missing_into: dict[str, str]  # dimension -> the category whose cell takes those who did not answer

    def key(self) -> tuple:
        return (
            tuple(sorted((dimension, tuple(cells)) for dimension, cells in self.together.items())),
            tuple(sorted(self.missing_into.items())),
        )


@dataclass(frozen=True)
class GroupPrivacy:
    """Which groups of respondents the results may show, with their sizes."""

    minimum: int
    counts: dict[GroupKey, int]
    suppressed: dict[GroupKey, str]
    categories: dict[str, list[str]] = field(default_factory=dict)  # dimension -> its category keys

    def hidden(self, group: Mapping[str, str | None]) -> str:
        """Why the group's figures are hidden (SMALL or COMPLEMENTARY), or "" when they may be shown."""
        return self.suppressed.get(GroupKey(group.items()), "")

    def count(self, group: Mapping[str, str | None]) -> int:
        return self.counts.get(GroupKey(group.items()), 0)

    def weighting_merges(self, group: Mapping[str, str], dimensions: Sequence[str]) -> WeightingMerges:
        """How to weight for the figures of `group` (everyone: {}) so that weighted figures cannot
        tell hidden groups apart. For each weighting dimension, the categories hidden in its line
        among everyone and in its line within `group` are weighted as one cell (merged when they
        overlap); where fewer than the minimum did not answer it, those respondents are weighted
        with that cell too, or their own weight would set their answers apart from the hidden ones."""
        together: dict[str, list[tuple[str, ...]]] = {}
        missing_into: dict[str, str] = {}
        for dimension in dimensions:
            categories = self.categories.get(dimension, [])
            cell_of = {category: (category,) for category in categories}
            for base in ({}, dict(group)):
                if dimension in base:
                    continue
                hidden = [category for category in categories if self.hidden(base | {dimension: category})]
                if not hidden:
                    continue
                merged = tuple(category for category in categories if any(category in cell_of[each] for each in hidden))
                for category in merged:
                    cell_of[category] = merged
                if 0 < self.count(base | {dimension: None}) < self.minimum:
                    missing_into[dimension] = hidden[0]
            cells = sorted(
                {cell for cell in cell_of.values() if len(cell) > 1}, key=lambda cell: categories.index(cell[0])
            )
            if cells:
                together[dimension] = cells
        return WeightingMerges(together=together, missing_into=missing_into)


def group_privacy(
    groups_of: Mapping[str, Sequence[str | None]],
    categories: Mapping[str, Sequence[str]],
    *,
    respondents: int,
    minimum: int,
    hidden: Mapping[GroupKey, str] | None = None,
) -> GroupPrivacy:
    """The groups to hide among every combination of the demographic dimensions' categories.

    `groups_of[dimension][i]` is respondent i's category key (None: did not answer) of the
    `respondents`, and `categories[dimension]` the keys the survey offers. Any combination can be asked for by the
    group filters, so every combination is a group, each split by every other dimension a line.
    `hidden` groups are hidden already (their complements are chosen with the rest): the groups of
    all respondents, when these respondents are those who answered one question.
    """
    dimensions = list(categories)
    rows = [tuple(groups_of[dimension][index] for dimension in dimensions) for index in range(respondents)]
    counts: Counter = Counter()
    for size in range(len(dimensions) + 1):
        for chosen in itertools.combinations(range(len(dimensions)), size):
            for values in itertools.product(*[[*categories[dimensions[i]], None] for i in chosen]):
                counts[_key(dimensions, chosen, values)] = 0
            for row in rows:
                counts[_key(dimensions, chosen, [row[i] for i in chosen])] += 1
    # The groups of those who did not answer: the "skipped" of a demographic question (and the
    # shares among those who answered) publish their sizes, so they are never hidden.
    published = {group for group in counts if any(category is None for _dimension, category in group)}
    lines: list[Line] = []
    for group in counts:
        if group in published:
            continue  # its line's groups are all of those who did not answer: nothing to hide there
        for dimension in dimensions:
            if dimension not in dict(group):
                members = [group | {(dimension, category)} for category in [*categories[dimension], None]]
                lines.append((members, group or None))
    if 0 < respondents < minimum:
        # Everyone is the only total and it is below the minimum: an empty group shown beside the
        # hidden ones would tell whose group the few are, so every group is hidden, empty or not.
        suppressed = {group: SMALL for group in counts if group not in published}
    else:
        suppressed = cells_to_suppress(counts, lines, minimum=minimum, published=published, hidden=hidden)
    return GroupPrivacy(
        minimum=minimum,
        counts=dict(counts),
        suppressed=suppressed,
        categories={dimension: list(keys) for dimension, keys in categories.items()},
    )


def _key(dimensions: list[str], chosen: Sequence[int], values: Sequence[str | None]) -> GroupKey:
    return GroupKey((dimensions[i], value) for i, value in zip(chosen, values, strict=True))


def rare_combinations(combinations: Sequence[Hashable], *, minimum: int) -> list[bool]:
    """For each respondent's combination of background answers, whether fewer than `minimum`
    respondents share it (k-anonymity with k = minimum)."""
    shared = Counter(combinations)
    return [shared[combination] < minimum for combination in combinations]
