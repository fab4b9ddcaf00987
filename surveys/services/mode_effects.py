"""Whether the phone and the web tell the same story once each is weighted to the population.

The results' weights stay population-based: every respondent, whichever mode, is raked together to
the population's age, district and gender shares (surveys.services.weighting). Mode enters only
here, to check whether it changes the picture:

- Each mode's respondents are weighted *on their own* to the same population shares, with the same
  dimensions, the same cells (the categories the results' weights merged, for too few respondents or
  because their figures are hidden, stay merged) and the same trim cap. The web reaches younger
  people; weighting each mode separately removes that difference in who answered as far as the
  weighting variables can, so each mode's estimate is what it alone would say of the whole
  population. (The combined weights restricted to one mode would not: they make the two modes
  together, not each, look like the population.)
- When a mode cannot be weighted so - a cell of the results' weights has none or too few of its
  respondents (a weight above the trim cap), or raking does not reach the population shares - the
  modes are not compared at all (`WeightingProblem` says why). Merging that mode's cells further
  would leave a difference in who answered inside the merged cell (the web's few older respondents
  weighted as middle-aged), which the comparison would then report as a difference between the modes.
- A yes/no question compares the share of its first answer, a choice question each option's share,
  a scale or number question the mean; open questions and the weighting variables are not compared.
- The two modes' respondents are different people, so their estimates are independent: the
  difference d = web - phone has the variance var(web) + var(phone). A weighted mean uses the
  linearisation variance of surveys.services.estimates and the interval d +- t sqrt(var), t of
  Student's t with Welch-Satterthwaite's degrees of freedom, (v1 + v2)^2 / (v1^2 / f1 + v2^2 / f2),
  each mode's f its effective sample size less 1 (as a mean's own interval has). A
  weighted share p counts n_eff answers, the Kish effective sample size of those who answered in the
  mode; its interval is Newcombe's hybrid score interval built from each mode's Wilson interval,
  which stays honest near 0 % and 100 % at a few dozen answers, where the normal one is too narrow
  (of a choice question's options the one with the largest d / sqrt(var), var = the sum of
  p (1 - p) / n_eff, is the one shown). The modes differ beyond chance when the interval leaves
  out 0: z = 1.96 (95 %) for a single comparison,
  and for a choice question of k options the Bonferroni z of 95 % / k, so a question with many
  options is not flagged more often by chance than a yes/no one.
- A mode with fewer than `MIN_ANSWERS_PER_MODE` answers to a question (or fewer than the smallest
  group the results may show) is not compared: the normal approximation and the separate weighting
  need more.

What a difference does and does not mean: it can come from who chose each mode beyond what the
weighting variables explain (selection) or from hearing a question read out against reading it on a
screen (measurement); this comparison cannot tell them apart, and it does not say which mode is
right. Each question is tested on its own at 95 %: among twenty questions about one may differ by
chance alone.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

from surveys.models import QuestionKind, ResponseMode
from surveys.services import weighting
from surveys.services.estimates import Z95, mean_estimate, option_estimates, t_critical
from surveys.services.results_contract import ModeComparison, ModeEstimate

MODES = (ResponseMode.PHONE, ResponseMode.WEB)
MIN_ANSWERS_PER_MODE = 30
CONFIDENCE = 0.95
SHARE, MEAN = "share", "mean"


@dataclass(frozen=True)
class ComparedQuestion:
    """A question to compare: its answers aligned with the respondents (None: not answered)."""

    position: int
    text: str
    kind: str
    values: Sequence  # option digits, or numbers for scale and number questions (scale: the digit)
    options: Sequence[tuple[str, str]]  # (digit, label); empty for a number question


# Raking that stopped short of the population shares by less than this (a twentieth of a percentage
# point) has removed the difference in who answered all the same.
NEGLIGIBLE_GAP = 0.0005


@dataclass(frozen=True)
class WeightingProblem:
    """Why the modes are not compared: `mode`'s respondents could not be weighted with the results'
    cells (`issue.kind` EMPTY or EXTREME for a cell, NOT_CONVERGED, or another weighting issue)."""

    mode: str
    issue: weighting.Issue


def mode_weights(
    modes: Sequence[str],
    rows: Sequence[Mapping[str, str | None]],
    margins: Sequence[weighting.Margin],
    *,
    trim_cap: float | None,
    cells: Mapping[str, Mapping[str, tuple[str, ...]]],
) -> tuple[list[float], WeightingProblem | None]:
    """Every respondent's weight when each mode's respondents are weighted on their own to the
    population `margins`, with the cells of the results' weights (`cells`: dimension -> category ->
    its cell, `WeightingOutcome.cells`; a dimension they did not use is not used); `modes` and `rows`
    aligned with the respondents. The problem of the first mode that could not be weighted so, or None."""
    used = [margin for margin in margins if margin.dimension in cells]
    together = {
        dimension: sorted({cell for cell in cell_of.values() if len(cell) > 1}) for dimension, cell_of in cells.items()
    }
    weights = [1.0] * len(modes)
    for mode in MODES:
        indexes = [index for index, each in enumerate(modes) if each == mode]
        outcome = weighting.weights_compute(
            [rows[index] for index in indexes], used, trim_cap=trim_cap, together=together
        )
        problem = next((issue for issue in outcome.issues if _hides_who_answered(issue)), None)
        if problem is not None:
            return weights, WeightingProblem(mode, problem)
        for index, weight in zip(indexes, outcome.weights, strict=True):
            weights[index] = weight
    return weights, None


def _hides_who_answered(issue: weighting.Issue) -> bool:
    """Whether the issue leaves the mode's respondents unlike the population in the weighting
    variables. Weights kept above the cap reach the shares: their cost is in the variance."""
    if issue.kind == weighting.CAP_EXCEEDED:
        return False
    return issue.kind != weighting.NOT_CONVERGED or (issue.value or 0.0) >= NEGLIGIBLE_GAP


def _effective_size(values: Sequence, weights: Sequence[float]) -> float | None:
    """Kish's effective sample size of those who answered."""
    answered = [weight for value, weight in zip(values, weights, strict=True) if value is not None]
    squares = sum(weight * weight for weight in answered)
    return sum(answered) ** 2 / squares if squares else None


