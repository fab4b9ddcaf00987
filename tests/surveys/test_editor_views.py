"""The editor through its pages, as a survey manager uses it."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
            "organiser_sv": "Exempelby stad",
            "title_fi": "Asukaskysely",
            "title_sv": "Invånarenkät",
            "purpose_fi": "Tarkoitus.",
            "purpose_sv": "Syfte.",
            "offers_sv": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:survey", kwargs={"slug": "asukaskysely"})
    assert Survey.objects.values_list("organiser", "organiser_sv", "organiser_en").get() == (
        "Esimerkkilän kaupunki",
        "Exempelby stad",
        "",
    )

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
    assert set(response.context["form"].errors) == {"organiser_sv", "title_sv", "purpose_sv"}
    assert response.context["form"].errors["organiser_sv"] == [
        "Kysely tarjotaan kielellä ruotsi, joten tämä teksti tarvitaan."
    ]
    assert not Survey.objects.exists()


def test_the_organisers_swedish_and_english_names_are_edited_with_the_other_texts(manager_client, role_users):
    survey = build_survey(role_users[Role.SURVEY_MANAGER])
    url = reverse("surveys:survey-edit", kwargs={"slug": survey.slug})
    version = survey.current_version
    texts = {name: getattr(version, name) for name in ("title_fi", "title_sv", "purpose_fi", "purpose_sv")}

    response = manager_client.post(
        url,
        texts
        | {
            "organiser": "Helsingin kaupunki",
            "organiser_sv": "Helsingfors stad",
            "organiser_en": "City of Helsinki",
            "offers_sv": "on",
        },
    )

    assert response.status_code == 302
    assert Survey.objects.values_list("organiser", "organiser_sv", "organiser_en").get() == (
        "Helsingin kaupunki",
        "Helsingfors stad",
        "City of Helsinki",
    )
    assert manager_client.get(url).context["form"]["organiser_sv"].value() == "Helsingfors stad"


def test_a_refused_question_shows_the_specific_reason_and_keeps_the_input(manager_client, role_users):
    build_survey(role_users[Role.SURVEY_MANAGER])

    response = manager_client.post(
        reverse("surveys:question-create", kwargs={"slug": "strategia"}),
        question_post(options_fi="Vain yksi", options_sv="Bara ett"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["options_fi"] == [
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


def test_the_previews_step_headings_are_in_the_pages_language_as_they_say(manager_client, role_users):
    """The headings are marked as the page's language: they were the script's ("Kysymys 1", "Fråga 1")
    and read out with an English voice on the English page."""
    build_survey(role_users[Role.SURVEY_MANAGER])

    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = manager_client.get(reverse("surveys:survey-preview", kwargs={"slug": "strategia"})).text

    assert html.count('<h3 lang="en">Question 1</h3>') == 2
    assert html.count('<h3 lang="en">Introduction</h3>') == html.count('<h3 lang="en">Closing</h3>') == 2
    assert "Kysymys 1" not in html and "Fråga 1" not in html
    assert "Hej, det här är ett automatiskt samtal från Esimerkkilän kaupunki." in html


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


def test_a_posted_field_of_another_question_kind_is_not_stored(manager_client, role_users):
    survey = build_survey(role_users[Role.SURVEY_MANAGER])

    response = manager_client.post(
        reverse("surveys:question-create", kwargs={"slug": "strategia"}),
        question_post(kind="scale", demographic="age_group", min_value="3", max_value="ei luku"),
    )

    assert response.status_code == 302
    scale = survey.current_version.questions.get(position=5)
    assert (scale.kind, scale.demographic, scale.min_value, scale.max_value) == ("scale", "", None, None)
    assert list(scale.options.values_list("label_fi", flat=True)) == ["1", "2", "3", "4", "5"]


def test_a_number_question_turned_into_a_scale_loses_its_limits(manager_client, role_users):
    survey = build_survey(role_users[Role.SURVEY_MANAGER])
    url = reverse("surveys:question", kwargs={"slug": "strategia", "position": 3})
    manager_client.post(url, question_post(kind="number", options_fi="", min_value="1900", max_value="2010"))
    assert survey.current_version.questions.get(position=3).max_value == 2010

    manager_client.post(url, question_post(kind="scale", options_fi="", min_value="1900", max_value="2010"))

    question = survey.current_version.questions.get(position=3)
    assert (question.kind, question.min_value, question.max_value) == ("scale", None, None)


def test_each_kind_has_a_panel_with_only_its_own_fields(manager_client, role_users):
    build_survey(role_users[Role.SURVEY_MANAGER])

    page = manager_client.get(reverse("surveys:question-create", kwargs={"slug": "strategia"}))

    panels = {panel.kind: [field.name for field in panel.fields] for panel in page.context["form"].kind_panels}
    assert panels == {
        "scale": [],
        "choice": ["options_fi", "options_sv", "demographic"],
        "yes_no": [],
        "number": ["min_value", "max_value"],
        "open": [],
    }
    assert [field.name for field in page.context["form"].main_fields] == ["kind", "text_fi", "text_sv", "required"]
    assert 'data-for-kind="number"' in page.text
    assert 'src="/static/js/question-kind.js"' in page.text


def test_a_finnish_only_survey_asks_for_finnish_texts_only(manager_client, role_users):
    survey = build_survey(role_users[Role.SURVEY_MANAGER], offers_sv=False)
    url = reverse("surveys:question-create", kwargs={"slug": "strategia"})

    page = manager_client.get(url)
    added = manager_client.post(url, question_post(text_sv="Ruotsiksi", options_sv="Naturen\nServicen"))

    for name in ("text_sv", "text_en", "options_sv", "options_en"):
        assert f'name="{name}"' not in page.text
    assert 'name="text_fi"' in page.text
    assert added.status_code == 302
    question = survey.current_version.questions.get(position=5)
    assert question.text_sv == ""
    assert list(question.options.values_list("label_sv", flat=True)) == ["", ""]


@pytest.mark.parametrize("position", [None, 2])
def test_save_and_add_another_opens_a_fresh_question_form(manager_client, role_users, position):
    survey = build_survey(role_users[Role.SURVEY_MANAGER])
    url = (
        reverse("surveys:question", kwargs={"slug": "strategia", "position": position})
        if position
        else reverse("surveys:question-create", kwargs={"slug": "strategia"})
    )

    response = manager_client.post(url, question_post(then="add-another"))

    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:question-create", kwargs={"slug": "strategia"})
    assert survey.current_version.questions.count() == (4 if position else 5)


def test_the_question_list_names_the_scale_ends_and_keeps_edit_first(manager_client, role_users):
    build_survey(role_users[Role.SURVEY_MANAGER])

    page = manager_client.get(reverse("surveys:survey", kwargs={"slug": "strategia"}))

    scale_card = page.text.split('id="question-3"')[1].split("</li>\n  \n  <li")[0]
    assert "1 (ei lainkaan) – 5 (erittäin paljon)" in scale_card
    assert "1 = 1" not in scale_card
    edit_link = f'<a class="button button--small" href="{reverse("surveys:question", args=["strategia", 3])}">'
    assert edit_link in scale_card
    assert '<span class="visually-hidden">Siirrä kysymys 3 alas</span>' in scale_card


def survey_post(**overrides):
    return {"organiser": "Kunta", "title_fi": "Asukaskysely 2027: mitä kuuluu?", "purpose_fi": "Tarkoitus."} | overrides


def test_a_new_survey_s_short_name_is_made_from_its_title_and_kept_unique(manager_client):
    for _time in range(3):
        response = manager_client.post(reverse("surveys:survey-create"), survey_post())
        assert response.status_code == 302

    assert sorted(Survey.objects.values_list("slug", flat=True)) == [
        "asukaskysely-2027-mita-kuuluu",
        "asukaskysely-2027-mita-kuuluu-2",
        "asukaskysely-2027-mita-kuuluu-3",
    ]


def test_a_short_name_typed_by_the_manager_is_kept(manager_client):
    manager_client.post(reverse("surveys:survey-create"), survey_post(slug="oma-nimi"))

    assert list(Survey.objects.values_list("slug", flat=True)) == ["oma-nimi"]


def test_a_title_with_nothing_to_make_a_short_name_from_asks_for_one(manager_client):
    response = manager_client.post(reverse("surveys:survey-create"), survey_post(title_fi="???"))

    assert response.status_code == 200
    assert response.context["form"].errors["slug"]
    assert not Survey.objects.exists()


def test_the_new_survey_form_puts_the_optional_short_name_under_the_title(manager_client):
    page = manager_client.get(reverse("surveys:survey-create"))

    form = page.context["form"]
    assert list(form.fields)[:5] == ["organiser", "organiser_sv", "organiser_en", "title_fi", "slug"]
    assert not form.fields["slug"].required
    assert 'data-slug-from="id_title_fi"' in page.text


def test_the_survey_list_names_each_survey_in_its_row_header(manager_client, role_users):
    survey = build_survey(role_users[Role.SURVEY_MANAGER])

    page = manager_client.get(reverse("surveys:index")).content.decode()

    link = f'<a href="{reverse("surveys:survey", kwargs={"slug": survey.slug})}">Mikä kaupungissa on tärkeää?</a>'
    assert f'<th scope="row" >{link}</th><td >Esimerkkilän kaupunki</td><td >1</td><td >0</td>' in page
    assert "<caption>Kyselyt ja niiden nykyiset versiot</caption>" in page


def test_the_survey_list_without_surveys_says_so_instead_of_an_empty_table(manager_client):
    page = manager_client.get(reverse("surveys:index")).content.decode()

    assert "<table" not in page
    assert "Kyselyitä ei ole vielä." in page


def test_the_survey_list_reads_the_current_versions_in_the_same_queries_however_many_surveys(
    manager_client, role_users
):
    manager = role_users[Role.SURVEY_MANAGER]
    build_survey(manager, slug="ensimmainen")
    manager_client.get(reverse("surveys:index"))  # the session and the user, read once
    with CaptureQueriesContext(connection) as one:
        manager_client.get(reverse("surveys:index"))
    for slug in ("toinen", "kolmas", "neljas"):
        build_survey(manager, slug=slug)

    with CaptureQueriesContext(connection) as four:
        page = manager_client.get(reverse("surveys:index")).content.decode()

    assert page.count('<th scope="row" >') == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_a_surveys_current_version_read_alone_is_one_row_of_one_query(role_users):
    survey = build_survey(role_users[Role.SURVEY_MANAGER], slug="monta-versiota")
    first = survey.current_version
    for number in (2, 3):
        first.pk, first.number = None, number
        first.save()
    survey = Survey.objects.get(pk=survey.pk)

    with CaptureQueriesContext(connection) as queries:
        current = survey.current_version

    assert current.number == 3
    [query] = queries.captured_queries
    assert query["sql"].endswith("LIMIT 1")


def test_an_option_too_long_to_store_is_refused_on_the_page_and_nothing_is_stored(manager_client, role_users):
    version = build_survey(role_users[Role.SURVEY_MANAGER], slug="pitkat").current_version
    questions_before = version.questions.count()
    long_option = "Ánar ja Ohcejohka – " * 11  # 220 characters

    response = manager_client.post(
        reverse("surveys:question-create", kwargs={"slug": "pitkat"}),
        question_post(options_fi=f"{long_option}\nPalveluita", options_sv="Naturen\nServicen"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["options_fi"] == [
        "Vastausvaihtoehto 1 on liian pitkä: 220 merkkiä, enintään 200."
    ]
    assert version.questions.count() == questions_before


def test_more_swedish_than_finnish_options_is_refused_rather_than_cut(manager_client, role_users):
    build_survey(role_users[Role.SURVEY_MANAGER], slug="ylimaaraiset")

    response = manager_client.post(
        reverse("surveys:question-create", kwargs={"slug": "ylimaaraiset"}),
        question_post(options_fi="Luontoa\nPalveluita", options_sv="Naturen\nServicen\nKulturen"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["options_sv"] == [
        "Tässä on 3 vaihtoehtoa, suomeksi 2: kullakin kielellä on oltava yhtä monta, samassa järjestyksessä."
    ]


def test_finnish_survey_texts_are_marked_finnish_on_a_staff_page_in_another_language(manager_client, role_users):
    """WCAG 3.1.2: a screen reader reads the Finnish-only title and questions with Finnish pronunciation."""
    survey = build_survey(role_users[Role.SURVEY_MANAGER])

    english = manager_client.get(reverse("surveys:survey", args=[survey.slug]), HTTP_ACCEPT_LANGUAGE="en")
    finnish = manager_client.get(reverse("surveys:survey", args=[survey.slug]), HTTP_ACCEPT_LANGUAGE="fi")

    assert '<h1><span lang="fi">Mikä kaupungissa on tärkeää?</span></h1>' in english.text
    assert '<dd><span lang="fi">Kysymme asukkaiden mielipiteitä kaupunkistrategiaa varten.</span></dd>' in english.text
    assert '<h3>1. <span lang="fi">Mihin ikäryhmään kuulut?</span></h3>' in english.text
    assert "<h1>Mikä kaupungissa on tärkeää?</h1>" in finnish.text
    listed = manager_client.get(reverse("surveys:index"), HTTP_ACCEPT_LANGUAGE="en").text
    assert '"><span lang="fi">Mikä kaupungissa on tärkeää?</span></a></th>' in listed
    assert '<td ><span lang="fi">Esimerkkilän kaupunki</span></td>' in listed
    assert 'lang="fi">' not in finnish.text.split("<main", 1)[1]
