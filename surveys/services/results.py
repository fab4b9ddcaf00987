"""A campaign's results: response rates, who answered, the weights and every question's estimates.

`campaign_results` reads everything in a fixed number of queries (answers as value lists, never
one query per response) and hands the plain-data `CampaignResults` of `results_contract` to the
results page, the PDF and the XLSX. Respondents are the interviews of the AAPOR dispositions:
responses with at least 80 % (complete) or 50 % (partial) of the questions that applied answered,
less the few who left a demographic question unanswered when fewer than the minimum group size
did (`_few_unstated_left_out`: the results say how many).

When the web survey was offered (an SMS link), `CampaignResults.modes` adds the results by mode
(surveys.services.results_by_mode): the weights stay those of every respondent together, raked to the
population; mode only enters the check of whether the modes tell the same story.

How answers meet the population targets: a demographic question's option and a target are the
same category when their names match after `category_key` (see surveys/models/results.py). A
dimension whose options and targets do not match exactly is not used, and a warning names the
categories that differ.
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.errors import SurveyError
from surveys.languages import SURVEY_LANGUAGES
from surveys.models import (
    Answer,
    Campaign,
    CampaignFixedCost,
    CampaignResultSettings,
    PopulationTarget,
    Question,
    QuestionKind,
    Response,
    TargetDimension,
)
from surveys.models.results import category_key
from surveys.selectors import campaign_call_costs, campaign_progress, campaign_sms_costs
from surveys.services import weighting
from surveys.services.disclosure import GroupPrivacy, group_privacy, minimum_group_size
from surveys.services.dispositions import COMPLETE, campaign_dispositions
from surveys.services.estimates import (
    costs_summary,
    crosstab,
    mean_estimate,
    option_estimates,
    rounded,
    themes,
)
from surveys.services.findings import summary_sentences
from surveys.services.mode_effects import ComparedQuestion
from surveys.services.privacy import campaign_answers_expire_on, campaign_answers_purged
from surveys.services.rates import response_rates
from surveys.services.result_settings import result_settings_for
from surveys.services.results_by_mode import campaign_mode_results
from surveys.services.results_contract import (
    CampaignResults,
    FixedCost,
    Funnel,
    GroupShare,
    ModeResults,
    QuestionResult,
    Weighting,
)
from surveys.services.results_privacy import groups_suppressed, question_privacy, question_suppressed, subgroup

CROSSTAB_DIMENSIONS = (TargetDimension.AGE_GROUP, TargetDimension.DISTRICT)
MEAN_KINDS = (QuestionKind.SCALE, QuestionKind.NUMBER)


@dataclass(frozen=True)
class DemographicQuestion:
    """A survey's demographic question and the category key of each of its options."""

    dimension: str
    question: Question
    key_of_option: dict[int, str]  # option pk -> category key (the target's, when one matches)
    categories: list[tuple[str, str]]  # (key, label) in the survey's order
    unknown: list[str]  # option categories that no target names
    missing: list[str]  # target categories that no option names


def targets_by_dimension() -> dict[str, list[tuple[str, float]]]:
    return population_targets()[0]


def population_targets() -> tuple[dict[str, list[tuple[str, float]]], datetime | None]:
    """The population shares of each dimension's categories, and when any of them was last changed."""
    targets: dict[str, list[tuple[str, float]]] = {}
    latest = None
    for dimension, category, share, updated_at in PopulationTarget.objects.values_list(
        "dimension", "category", "share", "updated_at"
    ):
        targets.setdefault(dimension, []).append((category, float(share)))
        latest = max(latest, updated_at) if latest else updated_at
    return targets, latest


def demographic_question(
    dimension: str, question: Question, targets: Sequence[tuple[str, float]], language: str
) -> DemographicQuestion:
    target_of = {category_key(category): category for category, _share in targets}
    options = list(question.options.all())
    key_of_option = {
        option.pk: target_of.get(category_key(option.label_fi), option.label_fi.strip()) for option in options
    }
    option_keys = {category_key(option.label_fi) for option in options}
    return DemographicQuestion(
        dimension=dimension,
        question=question,
        key_of_option=key_of_option,
        categories=[(key_of_option[option.pk], option.localized("label", language)) for option in options],
        unknown=[option.label_fi.strip() for option in options if category_key(option.label_fi) not in target_of]
        if targets
        else [],
        missing=[category for category, _share in targets if category_key(category) not in option_keys],
    )


