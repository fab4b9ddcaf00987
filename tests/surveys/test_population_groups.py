from decimal import Decimal

import pytest

from surveys.models import Contact
from surveys.services.population_groups import (
    AgeGroup,
    age_group_expression,
    age_group_of,
    age_groups_from_labels,
    population_age_groups,
)
from surveys.services.result_settings import TargetRow, population_targets_replace

LABELS = ["18–29", "30–44", "45–64", "65–74", "75 tai yli"]


def test_groups_run_from_each_youngest_age_to_the_next_groups_and_the_last_has_no_end():
    groups = age_groups_from_labels(["65–74", "18–29", "75 tai yli", "30–64"])

    assert groups == [
        AgeGroup("18–29", 18, 29),
        AgeGroup("30–64", 30, 64),
        AgeGroup("65–74", 65, 74),
        AgeGroup("75 tai yli", 75, None),
    ]


def test_labels_without_a_youngest_age_make_no_groups():
    assert age_groups_from_labels(["nuoret", "30–64"]) == []
    assert age_groups_from_labels([]) == []


@pytest.mark.parametrize(
    ("birth_year", "label"),
    [(2008, "18–29"), (1997, "18–29"), (1996, "30–44"), (1962, "45–64"), (1961, "65–74"), (1951, "75 tai yli")],
)
def test_a_birth_year_is_in_the_group_of_the_age_reached_in_the_campaigns_year(birth_year, label):
    assert age_group_of(birth_year, year=2026, groups=age_groups_from_labels(LABELS)).label == label


def test_an_unknown_birth_year_or_an_age_below_every_group_is_in_no_group():
    groups = age_groups_from_labels(LABELS)

    assert age_group_of(None, year=2026, groups=groups) is None
    assert age_group_of(2010, year=2026, groups=groups) is None


def test_the_database_expression_agrees_with_the_function(campaign):
    population_targets_replace(
        dimension="age_group",
        rows=[TargetRow(category=label, share=Decimal("0.2")) for label in LABELS],
        by=None,
    )
    groups = population_age_groups()
    birth_years = [None, 2010, 2008, 1997, 1996, 1962, 1961, 1952, 1951, 1930]
    for birth_year in birth_years:
        Contact.objects.create(campaign=campaign, birth_year=birth_year)

    found = dict(
        Contact.objects.annotate(group=age_group_expression(year=2026, groups=groups)).values_list(
            "birth_year", "group"
        )
    )

    assert found == {
        birth_year: getattr(age_group_of(birth_year, year=2026, groups=groups), "label", None)
        for birth_year in birth_years
    }
    assert found[1951] == "75 tai yli" and found[2010] is None
