"""The editor through its pages, as a survey manager uses it."""

import pytest
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.models import Survey
from tests.surveys.factories import build_survey, skip_from_no_to_last


@pytest.fixture
def manager_client(client_as):
    return client_as(Role.SURVEY_MANAGER)


def question_post(**overrides):
    return {
        "kind": "choice",
        "demographic": "",
        "text_fi": "Mitä arvostat?",
        "text_sv": "Vad uppskattar du?",
        "required": "on",
        "options_fi": "Luontoa\nPalveluita",
        "options_sv": "Naturen\nServicen",
    } | overrides


def test_survey_manager_creates_a_survey_and_adds_a_question(manager_client):
    response = manager_client.post(
        reverse("surveys:survey-create"),
        {
            "slug": "asukaskysely",
            "organiser": "Esimerkkilän kaupunki",
            "title_fi": "Asukaskysely",
            "title_sv": "Invånarenkät",
            "purpose_fi": "Tarkoitus.",
            "purpose_sv": "Syfte.",
            "offers_sv": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:survey", kwargs={"slug": "asukaskysely"})

    added = manager_client.post(reverse("surveys:question-create", kwargs={"slug": "asukaskysely"}), question_post())

    assert added.status_code == 302
    question = Survey.objects.get(slug="asukaskysely").current_version.questions.get()
    assert list(question.options.values_list("digit", "label_fi", "label_sv")) == [
        (1, "Luontoa", "Naturen"),
        (2, "Palveluita", "Servicen"),
    ]


def test_survey_form_names_the_missing_swedish_texts(manager_client):
    response = manager_client.post(
        reverse("surveys:survey-create"),
        {"slug": "x", "organiser": "Kunta", "title_fi": "Otsikko", "purpose_fi": "T", "offers_sv": "on"},
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title_sv", "purpose_sv"}
    assert not Survey.objects.exists()


def test_a_refused_question_shows_the_specific_reason_and_keeps_the_input(manager_client, role_users):
    build_survey(role_users[Role.SURVEY_MANAGER])

    response = manager_client.post(
        reverse("surveys:question-create", kwargs={"slug": "strategia"}),
        question_post(options_fi="Vain yksi", options_sv="Bara ett"),
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Monivalintakysymys tarvitsee 2–9 vaihtoehtoa (yksi näppäintä kohden); siinä on 1."
    ]
    assert "Vain yksi</textarea>" in response.text


def test_reorder_and_delete_through_the_pages(manager_client, role_users):
    survey = build_survey(role_users[Role.SURVEY_MANAGER])

    moved = manager_client.post(
        reverse("surveys:question-move", kwargs={"slug": "strategia", "position": 1}), {"direction": "down"}
    )
    assert moved["Location"] == reverse("surveys:survey", kwargs={"slug": "strategia"}) + "#question-2"
    assert survey.current_version.questions.get(position=2).text_fi == "Mihin ikäryhmään kuulut?"

    confirm = manager_client.get(reverse("surveys:question-delete", kwargs={"slug": "strategia", "position": 2}))
    assert "Mihin ikäryhmään kuulut?" in confirm.text
    manager_client.post(reverse("surveys:question-delete", kwargs={"slug": "strategia", "position": 2}))
    assert survey.current_version.questions.count() == 3
    assert not survey.current_version.questions.filter(text_fi="Mihin ikäryhmään kuulut?").exists()


def test_deleting_a_skip_target_is_refused_on_the_page_with_the_reason(manager_client, role_users):
    survey = build_survey(role_users[Role.SURVEY_MANAGER])
    skip_from_no_to_last(survey)

    page = manager_client.post(
        reverse("surveys:question-delete", kwargs={"slug": "strategia", "position": 4}), follow=True
    )

    assert page.redirect_chain == [(reverse("surveys:survey", kwargs={"slug": "strategia"}), 302)]
    assert [(message.level_tag, message.message) for message in page.context["messages"]] == [
        (
            "error",
            "Kysymystä 4 ei voi poistaa: näiden kysymysten ohitukset siirtyvät siihen: "
            "kysymys 2 (”Liikutko viikoittain?”). Muuta ensin ohitukset ja poista kysymys sitten.",
        )
    ]
    assert survey.current_version.questions.count() == 4


def test_skip_rules_are_set_on_the_question_page(manager_client, role_users):
    survey = build_survey(role_users[Role.SURVEY_MANAGER])
    url = reverse("surveys:question", kwargs={"slug": "strategia", "position": 2})

    page = manager_client.get(url)
    assert "skip_1" in page.context["form"].fields
    manager_client.post(
        url,
        {
            "kind": "yes_no",
            "text_fi": "Liikutko viikoittain?",
            "text_sv": "Motionerar du varje vecka?",
            "required": "on",
            "skip_1": "",
            "skip_2": "4",
        },
    )

    option = survey.current_version.questions.get(position=2).options.get(digit=2)
    assert option.skip_to.position == 4


def test_preview_shows_every_language_of_the_survey(manager_client, role_users):
    build_survey(role_users[Role.SURVEY_MANAGER])

    response = manager_client.get(reverse("surveys:survey-preview", kwargs={"slug": "strategia"}))

    assert [script.language for script in response.context["scripts"]] == ["fi", "sv"]
    assert "Hej, det här är ett automatiskt samtal från Esimerkkilän kaupunki." in response.text
    assert 'lang="sv"' in response.text


@pytest.mark.parametrize("role", [Role.COUNCILLOR, Role.COMMUNICATIONS, Role.SUPERVISOR])
def test_other_roles_cannot_edit(client_as, role_users, role):
    build_survey(role_users[Role.SURVEY_MANAGER])
    client = client_as(role)

    assert client.get(reverse("surveys:survey", kwargs={"slug": "strategia"})).status_code == 403
    assert (
        client.post(reverse("surveys:question-create", kwargs={"slug": "strategia"}), question_post()).status_code
        == 403
    )


def test_a_taken_survey_short_name_is_a_field_error_not_a_server_error(manager_client, role_users):
    build_survey(role_users[Role.SURVEY_MANAGER], slug="varattu")

    response = manager_client.post(
        reverse("surveys:survey-create"),
        {"slug": "varattu", "organiser": "Kunta", "title_fi": "Otsikko", "purpose_fi": "Tarkoitus."},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["slug"]
    assert Survey.objects.filter(slug="varattu").count() == 1


def test_blank_lines_do_not_shift_the_swedish_options_against_the_finnish_ones(manager_client, role_users):
    build_survey(role_users[Role.SURVEY_MANAGER], slug="rivit")

    response = manager_client.post(
        reverse("surveys:question-create", kwargs={"slug": "rivit"}),
        question_post(options_fi="Luontoa\n\nPalveluita\n", options_sv="Naturen\n\nServicen\n"),
    )

    assert response.status_code == 302
    question = Survey.objects.get(slug="rivit").current_version.questions.order_by("position").last()
    assert list(question.options.values_list("digit", "label_fi", "label_sv")) == [
        (1, "Luontoa", "Naturen"),
        (2, "Palveluita", "Servicen"),
    ]
