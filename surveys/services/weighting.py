"""Weights that make the respondents look like the population: plain functions on plain data.

- One dimension: post-stratification, each respondent's weight is the category's population share
  divided by its share of the respondents (`rake` reaches it in one sweep).
- Several dimensions: raking (iterative proportional fitting). Starting from 1, each sweep scales
  the weights of every category of every dimension so that its weighted share equals the target,
  until the largest deviation of a sweep is under `tolerance` or `max_iterations` sweeps are done.
- Trimming: weights are normalised to mean 1; any weight above `trim_cap` is cut to the cap and the
  weights are raked again, until none is above the cap (or `MAX_TRIM_ROUNDS`, when the targets win
  and a `cap_exceeded` issue says so).
- A population category without respondents cannot be weighted to, and one whose respondents would
  each stand for more than `trim_cap` respondents on average gives extreme weights. Both are merged
  with a neighbouring category (the order of the targets: age groups are ordered, and districts are
  listed so that neighbours are adjacent) - the one with the smaller population share, the next one
  for the first category and the previous one for the last - and the merged cell gets the sum of
  their shares. A dimension left with one cell is not used. Each merge is reported as an issue.
- Respondents who did not answer a demographic question are kept: that dimension's adjustment
  leaves their weight alone (its target shares are applied to those who answered, keeping their
  total), so they are weighted on the other dimensions only - and with no other dimension they keep
  the mean weight 1. They are counted in `missing`.
- `together`: categories that the caller wants weighted as one cell from the start (groups whose
  figures are hidden, see surveys.services.results): the cell gets the sum of their shares, like a
  merge above, and the other merges work on the coarser cells.

Kish: design effect = n * sum(w^2) / sum(w)^2; effective sample size = sum(w)^2 / sum(w^2).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_TRIM_CAP = 5.0
MAX_ITERATIONS = 100
TOLERANCE = 1e-6
MAX_TRIM_ROUNDS = 50
# A weight within 0.1 % of the cap is at the cap: trimming and re-raking approach it from above.
CAP_SLACK = 1e-3

# Issue kinds
EMPTY, EXTREME, NO_POPULATION, DIMENSION_DROPPED, NOT_CONVERGED, CAP_EXCEEDED = (
    "empty",
    "extreme",
    "no_population",
    "dimension_dropped",
    "not_converged",
    "cap_exceeded",
)


@dataclass(frozen=True)
class Margin:
    """The population shares of one dimension's categories, in their neighbour order."""

    dimension: str
    shares: list[tuple[str, float]]


@dataclass(frozen=True)
class Issue:
    """Something the reader of the results must be told. `categories` are merged or concerned ones;
    `value` is the weight factor, the deviation or the largest weight, depending on the kind."""

    kind: str
    dimension: str = ""
    categories: tuple[str, ...] = ()
    merged_into: tuple[str, ...] = ()
    value: float | None = None


@dataclass(frozen=True)
class WeightingOutcome:
    weights: list[float]  # one per respondent, in input order, mean 1
    method: str  # "none" | "post-stratification" | "raking"
    dimensions: list[str]  # dimensions actually used
    converged: bool
    iterations: int
    trim_cap: float | None
    trimmed: int
    design_effect: float
    effective_sample_size: float
    issues: list[Issue] = field(default_factory=list)
    missing: int = 0  # respondents without an answer in at least one used dimension
    cells: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # dimension -> category -> cell


def kish_design_effect(weights: Sequence[float]) -> float:
    total = sum(weights)
    return len(weights) * sum(w * w for w in weights) / (total * total) if total else 1.0


def effective_sample_size(weights: Sequence[float]) -> float:
    squares = sum(w * w for w in weights)
    return sum(weights) ** 2 / squares if squares else 0.0


def normalised(weights: Sequence[float]) -> list[float]:
    """The weights scaled to mean 1."""
    total = sum(weights)
    return [w * len(weights) / total for w in weights] if total else list(weights)


def _margin(respondents, weights, dimension: str, categories) -> tuple[dict[str, float], float]:
    """The weighted total of each category of `dimension`, and of all who answered it."""
    totals = dict.fromkeys(categories, 0.0)
    for row, weight in zip(respondents, weights, strict=True):
        if row[dimension] is not None:
            totals[row[dimension]] += weight
    return totals, sum(totals.values())


def _deviation(respondents, weights, targets: dict[str, dict[str, float]]) -> float:
    worst = 0.0
    for dimension, shares in targets.items():
        totals, known = _margin(respondents, weights, dimension, shares)
        worst = max(worst, *(abs(totals[category] / known - share) for category, share in shares.items()))
    return worst


def rake(
    respondents: Sequence[dict[str, str | None]],
    targets: dict[str, dict[str, float]],
    *,
    weights: Sequence[float] | None = None,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = TOLERANCE,
) -> tuple[list[float], bool, int]:
    """Iterative proportional fitting. `respondents` map each dimension of `targets` to a category
    (or None: not answered); every target category must have respondents. Returns the weights
    (mean 1), whether the margins converged within `tolerance`, and the sweeps made."""
    current = list(weights) if weights is not None else [1.0] * len(respondents)
    for iteration in range(1, max_iterations + 1):
        for dimension, shares in targets.items():
            totals, known = _margin(respondents, current, dimension, shares)
            factors = {category: share * known / totals[category] for category, share in shares.items()}
            current = [
                weight if row[dimension] is None else weight * factors[row[dimension]]
                for row, weight in zip(respondents, current, strict=True)
            ]
        if _deviation(respondents, current, targets) < tolerance:
            return normalised(current), True, iteration
    return normalised(current), False, max_iterations


