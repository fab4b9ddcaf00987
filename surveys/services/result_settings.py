"""Writes behind the results: the population targets, a campaign's fixed costs and result settings."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from surveys.errors import SurveyError
from surveys.models import (
    Campaign,
    CampaignFixedCost,
    CampaignResultSettings,
    PopulationTarget,
    Question,
    SurveyVersion,
    TargetDimension,
)
from surveys.models.results import category_key

SUM_TOLERANCE = Decimal("0.001")
POSTAL_CODE = re.compile(r"\d{5}")


class TargetsInvalid(SurveyError):
    """The targets of one dimension were refused; `problems` lists every reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass(frozen=True)
class TargetRow:
    category: str
    share: Decimal
    # A district's postal codes, which tell a contact's district from the contact list (quotas).
    postal_codes: tuple[str, ...] = ()


def demographic_questions(dimension: str) -> QuerySet[Question]:
    """The questions of each survey's newest version that ask this dimension, newest survey first."""
    newest = SurveyVersion.objects.filter(survey=OuterRef("version__survey")).order_by("-number").values("pk")[:1]
    return (
        Question.objects.filter(demographic=dimension)
        .annotate(newest_version=Subquery(newest))
        .filter(version=F("newest_version"))
        .select_related("version__survey")
        .prefetch_related("options")
        .order_by("-version__survey__created_at", "position")
    )


def category_differences(categories: Sequence[str], question: Question) -> tuple[list[str], list[str]]:
    """(categories no option names, options no category names), compared as `category_key` does."""
    options = [option.label_fi.strip() for option in question.options.all()]
    option_keys = {category_key(label) for label in options}
    keys = {category_key(category) for category in categories}
    unknown = [category for category in categories if category_key(category) not in option_keys]
    missing = [label for label in options if category_key(label) not in keys]
    return unknown, missing


def targets_problems(*, dimension: str, rows: Sequence[TargetRow], question: Question | None) -> list[str]:
    """Everything wrong with one dimension's targets, each a sentence a person can act on."""
    problems = []
    if dimension not in TargetDimension.values:
        return [_("Unknown dimension %(dimension)s.") % {"dimension": dimension}]
    seen: dict[str, str] = {}
    for row in rows:
        key = category_key(row.category)
        if not key:
            problems.append(_("Every share needs the name of its category."))
        elif key in seen:
            problems.append(_("The category %(category)s is given twice.") % {"category": row.category})
        seen.setdefault(key, row.category)
        if row.share < 0 or row.share > 1:
            problems.append(
                _("The share of %(category)s is %(share)s; a share is between 0 and 1.")
                % {"category": row.category, "share": number_format(row.share, use_l10n=True, force_grouping=True)}
            )
    problems += _postal_code_problems(dimension, rows)
    if not rows:
        problems.append(_("Give at least one category and its share."))
    total = sum((row.share for row in rows), Decimal(0))
    if rows and abs(total - 1) > SUM_TOLERANCE:
        problems.append(
            _("The shares add up to %(total)s; they must add up to 1 (for example 0.15 + 0.50 + 0.35).")
            % {"total": number_format(total, use_l10n=True, force_grouping=True)}
        )
    if question is not None:
        unknown, missing = category_differences([row.category for row in rows], question)
        survey = question.version.survey.slug
        if unknown:
            problems.append(
                _("Not an answer option of the survey %(survey)s: %(categories)s.")
                % {"survey": survey, "categories": ", ".join(unknown)}
            )
        if missing:
            problems.append(
                _("Answer options of the survey %(survey)s without a share: %(categories)s.")
                % {"survey": survey, "categories": ", ".join(missing)}
            )
    return problems


def _postal_code_problems(dimension: str, rows: Sequence[TargetRow]) -> list[str]:
    problems = []
    districts_of: dict[str, str] = {}
    for row in rows:
        if row.postal_codes and dimension != TargetDimension.DISTRICT:
            problems.append(_("Only districts have postal codes; %(category)s has some.") % {"category": row.category})
            continue
        for code in row.postal_codes:
            if not POSTAL_CODE.fullmatch(code):
                problems.append(
                    _("The postal code %(code)s of %(category)s is not five digits.")
                    % {"code": code, "category": row.category}
                )
            elif code in districts_of and districts_of[code] != row.category:
                problems.append(
                    _("The postal code %(code)s is given to both %(first)s and %(second)s.")
                    % {"code": code, "first": districts_of[code], "second": row.category}
                )
            districts_of.setdefault(code, row.category)
    return problems


@transaction.atomic
def population_targets_replace(
    *, dimension: str, rows: Sequence[TargetRow], by, question: Question | None = None
) -> list[PopulationTarget]:
    """Replace one dimension's targets with `rows` (in their order), checked against `question`'s
    answer options. Raises TargetsInvalid and stores nothing when anything is wrong."""
    problems = targets_problems(dimension=dimension, rows=rows, question=question)
    if problems:
        raise TargetsInvalid(problems)
    PopulationTarget.objects.filter(dimension=dimension).delete()
    return PopulationTarget.objects.bulk_create(
        PopulationTarget(
            dimension=dimension,
            category=row.category.strip(),
            share=row.share,
            postal_codes=sorted(set(row.postal_codes)),
            position=index,
            updated_by=by,
        )
        for index, row in enumerate(rows)
    )


@dataclass(frozen=True)
class WeightingDimensions:
    """Which dimensions a campaign's results can be weighted by, in `TargetDimension` order."""

    usable: list[str]  # the survey asks it and population shares are set
    not_asked: list[str]
    without_targets: list[str]  # asked, but no population shares are set


def weighting_dimensions_for(campaign: Campaign) -> WeightingDimensions:
    """Weighting by a dimension needs both the survey's question and the population's shares."""
    asked = set(campaign.survey_version.questions.exclude(demographic="").values_list("demographic", flat=True))
    targeted = set(PopulationTarget.objects.values_list("dimension", flat=True).distinct())
    return WeightingDimensions(
        usable=[value for value in TargetDimension.values if value in asked and value in targeted],
        not_asked=[value for value in TargetDimension.values if value not in asked],
        without_targets=[value for value in TargetDimension.values if value in asked and value not in targeted],
    )


def result_settings_for(campaign: Campaign) -> CampaignResultSettings:
    """The campaign's settings; the defaults, unsaved, until someone saves them."""
    return CampaignResultSettings.objects.filter(campaign=campaign).first() or CampaignResultSettings(campaign=campaign)


def result_settings_update(
    *, campaign: Campaign, by, eligibility_e: float | None, weighting_dimensions: Sequence[str], trim_cap: float
) -> CampaignResultSettings:
    settings, _created = CampaignResultSettings.objects.get_or_create(campaign=campaign)
    settings.eligibility_e = eligibility_e
    settings.weighting_dimensions = [value for value in TargetDimension.values if value in weighting_dimensions]
    settings.trim_cap = trim_cap
    settings.updated_by = by
    settings.full_clean()
    settings.save()
    return settings


def fixed_cost_add(*, campaign: Campaign, description: str, amount: Decimal, by) -> CampaignFixedCost:
    cost = CampaignFixedCost(campaign=campaign, description=description.strip(), amount=amount, created_by=by)
    cost.full_clean()
    cost.save()
    return cost


def fixed_cost_delete(*, campaign: Campaign, pk: int) -> None:
    deleted, _rows = CampaignFixedCost.objects.filter(campaign=campaign, pk=pk).delete()
    if not deleted:
        raise SurveyError.of("cost_not_listed")
