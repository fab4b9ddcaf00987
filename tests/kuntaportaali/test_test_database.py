"""The test suite's PostgreSQL (tests/database): the flush after a transactional test leaves every
table empty, the append-only consent log too, while deleting rows instead of truncating tables."""

import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, transaction

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
    assert statements[0].startswith('LOCK TABLE "') and statements[0].endswith(" IN EXCLUSIVE MODE;")
    assert 'TRUNCATE "surveys_consentevent" CASCADE;' in statements
    assert 'DELETE FROM "surveys_campaign";' in statements
    assert not any("TRUNCATE" in statement and 'surveys_campaign"' in statement for statement in statements)


@pytest.mark.django_db(transaction=True)
def test_a_row_another_connection_commits_while_the_flush_waits_is_deleted_too():
    """As TRUNCATE did, the flush waits for a write still open elsewhere (a live server's request
    saving a session) and then removes its row too."""
    writing, written = threading.Event(), threading.Event()

    def write_and_commit_later():
        try:
            with transaction.atomic():
                Group.objects.create(name="kirjoitettu")
                writing.set()
                time.sleep(0.5)  # the flush starts meanwhile and must wait for this commit
        finally:
            connections.close_all()
            written.set()

    thread = threading.Thread(target=write_and_commit_later)
    thread.start()
    assert writing.wait(10)
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True)
    thread.join(10)

    assert written.is_set()
    assert not Group.objects.exists()


def table_has_rows(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")  # noqa: S608
        return cursor.fetchone()[0]
