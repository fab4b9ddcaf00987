import pytest
from django.core.management import call_command

from surveys.models import Campaign, Survey
from surveys.services.campaigns import campaign_launch_problems


@pytest.mark.django_db
def test_seed_demo_adds_a_pilot_like_survey_and_two_launch_ready_campaigns(capsys):
    call_command("seed_demo", "--password", "demo-salasana-1")
    call_command("seed_demo", "--password", "demo-salasana-1")

    survey = Survey.objects.get()
    version = survey.current_version
    assert version.questions.count() == 8
    assert version.languages == ["fi", "sv"]
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
    assert campaign_launch_problems(campaign=demo) == []
    assert (pilot.contacts.count(), demo.contacts.count()) == (56, 56)
    assert pilot.contact_imports.count() == 1, "a second seed imports nothing again"
    assert "surveys: survey=kaupunkistrategia questions=8 campaigns=pilotti,demo" in capsys.readouterr().out
