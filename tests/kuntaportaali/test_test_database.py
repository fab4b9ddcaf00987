"""The test suite's PostgreSQL (tests/database): the flush after a transactional test leaves every
table empty, the append-only consent log too, while deleting rows instead of truncating tables; and
what post_migrate makes is kept while no test changed it, made again when one did."""

import threading
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.db.models.signals import post_migrate

from hrreports.models import AbsenceType
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


def flush_after_a_test() -> None:
    """The flush as Django's TransactionTestCase runs it after each test."""
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False, allow_cascade=False)


@pytest.fixture
def post_migrate_signals():
    sent = []

    def count(sender, **kwargs):
        sent.append(sender.label)

    post_migrate.connect(count, dispatch_uid="test-test-database-count")
    yield sent
    post_migrate.disconnect(dispatch_uid="test-test-database-count")


def made_by_post_migrate() -> dict:
    return {
        "content types": set(ContentType.objects.values_list("pk", "app_label", "model")),
        "permissions": set(Permission.objects.values_list("pk", "codename")),
        "groups": {group.name: set(group.permissions.values_list("pk", flat=True)) for group in Group.objects.all()},
        "absence types": set(AbsenceType.objects.values_list("pk", "code", "name_fi")),
    }


@pytest.mark.django_db(transaction=True)
def test_what_post_migrate_made_is_kept_without_the_signal_while_no_test_changed_it(post_migrate_signals):
    flush_after_a_test()
    made = made_by_post_migrate()
    post_migrate_signals.clear()
    make_user("kyselyvastaava", Role.SURVEY_MANAGER)

    flush_after_a_test()

    assert post_migrate_signals == []
    assert made_by_post_migrate() == made  # the very rows, ids and all
    assert len(made["groups"]) == len(Role) and len(made["absence types"]) > 10
    filled = sorted(table for table in connection.introspection.django_table_names() if table_has_rows(table))
    assert filled == [
        "auth_group",
        "auth_group_permissions",
        "auth_permission",
        "django_content_type",
        "hrreports_absencetype",
        "hrreports_salarytype",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_test_that_changed_what_post_migrate_made_gets_it_made_again(post_migrate_signals):
    flush_after_a_test()
    made = made_by_post_migrate()
    post_migrate_signals.clear()
    sick_leave = AbsenceType.objects.order_by("code").first()
    AbsenceType.objects.filter(pk=sick_leave.pk).update(name_fi="Muokattu nimi")
    Group.objects.get(name=Role.SUPERVISOR.value).permissions.clear()

    flush_after_a_test()

    assert "kuntaportaali" in post_migrate_signals
    again = made_by_post_migrate()
    assert ("Muokattu nimi",) not in {(name,) for _pk, _code, name in again["absence types"]}
    assert {code for _pk, code, _name in again["absence types"]} == {code for _pk, code, _name in made["absence types"]}
    supervisor = Group.objects.get(name=Role.SUPERVISOR.value)
    assert set(supervisor.permissions.values_list("codename", flat=True)) == {"view_unit_reports"}


def table_has_rows(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")  # noqa: S608
        return cursor.fetchone()[0]
