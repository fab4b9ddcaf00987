"""The launch gate: numbers to call, checks the portal makes itself, where each blocker is fixed and
by whom, what a start will do, and asking communications to fix their part."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation
from django_rq import get_worker
from rq import SimpleWorker

from kuntaportaali.roles import Role
from surveys.errors import LaunchRefused, SurveyError
from surveys.jobs import mails_recover
from surveys.models import CampaignStatus, ContactNumber, ContactStatus, LaunchChecklist
from surveys.script import call_script
from surveys.services import campaigns as campaign_services
from surveys.services import launch as launch_services
from surveys.services.launch import LAUNCH_BLOCKERS_MAIL_OVERDUE_AFTER
from surveys.services.notices import information_notice_default
from tests.conftest import make_user, rq_queue_empty
from tests.surveys.factories import add_numbers, build_campaign

pytestmark = pytest.mark.usefixtures("english")

NO_NUMBERS = "There are no numbers to call: import a contact list with numbers that have not opted out."
NOT_PUBLISHED = "The questions are not published on the residents' page."


def test_a_campaign_without_numbers_can_neither_start_nor_be_marked_ready(ready, manager):
    ready.contacts.all().delete()

    with pytest.raises(LaunchRefused) as start:
        campaign_services.campaign_start(campaign=ready, by=manager)
    with pytest.raises(LaunchRefused) as mark_ready:
        campaign_services.campaign_transition(campaign=ready, to=CampaignStatus.READY, by=manager)

    assert start.value.problems == [NO_NUMBERS]
    assert mark_ready.value.problems == [NO_NUMBERS]
    ready.refresh_from_db()
    assert ready.status == CampaignStatus.DRAFT


@pytest.mark.parametrize(
    "uncallable",
    [
        lambda campaign: campaign.contacts.update(status=ContactStatus.OPTED_OUT),
        lambda campaign: campaign.contacts.update(status=ContactStatus.FINISHED),
        lambda campaign: ContactNumber.objects.filter(campaign=campaign).update(phone_hash=None, phone_encrypted=None),
        lambda campaign: ContactNumber.objects.filter(campaign=campaign).update(carrier_refused=True),
    ],
    ids=["opted-out", "finished", "number-purged", "carrier-refused"],
)
def test_only_contacts_the_dialer_would_call_count_as_numbers(ready, uncallable):
    uncallable(ready)

    assert campaign_services.campaign_launch_problems(campaign=ready) == [NO_NUMBERS]


def test_one_callable_contact_among_opted_out_ones_is_enough(ready, manager):
    add_numbers(ready, "050 765 4321", by=manager)
    ready.contacts.filter(pk=ready.contacts.order_by("pk").first().pk).update(status=ContactStatus.OPTED_OUT)

    assert campaign_services.campaign_launch_problems(campaign=ready) == []


def test_mark_ready_is_refused_with_every_open_blocker(survey, manager):
    campaign = build_campaign(survey, manager)

    with pytest.raises(LaunchRefused) as refused:
        campaign_services.campaign_transition(campaign=campaign, to=CampaignStatus.READY, by=manager)

    assert refused.value.problems == campaign_services.campaign_launch_problems(campaign=campaign)
    assert len(refused.value.problems) == 5
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert list(campaign.status_changes.values_list("to_status", flat=True)) == [CampaignStatus.DRAFT]


def test_a_campaign_with_no_blockers_is_marked_ready(ready, manager):
    campaign = campaign_services.campaign_transition(campaign=ready, to=CampaignStatus.READY, by=manager)

    assert campaign.status == CampaignStatus.READY


def test_ticking_what_the_portal_verifies_does_not_make_it_true(survey, manager):
    campaign = build_campaign(survey, manager)
    add_numbers(campaign, "040 123 4567", by=manager)
    claimed = {
        "purpose_not_marketing": True,
        "legal_basis_public_task": True,
        "information_notice_published": True,
        "caller_number_on_page": True,
        "opt_out_path": True,
        "retention_defined": True,
    }

    campaign_services.checklist_confirm(campaign=campaign, by=manager, **claimed)

    assert [field.name for field in LaunchChecklist._meta.concrete_fields if field.name in claimed] == [
        "purpose_not_marketing",
        "legal_basis_public_task",
    ]
    assert NOT_PUBLISHED in campaign_services.campaign_launch_problems(campaign=campaign)
    verified = launch_services.checklist_verified_items(campaign=campaign)
    assert [item.met for item in verified] == [False, False, False, True]


def test_the_verified_items_hold_once_the_page_is_published_with_a_filled_notice(ready):
    assert [item.met for item in launch_services.checklist_verified_items(campaign=ready)] == [True] * 4

    ready.information_notice_fi = information_notice_default()["information_notice_fi"]  # the blank left in
    ready.save()

    [notice, *_rest] = launch_services.checklist_verified_items(campaign=ready)
    edit = f"/staff/surveys/campaigns/{ready.slug}/edit/"
    assert (notice.met, notice.fix_url, notice.fixer) == (False, edit, Role.SURVEY_MANAGER)


@pytest.mark.parametrize(
    ("language", "days_and_months", "expected"),
    [
        ("en", (1, 1), "The retention periods are set: numbers 1 day after the last calling day, answers 1 month."),
        (
            "fi",
            (1, 1),
            "Säilytysajat on asetettu: numerot 1 päivä viimeisen soittopäivän jälkeen, vastaukset 1 kuukausi.",
        ),
        ("sv", (1, 1), "Lagringstiderna är satta: nummer 1 dag efter sista samtalsdagen, svar 1 månad."),
        (
            "fi",
            (30, 24),
            "Säilytysajat on asetettu: numerot 30 päivää viimeisen soittopäivän jälkeen, vastaukset 24 kuukautta.",
        ),
    ],
)
def test_the_retention_periods_are_told_in_the_singular_for_one(ready, language, days_and_months, expected):
    ready.number_retention_days, ready.answer_retention_months = days_and_months
    ready.save()

    with translation.override(language):
        messages = [item.message for item in launch_services.checklist_verified_items(campaign=ready)]

    assert expected in messages


def test_each_blocker_names_the_page_where_it_is_fixed_and_who_fixes_it(survey, manager):
    campaign = build_campaign(survey, manager)
    base = f"/staff/surveys/campaigns/{campaign.slug}"

    blockers = launch_services.campaign_launch_blockers(campaign=campaign)

    assert [(blocker.fix_url, blocker.fixer) for blocker in blockers] == [
        (f"/staff/surveys/announcements/{campaign.slug}/", Role.COMMUNICATIONS),
        (f"{base}/contacts/", Role.SURVEY_MANAGER),
        (f"/staff/surveys/announcements/{campaign.slug}/", Role.COMMUNICATIONS),  # the website, planned
        (f"/staff/surveys/announcements/{campaign.slug}/", Role.COMMUNICATIONS),  # the press release, planned
        (f"{base}/checklist/", Role.SURVEY_MANAGER),
    ]
    assert [blocker.fix_permission for blocker in blockers] == [
        "surveys.publish_announcements",
        "surveys.manage_surveys",
        "surveys.publish_announcements",
        "surveys.publish_announcements",
        "surveys.manage_surveys",
    ]


def test_a_window_without_any_calling_day_blocks_the_start(ready):
    saturday = ready.start_date + timedelta(days=(5 - ready.start_date.weekday()) % 7)
    ready.start_date = ready.end_date = saturday
    ready.save()

    assert campaign_services.campaign_launch_problems(campaign=ready) == [
        "No calling day is left: check the calling days and weekdays."
    ]


def test_a_demo_window_blocks_the_start_of_a_campaign_that_calls_real_residents(ready):
    ready.is_demo_window, ready.telephony_provider = True, "twilio"
    ready.save()

    blockers = launch_services.campaign_launch_blockers(campaign=ready, carrier=[])

    assert [blocker.message for blocker in blockers] == [
        "The demo calling window is only for campaigns that call through the simulator: this campaign calls "
        "real residents. Turn the setting off; calls are made in the campaign's calling hours."
    ]
    assert blockers[0].fix_url.endswith(f"/campaigns/{ready.slug}/edit/")


def test_the_launch_plan_says_whom_when_and_about_what_cost(ready, manager):
    add_numbers(ready, "050 765 4321", "044 555 1234", by=manager)
    ready.contacts.filter(pk=ready.contacts.order_by("pk").first().pk).update(status=ContactStatus.OPTED_OUT)
    monday = date(2027, 3, 1)
    ready.start_date, ready.end_date = monday, monday + timedelta(days=13)  # two weeks without a public holiday
    ready.price_per_minute = Decimal("0.09")
    ready.budget_cap = Decimal("500")
    ready.save()
    minutes = max(
        call_script(ready.survey_version, language=language).estimated_minutes
        for language in ready.survey_version.languages
    )

    plan = launch_services.launch_plan(campaign=ready, today=monday - timedelta(days=1))

    assert (plan.contacts, plan.first_day, plan.last_day, plan.calling_days) == (
        2,
        monday,
        monday + timedelta(days=11),
        10,
    )
    assert plan.minutes_per_call == minutes
    assert plan.estimated_cost == (2 * minutes * Decimal("0.09")).quantize(Decimal("0.01"))
    assert (plan.hours, plan.max_attempts, plan.budget_cap) == ("10:00-20:00", 3, Decimal("500"))


def test_communications_is_emailed_their_blockers_with_links(
    survey, manager, communications, mailoutbox, rq_queues, settings, django_capture_on_commit_callbacks
):
    campaign = build_campaign(survey, manager)
    make_user("toinen-viestija", Role.COMMUNICATIONS)
    make_user("paakayttaja", Role.ADMIN)

    with django_capture_on_commit_callbacks(execute=True):  # django-rq enqueues when the transaction commits
        assert launch_services.launch_blockers_notify(campaign=campaign, by=manager) == 2
    get_worker("email", worker_class=SimpleWorker).work(burst=True)

    [mail] = mailoutbox
    assert sorted(mail.to) == ["comms@example.invalid", "toinen-viestija@example.invalid"]
    assert campaign.name in mail.subject
    assert "Manager" in mail.body  # who asks
    assert f"{settings.PUBLIC_BASE_URL}/staff/surveys/announcements/{campaign.slug}/" in mail.body
    # In the site's language, communications' three items and not the survey manager's own.
    assert "- Kysymyksiä ei ole julkaistu asukkaiden sivulla." in mail.body
    assert mail.body.count("\n- ") == 3


def test_the_email_to_communications_whose_job_redis_lost_is_sent_once_it_is_overdue(
    survey, manager, communications, mailoutbox, rq_queues, django_capture_on_commit_callbacks
):
    """The manager was told communications had been asked; Redis lost the job, and nobody was asked."""
    campaign = build_campaign(survey, manager)
    with django_capture_on_commit_callbacks(execute=True):
        launch_services.launch_blockers_notify(campaign=campaign, by=manager)
    assert [job.args for job in rq_queues["email"].get_jobs()] == [(campaign.pk, manager.pk)]
    rq_queue_empty(rq_queues["email"])
    asked_at = timezone.now()

    with time_machine.travel(asked_at + LAUNCH_BLOCKERS_MAIL_OVERDUE_AFTER - timedelta(seconds=5)):
        assert mails_recover() == "carrier_problem=0 launch_blockers=0"
    with time_machine.travel(asked_at + LAUNCH_BLOCKERS_MAIL_OVERDUE_AFTER + timedelta(seconds=1)):
        assert mails_recover() == "carrier_problem=0 launch_blockers=1"
    get_worker("email", worker_class=SimpleWorker).work(burst=True)
    with time_machine.travel(asked_at + 3 * LAUNCH_BLOCKERS_MAIL_OVERDUE_AFTER):
        assert mails_recover() == "carrier_problem=0 launch_blockers=0"

    [mail] = mailoutbox
    assert campaign.name in mail.subject and "Manager" in mail.body
    assert rq_queues["email"].get_jobs() == []


def test_nothing_is_sent_when_nothing_waits_for_communications(ready, manager, mailoutbox):
    with pytest.raises(SurveyError, match="Nothing on the launch gate waits for communications"):
        launch_services.launch_blockers_notify(campaign=ready, by=manager)

    assert launch_services.launch_blockers_mail(campaign=ready, requested_by=manager) == 0
    assert mailoutbox == []
