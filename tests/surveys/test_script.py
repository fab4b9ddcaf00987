"""What the bot says: the preview and the residents' page show the same script."""

import pytest

from kuntaportaali.roles import Role
from surveys.models import QuestionKind
from surveys.script import call_script
from surveys.services import surveys as survey_services
from tests.conftest import make_user
from tests.surveys.factories import build_survey, skip_from_no_to_last


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