def _dimension_name(dimension: str) -> str:
    return str(TargetDimension(dimension).label)


def _number(value: float, decimals: int = 1) -> str:
    return number_format(rounded(value, decimals), decimals, use_l10n=True, force_grouping=True)


def _issue_text(issue: weighting.Issue, labels: dict[tuple[str, str], str], cap: float | None) -> str:
    def names(categories):
        return ", ".join(labels.get((issue.dimension, category), category) for category in categories)

    values = {
        "dimension": _dimension_name(issue.dimension) if issue.dimension else "",
        "categories": names(issue.categories),
        "merged_into": names(issue.merged_into),
        "value": _number(issue.value or 0, 1),
        "cap": _number(cap or weighting.DEFAULT_TRIM_CAP, 1),
    }
    if issue.kind == weighting.EMPTY:
        return _("%(dimension)s: nobody answered %(categories)s, so it is weighted together with %(merged_into)s.") % (
            values
        )
    if issue.kind == weighting.EXTREME:
        return (
            _(
                "%(dimension)s: too few answered %(categories)s for a weight of at most %(cap)s times the "
                "mean, so it is weighted together with %(merged_into)s."
            )
            % values
        )
    if issue.kind == weighting.NO_POPULATION:
        return (
            _("%(dimension)s: %(categories)s has no population share, so it is weighted together with %(merged_into)s.")
            % values
        )
    if issue.kind == weighting.DIMENSION_DROPPED:
        return _("%(dimension)s: too few categories have respondents, so the results are not weighted by it.") % values
    if issue.kind == weighting.NOT_CONVERGED:
        return _(
            "The weights did not fully reach the population shares (largest difference %(value)s percentage points)."
        ) % (values | {"value": _number((issue.value or 0) * 100, 2)})
    return (
        _("Some weights stay above the cap (the largest is %(value)s times the mean) to reach the population shares.")
        % values
    )


def _gap_negligible(issue: weighting.Issue) -> bool:
    """Raking that stopped short of its tolerance, but closer to the targets than the warning can say:
    "did not reach the shares (largest difference 0.00 points)" would contradict itself."""
    return issue.kind == weighting.NOT_CONVERGED and rounded((issue.value or 0) * 100, 2) == 0


def _largest_gap(outcome: weighting.WeightingOutcome) -> float:
    """How far the weighted shares stayed from the population shares, 0 when raking converged."""
    return next((issue.value or 0.0 for issue in outcome.issues if issue.kind == weighting.NOT_CONVERGED), 0.0)


def _groups_of(
    respondent_ids: list[int], demographics: list[DemographicQuestion], answers_by_question: dict[int, dict[int, tuple]]
) -> dict[str, list[str | None]]:
    """Each respondent's category key per dimension (None: did not answer)."""
    groups_of: dict[str, list[str | None]] = {}
    for demographic in demographics:
        answers = answers_by_question.get(demographic.question.pk, {})
        groups_of[demographic.dimension] = [
            demographic.key_of_option.get(answers[pk][0]) if pk in answers else None for pk in respondent_ids
        ]
    return groups_of


