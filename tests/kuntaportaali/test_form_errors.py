"""A form sent back with errors opens with a summary of them, each linked to its field (WCAG 3.3.1, 3.3.3).

The summary is drawn by the shared form rendering, so these tests walk forms of both apps and the
residents' opt-out form: every field with an error is listed and linked, the field says it is invalid
and is described by its error, and what was typed is still there.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kuntaportaali.roles import Role
from tests.error_summary import assert_errors_summarised
from tests.hrreports.conftest import make_unit
from tests.surveys.factories import build_campaign, build_survey
from tests.surveys.test_campaign_views import campaign_post


@pytest.fixture
def finnish():
    with translation.override("fi"):
        yield


def test_campaign_form_lists_its_errors_and_keeps_the_input(client_as, role_users, finnish):
    survey = build_survey(role_users[Role.SURVEY_MANAGER])
    start = timezone.localdate() + timedelta(days=20)
    data = campaign_post(survey, name="", weekdays=[], end_date=(start - timedelta(days=1)).isoformat())

    response = client_as(Role.SURVEY_MANAGER).post(reverse("surveys:campaign-create"), data)

    html = response.content.decode()
    errors = response.context["form"].errors
    assert set(errors) == {"name", "end_date", "weekdays"}
    assert_errors_summarised(
        html,
        {"id_name": errors["name"][0], "id_end_date": errors["end_date"][0], "id_weekdays_0": errors["weekdays"][0]},
    )
    assert 'value="Vårens enkät"' in html and 'value="09 310 1691"' in html


def test_question_editor_lists_its_errors(client_as, role_users, finnish):
    survey = build_survey(role_users[Role.SURVEY_MANAGER])
    data = {"kind": "choice", "text_fi": "", "text_sv": "Vad uppskattar du?", "options_fi": "Luontoa"}

    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:question-create", kwargs={"slug": survey.slug}), data
    )

    errors = response.context["form"].errors
    assert "text_fi" in errors
    assert_errors_summarised(
        response.content.decode(), {f"id_{name}": messages[0] for name, messages in errors.items() if name != "__all__"}
    )
    assert "Vad uppskattar du?</textarea>" in response.content.decode()


def test_contact_upload_without_a_file_links_the_file_field(client_as, role_users, finnish):
    campaign = build_campaign(build_survey(role_users[Role.SURVEY_MANAGER]), role_users[Role.SURVEY_MANAGER])

    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-contacts", kwargs={"slug": campaign.slug}), {}
    )

    assert_errors_summarised(response.content.decode(), {"id_file": "Tämä kenttä vaaditaan."})


def test_hr_source_form_lists_its_errors_and_keeps_the_input(client_as, finnish):
    data = {"name": "ulos", "kind": "files", "folder": "../..", "encoding": "utf-8", "delimiter": ";"}

    response = client_as(Role.HR_ADMIN).post(reverse("hrreports:source-create"), data)

    errors = response.context["form"].errors
    assert "folder" in errors
    assert_errors_summarised(
        response.content.decode(), {f"id_{name}": messages[0] for name, messages in errors.items() if name != "__all__"}
    )
    assert 'value="../.."' in response.content.decode()


def test_subscription_form_links_a_group_of_choices_to_its_first_choice(client_as, finnish):
    unit = make_unit("10")
    data = {"unit": unit.pk, "reports": [], "format": "link", "language": "sv", "active": "on"}

    response = client_as(Role.HR_ADMIN).post(reverse("hrreports:subscription-create"), data)

    errors = response.context["form"].errors
    assert set(errors) >= {"reports", "user"}, errors
    expected = {"id_reports_0": errors["reports"][0], "id_user": errors["user"][0]}
    assert_errors_summarised(response.content.decode(), expected)


def test_residents_opt_out_form_lists_its_error(client, db, finnish):
    response = client.post(reverse("surveys-public:opt-out"), {"phone": "12"})

    errors = response.context["form"].errors
    assert_errors_summarised(response.content.decode(), {"id_phone": errors["phone"][0]})
    assert 'value="12"' in response.content.decode()


def test_a_form_without_errors_has_no_summary(client_as, finnish):
    html = client_as(Role.HR_ADMIN).get(reverse("hrreports:source-create")).content.decode()

    assert not re.search(r'class="[^"]*error-summary', html)


def test_a_caller_number_the_service_refuses_is_linked_to_its_field(client_as, role_users, finnish):
    """The form takes any number; the campaign service refuses a foreign one: its reason is on the field."""
    survey = build_survey(role_users[Role.SURVEY_MANAGER])
    data = campaign_post(survey, caller_number="+7 495 123 45 67")

    response = client_as(Role.SURVEY_MANAGER).post(reverse("surveys:campaign-create"), data)

    [error] = response.context["form"].errors["caller_number"]
    assert_errors_summarised(response.content.decode(), {"id_caller_number": error})


def test_a_choice_question_with_one_option_is_linked_to_the_options(client_as, role_users, finnish):
    survey = build_survey(role_users[Role.SURVEY_MANAGER], offers_sv=False)
    data = {"kind": "choice", "text_fi": "Mitä arvostat?", "options_fi": "Luontoa"}

    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:question-create", kwargs={"slug": survey.slug}), data
    )

    [error] = response.context["form"].errors["options_fi"]
    assert_errors_summarised(response.content.decode(), {"id_options_fi": error})
