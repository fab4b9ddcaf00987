"""Estimates from weighted answers: plain functions on lists aligned with the respondents.

`values[i]` is respondent i's answer to the question (None: not answered) and `weights[i]` their
weight; every estimate uses only those who answered.

Confidence intervals (95 %):
- A share p uses the effective sample size of those who answered, n_eff = (sum w)^2 / sum w^2,
  which is n / Kish design effect, in the Wilson score interval (which stays inside 0..1 and
  behaves for small n and shares near 0 or 1).
- A weighted mean m = sum(w x) / sum(w) uses the linearisation (sandwich) variance of a ratio
  estimator, var(m) = n / (n - 1) * sum(w^2 (x - m)^2) / (sum w)^2, and m +- t sqrt(var(m)), t the
  two-sided 95 % value of Student's t with n_eff - 1 degrees of freedom (n_eff of those who
  answered, as above; n - 1 when the weights are equal). The normal 1.96 would be too narrow for
  a mean of a few answers: 2.36 at eight.
  With fewer than two answers there is no interval, nor when the answers are all alike: with no
  spread the interval would be a single point, a certainty that a few answers do not give.
"""

import functools
import math
import re
import sys
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import snowballstemmer

from surveys.services.results_contract import (
    Costs,
    CrossTab,
    FixedCost,
    MeanEstimate,
    OptionEstimate,
    Theme,
)
from surveys.services.stopwords import STOP_WORDS

Z95 = 1.959963984540054
CONFIDENCE = 0.95
# log x from the smallest float to 0 in 2^-80 steps of its width: t to about 14 significant digits.
BISECTION_ROUNDS = 80
FRACTION_TERMS = 300
CENT = Decimal("0.01")
THEMES = 10
THEME_MIN_ANSWERS = 2
MIN_KEYWORD_LENGTH = 3
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# The Snowball stemmer of each survey language, so that inflected forms are one theme.
STEMMER_NAMES = {"fi": "finnish", "sv": "swedish", "en": "english"}


def _answered(values: Sequence, weights: Sequence[float]) -> list[tuple]:
    return [(value, weight) for value, weight in zip(values, weights, strict=True) if value is not None]


def t_critical(degrees_of_freedom: float) -> float:
    """The two-sided 95 % value of Student's t: t with P(|T| > t) = 5 %, for any degrees of freedom
    above 0 (an effective sample size less 1 need not be whole).

    P(|T| > t) = I_x(df/2, 1/2) with x = df / (df + t^2), I the regularised incomplete beta function,
    which rises with x: bisection on log x finds the x of 5 %, from tiny degrees of freedom (t in the
    thousands) to millions (t near 1.96)."""
    return _t_critical(float(degrees_of_freedom))


@functools.lru_cache(maxsize=1024)
def _t_critical(degrees_of_freedom: float) -> float:
    if degrees_of_freedom <= 0:
        raise ValueError("Student's t needs degrees of freedom above 0.")
    tail = 1 - CONFIDENCE
    low, high = math.log(sys.float_info.min), 0.0
    for _round in range(BISECTION_ROUNDS):
        middle = (low + high) / 2
        if _regularized_beta(math.exp(middle), degrees_of_freedom / 2, 0.5) < tail:
            low = middle
        else:
            high = middle
    x = math.exp((low + high) / 2)
    return math.sqrt(degrees_of_freedom * (1 - x) / x)


def _regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) by its continued fraction (Numerical Recipes, betai), on the side where it converges fast."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(x, a, b) / a
    return 1 - front * _beta_fraction(1 - x, b, a) / b


def _beta_fraction(x: float, a: float, b: float) -> float:
    """The continued fraction of the incomplete beta function, by the modified Lentz method."""
    tiny = 1e-300

    def bounded(value: float) -> float:
        return tiny if abs(value) < tiny else value

    c, d = 1.0, 1 / bounded(1 - (a + b) * x / (a + 1))
    fraction = d
    for m in range(1, FRACTION_TERMS + 1):
        even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1 / bounded(1 + even * d)
        c = bounded(1 + even / c)
        fraction *= d * c
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1 / bounded(1 + odd * d)
        c = bounded(1 + odd / c)
        step = d * c
        fraction *= step
        if abs(step - 1) < 1e-15:
            break
    return fraction


