from decimal import Decimal

import pytest
from django.core.management import call_command

from surveys.demo import survey_demo_seed
from surveys.demo_results import results_demo_seed
from surveys.models import Campaign, CampaignStatus, Contact, PopulationTarget, Survey
from surveys.services.campaigns import campaign_launch_problems
from surveys.services.notices import information_notice_default
from tests.conftest import make_user


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_adds_a_pilot_like_survey_a_pilot_ready_to_launch_and_a_running_demo_campaign(capsys):
    call_command("seed_demo", "--password", "demo-salasana-1")
    call_command("seed_demo", "--password", "demo-salasana-1")

    survey = Survey.objects.get()
    version = survey.current_version
    assert version.questions.count() == 8
    assert version.languages == ["fi", "sv"]
    assert [survey.localized("organiser", language) for language in ("fi", "sv", "en")] == [
        "Esimerkkilän kaupunki",
        "Exempelby stad",
        "City of Esimerkkilä",
    ]
    assert set(version.questions.exclude(demographic="").values_list("demographic", flat=True)) == {
        "age_group",
        "district",
    }
    pilot, demo = Campaign.objects.get(slug="pilotti"), Campaign.objects.get(slug="demo")
    assert (pilot.weekdays, pilot.max_attempts, str(pilot.price_per_minute)) == ([0, 1, 2, 3, 4], 3, "0.0900")
    assert (pilot.daily_start.hour, pilot.daily_end.hour, pilot.start_date.month) == (10, 20, 12)
    assert pilot.exclude_holidays and not pilot.is_demo_window
    assert demo.is_demo_window and demo.weekdays == list(range(7)) and not demo.exclude_holidays
    assert campaign_launch_problems(campaign=pilot) == []
    assert (pilot.status, demo.status) == (CampaignStatus.DRAFT, CampaignStatus.RUNNING)
    assert demo.telephony_provider == "simulator" and demo.min_gap_minutes == 15
    assert demo.localized("name", "sv") == "Demonstrationskampanj (simulerade samtal när som helst)"
    assert pilot.localized("name", "en") == "City strategy survey (the pilot's settings)"
    # The demo calls the sample file's 56 numbers and synthetic residents up to 400.
    assert (pilot.contacts.count(), demo.contacts.count()) == (56, 400)
    assert pilot.contact_imports.count() == 1, "a second seed imports nothing again"
    assert demo.status_changes.filter(to_status=CampaignStatus.RUNNING).count() == 1
    output = capsys.readouterr().out
    assert "surveys: survey=kaupunkistrategia questions=8 campaigns=pilotti,pilotti-plus,demo" in output
    # 5 age groups + 6 districts, and the pilot's number list for both pilot set-ups; a second seed adds nothing.
    assert "survey results: targets=11 fixed_costs=2" in output
    assert results_demo_seed() == "targets=0 fixed_costs=0"
    assert PopulationTarget.objects.filter(dimension="age_group").count() == 5
    assert pilot.fixed_costs.get().amount == Decimal("2100.00")


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_adds_pilotti_plus_the_pilots_set_up_with_quotas_young_first_calling_and_sms_follow_up():
    call_command("seed_demo", "--password", "demo-salasana-1")
    call_command("seed_demo", "--password", "demo-salasana-1")

    pilot, plus = Campaign.objects.get(slug="pilotti"), Campaign.objects.get(slug="pilotti-plus")
    same = (
        "survey_version",
        "start_date",
        "end_date",
        "daily_start",
        "daily_end",
        "weekdays",
        "max_attempts",
        "min_gap_minutes",
        "max_concurrent_calls",
        "calls_per_second",
        "price_per_minute",
        "budget_cap",
        "telephony_provider",
    )
    assert {name: getattr(plus, name) for name in same} == {name: getattr(pilot, name) for name in same}
    assert not (pilot.quotas_enabled or pilot.young_first or pilot.sms_follow_up)
    assert (plus.quotas_enabled, plus.target_completes, plus.young_first, plus.sms_follow_up) == (
        True,
        1200,
        True,
        True,
    )
    assert plus.status == CampaignStatus.DRAFT
    assert campaign_launch_problems(campaign=plus) == []
    assert plus.contacts.count() == 56 and plus.contact_imports.count() == 1
    assert plus.fixed_costs.get().amount == Decimal("2100.00")


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_completes_a_pilot_notice_that_still_has_the_placeholder(capsys):
    call_command("seed_demo", "--password", "demo-salasana-1")
    Campaign.objects.filter(slug="pilotti").update(**information_notice_default())

    call_command("seed_demo", "--password", "demo-salasana-1")

    pilot = Campaign.objects.get(slug="pilotti")
    assert pilot.information_notice_fi.startswith("Rekisterinpitäjä: Esimerkkilän kaupunki, Kaupunginkanslia")
    assert pilot.information_notice_sv.startswith("Personuppgiftsansvarig: Exempelby stad, Stadskansliet")
    assert campaign_launch_problems(campaign=pilot) == []


@pytest.mark.django_db
def test_the_sample_lists_residents_are_the_same_people_in_every_demo_database():
    """The simulator draws a contact's resident from its pseudonym: a seed replays the demo's campaigns
    the same way only if the sample list's contacts get the same pseudonyms in every fresh database."""
    make_user("kyselyvastaava")
    make_user("viestinta")
    survey_demo_seed()
    sampled = Contact.objects.filter(source_import__isnull=False)

    def pseudonyms() -> dict[str, list]:
        return {
            slug: list(sampled.filter(campaign__slug=slug).order_by("pk").values_list("pseudonym", flat=True))
            for slug in ("pilotti", "pilotti-plus", "demo")
        }

    first = pseudonyms()
    Campaign.objects.all().delete()  # a fresh database: the campaigns and their lists made again
    survey_demo_seed()

    assert pseudonyms() == first
    assert [len(listed) for listed in first.values()] == [56, 56, 56]
    assert len({pseudonym for listed in first.values() for pseudonym in listed}) == 3 * 56
