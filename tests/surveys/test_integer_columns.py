"""A number too large or too small for its integer column is refused as PostgreSQL refuses it, never
stored as another number: with parameters bound on the server (DATABASE_PREPARED_STATEMENTS), psycopg
packs the ORM's Int2/Int4 values into their two or four bytes and keeps only the low ones."""

import pytest
from django.db import DataError, transaction

from surveys.models import CallAttempt
from tests.surveys.calls import queued_attempt, running_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(make_campaign):
    return queued_attempt(running_campaign(make_campaign).contacts.get())


@pytest.mark.parametrize(
    ("field", "value"),
    [("reprompts", 40_000), ("duration_seconds", 99_999_999_999), ("duration_seconds", -3_000_000_000)],
)
def test_an_integer_beyond_its_column_is_refused_and_nothing_is_written(attempt, field, value):
    """40,000 was stored as -25,536, 99,999,999,999 as 1,215,752,191 and -3,000,000,000 as 1,294,967,296."""
    before = CallAttempt.objects.values_list(field, flat=True).get(pk=attempt.pk)

    with pytest.raises(DataError, match="out of range"), transaction.atomic():
        CallAttempt.objects.filter(pk=attempt.pk).update(**{field: value})

    assert CallAttempt.objects.values_list(field, flat=True).get(pk=attempt.pk) == before


def test_the_largest_integers_a_column_holds_are_stored_as_they_are(attempt):
    attempt.reprompts, attempt.duration_seconds = 32_767, 2_147_483_647
    attempt.save(update_fields=["reprompts", "duration_seconds"])

    assert CallAttempt.objects.values_list("reprompts", "duration_seconds").get(pk=attempt.pk) == (
        32_767,
        2_147_483_647,
    )