def wilson_interval(share: float, n_eff: float) -> tuple[float | None, float | None]:
    if n_eff <= 0:
        return None, None
    z2 = Z95 * Z95
    centre = (share + z2 / (2 * n_eff)) / (1 + z2 / n_eff)
    half = Z95 * math.sqrt(share * (1 - share) / n_eff + z2 / (4 * n_eff * n_eff)) / (1 + z2 / n_eff)
    return max(0.0, centre - half), min(1.0, centre + half)


def option_estimates(
    values: Sequence[str | None], weights: Sequence[float], options: Sequence[tuple[str, str]]
) -> list[OptionEstimate]:
    """Counts, unweighted and weighted shares and the weighted share's 95 % CI per (value, label)."""
    answered = _answered(values, weights)
    total_weight = sum(weight for _value, weight in answered)
    n_eff = total_weight**2 / sum(weight * weight for _value, weight in answered) if answered else 0.0
    counts = Counter(value for value, _weight in answered)
    weight_of = Counter()
    for value, weight in answered:
        weight_of[value] += weight
    estimates = []
    for value, label in options:
        weighted = weight_of[value] / total_weight if total_weight else None
        low, high = wilson_interval(weighted, n_eff) if weighted is not None else (None, None)
        estimates.append(
            OptionEstimate(
                value=value,
                label=label,
                count=counts[value],
                share=counts[value] / len(answered) if answered else None,
                weighted_share=weighted,
                ci_low=low,
                ci_high=high,
            )
        )
    return estimates


def mean_estimate(values: Sequence[float | None], weights: Sequence[float]) -> MeanEstimate:
    answered = _answered(values, weights)
    if not answered:
        return MeanEstimate(unweighted=None, weighted=None, ci_low=None, ci_high=None)
    count = len(answered)
    total_weight = sum(weight for _value, weight in answered)
    unweighted = sum(value for value, _weight in answered) / count
    mean = sum(value * weight for value, weight in answered) / total_weight
    if count < 2:
        return MeanEstimate(unweighted=unweighted, weighted=mean, ci_low=None, ci_high=None)
    variance = count / (count - 1) * sum(w * w * (x - mean) ** 2 for x, w in answered) / total_weight**2
    n_eff = total_weight**2 / sum(weight * weight for _value, weight in answered)
    # One answer carrying all the weight leaves no degree of freedom to estimate the spread from.
    if variance == 0 or n_eff <= 1:
        return MeanEstimate(unweighted=unweighted, weighted=mean, ci_low=None, ci_high=None)
    half = t_critical(n_eff - 1) * math.sqrt(variance)
    return MeanEstimate(unweighted=unweighted, weighted=mean, ci_low=mean - half, ci_high=mean + half)


def crosstab(
    *,
    dimension: str,
    categories: Sequence[tuple[str, str]],
    groups: Sequence[str | None],
    values: Sequence[str | None],
    weights: Sequence[float],
    options: Sequence[tuple[str, str]],
) -> CrossTab:
    """Weighted shares of each option among those in each category (`groups[i]`: respondent i's
    category key, None when not answered) who answered the question, and each category's margin of
    error: the half-width of Wilson's 95 % interval of a 50 % share (the widest any share has) over
    the effective number of its answers, as the options' own intervals are computed."""
    totals = {key: 0.0 for key, _label in categories}
    squares = {key: 0.0 for key, _label in categories}
    by_option = {key: Counter() for key, _label in categories}
    respondents = Counter()
    for group, value, weight in zip(groups, values, weights, strict=True):
        if group is None or value is None or group not in totals:
            continue
        totals[group] += weight
        squares[group] += weight * weight
        by_option[group][value] += weight
        respondents[group] += 1
    margins = []
    for key, _label in categories:
        low, high = wilson_interval(0.5, totals[key] ** 2 / squares[key]) if squares[key] else (None, None)
        margins.append((high - low) / 2 if low is not None and high is not None else None)
    return CrossTab(
        dimension=dimension,
        categories=list(categories),
        rows=[
            (label, [by_option[key][value] / totals[key] if totals[key] else None for key, _label in categories])
            for value, label in options
        ],
        respondents=[respondents[key] for key, _label in categories],
        margins=margins,
    )


