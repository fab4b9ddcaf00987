"""The residents' opt-out: the same answer for every number, only a keyed hash kept, calls stopped at once."""

import re
import shutil
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from surveys.jobs import opt_outs_complete
from surveys.models import CampaignStatus, ConsentEvent, ConsentKind, Contact, ContactStatus, DoNotCall
from surveys.phone_numbers import InvalidPhoneNumber, phone_hash
from surveys.services.contacts import contacts_import
from surveys.services.privacy import OPT_OUT_JOB_OVERDUE_AFTER, opt_out_register
from surveys.services.privacy import opt_outs_complete as opt_outs_complete_service
from tests.conftest import rq_queue_empty

NUMBER = "+358401234567"


TEST_ADDRESSES = ("127.0.0.1", "192.0.2.7", "198.51.100.7", "203.0.113.66", "10.0.0.2")


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    keys = [f"ratelimit:opt-out:{address}" for address in TEST_ADDRESSES]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def listed(campaign):
    contacts_import(campaign=campaign, file=b"puhelin\n040 123 4567\n0501234567\n", filename="x.csv", by=None)
    return campaign


def opt_out_url(language: str = "fi") -> str:
    with translation.override(language):
        return reverse("surveys-public:opt-out")


def test_translated_addresses():
    assert opt_out_url("en") == "/en/surveys/opt-out/"
    with translation.override("en"):
        assert reverse("surveys-public:opt-out-done") == "/en/surveys/opt-out/done/"


def test_form_page_has_a_labelled_phone_field(client, db):
    response = client.get(opt_out_url("en"))

    assert response.status_code == 200
    assert 'autocomplete="tel"' in response.text
    assert 'inputmode="tel"' in response.text
    assert '<label for="id_phone">' in response.text


def test_listed_and_unlisted_numbers_get_the_same_response(client, listed):
    listed_response = client.post(opt_out_url("en"), {"phone": "040 123 4567"})
    unlisted_response = client.post(opt_out_url("en"), {"phone": "044 987 6543"})

    assert listed_response.status_code == unlisted_response.status_code == 302
    assert listed_response["Location"] == unlisted_response["Location"] == "/en/surveys/opt-out/done/"
    done_page = client.get(listed_response["Location"])
    assert done_page.status_code == 200
    assert "Your request has been received" in done_page.text


def test_the_registry_gets_the_keyed_hash_never_the_number(client, db):
    client.post(opt_out_url(), {"phone": "040 123 4567"})

    entry = DoNotCall.objects.get()
    assert (entry.phone_hash, entry.source) == (phone_hash(NUMBER), "web")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM surveys_donotcall")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    for form in ("401234567", "040 123 4567", "0401234567"):
        assert form not in stored


def test_contacts_in_unfinished_campaigns_are_opted_out_with_evidence(listed, make_campaign):
    completed = make_campaign("valmis")
    contacts_import(campaign=completed, file=b"puhelin\n0401234567\n", filename="x.csv", by=None)
    completed.status = CampaignStatus.COMPLETED
    completed.save(update_fields=["status"])

    opt_out_register(raw_number="040-123 4567", source="web")

    contact = listed.contacts.get(numbers__phone_hash=phone_hash(NUMBER))
    assert contact.status == ContactStatus.OPTED_OUT
    assert listed.contacts.get(numbers__phone_hash=phone_hash("+358501234567")).status == ContactStatus.PENDING
    assert completed.contacts.get().status == ContactStatus.PENDING
    event = ConsentEvent.objects.get()
    assert (event.kind, event.channel, event.campaign_id, event.contact_ref) == (
        ConsentKind.OPTED_OUT,
        "web",
        listed.pk,
        contact.pseudonym,
    )


def test_a_number_on_no_list_leaves_an_event_without_a_contact(db):
    assert opt_out_register(raw_number="044 987 6543", source="web") is True

    event = ConsentEvent.objects.get()
    assert (event.kind, event.campaign, event.contact_ref) == (ConsentKind.OPTED_OUT, None, None)


