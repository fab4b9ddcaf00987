"""The test suite's PostgreSQL (tests/database): the flush after a transactional test leaves every
table empty, the append-only consent log too, while deleting rows instead of truncating tables."""

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from kuntaportaali.roles import Role
from surveys.models import ConsentChannel, ConsentEvent, ConsentKind
from tests.conftest import make_user
from tests.surveys.factories import add_numbers, build_campaign, build_survey


@pytest.mark.django_db(transaction=True)
def test_the_flush_after_a_transactional_test_empties_every_table_the_consent_log_too():
    manager = make_user("kyselyvastaava", Role.SURVEY_MANAGER)
    campaign = build_campaign(build_survey(manager), manager)
    add_numbers(campaign, "0401234567")
    ConsentEvent.objects.create(
        campaign=campaign,
        contact_ref=campaign.contacts.get().pseudonym,
        kind=ConsentKind.OPTED_OUT,
        channel=ConsentChannel.CALL,
    )
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)

    statements = connection.ops.sql_flush(no_style(), tables)
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True)

    assert [table for table in tables if table_has_rows(table)] == []
    assert 'TRUNCATE "surveys_consentevent";' in statements
    assert 'DELETE FROM "surveys_campaign";' in statements
    assert not any("TRUNCATE" in statement and 'surveys_campaign"' in statement for statement in statements)


def table_has_rows(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")  # noqa: S608
        return cursor.fetchone()[0]
