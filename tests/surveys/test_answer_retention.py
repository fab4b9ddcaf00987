"""Answer retention: after `answer_retention_months` the answers' contents, the contacts' birth years
and postal codes and the report files go; the rates, the consent log and the published summary stay."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.jobs import purge_expired
from surveys.models import Answer, ConsentEvent, Contact, ReportFile, ReportFileStatus
from surveys.services.privacy import answers_purge_expired, campaign_answers_expire_on
from surveys.services.results import campaign_results
from tests.surveys.results_factory import small_campaign

pytestmark = pytest.mark.django_db
END = date(2025, 12, 19)  # the small campaign's last calling day
EXPIRES = date(2027, 12, 19)  # 24 months later, the default answer retention


@pytest.fixture
def campaign(role_users):
    campaign = small_campaign(role_users[Role.SURVEY_MANAGER])
    first, second = campaign.contacts.order_by("pk")[:2]
    Contact.objects.filter(pk=first.pk).update(birth_year=1950, postal_code="01900")
    Contact.objects.filter(pk=second.pk).update(birth_year=1990)
    ReportFile.objects.create(
        campaign=campaign, file_format="xlsx", language="fi", status=ReportFileStatus.DONE, content=b"x", size=1
    )
    return campaign


def answer_contents(campaign) -> list[tuple]:
    return list(
        Answer.objects.filter(response__campaign=campaign)
        .order_by("pk")
        .values_list("digits", "option", "number_value", "transcript", "confidence")
    )


def test_answers_expire_whole_calendar_months_after_the_last_calling_day(campaign):
    assert campaign.end_date == END
    assert campaign_answers_expire_on(campaign) == EXPIRES

    campaign.end_date, campaign.answer_retention_months = date(2026, 1, 31), 1
    assert campaign_answers_expire_on(campaign) == date(2026, 2, 28)


def test_nothing_goes_on_the_last_day_of_the_retention(campaign):
    before = answer_contents(campaign)

    report = answers_purge_expired(today=EXPIRES)

    assert report.summary_line() == "purged_campaigns=0 answers=0 demographics=0 report_files=0"
    assert answer_contents(campaign) == before
    assert ReportFile.objects.filter(campaign=campaign).count() == 1


def test_the_day_after_the_answers_demographics_and_files_go_and_the_rates_stay(campaign, english):
    rates_before = campaign_results(campaign).rates
    answer_rows, consent_events = Answer.objects.count(), ConsentEvent.objects.count()

    report = answers_purge_expired(today=date(2027, 12, 20))

    # 8 respondents x 3 coded answers + 3 open answers; 2 contacts had demographics; 1 report file.
    assert report.campaigns == {"pieni": {"answers": 27, "demographics": 2, "report_files": 1}}
    assert set(answer_contents(campaign)) == {("", None, None, "", None)}
    assert Answer.objects.count() == answer_rows  # each emptied row still says the question was answered
    assert not Contact.objects.filter(campaign=campaign, birth_year__isnull=False).exists()
    assert not Contact.objects.filter(campaign=campaign).exclude(postal_code="").exists()
    assert not ReportFile.objects.filter(campaign=campaign).exists()
    assert ConsentEvent.objects.count() == consent_events
    assert campaign_results(campaign).rates == rates_before
    assert answers_purge_expired(today=date(2027, 12, 20)).summary_line() == (
        "purged_campaigns=0 answers=0 demographics=0 report_files=0"
    )


def test_results_after_the_retention_say_why_only_the_rates_are_left(campaign, english):
    campaign.answer_retention_months = 6  # ended 2025-12-19: past by 2026-06-19, before the suite runs
    campaign.save(update_fields=["answer_retention_months"])

    results = campaign_results(campaign)

    assert results.weighting.warnings[0] == (
        "The answers were deleted after 19/06/2026, at the end of their retention period of 6 months: "
        "only the response rates and the published summary remain."
    )
    assert not results.has_responses
    assert [question.answered for question in results.questions] == [0] * len(results.questions)
    assert results.rates.dispositions["I"] == 8


def test_the_results_page_tells_the_reader(campaign, client_as):
    campaign.answer_retention_months = 6
    campaign.save(update_fields=["answer_retention_months"])

    page = client_as(Role.COUNCILLOR).get(reverse("surveys:campaign-results", args=[campaign.slug]))

    assert page.status_code == 200
    notice = "Vastaukset poistettiin 19.6.2026 jälkeen, kun niiden 6 kuukauden säilytysaika päättyi"
    assert notice in page.content.decode()


def test_command_prints_each_campaign_and_the_summary(campaign):
    stdout = io.StringIO()

    call_command("purge_answers", "--today", "2027-12-20", stdout=stdout)

    assert stdout.getvalue().splitlines() == [
        "campaign pieni: answers=27 demographics=2 report_files=1",
        "purged_campaigns=1 answers=27 demographics=2 report_files=1",
    ]


def test_the_daily_job_runs_both_purges(campaign):
    campaign.answer_retention_months = 6
    campaign.number_retention_days = 30
    campaign.save(update_fields=["answer_retention_months", "number_retention_days"])

    assert purge_expired() == (
        "numbers: purged_campaigns=1 numbers=12 import_reports=0 call_metadata=16 survey_links=0 sms_metadata=0; "
        "answers: purged_campaigns=1 answers=27 demographics=2 report_files=1; contact uploads ended: 0"
    )


@pytest.mark.parametrize("command", ["purge_expired", "purge_answers"])
def test_a_malformed_day_is_refused_naming_the_form(command):
    with pytest.raises(
        CommandError, match=r"--today must be a date in the form YYYY-MM-DD, e.g. 2025-01-31, not '31.1.2025'"
    ):
        call_command(command, "--today", "31.1.2025")
