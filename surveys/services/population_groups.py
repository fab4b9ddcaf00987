"""The municipality's age groups, as its population targets name them ("18–29", "30–44", ...,
"75 tai yli"), and which of them a contact's birth year puts the contact in.

Each age label starts with the youngest age of its group; a group runs up to the year before the
next group's youngest age, and the last one has no upper end. The groups are read in the targets'
order, which is the order of the ages.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Case, CharField, Q, Value, When

from surveys.models import PopulationTarget, TargetDimension

_YOUNGEST = re.compile(r"\s*(\d+)")


@dataclass(frozen=True)
class AgeGroup:
    label: str  # the target's category, as it reads
    youngest: int
    oldest: int | None  # None: no upper end

    def holds(self, age: int) -> bool:
        return self.youngest <= age and (self.oldest is None or age <= self.oldest)


def age_groups_from_labels(labels: Sequence[str]) -> list[AgeGroup]:
    """The age groups these labels name, youngest first; empty when a label names no youngest age."""
    starts = [_YOUNGEST.match(label) for label in labels]
    if not labels or not all(starts):
        return []
    named = sorted((int(start[1]), label) for start, label in zip(starts, labels, strict=True))
    return [
        AgeGroup(label=label, youngest=youngest, oldest=named[index + 1][0] - 1 if index + 1 < len(named) else None)
        for index, (youngest, label) in enumerate(named)
    ]


def population_age_groups() -> list[AgeGroup]:
    """The age groups of the municipality's population targets (empty when it has none)."""
    labels = PopulationTarget.objects.filter(dimension=TargetDimension.AGE_GROUP).values_list("category", flat=True)
    return age_groups_from_labels(list(labels))


def age_group_of(birth_year: int | None, *, year: int, groups: Sequence[AgeGroup]) -> AgeGroup | None:
    """The group of a person born in `birth_year` in the year `year` (their age at its end); None
    when the year is unknown or the age falls in no group (younger than the youngest)."""
    return None if birth_year is None else age_group_at(year - birth_year, groups=groups)


def age_group_at(age: int, *, groups: Sequence[AgeGroup]) -> AgeGroup | None:
    return next((group for group in groups if group.holds(age)), None)


def age_group_expression(*, year: int, groups: Sequence[AgeGroup], birth_year_field: str = "birth_year") -> Case:
    """A database expression of the same: the label of the group of the row's birth year, or NULL."""
    whens = []
    for group in groups:
        born = Q(**{f"{birth_year_field}__lte": year - group.youngest})
        if group.oldest is not None:
            born &= Q(**{f"{birth_year_field}__gte": year - group.oldest})
        whens.append(When(born, then=Value(group.label)))
    return Case(*whens, default=None, output_field=CharField())