class GroupWeights:
    """The weights for the figures of one group of respondents (everyone: {}), in the order of the
    respondents. Groups whose lines hide nothing share everyone's weights; the others are weighted
    with their hidden groups as one cell (see `GroupPrivacy.weighting_merges`)."""

    def __init__(self, rows, margins, *, trim_cap, privacy: GroupPrivacy):
        self.rows, self.margins, self.trim_cap, self.privacy = rows, margins, trim_cap, privacy
        self.outcomes: dict[tuple, weighting.WeightingOutcome] = {}

    def outcome(self, group: dict[str, str]) -> weighting.WeightingOutcome:
        merges = self.privacy.weighting_merges(group, [margin.dimension for margin in self.margins])
        key = merges.key()
        if key not in self.outcomes:
            self.outcomes[key] = weighting.weights_compute(
                self.weighted_rows(group), self.margins, trim_cap=self.trim_cap, together=merges.together
            )
        return self.outcomes[key]

    def weighted_rows(self, group: dict[str, str]) -> list[dict[str, str | None]]:
        """The respondents' categories as the group's weights take them: those who did not answer a
        dimension whose hidden groups take them in (`WeightingMerges.missing_into`) are in that cell."""
        merges = self.privacy.weighting_merges(group, [margin.dimension for margin in self.margins])
        return [
            {
                dimension: merges.missing_into.get(dimension) if category is None else category
                for dimension, category in row.items()
            }
            for row in self.rows
        ]

    def weights(self, group: dict[str, str]) -> list[float]:
        return self.outcome(group).weights


def _weighting(
    *,
    respondent_ids: list[int],
    demographics: list[DemographicQuestion],
    groups_of: dict[str, list[str | None]],
    targets: dict[str, list[tuple[str, float]]],
    result_settings: CampaignResultSettings,
    privacy: GroupPrivacy,
) -> tuple[Weighting, GroupWeights]:
    """The weights and the "who answered" table (hidden groups still in it), and the weights of groups."""
    warnings: list[str] = []

    wanted = set(result_settings.weighting_dimensions or [])
    margins = []
    for demographic in demographics:
        dimension = demographic.dimension
        if dimension not in wanted:
            continue
        if dimension not in targets:
            warnings.append(
                _("%(dimension)s: no population shares are set, so the results are not weighted by it.")
                % {"dimension": _dimension_name(dimension)}
            )
            continue
        if demographic.unknown or demographic.missing:
            warnings.append(
                _(
                    "%(dimension)s: the survey's answer options and the population targets differ "
                    "(not in the targets: %(unknown)s; not among the options: %(missing)s), so the "
                    "results are not weighted by it."
                )
                % {
                    "dimension": _dimension_name(dimension),
                    "unknown": ", ".join(demographic.unknown) or "-",
                    "missing": ", ".join(demographic.missing) or "-",
                }
            )
            continue
        margins.append(weighting.Margin(dimension, targets[dimension]))

    rows = [
        {dimension: groups[index] for dimension, groups in groups_of.items()} for index in range(len(respondent_ids))
    ]
    group_weights = GroupWeights(
        [{margin.dimension: row[margin.dimension] for margin in margins} for row in rows],
        margins,
        trim_cap=result_settings.trim_cap,
        privacy=privacy,
    )
    outcome = group_weights.outcome({})
    labels = {
        (demographic.dimension, key): label for demographic in demographics for key, label in demographic.categories
    }
    collapsed_kinds = (weighting.EMPTY, weighting.EXTREME, weighting.NO_POPULATION)
    merges = privacy.weighting_merges({}, [margin.dimension for margin in margins])
    collapsed = [
        _("%(dimension)s: %(categories)s are weighted as one group, as their figures are hidden.")
        % {
            "dimension": _dimension_name(dimension),
            "categories": ", ".join(labels.get((dimension, category), category) for category in cell),
        }
        for dimension, cells in merges.together.items()
        for cell in cells
    ]
    collapsed += [
        _issue_text(issue, labels, outcome.trim_cap) for issue in outcome.issues if issue.kind in collapsed_kinds
    ]
    warnings += [
        _issue_text(issue, labels, outcome.trim_cap)
        for issue in outcome.issues
        if issue.kind not in collapsed_kinds and not _gap_negligible(issue)
    ]
    if respondent_ids and not outcome.dimensions and not warnings:
        warnings.append(_("The results are not weighted: the survey asks no demographic question that has targets."))
    # Counted on the answers: those weighted with a hidden group's cell did not answer either.
    missing = sum(1 for row in rows if any(row[dimension] is None for dimension in outcome.dimensions))
    if missing:
        warnings.append(
            ngettext(
                "%(count)s respondent did not answer every demographic question used in weighting; "
                "they are weighted by the questions they answered.",
                "%(count)s respondents did not answer every demographic question used in weighting; "
                "they are weighted by the questions they answered.",
                missing,
            )
            % {"count": missing}
        )
    # Raked weights depend on how many share each combination of categories, so the number of
    # trimmed weights (and the weights' distribution) could tell the size of a hidden combination.
    details_hidden = outcome.method == "raking" and bool(privacy.suppressed)
    if outcome.trimmed and details_hidden:
        warnings.append(
            _("Some weights were cut to %(cap)s times the mean.") % {"cap": _number(outcome.trim_cap or 0, 1)}
        )
    elif outcome.trimmed:
        warnings.append(
            ngettext(
                "%(count)s weight was cut to %(cap)s times the mean.",
                "%(count)s weights were cut to %(cap)s times the mean.",
                outcome.trimmed,
            )
            % {"count": outcome.trimmed, "cap": _number(outcome.trim_cap or 0, 1)}
        )

    group_shares = []
    for demographic in demographics:
        groups = groups_of[demographic.dimension]
        population = dict(targets.get(demographic.dimension, []))
        known = [(group, weight) for group, weight in zip(groups, outcome.weights, strict=True) if group is not None]
        known_weight = sum(weight for _group, weight in known)
        for key, label in demographic.categories:
            count = sum(1 for group, _weight in known if group == key)
            group_weight = sum(weight for group, weight in known if group == key)
            group_shares.append(
                GroupShare(
                    dimension=demographic.dimension,
                    category=key,
                    label=label,
                    respondents=count,
                    sample_share=count / len(known) if known else None,
                    weighted_share=group_weight / known_weight if known_weight else None,
                    population_share=population.get(key),
                )
            )
    result = Weighting(
        method=outcome.method,
        dimensions=outcome.dimensions,
        respondents=len(respondent_ids),
        converged=outcome.converged,
        iterations=outcome.iterations,
        largest_gap=_largest_gap(outcome),
        trim_cap=outcome.trim_cap,
        trimmed=outcome.trimmed,
        design_effect=outcome.design_effect,
        effective_sample_size=outcome.effective_sample_size,
        warnings=warnings,
        collapsed=collapsed,
        groups=group_shares,
        missing_demographics=missing,
        weights=dict(zip(respondent_ids, outcome.weights, strict=True)),
        details_hidden=details_hidden,
    )
    return result, group_weights