def test_opting_out_twice_changes_nothing_more(listed):
    assert opt_out_register(raw_number=NUMBER, source="web") is True
    assert opt_out_register(raw_number="040 123 4567", source="web") is False

    assert DoNotCall.objects.count() == 1
    assert ConsentEvent.objects.count() == 1


def test_a_later_import_leaves_the_number_out(campaign):
    opt_out_register(raw_number="0401234567", source="web")

    report = contacts_import(campaign=campaign, file=b"puhelin\n+358 40 123 4567\n", filename="x.csv", by=None)

    assert (report.imported, report.opted_out) == (0, 1)
    assert not Contact.objects.exists()


def test_invalid_number_gets_a_form_error_and_nothing_is_stored(client, db):
    response = client.post(opt_out_url("en"), {"phone": "12"})

    assert response.status_code == 200
    assert "Check the number and try again." in response.text
    assert 'aria-invalid="true"' in response.text
    assert not DoNotCall.objects.exists()


def test_service_refuses_text_that_is_no_number(db):
    with pytest.raises(InvalidPhoneNumber):
        opt_out_register(raw_number="kissa", source="web")


@override_settings(OPT_OUT_LIMIT_PER_HOUR=3)
def test_posts_are_rate_limited_per_address(client, db):
    statuses = [client.post(opt_out_url("en"), {"phone": f"040 123 456{digit}"}).status_code for digit in range(5)]

    assert statuses == [302, 302, 302, 429, 429]
    limited = client.post(opt_out_url("en"), {"phone": "040 123 4569"})
    assert "Too many requests" in limited.text
    assert DoNotCall.objects.count() == 3
    other_address = client.post(opt_out_url("en"), {"phone": "040 123 4569"}, REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 302


@override_settings(OPT_OUT_LIMIT_PER_HOUR=2, TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_each_resident_has_their_own_limit(client, db):
    def post(number, forwarded_for):
        form = {"phone": f"040 123 456{number}"}
        return client.post(opt_out_url("en"), form, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)

    # The attacker's own header names someone else; nginx appends the attacker's real address.
    flooding = [post(digit, "198.51.100.7, 203.0.113.66").status_code for digit in range(3)]
    resident = post(5, "198.51.100.7")

    assert flooding == [302, 302, 429]
    assert resident.status_code == 302


def test_csrf_is_enforced(db):
    browser = Client(enforce_csrf_checks=True)

    refused = browser.post(opt_out_url(), {"phone": "040 123 4567"})

    assert refused.status_code == 403
    assert not DoNotCall.objects.exists()
    browser.get(opt_out_url())
    accepted = browser.post(
        opt_out_url(), {"phone": "040 123 4567", "csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    )
    assert accepted.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_an_opt_out_committed_during_an_import_is_not_imported(campaign):
    """The import waits for an opt-out in progress and then leaves its number out (PostgreSQL locks)."""
    import threading

    from django.db import transaction

    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite serialises writers itself")
    opted_out = threading.Event()
    release = threading.Event()
    reports = []

    def resident_opts_out():
        try:
            with transaction.atomic():
                opt_out_register(raw_number="040 123 4567", source="web")
                opted_out.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    def manager_imports():
        try:
            reports.append(contacts_import(campaign=campaign, file=b"puhelin\n040 123 4567\n", filename="x.csv"))
        finally:
            connection.close()

    resident = threading.Thread(target=resident_opts_out)
    resident.start()
    assert opted_out.wait(timeout=10)
    importer = threading.Thread(target=manager_imports)
    importer.start()
    importer.join(timeout=1)
    still_waiting = importer.is_alive()
    release.set()
    resident.join(timeout=10)
    importer.join(timeout=10)

    assert still_waiting
    assert (reports[0].imported, reports[0].opted_out) == (0, 1)
    assert not Contact.objects.filter(campaign=campaign).exists()


REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there: every cache call fails
    }
}


def test_with_redis_down_a_resident_still_opts_out(client, db, caplog):
    with override_settings(CACHES=REDIS_DOWN):
        response = client.post(opt_out_url("en"), {"phone": "040 123 4567"})

    assert response.status_code == 302
    assert DoNotCall.objects.count() == 1
    assert "opt-out let through" in caplog.text


def _statements(client, number: str, django_capture_on_commit_callbacks) -> list[str]:
    """The SQL the form's request runs for `number`, its values left out; the job it queues is not run."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = client.post(opt_out_url("en"), {"phone": number})
    assert response["Location"] == "/en/surveys/opt-out/done/"
    return [re.sub(r"'[^']*'|\"s\d+_x\d+\"|\b\d+\b", "?", query["sql"]) for query in queries.captured_queries]


def test_the_form_does_the_same_work_for_a_number_on_a_list_as_for_one_on_none(
    client, listed, rq_queues, django_capture_on_commit_callbacks
):
    """A number on a campaign's list used to answer later (its contacts stopped and their consent events
    written while the resident waited: a median of 17.3 ms against 15.9 ms for a number on no list, and
    11.5 ms for one on the registry already, over 150 requests each): the time told whether a number was
    on a list. The request now writes only the registry entry, whatever the number."""
    on_a_list = _statements(client, "040 123 4567", django_capture_on_commit_callbacks)
    on_no_list = _statements(client, "044 987 6543", django_capture_on_commit_callbacks)
    again = _statements(client, "044 987 6543", django_capture_on_commit_callbacks)

    assert on_a_list == on_no_list == again
    assert DoNotCall.objects.count() == 2


def test_the_forms_job_stops_the_listed_contacts_calls_with_evidence_and_holds_no_number(
    client, listed, rq_queues, django_capture_on_commit_callbacks
):
    from django_rq import get_worker
    from rq import SimpleWorker

    with django_capture_on_commit_callbacks(execute=True):
        client.post(opt_out_url("en"), {"phone": "040 123 4567"})
    contact = listed.contacts.get(numbers__phone_hash=phone_hash(NUMBER))
    assert contact.status == ContactStatus.PENDING  # not yet: the dialer reads the registry before every call
    (job,) = rq_queues["dialer"].get_jobs()
    stored = repr((job.args, job.kwargs, job.description))
    assert not any(form in stored for form in ("401234567", phone_hash(NUMBER)))

    get_worker("dialer", worker_class=SimpleWorker).work(burst=True)

    contact.refresh_from_db()
    assert contact.status == ContactStatus.OPTED_OUT
    assert listed.contacts.get(numbers__phone_hash=phone_hash("+358501234567")).status == ContactStatus.PENDING
    events = ConsentEvent.objects.order_by("pk").values_list("kind", "channel", "campaign_id", "contact_ref")
    assert list(events) == [
        (ConsentKind.OPTED_OUT, "web", None, None),
        (ConsentKind.OPTED_OUT, "web", listed.pk, contact.pseudonym),
    ]


# A lost job, and Redis down


def _posted_with_its_job_lost(client, rq_queues, capture) -> None:
    with capture(execute=True):
        client.post(opt_out_url("en"), {"phone": "040 123 4567"})
    assert len(rq_queues["dialer"].get_jobs()) == 1
    rq_queue_empty(rq_queues["dialer"])  # Redis restarted without its data


def _complete_at(moment) -> str:
    with time_machine.travel(moment):
        return opt_outs_complete()


def _listed_contacts_events(listed) -> list[tuple]:
    return list(
        ConsentEvent.objects.filter(campaign=listed).order_by("pk").values_list("kind", "channel", "contact_ref")
    )


def test_an_opt_out_whose_job_was_lost_is_completed_by_the_sweep_once(
    client, listed, rq_queues, django_capture_on_commit_callbacks
):
    """The form's job was lost with Redis: the listed contact stayed pending and its campaign's consent log
    never had its opt-out (the dialer still read the registry and never called it)."""
    _posted_with_its_job_lost(client, rq_queues, django_capture_on_commit_callbacks)
    contact = listed.contacts.get(numbers__phone_hash=phone_hash(NUMBER))
    entry = DoNotCall.objects.get()

    assert _complete_at(entry.created_at + OPT_OUT_JOB_OVERDUE_AFTER - timedelta(seconds=1)) == "contacts opted out: 0"
    assert Contact.objects.get(pk=contact.pk).status == ContactStatus.PENDING
    assert _complete_at(entry.created_at + OPT_OUT_JOB_OVERDUE_AFTER) == "contacts opted out: 1"
    assert _complete_at(entry.created_at + 2 * OPT_OUT_JOB_OVERDUE_AFTER) == "contacts opted out: 0"

    assert Contact.objects.get(pk=contact.pk).status == ContactStatus.OPTED_OUT
    assert _listed_contacts_events(listed) == [(ConsentKind.OPTED_OUT, "web", contact.pseudonym)]
    assert listed.contacts.get(numbers__phone_hash=phone_hash("+358501234567")).status == ContactStatus.PENDING


def test_the_sweep_after_the_forms_job_ran_changes_nothing(
    client, listed, rq_queues, django_capture_on_commit_callbacks
):
    from django_rq import get_worker
    from rq import SimpleWorker

    with django_capture_on_commit_callbacks(execute=True):
        client.post(opt_out_url("en"), {"phone": "040 123 4567"})
    get_worker("dialer", worker_class=SimpleWorker).work(burst=True)
    events = _listed_contacts_events(listed)

    assert _complete_at(DoNotCall.objects.get().created_at + OPT_OUT_JOB_OVERDUE_AFTER) == "contacts opted out: 0"
    assert _listed_contacts_events(listed) == events != []


def test_the_cron_completes_the_opt_outs_every_five_minutes_on_the_dialer_queue(db):
    import django_rq
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=django_rq.get_connection("dialer"))
    scheduler.load_config_from_file("kuntaportaali.cron")

    job = {job.name: job for job in scheduler.get_jobs()}["surveys-opt-outs-complete"]
    assert (job.func, job.queue_name, job.interval) == (opt_outs_complete, "dialer", 300)


@pytest.fixture
def redis_stopped(redis_server, monkeypatch):
    """The queues and the cache on the test's own redis-server, which is then killed."""
    import django_rq.settings
    from django.conf import settings

    queues = {name: config | {"URL": redis_server.url} for name, config in django_rq.settings.QUEUES.items()}
    # django-rq reads its queues once at import (django_rq.settings.QUEUES), not from the settings.
    monkeypatch.setattr(django_rq.settings, "QUEUES", queues)
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_server.url}}
    # Enqueued at once, as outside the test's transaction, which never commits.
    with override_settings(CACHES=cache, RQ=settings.RQ | {"COMMIT_MODE": "auto"}):
        redis_server.kill()
        yield


