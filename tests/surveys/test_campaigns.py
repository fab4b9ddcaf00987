"""Campaign settings, the launch gate and the status machine."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format

from kuntaportaali.roles import Role
from surveys.errors import LaunchRefused, SurveyError
from surveys.models import Campaign, CampaignStatus, LaunchChecklist
from surveys.services import campaigns as campaign_services
from surveys.services.notices import information_notice_default
from tests.conftest import make_user
from tests.surveys.factories import build_campaign, make_launch_ready

pytestmark = pytest.mark.usefixtures("english")


def test_caller_number_is_stored_in_e164(survey, manager):
    campaign = build_campaign(survey, manager)

    assert campaign.caller_number == "+35893101691"
    assert campaign.status_changes.get().to_status == CampaignStatus.DRAFT


@pytest.mark.parametrize("number", ["+7 495 123 4567", "+75 123 4567 89"])
def test_foreign_caller_number_is_refused_for_a_survey_manager(survey, manager, number):
    with pytest.raises(SurveyError) as refused:
        campaign_services.caller_number_check(raw_number=number, override_reason="halvempi", by=manager)

    assert "must be a Finnish number" in str(refused.value) or "Caller number:" in str(refused.value)


def test_admin_may_allow_a_foreign_number_only_with_a_written_reason(survey):
    admin = make_user("admin-user", Role.ADMIN)

    with pytest.raises(SurveyError, match="needs a written reason"):
        campaign_services.caller_number_check(raw_number="+46 8 123 456 78", override_reason="  ", by=admin)

    campaign = campaign_services.campaign_create(
        by=admin,
        slug="ulkomaa",
        survey_version=survey.current_version,
        caller_number="+46 8 123 456 78",
        caller_number_override_reason="Ruotsinkielinen kysely Tukholman toimistolta.",
        name="Ruotsi",
        start_date=timezone.localdate(),
        end_date=timezone.localdate(),
        number_source="x",
        information_notice_fi="x",
    )
    assert (campaign.caller_number, campaign.caller_number_override_by) == ("+46812345678", admin)


def test_new_campaign_lists_every_unmet_launch_condition(survey, manager):
    campaign = build_campaign(survey, manager)
    deadline = date_format(campaign.start_date - timedelta(days=7), "SHORT_DATE_FORMAT")

    problems = campaign_services.campaign_launch_problems(campaign=campaign)

    assert problems == [
        "The questions are not published on the residents' page.",
        "There are no numbers to call: import a contact list with numbers that have not opted out.",
        f"Pre-announcement not published: City website news (Finnish, Swedish). Publish it by {deadline}, at least "
        "7 days before the start.",
        f"Pre-announcement not published: Press release (Finnish, Swedish). Publish it by {deadline}, at least 7 "
        "days before the start.",
        "The launch checklist has not been confirmed.",
    ]


def test_launch_ready_campaign_has_no_problems(ready):
    assert campaign_services.campaign_launch_problems(campaign=ready) == []


def test_an_unedited_information_notice_is_refused_in_each_survey_language(ready):
    defaults = information_notice_default()
    ready.information_notice_fi = defaults["information_notice_fi"]
    ready.information_notice_sv = defaults["information_notice_sv"]
    ready.save()

    assert campaign_services.campaign_launch_problems(campaign=ready) == [
        "Edit the information notice (Finnish): it still has the placeholder text.",
        "Edit the information notice (Swedish): it still has the placeholder text.",
    ]


def test_a_notice_that_names_the_real_controller_passes_even_if_the_rest_is_default(ready):
    purpose_onwards = information_notice_default()["information_notice_fi"].split("\n", 1)[1]
    ready.information_notice_fi = "Rekisterinpitäjä: Esimerkkilän kaupunki, kirjaamo.\n" + purpose_onwards
    ready.information_notice_sv = ""  # the residents' page shows the Finnish notice instead
    ready.save()

    assert campaign_services.campaign_launch_problems(campaign=ready) == []


def test_each_unconfirmed_checklist_item_is_named(ready, manager):
    campaign_services.checklist_confirm(
        campaign=ready, by=manager, **(dict.fromkeys(LaunchChecklist.ITEMS, True) | {"purpose_not_marketing": False})
    )

    assert campaign_services.campaign_launch_problems(campaign=ready) == [
        "Checklist item not confirmed: The purpose is a survey, not marketing or sales."
    ]


def test_start_refused_lists_problems_and_changes_nothing(survey, manager):
    campaign = build_campaign(survey, manager)

    with pytest.raises(LaunchRefused) as refused:
        campaign_services.campaign_start(campaign=campaign, by=manager)

    assert len(refused.value.problems) == 5
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert not campaign.survey_version.is_frozen


def test_start_goes_through_ready_records_who_and_freezes_the_version(ready, manager):
    campaign = campaign_services.campaign_start(campaign=ready, by=manager)

    assert campaign.status == CampaignStatus.RUNNING
    assert list(campaign.status_changes.values_list("from_status", "to_status", "changed_by__username")) == [
        ("", "draft", "manager"),
        ("draft", "ready", "manager"),
        ("ready", "running", "manager"),
    ]
    assert campaign.survey_version.is_frozen


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        (["completed"], "from Draft to Completed"),
        (["ready", "paused"], "from Ready to Paused"),
        (["cancelled", "draft"], "from Cancelled to Draft"),
    ],
)
def test_transitions_outside_the_machine_are_refused(ready, manager, path, refused):
    with pytest.raises(SurveyError, match=refused):
        for status in path:
            campaign_services.campaign_transition(campaign=ready, to=status, by=manager)


def test_pause_resume_and_complete(ready, manager):
    campaign = campaign_services.campaign_start(campaign=ready, by=manager)
    for status in ("paused", "running", "completed"):
        campaign = campaign_services.campaign_transition(campaign=campaign, to=status, by=manager)

    assert campaign.status == CampaignStatus.COMPLETED
    with pytest.raises(SurveyError, match="Only a draft or ready campaign can be changed"):
        campaign_services.campaign_update(campaign=campaign, by=manager, caller_number="09 310 1691", name="x")


def test_start_campaign_command_lists_problems_and_exits_1(survey, manager, capsys):
    build_campaign(survey, manager, slug="kesken")

    with pytest.raises(SystemExit) as exited:
        call_command("start_campaign", "kesken")

    assert exited.value.code == 1
    output = capsys.readouterr()
    assert output.out.strip().splitlines()[-1] == "campaign=kesken status=refused problems=5"
    assert "- There are no numbers to call: import a contact list with numbers that have not opted out." in output.err
    assert "- The launch checklist has not been confirmed." in output.err


def test_start_campaign_command_starts_a_ready_campaign(ready, capsys):
    call_command("start_campaign", ready.slug)

    assert capsys.readouterr().out.strip() == f"campaign={ready.slug} status=running by=manager"
    ready.refresh_from_db()
    assert ready.status == CampaignStatus.RUNNING


def test_start_campaign_command_names_an_unknown_campaign(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No campaign called 'ei-ole'"):
        call_command("start_campaign", "ei-ole")


def test_a_refused_start_leaves_a_draft_a_draft(survey, manager, communications, monkeypatch):
    campaign = make_launch_ready(build_campaign(survey, manager), manager=manager, communications=communications)
    # The gate passes when the draft is checked, then fails on the way from ready to running.
    answers = iter([[], ["The questions are not published on the residents' page."]])
    monkeypatch.setattr(campaign_services, "campaign_launch_problems", lambda **kwargs: next(answers))

    with pytest.raises(LaunchRefused):
        campaign_services.campaign_start(campaign=campaign, by=manager)

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert list(campaign.status_changes.values_list("to_status", flat=True)) == [CampaignStatus.DRAFT]


def test_the_checklist_cannot_be_rewritten_after_the_start(ready, manager):
    campaign = campaign_services.campaign_start(campaign=ready, by=manager)

    with pytest.raises(SurveyError, match="only before the campaign starts; this campaign is running"):
        campaign_services.checklist_confirm(campaign=campaign, by=manager, purpose_not_marketing=False)

    assert LaunchChecklist.objects.get(campaign=campaign).unconfirmed_items() == []


def test_a_survey_manager_may_edit_a_campaign_whose_foreign_number_an_admin_allowed(survey, manager):
    admin = make_user("admin-user", Role.ADMIN)
    reason = "Ruotsinkielinen kysely Tukholman toimistolta."
    campaign = campaign_services.campaign_create(
        by=admin,
        slug="ulkomaa",
        survey_version=survey.current_version,
        caller_number="+46 8 123 456 78",
        caller_number_override_reason=reason,
        name="Ruotsi",
        start_date=timezone.localdate(),
        end_date=timezone.localdate(),
        number_source="x",
        information_notice_fi="x",
    )

    updated = campaign_services.campaign_update(
        campaign=campaign,
        by=manager,
        caller_number="+46 8 123 456 78",
        caller_number_override_reason=reason,
        name="Uusi",
    )

    assert (updated.name, updated.caller_number, updated.caller_number_override_by) == ("Uusi", "+46812345678", admin)
    with pytest.raises(SurveyError, match="must be a Finnish number"):
        campaign_services.campaign_update(
            campaign=updated, by=manager, caller_number="+46 8 123 456 79", caller_number_override_reason=reason
        )


def test_start_campaign_command_refuses_a_user_without_the_survey_manager_role(ready):
    from django.core.management import CommandError

    make_user("viestija", Role.COMMUNICATIONS)

    with pytest.raises(CommandError, match="'viestija' may not start campaigns"):
        call_command("start_campaign", ready.slug, "--by", "viestija")

    ready.refresh_from_db()
    assert ready.status == CampaignStatus.DRAFT


def test_a_campaign_made_without_a_provider_calls_through_the_sites_provider(survey, manager, settings):
    settings.TELEPHONY_PROVIDER = "twilio"

    campaign = build_campaign(survey, manager)

    campaign.refresh_from_db()
    assert campaign.telephony_provider == "twilio"
    assert not campaign.is_simulated


def test_a_stored_campaign_keeps_its_provider_whatever_the_site_names(survey, manager, settings):
    campaign = build_campaign(survey, manager, telephony_provider="simulator")
    settings.TELEPHONY_PROVIDER = "twilio"

    assert Campaign.objects.get(pk=campaign.pk).telephony_provider == "simulator"
    assert Campaign.objects.only("slug").get(pk=campaign.pk).telephony_provider == "simulator"


def test_simulated_means_the_campaigns_provider_reaches_no_one(settings):
    assert [Campaign(telephony_provider=name).is_simulated for name in ("simulator", "twilio")] == [True, False]
    settings.TELEPHONY_PROVIDERS = {"twilio": settings.TELEPHONY_PROVIDERS["twilio"]}
    assert not Campaign(telephony_provider="simulator").is_simulated  # not listed: places no calls at all


@pytest.mark.parametrize("clock", ["10:00:03", "20:00:03"])
def test_the_calling_hours_defaults_pass_the_system_checks_at_any_time_of_day(time_machine, clock):
    """Django takes a fixed time default within ten seconds of now (UTC) for a `default=now()` slip
    (fields.W161): `check --deploy --fail-level WARNING`, the README's deployment step, failed when run
    at 10:00 or 20:00 UTC."""
    time_machine.move_to(f"2026-12-07T{clock}+00:00", tick=False)

    warnings = [
        message.id for name in ("daily_start", "daily_end") for message in Campaign._meta.get_field(name).check()
    ]

    assert warnings == []
