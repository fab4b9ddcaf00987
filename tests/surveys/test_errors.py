"""The surveys app's errors: SurveyError and its subclasses, each a reason code with its parameters worded
in the reader's language (or text already worded for its reader)."""

import re
from pathlib import Path

import pytest
from django.utils import translation

import surveys.contact_files  # noqa: F401 (registers the codes ContactFileRejected is raised with)
from kuntaportaali.tabular.problems import TEXT_AS_GIVEN, problem_codes
from surveys.errors import LaunchRefused, SurveyError

SURVEYS = Path(__file__).resolve().parents[2] / "surveys"


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("fi", "Kysymyksellä 3 ei ole julkaistavaa kaaviota."),
        ("sv", "Fråga 3 har inget diagram att publicera."),
        ("en", "Question 3 has no chart to publish."),
    ],
)
def test_a_coded_refusal_reads_in_the_readers_language(language, shown):
    error = SurveyError.of("publication_question_without_chart", position=3)

    assert (error.code, error.params) == ("publication_question_without_chart", {"position": 3})
    with translation.override(language):
        assert str(error) == shown


def test_a_launch_refusal_lists_every_unmet_condition_as_its_text():
    error = LaunchRefused(["Kysely puuttuu.", "Soittajan numero puuttuu."])

    assert (error.code, error.problems) == (TEXT_AS_GIVEN, ["Kysely puuttuu.", "Soittajan numero puuttuu."])
    assert str(error) == "Kysely puuttuu.; Soittajan numero puuttuu."


def test_every_code_a_survey_error_is_raised_with_is_registered():
    given = set()
    for path in SURVEYS.rglob("*.py"):
        if "migrations" not in path.parts:
            given |= set(re.findall(r'\w+(?:Error|Rejected)\.of\(\s*"([a-z0-9_]+)"', path.read_text()))
    assert {"publication_question_without_chart", "contacts_no_phone_column"} <= given
    assert given - problem_codes() == set()
