"""What a simulated campaign found, checked against the truth of its synthetic population.

For each opinion question (neither demographic nor open) the report compares one figure of the
campaign's published results (`surveys.services.results.campaign_results`: the respondents'
answers, raked to the population targets) with the same figure over every resident of the
campaign, reached or not (`surveys.synthetic_population.population_truth`):

- scale and number questions: the mean answer;
- yes/no and choice questions: the share of the first option in digit order ("yes" of yes/no).

`unweighted` is the respondents' figure, `weighted` the weighted one and `ci_low`..`ci_high` its
95 % interval as the results show them. Since civic interest, which no question asks, drives both
answering and some opinions, the weighted figure may miss the truth; the report says by how much.

That error has two parts. Each resident's answer is drawn at random around what they are likely to
say (`expected_answer`), so even a perfect sample errs by the luck of its draws (about the margin
of error). `selection_error` is the rest: the same figure computed from every answerer's expected
answer, weighted as published, against the population's expected figure - the error of who
answered and how they were weighted, which a calling strategy changes and luck does not.
"""

from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models import Q

from surveys.models import Answer, Campaign, Contact, QuestionKind
from surveys.services.results import campaign_results
from surveys.services.results_contract import CampaignResults, QuestionResult
from surveys.simulation import complete_by_age_group
from surveys.synthetic_population import (
    TruthForQuestion,
    contact_facts,
    expected_answer,
    population_truth,
    resident_build,
    survey_questions,
)

MEAN_KINDS = (QuestionKind.SCALE, QuestionKind.NUMBER)
DECIMALS = 4


@dataclass(frozen=True)
class QuestionAgainstTruth:
    position: int
    kind: str
    option: str | None  # the digit whose share is the figure; None: the figure is the mean
    respondents: int  # those who answered the question
    truth: float | None
    unweighted: float | None
    weighted: float | None
    ci_low: float | None
    ci_high: float | None
    expected_truth: float | None  # the population's expected figure
    expected_weighted: float | None  # the answerers' expected figure, weighted as published

    @property
    def selection_error(self) -> float | None:
        """The weighted error apart from the luck of the answers (the module's docstring)."""
        if self.expected_weighted is None or self.expected_truth is None:
            return None
        return self.expected_weighted - self.expected_truth

    @property
    def unweighted_error(self) -> float | None:
        return None if self.unweighted is None or self.truth is None else self.unweighted - self.truth

    @property
    def weighted_error(self) -> float | None:
        return None if self.weighted is None or self.truth is None else self.weighted - self.truth

    @property
    def covered(self) -> bool | None:
        """Whether the 95 % interval holds the truth; None without an interval."""
        if self.ci_low is None or self.ci_high is None or self.truth is None:
            return None
        return self.ci_low <= self.truth <= self.ci_high

    def as_dict(self) -> dict:
        figures = asdict(self) | {
            "unweighted_error": self.unweighted_error,
            "weighted_error": self.weighted_error,
            "selection_error": self.selection_error,
        }
        rounded = {
            name: round(value, DECIMALS) if isinstance(value, float) else value for name, value in figures.items()
        }
        return rounded | {"covered": self.covered}

    def line(self) -> str:
        figure = "mean" if self.option is None else f"share of {self.option}"
        if self.weighted is None:
            return f"question {self.position} ({self.kind}, {figure}): no estimate"
        interval = "" if self.covered is None else f" 95 % CI {self.ci_low:.3f}-{self.ci_high:.3f}"
        verdict = {True: " covers the truth", False: " MISSES the truth", None: ""}[self.covered]
        selection = "" if self.selection_error is None else f", of it selection {self.selection_error:+.3f}"
        return (
            f"question {self.position} ({self.kind}, {figure}): truth {self.truth:.3f}, "
            f"unweighted {self.unweighted:.3f} ({self.unweighted_error:+.3f}), "
            f"weighted {self.weighted:.3f} ({self.weighted_error:+.3f}{selection}){interval}{verdict}"
        )