def _labelled_options(question: Question, language: str) -> list[tuple[str, str]]:
    return [(str(option.digit), option.localized("label", language)) for option in question.options.all()]


def _option_label_languages(question: Question, language: str) -> dict[str, str]:
    """The language each option's label is in, by its digit (see `_labelled_options`)."""
    return {str(option.digit): option.localized_language("label", language) for option in question.options.all()}


def _answer_values(question: Question, respondent_ids: list[int], answers: dict[int, tuple]) -> list:
    """Each respondent's answer to `question`: an option's digit, a number or a transcript (None: not answered)."""
    if question.has_options:
        digit_of = {option.pk: str(option.digit) for option in question.options.all()}
        return [digit_of.get(answers[pk][0]) if pk in answers else None for pk in respondent_ids]
    if question.kind == QuestionKind.NUMBER:
        return [answers[pk][1] if pk in answers else None for pk in respondent_ids]
    return [answers[pk][2] or None if pk in answers else None for pk in respondent_ids]


def _answered(question: Question, respondent_ids: list[int], answers: dict[int, tuple]) -> list[bool]:
    return [value is not None for value in _answer_values(question, respondent_ids, answers)]


def _question_result(
    question: Question,
    *,
    respondent_ids: list[int],
    respondent_languages: list[str],
    answers: dict[int, tuple],
    weights: list[float],
    crosstab_weights: dict[str, list[float]],
    demographics: list[DemographicQuestion],
    groups_of: dict[str, list[str | None]],
    language: str,
    weighting_variable: bool = False,
) -> QuestionResult:
    """The question's estimates. A variable the results are weighted by (`weighting_variable`) has
    weighted shares equal to the population shares by construction: no estimate, so no interval in
    any output (the page, the PDF, the workbook, the residents' summary)."""
    labelled = _labelled_options(question, language)
    values = _answer_values(question, respondent_ids, answers)
    answered = sum(1 for value in values if value is not None)

    mean = None
    if question.kind in MEAN_KINDS:
        mean = mean_estimate([None if value is None else float(value) for value in values], weights)
    crosstabs = []
    if question.has_options and not question.demographic:
        crosstabs = [
            crosstab(
                dimension=demographic.dimension,
                categories=demographic.categories,
                groups=groups_of[demographic.dimension],
                values=values,
                weights=crosstab_weights[demographic.dimension],
                options=labelled,
            )
            for demographic in demographics
            if demographic.dimension in CROSSTAB_DIMENSIONS
        ]
    options = option_estimates(values, weights, labelled) if question.has_options else []
    label_languages = _option_label_languages(question, language)
    options = [dataclasses.replace(option, label_language=label_languages[option.value]) for option in options]
    if weighting_variable:
        options = [dataclasses.replace(option, ci_low=None, ci_high=None) for option in options]
    transcripts, transcript_languages = [], []
    if question.kind == QuestionKind.OPEN:
        for value, respondent_language in zip(values, respondent_languages, strict=True):
            if value:
                transcripts.append(value)
                transcript_languages.append(respondent_language)
    return QuestionResult(
        position=question.position,
        text=question.localized("text", language),
        text_language=question.localized_language("text", language),
        kind=question.kind,
        demographic=question.demographic,
        answered=answered,
        skipped=len(respondent_ids) - answered,
        options=options,
        mean=mean,
        crosstabs=crosstabs,
        open_answers=transcripts,
        themes=themes(transcripts, transcript_languages),
    )