def _cells(
    respondents, margin: Margin, extreme_factor: float, together: Sequence[Sequence[str]] = ()
) -> tuple[list[list[str]], list[Issue]]:
    """Merge categories that cannot be weighted to into their neighbours; see the module docstring.
    Each of `together` is one cell from the start, where its first category stands."""
    known = [row[margin.dimension] for row in respondents if row[margin.dimension] is not None]
    cell_of = {category: list(group) for group in together for category in group}
    cells = []
    for category, share in margin.shares:
        if category in cell_of:
            if category == next(each for each, _share in margin.shares if each in cell_of[category]):
                cells.append(cell_of[category])
        elif share > 0 or category in known:
            cells.append([category])
    share = {category: value for category, value in margin.shares}
    issues = []

    def cell_share(cell):
        return sum(share[category] for category in cell)

    def cell_count(cell):
        return sum(known.count(category) for category in cell)

    def problem(cell) -> tuple[str, float | None] | None:
        count = cell_count(cell)
        if count == 0:
            return EMPTY, None
        if cell_share(cell) == 0:
            return NO_POPULATION, 0.0
        factor = cell_share(cell) * len(known) / count
        return (EXTREME, factor) if factor > extreme_factor else None

    if not known:
        return [], [Issue(kind=DIMENSION_DROPPED, dimension=margin.dimension)]
    while len(cells) > 1:
        found = next(((index, issue) for index, cell in enumerate(cells) if (issue := problem(cell))), None)
        if found is None:
            break
        index, (kind, value) = found
        if index == 0:
            neighbour = 1
        elif index == len(cells) - 1:
            neighbour = index - 1
        else:
            neighbour = min(index - 1, index + 1, key=lambda other: cell_share(cells[other]))
        issues.append(
            Issue(
                kind=kind,
                dimension=margin.dimension,
                categories=tuple(cells[index]),
                merged_into=tuple(cells[neighbour]),
                value=value,
            )
        )
        first, second = sorted((index, neighbour))
        cells[first : second + 1] = [cells[first] + cells[second]]
    if len(cells) == 1:
        issues.append(Issue(kind=DIMENSION_DROPPED, dimension=margin.dimension))
        return [], issues
    return cells, issues


def weights_compute(
    respondents: Sequence[dict[str, str | None]],
    margins: Sequence[Margin],
    *,
    trim_cap: float | None = DEFAULT_TRIM_CAP,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = TOLERANCE,
    together: Mapping[str, Sequence[Sequence[str]]] | None = None,
) -> WeightingOutcome:
    """Weights for `respondents` (each a dimension -> category mapping, None when not answered)
    towards `margins`, with the merges, trimming and checks of the module docstring.
    `together[dimension]` lists groups of categories weighted as one cell from the start."""
    for margin in margins:
        allowed = {category for category, _share in margin.shares}
        unknown = {row[margin.dimension] for row in respondents} - allowed - {None}
        if unknown:
            raise ValueError(f"{margin.dimension}: categories without a target: {sorted(unknown)}")

    issues: list[Issue] = []
    targets: dict[str, dict[str, float]] = {}
    cell_of: dict[str, dict[str, tuple[str, ...]]] = {}
    for margin in margins:
        cells, cell_issues = _cells(
            respondents, margin, trim_cap or DEFAULT_TRIM_CAP, (together or {}).get(margin.dimension, ())
        )
        issues.extend(cell_issues)
        if not cells:
            continue
        share = dict(margin.shares)
        total = sum(share[category] for cell in cells for category in cell)
        targets[margin.dimension] = {"|".join(cell): sum(share[c] for c in cell) / total for cell in cells}
        cell_of[margin.dimension] = {category: tuple(cell) for cell in cells for category in cell}

    count = len(respondents)
    if not targets or not count:
        weights = [1.0] * count
        return WeightingOutcome(
            weights=weights,
            method="none",
            dimensions=[],
            converged=True,
            iterations=0,
            trim_cap=trim_cap,
            trimmed=0,
            design_effect=1.0,
            effective_sample_size=float(count),
            issues=issues,
        )

    rows = [
        {
            dimension: None if row[dimension] is None else "|".join(cell_of[dimension][row[dimension]])
            for dimension in targets
        }
        for row in respondents
    ]
    weights, converged, iterations = rake(rows, targets, max_iterations=max_iterations, tolerance=tolerance)
    trimmed: set[int] = set()
    if trim_cap is not None:
        for _round in range(MAX_TRIM_ROUNDS):
            over = [index for index, weight in enumerate(weights) if weight > trim_cap * (1 + CAP_SLACK)]
            if not over:
                break
            trimmed.update(over)
            cut = [min(weight, trim_cap) for weight in weights]
            weights, converged, more = rake(
                rows, targets, weights=cut, max_iterations=max_iterations, tolerance=tolerance
            )
            iterations += more
        else:
            issues.append(Issue(kind=CAP_EXCEEDED, value=max(weights)))
    if not converged:
        issues.append(Issue(kind=NOT_CONVERGED, value=_deviation(rows, weights, targets)))

    return WeightingOutcome(
        weights=weights,
        method="post-stratification" if len(targets) == 1 else "raking",
        dimensions=list(targets),
        converged=converged,
        iterations=iterations,
        trim_cap=trim_cap,
        trimmed=len(trimmed),
        design_effect=kish_design_effect(weights),
        effective_sample_size=effective_sample_size(weights),
        issues=issues,
        missing=sum(1 for row in rows if any(value is None for value in row.values())),
        cells=cell_of,
    )
