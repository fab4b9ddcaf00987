"""Short names made from titles."""

import pytest

from kuntaportaali.roles import Role
from kuntaportaali.slugs import unique_slug
from surveys.models import Survey
from tests.surveys.factories import build_survey


def test_a_taken_short_name_gets_the_next_free_number(role_users):
    build_survey(role_users[Role.SURVEY_MANAGER], slug="kysely")
    build_survey(role_users[Role.SURVEY_MANAGER], slug="kysely-2")

    assert unique_slug("Kysely", model=Survey, max_length=60) == "kysely-3"


def test_a_long_title_is_cut_so_the_number_still_fits(role_users):
    build_survey(role_users[Role.SURVEY_MANAGER], slug="a" * 60)

    assert unique_slug("Ä" * 70, model=Survey, max_length=60) == "a" * 58 + "-2"


@pytest.mark.django_db
def test_a_title_without_letters_or_digits_makes_no_short_name():
    assert unique_slug("?!", model=Survey, max_length=60) == ""