def campaign_results(
    campaign: Campaign, *, language: str | None = None, respondent_filter: dict[str, str] | None = None
) -> CampaignResults:
    """Everything the results page and the reports show, in `language` (default: the active one).

    `respondent_filter` ({dimension: category key}, see `filter_choices`) restricts the question
    estimates to one group of respondents, weighted with the whole sample's weights.

    Groups below `RESULTS_MIN_GROUP_SIZE`, and those that would give them away, are already hidden
    (see surveys.services.disclosure): a hidden group chosen by the filter gets no question results.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        return _campaign_results(campaign, language, respondent_filter or {})


def _demographics(questions: list[Question], targets: dict, language: str) -> list[DemographicQuestion]:
    demographics = []
    for dimension in TargetDimension.values:
        question = next((question for question in questions if question.demographic == dimension), None)
        if question is not None:
            demographics.append(demographic_question(dimension, question, targets.get(dimension, []), language))
    return demographics


def filter_choices(campaign: Campaign, *, language: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The groups the results can be restricted to: (dimension, its name, [(category key, label)])."""
    questions = list(campaign.survey_version.questions.prefetch_related("options").order_by("position"))
    with translation.override(language):
        return [
            (demographic.dimension, _dimension_name(demographic.dimension), demographic.categories)
            for demographic in _demographics(questions, targets_by_dimension(), language)
        ]


def _selected(
    respondent_filter: dict[str, str], demographics: list[DemographicQuestion], groups_of: dict[str, list]
) -> tuple[list[int], list[str]]:
    """Indexes of the respondents in the filter's group, and the filter in words."""
    categories = {demographic.dimension: dict(demographic.categories) for demographic in demographics}
    for dimension, category in respondent_filter.items():
        if category not in categories.get(dimension, {}):
            raise SurveyError.of("results_group_unknown", group=f"{dimension}={category}")
    labels = [
        f"{_dimension_name(dimension)}: {categories[dimension][category]}"
        for dimension, category in respondent_filter.items()
    ]
    size = len(next(iter(groups_of.values()), []))
    indexes = [
        index
        for index in range(size)
        if all(groups_of[dimension][index] == category for dimension, category in respondent_filter.items())
    ]
    return indexes, labels