@pytest.mark.processes
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server program")
def test_with_redis_down_the_form_still_does_the_same_work_for_a_number_on_a_list_as_for_one_on_none(
    client, listed, redis_stopped, django_capture_on_commit_callbacks
):
    """With Redis down the form stopped the listed contacts' calls and wrote their consent events while the
    resident waited, when its job could not be queued: the time it took told again whether the number was on
    a campaign's list. The entry is stored, the dialer reads it, and the sweep does the rest later."""
    on_a_list = _statements(client, "040 123 4567", django_capture_on_commit_callbacks)
    on_no_list = _statements(client, "044 987 6543", django_capture_on_commit_callbacks)
    again = _statements(client, "044 987 6543", django_capture_on_commit_callbacks)

    assert on_a_list == on_no_list == again
    assert listed.contacts.get(numbers__phone_hash=phone_hash(NUMBER)).status == ContactStatus.PENDING
    assert _listed_contacts_events(listed) == []

    moment = DoNotCall.objects.order_by("created_at").last().created_at + OPT_OUT_JOB_OVERDUE_AFTER
    with time_machine.travel(moment):
        assert opt_outs_complete_service() == 1
    contact = listed.contacts.get(numbers__phone_hash=phone_hash(NUMBER))
    assert contact.status == ContactStatus.OPTED_OUT
    assert _listed_contacts_events(listed) == [(ConsentKind.OPTED_OUT, "web", contact.pseudonym)]