@dataclass(frozen=True)
class SimulationReport:
    completes_by_age_group: dict[str, int]  # by the respondents' true age group
    cost_eur: float  # the calls at the campaign's price per minute and its fixed costs
    questions: list[QuestionAgainstTruth]

    def as_dict(self) -> dict:
        return {
            "completes_by_age_group": self.completes_by_age_group,
            "cost_eur": self.cost_eur,
            "questions": [question.as_dict() for question in self.questions],
        }


def simulation_report(campaign: Campaign, *, seed: int) -> SimulationReport:
    """The simulated campaign's results against the truth of the population of `seed`."""
    results = campaign_results(campaign, language=settings.LANGUAGE_CODE)
    estimated = {question.position: question for question in results.questions}
    expected = _expected_among_answerers(campaign, results, seed=seed)
    return SimulationReport(
        completes_by_age_group=complete_by_age_group(campaign, seed=seed),
        cost_eur=float(results.costs.total),
        questions=[
            _against_truth(truth, estimated.get(position), expected_weighted=expected.get(position))
            for position, truth in sorted(population_truth(campaign, seed=seed).items())
        ],
    )


def _expected_among_answerers(campaign: Campaign, results: CampaignResults, *, seed: int) -> dict[int, float]:
    """Each opinion question's figure from its answerers' expected answers (`expected_answer`),
    with the weights the results were published with."""
    weights = results.weighting.weights
    survey = survey_questions(campaign.survey_version)
    opinions = {question.position: question for question in survey.questions if question.is_opinion}
    answered = list(
        Answer.objects.filter(
            response_id__in=weights, question__version=campaign.survey_version, question__position__in=opinions
        )
        .filter(Q(option__isnull=False) | Q(number_value__isnull=False))
        .values_list("response_id", "question__position", "response__pseudonym")
    )
    pseudonyms = {str(pseudonym) for _response, _position, pseudonym in answered}
    residents = {
        facts.pseudonym: resident_build(facts, seed=seed, year=campaign.start_date.year)
        for facts in contact_facts(Contact.objects.filter(campaign=campaign, pseudonym__in=pseudonyms))
    }
    sums: dict[int, list[float]] = {position: [0.0, 0.0] for position in opinions}
    unknown: set[int] = set()  # questions with an answerer whose contact is gone (numbers purged)
    for response_id, position, pseudonym in answered:
        resident = residents.get(str(pseudonym))
        if resident is None:
            unknown.add(position)
            continue
        weight = weights[response_id]
        sums[position][0] += weight * expected_answer(resident, opinions[position], survey)
        sums[position][1] += weight
    return {
        position: total / weight for position, (total, weight) in sums.items() if weight and position not in unknown
    }


def _against_truth(
    truth: TruthForQuestion, result: QuestionResult | None, *, expected_weighted: float | None
) -> QuestionAgainstTruth:
    if truth.kind in MEAN_KINDS:
        option = None
        mean = result.mean if result else None
        unweighted, weighted, low, high = (
            (mean.unweighted, mean.weighted, mean.ci_low, mean.ci_high) if mean else (None, None, None, None)
        )
        true_figure = truth.mean
    else:
        option = next(iter(truth.shares))
        first = next((each for each in result.options if each.value == option), None) if result else None
        unweighted, weighted, low, high = (
            (first.share, first.weighted_share, first.ci_low, first.ci_high) if first else (None, None, None, None)
        )
        true_figure = truth.shares[option] if truth.residents else None
    return QuestionAgainstTruth(
        position=truth.position,
        kind=truth.kind,
        option=option,
        respondents=result.answered if result else 0,
        truth=true_figure,
        unweighted=unweighted,
        weighted=weighted,
        ci_low=low,
        ci_high=high,
        expected_truth=truth.expected,
        expected_weighted=expected_weighted if weighted is not None else None,
    )
