"""The results with the groups that `surveys.services.disclosure` hides taken out, before any page,
report or published summary sees them: a hidden group keeps its label and why it is hidden, and
loses its respondent count and every share."""

import dataclasses
from collections.abc import Mapping

from surveys.services.disclosure import GroupPrivacy
from surveys.services.results_contract import CrossTab, GroupShare, OptionEstimate, QuestionResult


def groups_suppressed(groups: list[GroupShare], privacy: GroupPrivacy) -> list[GroupShare]:
    """ "Who answered": each category of each dimension is a group of the whole sample."""
    return [_group_share(group, privacy.hidden({group.dimension: group.category})) for group in groups]


def _group_share(group: GroupShare, hidden: str) -> GroupShare:
    if not hidden:
        return group
    return dataclasses.replace(group, respondents=None, sample_share=None, weighted_share=None, hidden=hidden)


def subgroup(respondent_filter: Mapping[str, str], dimension: str, category: str) -> dict[str, str] | None:
    """The group of the filter's respondents in `category`; None when the filter leaves nobody in it."""
    if respondent_filter.get(dimension, category) != category:
        return None
    return dict(respondent_filter) | {dimension: category}


def question_suppressed(
    question: QuestionResult,
    *,
    privacy: GroupPrivacy,
    respondent_filter: Mapping[str, str],
    category_of_value: Mapping[str, str],
) -> QuestionResult:
    """Cross-tab columns, and the options of a demographic question (`category_of_value`: option
    value -> category key), that are hidden groups within the filter's group."""
    options = question.options
    if question.demographic and category_of_value:
        options = [
            _option(
                option, _hidden(privacy, respondent_filter, question.demographic, category_of_value.get(option.value))
            )
            for option in options
        ]
    crosstabs = [_crosstab(crosstab, privacy, respondent_filter) for crosstab in question.crosstabs]
    return dataclasses.replace(question, options=options, crosstabs=crosstabs)


def _hidden(privacy: GroupPrivacy, respondent_filter, dimension: str, category: str | None) -> str:
    group = subgroup(respondent_filter, dimension, category) if category is not None else None
    return privacy.hidden(group) if group is not None else ""


def _option(option: OptionEstimate, hidden: str) -> OptionEstimate:
    if not hidden:
        return option
    return dataclasses.replace(
        option, count=None, share=None, weighted_share=None, ci_low=None, ci_high=None, hidden=hidden
    )


def _crosstab(crosstab: CrossTab, privacy: GroupPrivacy, respondent_filter) -> CrossTab:
    hidden = [_hidden(privacy, respondent_filter, crosstab.dimension, key) for key, _label in crosstab.categories]
    return dataclasses.replace(
        crosstab,
        rows=[
            (label, [None if why else share for share, why in zip(shares, hidden, strict=True)])
            for label, shares in crosstab.rows
        ],
        respondents=[None if why else count for count, why in zip(crosstab.respondents, hidden, strict=True)],
        hidden=hidden,
        # A margin follows from the column's effective size: it would narrow a hidden group's size down.
        margins=[None if why else margin for margin, why in zip(crosstab.margins, hidden, strict=True)],
    )
