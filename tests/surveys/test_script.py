"""What the bot says: the preview and the residents' page show the same script."""

import pytest

from kuntaportaali.roles import Role
from surveys.models import QuestionKind, Survey
from surveys.script import call_script, machine_message
from surveys.services import surveys as survey_services
from surveys.services.surveys import version_freeze
from tests.conftest import make_user
from tests.surveys.factories import build_campaign, build_survey, skip_from_no_to_last


@pytest.fixture
def survey(db):
    survey = build_survey(make_user("manager", Role.SURVEY_MANAGER))
    skip_from_no_to_last(survey)
    return survey


def test_finnish_introduction_says_who_why_how_long_and_the_keys(survey):
    script = call_script(survey.current_version, language="fi")
    intro = script.steps[0].says

    assert intro.startswith("Hei, tämä on automaattinen puhelu, soittajana Esimerkkilän kaupunki.")
    assert "Kysymme asukkaiden mielipiteitä kaupunkistrategiaa varten." in intro
    assert f"Vastaaminen kestää noin {script.estimated_minutes} minuut" in intro
    assert "vapaaehtoista" in intro
    assert "Paina 1, jos haluat vastata, 2, jos et halua vastata nyt, tai 9" in intro
    assert [digit for digit, _label in script.steps[0].keypad] == [1, 2, 9]


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("fi", "Kysymme asukkailta aiheesta: Mikä kaupungissa on tärkeää? Kysymme"),
        ("sv", "Vi frågar invånarna om: Vad är viktigt i staden? Vi frågar"),
    ],
)
def test_a_title_ending_in_a_question_mark_gets_no_extra_period(survey, language, sentence):
    intro = call_script(survey.current_version, language=language).steps[0].says

    assert sentence in intro
    assert "?." not in intro


def test_a_title_without_sentence_punctuation_gets_a_period(survey):
    version = survey.current_version
    version.title_fi = "Kaupunkistrategia 2030"
    version.save(update_fields=["title_fi"])

    intro = call_script(version, language="fi").steps[0].says

    assert "Kysymme asukkailta aiheesta: Kaupunkistrategia 2030. Kysymme" in intro


def test_each_question_step_carries_its_keypad_instructions_and_skips(survey):
    steps = call_script(survey.current_version, language="sv").steps

    assert [step.key for step in steps] == ["intro", "q1", "q2", "q3", "q4", "closing"]
    assert steps[1].says.startswith("Vilken åldersgrupp hör du till? Tryck 1 för 18–29. Tryck 2 för 30–64.")
    assert steps[2].keypad == [(1, "ja"), (2, "nej")]
    assert steps[2].skips == [(2, 4)]
    assert "Tryck en siffra från 1 till 5" in steps[3].says
    assert steps[4].says.endswith("Tryck på stjärna om du vill hoppa över frågan.")
    assert steps[-1].says.startswith("Tack för dina svar.")


def test_estimate_grows_with_the_questions(survey):
    before = call_script(survey.current_version, language="fi").estimated_minutes
    for number in range(6):
        survey_services.question_create(
            survey=survey,
            kind=QuestionKind.OPEN,
            text_fi=f"Kerro lisää asiasta {number} omin sanoin ja rauhassa.",
            text_sv=f"Berätta mer om sak {number}.",
        )

    after = call_script(survey.current_version, language="fi").estimated_minutes
    assert 1 <= before < after


def test_intro_hash_identifies_the_exact_text_played(survey):
    finnish = call_script(survey.current_version, language="fi")
    swedish = call_script(survey.current_version, language="sv")

    assert finnish.intro_hash == call_script(survey.current_version, language="fi").intro_hash
    assert finnish.intro_hash != swedish.intro_hash
    assert len(finnish.intro_hash) == 64


def test_the_swedish_introduction_names_the_organiser_in_swedish(db):
    survey = build_survey(make_user("manager", Role.SURVEY_MANAGER), organiser_sv="Exempelby stad")

    swedish = call_script(survey.current_version, language="sv").steps[0].says
    finnish = call_script(survey.current_version, language="fi").steps[0].says

    assert swedish.startswith("Hej, det här är ett automatiskt samtal från Exempelby stad.")
    assert finnish.startswith("Hei, tämä on automaattinen puhelu, soittajana Esimerkkilän kaupunki.")


def test_an_organiser_without_a_swedish_name_is_named_in_finnish_in_swedish(survey):
    intro = call_script(survey.current_version, language="sv").steps[0].says

    assert intro.startswith("Hej, det här är ett automatiskt samtal från Esimerkkilän kaupunki.")


def test_a_frozen_versions_swedish_script_follows_the_organisers_swedish_name(survey):
    version_freeze(version=survey.current_version)
    version = Survey.objects.get(pk=survey.pk).current_version
    assert "från Esimerkkilän kaupunki." in call_script(version, language="sv").steps[0].says

    Survey.objects.filter(pk=survey.pk).update(organiser_sv="Exempelby stad")
    version.survey.refresh_from_db()

    assert "från Exempelby stad." in call_script(version, language="sv").steps[0].says
    assert "soittajana Esimerkkilän kaupunki." in call_script(version, language="fi").steps[0].says


def test_the_swedish_machine_message_names_the_organiser_in_swedish(settings, db):
    settings.PUBLIC_BASE_URL = "https://kunta.example"
    manager = make_user("manager", Role.SURVEY_MANAGER)
    campaign = build_campaign(build_survey(manager, organiser_sv="Exempelby stad"), manager)

    message = machine_message(campaign, language="sv")

    assert message.startswith(
        "Hej, det här är ett automatiskt samtal från Exempelby stad. Vi frågar invånarna om: Vad är viktigt i staden?"
    )
    assert "kunta.example/sv/enkater/syksy/" in message