def keywords(text: str) -> set[str]:
    """The distinct words of one answer that can be a theme: lower case, no punctuation or digits,
    no stop words, at least three letters."""
    return {
        word for word in WORD.findall(text.casefold()) if len(word) >= MIN_KEYWORD_LENGTH and word not in STOP_WORDS
    }


def themes(transcripts: Sequence[str], languages: Sequence[str], *, limit: int = THEMES) -> list[Theme]:
    """The keywords found in the most answers (at least two), most frequent first.

    `languages[i]` is the language of answer `transcripts[i]` (a key of STEMMER_NAMES). Inflected
    forms are one theme: each keyword is reduced to its stem in the answer's language, an answer
    counts once per stem, and the theme shows the stem's form written in the most answers (ties:
    the shortest, then alphabetical), as a stem ("liikent" of "liikenteen") is no word. The same stem in two
    languages (Swedish "parker", English "parks") is one theme.
    """
    # A stemmer keeps state while it works, so each call has its own rather than sharing them.
    stemmers = {}
    answers_of_stem = Counter()
    forms_of_stem: dict[str, Counter] = {}
    for transcript, language in zip(transcripts, languages, strict=True):
        if language not in stemmers:
            stemmers[language] = snowballstemmer.stemmer(STEMMER_NAMES[language])
        stems = set()
        for word in keywords(transcript):
            stem = stemmers[language].stemWord(word)
            stems.add(stem)
            forms_of_stem.setdefault(stem, Counter())[word] += 1
        answers_of_stem.update(stems)
    ranked = sorted(
        (
            (_most_written(forms_of_stem[stem]), count)
            for stem, count in answers_of_stem.items()
            if count >= THEME_MIN_ANSWERS
        ),
        key=lambda item: (-item[1], item[0]),
    )
    return [Theme(keyword=word, count=count) for word, count in ranked[:limit]]


def _most_written(forms: Counter) -> str:
    return min(forms.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]


def costs_summary(
    *,
    minutes: int,
    call_cost: Decimal,
    fixed: Sequence[FixedCost],
    complete: int,
    budget_cap: Decimal | None,
    billed: dict[str, Decimal] | None = None,
    priced_calls: int = 0,
    charged_calls: int = 0,
    sms_messages: int = 0,
    sms_cost: Decimal = Decimal(0),
) -> Costs:
    call_cost = Decimal(call_cost).quantize(CENT)
    sms_cost = Decimal(sms_cost).quantize(CENT)
    spend = call_cost + sms_cost
    total = spend + sum((cost.amount for cost in fixed), Decimal(0))
    return Costs(
        minutes=minutes,
        call_cost=call_cost,
        fixed=list(fixed),
        total=total.quantize(CENT),
        per_complete=(total / complete).quantize(CENT) if complete else None,
        budget_cap=budget_cap,
        budget_used=float(spend / budget_cap) if budget_cap else None,
        billed={unit: amount.quantize(CENT) for unit, amount in (billed or {}).items()},
        priced_calls=priced_calls,
        charged_calls=charged_calls,
        sms_messages=sms_messages,
        sms_cost=sms_cost,
    )


def rounded(value: float, decimals: int) -> Decimal:
    """Rounded half up, as people round (57.5 -> 58), after the float noise (57.49999999) is gone."""
    return Decimal(str(round(value, 9))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
