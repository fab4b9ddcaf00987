"""Short names made from titles."""

import pytest

from kuntaportaali.downloads import file_name
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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Ođđa jearahallan Anáris", "odda-jearahallan-anaris"),
        ("Sámegiela ŋuolggas ŧuhkis", "samegiela-nuolggas-tuhkis"),
        ("Čuđet ǥeađggi ǯiella ʒ", "cudet-geadggi-ziella-z"),
        ("Åbo – Öja – Närpes", "abo-oja-narpes"),
    ],
    ids=["north-sami", "eng-and-t-stroke", "skolt-sami", "swedish"],
)
def test_sami_letters_keep_their_base_letter_in_the_short_name(title, slug):
    """Unicode gives đ, ŋ, ŧ, ǥ and ʒ no plain letter to fall back on, so they used to vanish:
    "ođđa" became "oa". Each is its base letter, as Finnish and Swedish accents are."""
    assert unique_slug(title, model=Survey, max_length=60) == slug


def test_download_names_keep_the_sami_letters_base_letters_too():
    assert file_name("Ođđa jearahallan", "2026-11", extension="pdf") == "odda-jearahallan-2026-11.pdf"