def _few_unstated_left_out(
    respondent_ids: list[int], groups_of: dict[str, list[str | None]], *, minimum: int
) -> tuple[list[int], dict[str, list[str | None]], int]:
    """The respondents, and their groups, without those who did not answer a demographic question
    that fewer than `minimum` left unanswered; and how many were left out.

    Those who did not answer are counted and published (surveys.services.disclosure), so everyone's
    figures less the groups' would be their answers. A few of them would otherwise be protected by
    hiding whole groups of everyone - the smallest, typically the young - and weighting those as
    one cell, which undoes the weighting of exactly the group it is for. Leaving the few out costs
    their answers instead (their interviews still count in the response rates). Nobody is left out
    when fewer than `minimum` would remain: every figure is hidden then anyway. Questions that
    more left unanswered keep theirs, whom the suppression protects where they are few in a group."""
    few: set[int] = set()
    for groups in groups_of.values():
        unanswered = [index for index, category in enumerate(groups) if category is None]
        if len(unanswered) < minimum:
            few.update(unanswered)
    if not few or len(respondent_ids) - len(few) < minimum:
        return respondent_ids, groups_of, 0
    kept = [index for index in range(len(respondent_ids)) if index not in few]
    kept_groups = {dimension: [groups[index] for index in kept] for dimension, groups in groups_of.items()}
    return [respondent_ids[index] for index in kept], kept_groups, len(few)


def _left_out_warning(count: int) -> str:
    return ngettext(
        "%(count)s respondent who left a background question unanswered is not included in the results, "
        "as everyone's figures less the groups' would otherwise reveal their answers.",
        "%(count)s respondents who left a background question unanswered are not included in the results, "
        "as everyone's figures less the groups' would otherwise reveal their answers.",
        count,
    ) % {"count": count}


