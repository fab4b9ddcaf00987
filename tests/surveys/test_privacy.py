"""Retention purge: numbers and the rows quoting them go; pseudonyms, demographics and counts stay."""

import io
from datetime import date, timedelta

import django_rq
import pytest
from django.core.management import call_command
from django.utils import timezone
from rq.cron import CronScheduler

from kuntaportaali.roles import Role
from surveys.jobs import purge_expired
from surveys.models import CampaignStatus, CampaignStatusChange, ContactImport, ContactNumber
from surveys.services.contacts import contacts_import
from surveys.services.privacy import PURGE_STEPS, campaign_numbers_expire_on, contacts_purge_expired
from tests.conftest import make_user

END = date(2025, 12, 19)
FILE = b"puhelin;syntymavuosi;postinumero\n0401234567;1980;01900\n0501234567;1990;01900\nvaara;1970;\n"


@pytest.fixture
def finished(make_campaign):
    campaign = make_campaign("joulu", status=CampaignStatus.DRAFT, end_date=END, number_retention_days=30)
    contacts_import(campaign=campaign, file=FILE, filename="numerot.csv", by=None)
    campaign.status = CampaignStatus.COMPLETED
    campaign.save(update_fields=["status"])
    return campaign


def test_numbers_are_kept_until_the_retention_period_ends(finished):
    assert campaign_numbers_expire_on(finished) == END + timedelta(days=30)

    report = contacts_purge_expired(today=END + timedelta(days=30))

    assert report.campaigns == {}
    assert finished.contacts.filter(numbers__phone_hash__isnull=False).count() == 2


def test_numbers_are_purged_after_retention_and_the_rest_is_kept(finished):
    pseudonyms = set(finished.contacts.values_list("pseudonym", flat=True))

    report = contacts_purge_expired(today=END + timedelta(days=31))

    assert report.campaigns == {
        "joulu": {"numbers": 2, "import_reports": 1, "call_metadata": 0, "survey_links": 0, "sms_metadata": 0}
    }
    assert (
        report.summary_line()
        == "purged_campaigns=1 numbers=2 import_reports=1 call_metadata=0 survey_links=0 sms_metadata=0"
    )
    contacts = list(finished.contacts.all())
    assert {contact.pseudonym for contact in contacts} == pseudonyms
    numbers = ContactNumber.objects.filter(contact__in=contacts)
    assert numbers.count() == 2
    assert all(number.phone_encrypted is None and number.phone_hash is None for number in numbers)
    assert all(contact.purged_at is not None for contact in contacts)
    assert {(contact.birth_year, contact.postal_code) for contact in contacts} == {(1980, "01900"), (1990, "01900")}
    imported = ContactImport.objects.get()
    assert imported.problems == []
    assert (imported.rows_read, imported.imported, imported.invalid) == (3, 2, 1)


def test_purge_is_idempotent(finished):
    contacts_purge_expired(today=END + timedelta(days=31))

    again = contacts_purge_expired(today=END + timedelta(days=32))

    assert (
        again.summary_line()
        == "purged_campaigns=0 numbers=0 import_reports=0 call_metadata=0 survey_links=0 sms_metadata=0"
    )


def test_a_campaign_still_inside_its_window_is_not_touched(finished, make_campaign):
    current = make_campaign("kevat", end_date=END + timedelta(days=60))
    contacts_import(campaign=current, file=b"puhelin\n0401234567\n", filename="x.csv", by=None)

    contacts_purge_expired(today=END + timedelta(days=31))

    assert current.contacts.get().numbers.get().phone_hash is not None


def test_a_cancelled_campaign_counts_its_retention_from_the_cancellation(make_campaign):
    campaign = make_campaign("peruttu", end_date=date(2030, 1, 31), number_retention_days=7)
    contacts_import(campaign=campaign, file=b"puhelin\n0401234567\n", filename="x.csv", by=None)
    campaign.status = CampaignStatus.CANCELLED
    campaign.save(update_fields=["status"])
    CampaignStatusChange.objects.create(
        campaign=campaign, from_status="draft", to_status="cancelled", changed_by=make_user("peruja", Role.ADMIN)
    )
    cancelled_on = timezone.localdate()

    assert contacts_purge_expired(today=cancelled_on + timedelta(days=7)).campaigns == {}
    assert contacts_purge_expired(today=cancelled_on + timedelta(days=8)).removed["numbers"] == 1


def test_a_campaign_ended_before_its_last_planned_day_counts_its_retention_from_the_end(make_campaign):
    campaign = make_campaign("lopetettu", end_date=date(2030, 1, 31), number_retention_days=7)
    contacts_import(campaign=campaign, file=b"puhelin\n0401234567\n", filename="x.csv", by=None)
    campaign.status = CampaignStatus.COMPLETED
    campaign.save(update_fields=["status"])
    CampaignStatusChange.objects.create(
        campaign=campaign, from_status="running", to_status="completed", changed_by=make_user("lopettaja", Role.ADMIN)
    )
    ended_on = timezone.localdate()

    assert campaign_numbers_expire_on(campaign) == ended_on + timedelta(days=7)
    assert contacts_purge_expired(today=ended_on + timedelta(days=7)).campaigns == {}
    assert contacts_purge_expired(today=ended_on + timedelta(days=8)).removed["numbers"] == 1


def test_every_purge_step_is_in_the_summary(db):
    report = contacts_purge_expired(today=date(2000, 1, 1))

    assert list(report.removed) == [step.name for step in PURGE_STEPS]


def test_command_prints_what_it_removed_and_a_summary_line(finished):
    stdout = io.StringIO()

    call_command("purge_expired", "--today", "2026-01-19", stdout=stdout)

    lines = stdout.getvalue().splitlines()
    assert lines == [
        "campaign joulu: numbers=2 import_reports=1 call_metadata=0 survey_links=0 sms_metadata=0",
        "purged_campaigns=1 numbers=2 import_reports=1 call_metadata=0 survey_links=0 sms_metadata=0",
    ]
    assert ContactNumber.objects.filter(phone_hash__isnull=False).count() == 0


def test_job_purges_with_todays_date(finished):
    # END + 30 days is long past by the time the suite runs.
    assert purge_expired() == (
        "numbers: purged_campaigns=1 numbers=2 import_reports=1 call_metadata=0 survey_links=0 sms_metadata=0; "
        "answers: purged_campaigns=0 answers=0 demographics=0 report_files=0; contact uploads ended: 0"
    )


def test_daily_job_is_registered_on_the_reports_queue():
    scheduler = CronScheduler(connection=django_rq.get_connection("reports"))
    scheduler.load_config_from_file("kuntaportaali.cron")

    job = {job.name: job for job in scheduler.get_jobs()}["surveys-purge-expired"]

    assert (job.func_name, job.queue_name, job.cron) == ("surveys.jobs.purge_expired", "reports", "15 3 * * *")