def _wilson(share: float, size: float, z: float) -> tuple[float, float]:
    """Wilson's score interval of a share of `size` (effective) answers."""
    spread = z * z / size
    centre = (share + spread / 2) / (1 + spread)
    half = z * math.sqrt(share * (1 - share) / size + spread / (4 * size)) / (1 + spread)
    return centre - half, centre + half


def newcombe_interval(phone: tuple[float, float], web: tuple[float, float], *, z: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval of web - phone, each a (share, effective size): built from
    the two Wilson intervals, so that it stays honest near 0 % and 100 %, where the plain normal one
    is too narrow (Newcombe 1998, method 10)."""
    (p1, n1), (p2, n2) = phone, web
    low1, high1 = _wilson(p1, n1, z)
    low2, high2 = _wilson(p2, n2, z)
    difference = p2 - p1
    return (
        difference - math.sqrt((p2 - low2) ** 2 + (high1 - p1) ** 2),
        difference + math.sqrt((high2 - p2) ** 2 + (p1 - low1) ** 2),
    )


def _mean_variance(values: Sequence, weights: Sequence[float]) -> float | None:
    answered = [(float(value), weight) for value, weight in zip(values, weights, strict=True) if value is not None]
    count = len(answered)
    total = sum(weight for _value, weight in answered)
    if count < 2 or not total:
        return None
    mean = sum(value * weight for value, weight in answered) / total
    return count / (count - 1) * sum(w * w * (x - mean) ** 2 for x, w in answered) / total**2


def _bonferroni_z(comparisons: int) -> float:
    if comparisons <= 1:
        return Z95
    return NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / (2 * comparisons))


def question_comparison(
    question: ComparedQuestion, modes: Sequence[str], weights: Sequence[float], *, minimum: int
) -> ModeComparison | None:
    """The question's estimates by mode and their difference (see the module docstring); None for a
    question that has no estimate to compare."""
    parts = {}
    for mode in MODES:
        indexes = [index for index, each in enumerate(modes) if each == mode]
        values = [question.values[index] for index in indexes]
        parts[mode] = (values, [weights[index] for index in indexes])
    answered = {mode: sum(1 for value in values if value is not None) for mode, (values, _w) in parts.items()}
    comparable = all(count >= minimum for count in answered.values())

    if question.kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        candidates = [_mean_candidate(question, parts, answered)]
        z = Z95
    elif question.kind == QuestionKind.YES_NO and question.options:
        candidates = [_share_candidate(question, parts, answered, question.options[0])]
        z = Z95
    elif question.kind == QuestionKind.CHOICE and question.options:
        candidates = [_share_candidate(question, parts, answered, option) for option in question.options]
        z = _bonferroni_z(len(candidates))
    else:
        return None
    if not comparable:
        label, measure, estimates, _difference, _variance, _sizes = candidates[0]
        shown = [ModeEstimate(mode, answered[mode], None, None, None) for mode in MODES]
        return ModeComparison(
            question.position, question.text, measure, label, shown, None, None, None, CONFIDENCE, None
        )

    def standardised(candidate) -> float:
        *_rest, difference, variance, _sizes = candidate
        if difference is None or not variance:
            return 0.0
        return abs(difference) / math.sqrt(variance)

    label, measure, estimates, difference, variance, sizes = max(candidates, key=standardised)
    confidence = CONFIDENCE if len(candidates) == 1 else 1 - (1 - CONFIDENCE) / len(candidates)
    if difference is None or variance is None:
        return ModeComparison(
            question.position, question.text, measure, label, estimates, difference, None, None, confidence, None
        )
    if measure == SHARE:
        share = {estimate.mode: estimate.estimate for estimate in estimates}
        low, high = newcombe_interval(
            (share[ResponseMode.PHONE], sizes[ResponseMode.PHONE]),
            (share[ResponseMode.WEB], sizes[ResponseMode.WEB]),
            z=z,
        )
    else:
        half = _welch_t(sizes) * math.sqrt(variance)
        low, high = difference - half, difference + half
    return ModeComparison(
        question.position,
        question.text,
        measure,
        label,
        estimates,
        difference,
        low,
        high,
        confidence,
        differs=low > 0 or high < 0,
    )


def _share_candidate(question, parts, answered, option):
    _value, label = option
    estimates, variance, shares, sizes = [], 0.0, {}, {}
    for mode in MODES:
        values, weights = parts[mode]
        estimate = option_estimates(values, weights, [option])[0]
        shares[mode] = estimate.weighted_share
        estimates.append(ModeEstimate(mode, answered[mode], estimate.weighted_share, estimate.ci_low, estimate.ci_high))
        sizes[mode] = _effective_size(values, weights)
        share = estimate.weighted_share
        part = None if share is None or not sizes[mode] else share * (1 - share) / sizes[mode]
        variance = None if part is None or variance is None else variance + part
    difference = None if None in shares.values() else shares[ResponseMode.WEB] - shares[ResponseMode.PHONE]
    return label, SHARE, estimates, difference, variance, sizes


def _mean_candidate(question, parts, answered):
    estimates, variance, means, sizes = [], 0.0, {}, {}
    for mode in MODES:
        values, weights = parts[mode]
        numbers = [None if value is None else float(value) for value in values]
        estimate = mean_estimate(numbers, weights)
        means[mode] = estimate.weighted
        estimates.append(ModeEstimate(mode, answered[mode], estimate.weighted, estimate.ci_low, estimate.ci_high))
        part = _mean_variance(numbers, weights)
        sizes[mode] = (part, _effective_size(numbers, weights))
        variance = None if part is None or variance is None else variance + part
    difference = None if None in means.values() else means[ResponseMode.WEB] - means[ResponseMode.PHONE]
    return "", MEAN, estimates, difference, variance, sizes


def _welch_t(parts: Mapping[str, tuple[float, float]]) -> float:
    """Student's t of the difference of two means, each mode's (variance, effective sample size),
    with Welch-Satterthwaite's degrees of freedom. Answers all alike in both modes leave no spread
    to weigh: the normal value then."""
    spread = sum(variance * variance / (size - 1) for variance, size in parts.values() if size > 1)
    if not spread:
        return Z95
    return t_critical(sum(variance for variance, _size in parts.values()) ** 2 / spread)


def mode_comparisons(
    questions: Sequence[ComparedQuestion],
    modes: Sequence[str],
    rows: Sequence[Mapping[str, str | None]],
    margins: Sequence[weighting.Margin],
    *,
    trim_cap: float | None,
    minimum: int,
    cells: Mapping[str, Mapping[str, tuple[str, ...]]],
) -> tuple[list[ModeComparison], WeightingProblem | None]:
    """Each question's comparison, in the questions' order ([] unless both modes have respondents),
    and why none is made when a mode cannot be weighted with the results' `cells` (`mode_weights`)."""
    if not all(mode in modes for mode in MODES):
        return [], None
    weights, problem = mode_weights(modes, rows, margins, trim_cap=trim_cap, cells=cells)
    if problem is not None:
        return [], problem
    needed = max(MIN_ANSWERS_PER_MODE, minimum)
    compared = (question_comparison(question, modes, weights, minimum=needed) for question in questions)
    return [comparison for comparison in compared if comparison is not None], None