def _campaign_results(campaign: Campaign, language: str, respondent_filter: dict[str, str]) -> CampaignResults:
    result_settings = result_settings_for(campaign)
    dispositions = campaign_dispositions(campaign=campaign)
    rates = response_rates(
        dispositions.counts,
        e=result_settings.eligibility_e,
        eligibility_not_learnt=dispositions.eligibility_not_learnt,
        quota_filled=dispositions.quota_filled,
    )
    progress = campaign_progress(campaign)

    questions = list(campaign.survey_version.questions.prefetch_related("options").order_by("position"))
    # The language each respondent answered in; an unknown one is taken to be the survey's first.
    survey_language = campaign.survey_version.languages[0]
    # After the answer retention only the rates are left: the answers' contents are gone.
    answers_purged = campaign_answers_purged(campaign)
    language_of, pseudonym_of, mode_of = {}, {}, {}
    for pk, pseudonym, answer_language, mode in (
        Response.objects.filter(campaign=campaign).order_by("pk").values_list("pk", "pseudonym", "language", "mode")
    ):
        if pseudonym in dispositions.interviews and not answers_purged:
            language_of[pk] = answer_language if answer_language in SURVEY_LANGUAGES else survey_language
            pseudonym_of[pk], mode_of[pk] = pseudonym, mode
    respondent_ids = list(language_of)
    respondents = set(respondent_ids)
    answers_by_question: dict[int, dict[int, tuple]] = {}
    for response_id, question_id, option_id, number_value, transcript in Answer.objects.filter(
        response__campaign=campaign
    ).values_list("response_id", "question_id", "option_id", "number_value", "transcript"):
        if response_id in respondents:
            answers_by_question.setdefault(question_id, {})[response_id] = (option_id, number_value, transcript)

    targets, targets_updated_at = population_targets()
    demographics = _demographics(questions, targets, language)

    minimum = minimum_group_size()
    groups_of = _groups_of(respondent_ids, demographics, answers_by_question)
    respondent_ids, groups_of, left_out = _few_unstated_left_out(respondent_ids, groups_of, minimum=minimum)
    privacy = group_privacy(
        groups_of,
        {demographic.dimension: [key for key, _label in demographic.categories] for demographic in demographics},
        respondents=len(respondent_ids),
        minimum=minimum,
    )
    weights_result, group_weights = _weighting(
        respondent_ids=respondent_ids,
        demographics=demographics,
        groups_of=groups_of,
        targets=targets,
        result_settings=result_settings,
        privacy=privacy,
    )
    if answers_purged:
        weights_result.warnings.insert(
            0,
            _(
                "The answers were deleted after %(date)s, at the end of their retention period of %(months)s "
                "months: only the response rates and the published summary remain."
            )
            % {
                "date": date_format(campaign_answers_expire_on(campaign), "SHORT_DATE_FORMAT"),
                "months": campaign.answer_retention_months,
            },
        )
    elif not respondent_ids:
        weights_result.warnings.insert(0, _("Nobody has answered the survey yet, so there are no results to show."))
    if left_out:
        weights_result.warnings.append(_left_out_warning(left_out))
    weights_result = dataclasses.replace(weights_result, groups=groups_suppressed(weights_result.groups, privacy))
    modes = _mode_results(
        dispositions=dispositions,
        e=result_settings.eligibility_e,
        respondent_ids=respondent_ids,
        pseudonym_of=pseudonym_of,
        mode_of=mode_of,
        questions=questions,
        answers_by_question=answers_by_question,
        demographics=demographics,
        groups_of=groups_of,
        weights_result=weights_result,
        group_weights=group_weights,
        minimum=minimum,
        language=language,
    )
    filter_labels: list[str] = []
    indexes = list(range(len(respondent_ids)))
    if respondent_filter:
        indexes, filter_labels = _selected(respondent_filter, demographics, groups_of)
    group_hidden = privacy.hidden(respondent_filter)
    selected_ids = [respondent_ids[index] for index in indexes]
    weights, crosstab_weights = [], {}
    if not group_hidden:
        weights, crosstab_weights = _group_weights(group_weights, respondent_filter, demographics, groups_of, indexes)
    all_groups_of = groups_of
    groups_of = {dimension: [groups[index] for index in indexes] for dimension, groups in groups_of.items()}
    question_results = [
        question_suppressed(
            _question_result(
                question,
                respondent_ids=selected_ids,
                respondent_languages=[language_of[pk] for pk in selected_ids],
                answers=answers_by_question.get(question.pk, {}),
                weights=weights,
                crosstab_weights=crosstab_weights,
                demographics=demographics,
                groups_of=groups_of,
                language=language,
                weighting_variable=bool(question.demographic) and question.demographic in weights_result.dimensions,
            ),
            privacy=privacy
            if question.demographic
            else question_privacy(
                [
                    value is not None
                    for value in _answer_values(question, respondent_ids, answers_by_question.get(question.pk, {}))
                ],
                all_groups_of,
                privacy,
            ),
            respondent_filter=respondent_filter,
            category_of_value=_category_of_value(question, demographics),
        )
        for question in questions
        if not group_hidden
    ]

    calls = campaign_call_costs(campaign)
    messages = campaign_sms_costs(campaign)
    fixed = [
        FixedCost(description=description, amount=amount)
        for description, amount in CampaignFixedCost.objects.filter(campaign=campaign).values_list(
            "description", "amount"
        )
    ]
    return CampaignResults(
        campaign=campaign,
        generated_at=timezone.now(),
        language=language,
        rates=rates,
        funnel=Funnel(
            numbers=progress.numbers,
            calls=progress.calls,
            answered=progress.answered,
            reached=progress.reached,
            consented=progress.consented,
            complete=progress.complete,
            partial=progress.partial,
            break_offs=progress.break_offs,
        ),
        coverage=progress.coverage,
        weighting=weights_result,
        questions=question_results,
        costs=costs_summary(
            minutes=calls.minutes,
            call_cost=calls.estimate,
            fixed=fixed,
            complete=dispositions[COMPLETE],
            budget_cap=campaign.budget_cap,
            billed=calls.billed,
            priced_calls=calls.priced_calls,
            charged_calls=calls.charged_calls,
            sms_messages=messages.messages,
            sms_cost=messages.estimate,
        ),
        summary=summary_sentences(
            question_results,
            weighted_dimensions=weights_result.dimensions,
            population_weighted=bool(weights_result.dimensions),
        )
        if selected_ids and not group_hidden
        else [],
        respondent_filter=dict(respondent_filter),
        filter_labels=filter_labels,
        selected_respondents=len(selected_ids) if respondent_filter and not group_hidden else None,
        minimum_group_size=minimum,
        group_hidden=group_hidden,
        population_updated_at=targets_updated_at,
        modes=modes,
    )


