"""Surveys, questions and versioning through the services."""

import pytest

from surveys.errors import SurveyError
from surveys.models import QuestionKind, SurveyVersion
from surveys.services import campaigns as campaign_services
from surveys.services import surveys as survey_services
from surveys.services.surveys import OptionText
from tests.surveys.factories import build_campaign, build_survey, make_launch_ready, skip_from_no_to_last

pytestmark = pytest.mark.usefixtures("english")


def texts(survey):
    return list(survey.current_version.questions.order_by("position").values_list("position", "text_fi"))


def test_new_survey_starts_at_version_one_with_questions_in_order(manager):
    survey = build_survey(manager)

    assert survey.versions.count() == 1
    assert [position for position, _text in texts(survey)] == [1, 2, 3, 4]


def test_fixed_keypad_options_for_scale_and_yes_no(manager):
    survey = build_survey(manager)
    version = survey.current_version

    yes_no = version.questions.get(kind=QuestionKind.YES_NO)
    scale = version.questions.get(kind=QuestionKind.SCALE)
    assert list(yes_no.options.values_list("digit", "label_fi", "label_sv")) == [(1, "kyllä", "ja"), (2, "ei", "nej")]
    assert list(scale.options.values_list("digit", flat=True)) == [1, 2, 3, 4, 5]
    assert not version.questions.get(kind=QuestionKind.OPEN).options.exists()


@pytest.mark.parametrize("count", [1, 10])
def test_choice_question_needs_two_to_nine_options(manager, count):
    survey = build_survey(manager)

    with pytest.raises(SurveyError, match=f"2 to 9 options .* it has {count}"):
        survey_services.question_create(
            survey=survey,
            kind=QuestionKind.CHOICE,
            text_fi="Valitse",
            text_sv="Välj",
            options=[OptionText(f"v{i}", f"a{i}") for i in range(count)],
        )
    assert survey.current_version.questions.count() == 4


def test_swedish_text_is_required_when_the_survey_offers_swedish(manager):
    survey = build_survey(manager)

    with pytest.raises(SurveyError, match="offered in Swedish"):
        survey_services.question_create(survey=survey, kind=QuestionKind.SCALE, text_fi="Kysymys ilman ruotsia")
    with pytest.raises(SurveyError, match="Option 2 has no text in Swedish"):
        survey_services.question_create(
            survey=survey,
            kind=QuestionKind.CHOICE,
            text_fi="Valitse",
            text_sv="Välj",
            options=[OptionText("a", "a"), OptionText("b", "")],
        )


def test_move_swaps_neighbours_and_drops_skips_that_would_point_backwards(manager):
    survey = build_survey(manager)
    skip_from_no_to_last(survey)

    assert survey_services.question_move(survey=survey, position=4, offset=-1) == 3
    assert [text for _position, text in texts(survey)] == [
        "Mihin ikäryhmään kuulut?",
        "Liikutko viikoittain?",
        "Mitä kaupungin pitäisi kehittää?",
        "Kuinka tyytyväinen olet?",
    ]
    yes_no = survey.current_version.questions.get(position=2)
    assert yes_no.options.get(digit=2).skip_to.position == 3

    survey_services.question_move(survey=survey, position=2, offset=1)
    moved = survey.current_version.questions.get(position=3)
    assert moved.text_fi == "Liikutko viikoittain?"
    assert not moved.options.exclude(skip_to=None).exists()


def test_moving_the_first_question_up_is_refused(manager):
    survey = build_survey(manager)

    with pytest.raises(SurveyError, match="already the first or the last"):
        survey_services.question_move(survey=survey, position=1, offset=-1)


def test_skip_rules_only_go_forwards(manager):
    survey = build_survey(manager)

    with pytest.raises(SurveyError, match="only skip forwards"):
        survey_services.question_update(
            survey=survey,
            position=3,
            kind=QuestionKind.SCALE,
            text_fi="Kuinka tyytyväinen olet?",
            text_sv="Hur nöjd är du?",
            skips={1: 1},
        )


def test_delete_closes_the_gap(manager):
    survey = build_survey(manager)

    survey_services.question_delete(survey=survey, position=2)

    assert [position for position, _text in texts(survey)] == [1, 2, 3]
    assert texts(survey)[1][1] == "Kuinka tyytyväinen olet?"


