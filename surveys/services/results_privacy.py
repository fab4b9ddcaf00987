"""The results with the groups that `surveys.services.disclosure` hides taken out, before any page,
report or published summary sees them: a hidden group keeps its label and why it is hidden, and
loses its respondent count and every share."""

import dataclasses
from collections.abc import Mapping, Sequence

from surveys.services.disclosure import GroupPrivacy, group_privacy
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
    """The question's figures within the filter's group as they may be shown. `privacy` is the
    question's own (`question_privacy`): its groups are those who answered it. A question put to some
    only (a skip rule) can have fewer than the minimum answers in a group of enough respondents:
    then the whole question is hidden in that group's results, and so is that group's cross-tab
    column. Otherwise its cross-tab columns that are hidden groups, and the options of a demographic
    question (`category_of_value`: option value -> category key) that are, are hidden."""
    hidden = privacy.hidden(respondent_filter)
    if hidden:
        return dataclasses.replace(
            question,
            options=[_option(option, hidden) for option in question.options],
            mean=None,
            crosstabs=[_crosstab(crosstab, privacy, respondent_filter) for crosstab in question.crosstabs],
            open_answers=[],
            themes=[],
            hidden=hidden,
        )
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


def question_privacy(
    answered: Sequence[bool],
    groups_of: Mapping[str, Sequence[str | None]],
    privacy: GroupPrivacy,
) -> GroupPrivacy:
    """The groups to hide in one question's results: every group's figures there are those of the
    group's respondents who answered it (`answered[i]`: respondent i did; `groups_of` as for
    `privacy`, the groups of all respondents). The groups `privacy` hides stay hidden."""
    indexes = [index for index, done in enumerate(answered) if done]
    if len(indexes) == len(answered):
        return privacy  # the same respondents, the same groups
    return group_privacy(
        {dimension: [groups[index] for index in indexes] for dimension, groups in groups_of.items()},
        privacy.categories,
        respondents=len(indexes),
        minimum=privacy.minimum,
        hidden=privacy.suppressed,
    )


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