def _mode_results(
    *,
    dispositions,
    e: float | None,
    respondent_ids: list[int],
    pseudonym_of: dict,
    mode_of: dict,
    questions: list[Question],
    answers_by_question: dict[int, dict[int, tuple]],
    demographics: list[DemographicQuestion],
    groups_of: dict[str, list[str | None]],
    weights_result: Weighting,
    group_weights: GroupWeights,
    minimum: int,
    language: str,
) -> ModeResults | None:
    """The results by mode of the whole campaign (a group filter does not change them)."""
    hidden_groups: dict[str, dict[str, str]] = {}
    for group in weights_result.groups:
        if group.hidden:
            hidden_groups.setdefault(group.dimension, {})[group.category] = group.hidden
    compared = [
        ComparedQuestion(
            position=question.position,
            text=question.localized("text", language),
            kind=question.kind,
            values=_answer_values(question, respondent_ids, answers_by_question.get(question.pk, {})),
            options=_labelled_options(question, language),
        )
        for question in questions
        if not question.demographic and (question.has_options or question.kind in MEAN_KINDS)
    ]
    return campaign_mode_results(
        dispositions=dispositions,
        e=e,
        pseudonyms=[pseudonym_of[pk] for pk in respondent_ids],
        modes=[mode_of[pk] for pk in respondent_ids],
        demographics=[
            (demographic.dimension, demographic.categories)
            for demographic in demographics
            if demographic.dimension in CROSSTAB_DIMENSIONS
        ],
        groups_of=groups_of,
        hidden_groups=hidden_groups,
        questions=compared,
        rows=group_weights.weighted_rows({}),
        margins=group_weights.margins,
        trim_cap=group_weights.trim_cap,
        cells=group_weights.outcome({}).cells,
        category_labels={
            (demographic.dimension, key): label for demographic in demographics for key, label in demographic.categories
        },
        minimum=minimum,
        not_answered_label=_("Did not say"),
        dimension_names={demographic.dimension: _dimension_name(demographic.dimension) for demographic in demographics},
    )


def _group_weights(
    group_weights: GroupWeights,
    respondent_filter: dict[str, str],
    demographics: list[DemographicQuestion],
    groups_of: dict[str, list[str | None]],
    indexes: list[int],
) -> tuple[list[float], dict[str, list[float]]]:
    """The weights of the filter's respondents (`indexes`) for the group's own figures, and for each
    cross-tab dimension the weights each of them has in its column's figures (the column is a group of
    its own, with its own hidden groups)."""
    weights = group_weights.weights(respondent_filter)
    by_column: dict[str, list[float]] = {}
    for demographic in demographics:
        if demographic.dimension not in CROSSTAB_DIMENSIONS:
            continue
        columns = {
            key: group_weights.weights(group)
            for key, _label in demographic.categories
            if (group := subgroup(respondent_filter, demographic.dimension, key)) is not None
        }
        groups = groups_of[demographic.dimension]
        by_column[demographic.dimension] = [
            columns[groups[index]][index] if groups[index] in columns else weights[index] for index in indexes
        ]
    return [weights[index] for index in indexes], by_column


def _category_of_value(question: Question, demographics: list[DemographicQuestion]) -> dict[str, str]:
    """A demographic question's option digits -> their category keys ({} for other questions)."""
    demographic = next((each for each in demographics if each.question.pk == question.pk), None)
    if demographic is None:
        return {}
    return {str(option.digit): demographic.key_of_option[option.pk] for option in question.options.all()}