def test_deleting_a_question_that_a_skip_rule_jumps_to_is_refused_and_names_the_rule(manager):
    survey = build_survey(manager)
    skip_from_no_to_last(survey)

    with pytest.raises(SurveyError) as refused:
        survey_services.question_delete(survey=survey, position=4)

    assert str(refused.value) == (
        "Question 4 cannot be deleted: the skip rules of these questions jump to it: "
        "question 2 (“Liikutko viikoittain?”). Change those rules first, then delete the question."
    )
    assert [position for position, _text in texts(survey)] == [1, 2, 3, 4]
    rules = survey.current_version.questions.get(position=2).options.exclude(skip_to=None)
    assert [(option.digit, option.skip_to.position) for option in rules] == [(2, 4)]


def test_the_refusal_names_every_question_whose_rules_jump_to_the_deleted_one(manager):
    survey = build_survey(manager)
    skip_from_no_to_last(survey)
    survey_services.question_update(
        survey=survey,
        position=1,
        kind=QuestionKind.CHOICE,
        text_fi="Mihin ikäryhmään kuulut?",
        text_sv="Vilken åldersgrupp hör du till?",
        options=[OptionText("18–29", "18–29"), OptionText("30–64", "30–64"), OptionText("65+", "65+")],
        skips={1: 4, 3: 4},
    )

    with pytest.raises(SurveyError) as refused:
        survey_services.question_delete(survey=survey, position=4)

    assert str(refused.value).startswith(
        "Question 4 cannot be deleted: the skip rules of these questions jump to it: "
        "question 1 (“Mihin ikäryhmään kuulut?”), question 2 (“Liikutko viikoittain?”)."
    )
    assert survey.current_version.questions.count() == 4


def test_deleting_a_question_no_rule_jumps_to_keeps_the_rules(manager):
    survey = build_survey(manager)
    skip_from_no_to_last(survey)

    survey_services.question_delete(survey=survey, position=3)

    assert [text for _position, text in texts(survey)] == [
        "Mihin ikäryhmään kuulut?",
        "Liikutko viikoittain?",
        "Mitä kaupungin pitäisi kehittää?",
    ]
    rule = survey.current_version.questions.get(position=2).options.get(digit=2)
    assert rule.skip_to.position == 3, "still jumps to the same question, now number 3"


def test_editing_after_a_campaign_started_creates_a_new_version_and_keeps_the_old(manager, communications):
    survey = build_survey(manager)
    campaign = make_launch_ready(build_campaign(survey, manager), manager=manager, communications=communications)
    skip_from_no_to_last(survey)
    campaign_services.campaign_start(campaign=campaign, by=manager)
    first = SurveyVersion.objects.get(survey=survey, number=1)
    assert first.is_frozen

    survey_services.question_update(
        survey=survey,
        position=3,
        kind=QuestionKind.SCALE,
        text_fi="Kuinka tyytyväinen olet asumiseen?",
        text_sv="Hur nöjd är du med boendet?",
        skips={},
    )

    second = survey.current_version
    assert (second.number, second.is_frozen) == (2, False)
    assert first.questions.get(position=3).text_fi == "Kuinka tyytyväinen olet?"
    assert second.questions.get(position=3).text_fi == "Kuinka tyytyväinen olet asumiseen?"
    copied_skip = second.questions.get(position=2).options.get(digit=2).skip_to
    assert (copied_skip.version_id, copied_skip.position) == (second.pk, 4)
    campaign.refresh_from_db()
    assert campaign.survey_version == first

    survey_services.question_delete(survey=survey, position=3)
    assert survey.versions.count() == 2, "edits go to the unfrozen copy from then on"
    assert first.questions.count() == 4


def test_edits_and_the_freeze_lock_the_survey_row(manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    survey = build_survey(manager)

    with CaptureQueriesContext(connection) as edit:
        survey_services.question_create(survey=survey, kind=QuestionKind.YES_NO, text_fi="Uusi?", text_sv="Ny?")
    with CaptureQueriesContext(connection) as freeze:
        survey_services.version_freeze(version=survey.current_version)

    for queries in (edit, freeze):
        locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
        assert any('FROM "surveys_survey"' in sql for sql in locks)
