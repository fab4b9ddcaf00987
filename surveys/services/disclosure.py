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
  it has none left. Those who did not answer a demographic question are never shown as a group,
  so they count as hidden from the start.

Like the line-by-line methods of official statistics (the "hypercube" idea of tau-Argus), this
protects every row and column of every table with its totals; it does not solve the linear
programme across all tables at once. Counts of zero reveal nobody and are never hidden.

Decisions use unweighted respondent counts, also for weighted figures.
"""

import itertools
from collections import Counter, deque
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

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
    unpublished: Collection[Hashable] = frozenset(),
) -> dict[Hashable, str]:
    """The cells to hide, each with why (SMALL or COMPLEMENTARY); `unpublished` cells are never
    shown anyway and are left out of the answer. Ties go to the cell listed first in its line."""
    unpublished = set(unpublished)
    hidden = {cell: SMALL for cell, count in counts.items() if 0 < count < minimum and cell not in unpublished}
    unknown = set(hidden) | set(unpublished)
    lines_of: dict[Hashable, list[int]] = {}
    for index, (members, total) in enumerate(lines):
        for cell in [*members, total]:
            lines_of.setdefault(cell, []).append(index)
    waiting = deque(range(len(lines)))
    queued = set(waiting)
    kept_unknown: set = set()  # unpublished cells that another line needs unknown: never worked out

    def changed(cell) -> None:
        for other in lines_of.get(cell, []):
            if other not in queued:
                waiting.append(other)
                queued.add(other)

    while waiting:
        index = waiting.popleft()
        queued.discard(index)
        members, total = lines[index]
        while not _line_protected(members, total, counts, unknown, minimum):
            derived = _derived_unpublished(members, total, counts, unknown, unpublished - kept_unknown, minimum)
            if derived is not None:
                # Those who did not answer, worked out as the rest of a line: enough people to show,
                # but no longer unknown, so they protect no other line.
                unknown.discard(derived)
                changed(derived)
                continue
            shown = [cell for cell in members if cell not in unknown and cell not in unpublished and counts[cell] > 0]
            if shown:
                cell = min(shown, key=lambda each: counts[each])
            elif total is not None and total not in unknown and total not in unpublished:
                cell = total
            else:
                worked_out = [cell for cell in [*members, total] if cell in unpublished and cell not in unknown]
                if not worked_out:  # everyone together is below the minimum: the caller hides all of it
                    break
                # Only unpublished cells here, one of them worked out elsewhere: keep it unknown, and
                # the line that worked it out hides a group of its own instead.
                unknown.add(worked_out[0])
                kept_unknown.add(worked_out[0])
                changed(worked_out[0])
                continue
            unknown.add(cell)
            hidden[cell] = COMPLEMENTARY
            changed(cell)
    return hidden


def _derived_unpublished(members, total, counts, unknown, unpublished, minimum):
    """The line's only unknown when it is an unpublished cell of at least `minimum`, else None."""
    if total is not None and total in unknown and counts[total] > 0:
        return None
    hidden = [cell for cell in members if cell in unknown and counts[cell] > 0]
    if len(hidden) == 1 and hidden[0] in unpublished and counts[hidden[0]] >= minimum:
        return hidden[0]
    return None


def _line_protected(members, total, counts, unknown, minimum) -> bool:
    hidden = [counts[cell] for cell in members if cell in unknown and counts[cell] > 0]
    if total is not None and total in unknown and counts[total] > 0:
        return bool(hidden)
    return not hidden or (len(hidden) >= 2 and sum(hidden) >= minimum)


GroupKey = frozenset  # of (dimension, category key) pairs; the empty key is everyone


@dataclass(frozen=True)
class GroupPrivacy:
    """Which groups of respondents the results may show, with their sizes."""

    minimum: int
    counts: dict[GroupKey, int]
    suppressed: dict[GroupKey, str]

    def hidden(self, group: Mapping[str, str | None]) -> str:
        """Why the group's figures are hidden (SMALL or COMPLEMENTARY), or "" when they may be shown."""
        return self.suppressed.get(GroupKey(group.items()), "")

    def count(self, group: Mapping[str, str | None]) -> int:
        return self.counts.get(GroupKey(group.items()), 0)


def group_privacy(
    groups_of: Mapping[str, Sequence[str | None]],
    categories: Mapping[str, Sequence[str]],
    *,
    respondents: int,
    minimum: int,
) -> GroupPrivacy:
    """The groups to hide among every combination of the demographic dimensions' categories.

    `groups_of[dimension][i]` is respondent i's category key (None: did not answer) of the
    `respondents`, and `categories[dimension]` the keys the survey offers. Any combination can be asked for by the
    group filters, so every combination is a group, each split by every other dimension a line.
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
    lines: list[Line] = []
    for group in counts:
        for dimension in dimensions:
            if dimension not in dict(group):
                members = [group | {(dimension, category)} for category in [*categories[dimension], None]]
                lines.append((members, group or None))
    unpublished = {group for group in counts if any(category is None for _dimension, category in group)}
    if 0 < respondents < minimum:
        suppressed = {group: SMALL for group, count in counts.items() if count and group not in unpublished}
    else:
        suppressed = cells_to_suppress(counts, lines, minimum=minimum, unpublished=unpublished)
    return GroupPrivacy(minimum=minimum, counts=dict(counts), suppressed=suppressed)


def _key(dimensions: list[str], chosen: Sequence[int], values: Sequence[str | None]) -> GroupKey:
    return GroupKey((dimensions[i], value) for i, value in zip(chosen, values, strict=True))


def rare_combinations(combinations: Sequence[Hashable], *, minimum: int) -> list[bool]:
    """For each respondent's combination of background answers, whether fewer than `minimum`
    respondents share it (k-anonymity with k = minimum)."""
    shared = Counter(combinations)
    return [shared[combination] < minimum for combination in combinations]
