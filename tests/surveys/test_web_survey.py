"""The web survey opened from a contact's personal link, through its pages: the call's introduction
and choices, one question a screen with the call's skip rules, a person completing once whichever
mode, and the pages of a link that does not open."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from surveys.models import (
    SCALE_ANSWERS,
    Answer,
    CallAttempt,
    CallStatus,
    Campaign,
    CampaignStatus,
    ConsentEvent,
    Contact,
    ContactStatus,
    DoNotCall,
    QuestionKind,
    Response,
    ResponseMode,
    ResponseStatus,
    Survey,
    SurveyLink,
)
from surveys.script import call_script, closing_sentences, consent_choices, web_introduction
from surveys.services import surveys as survey_services
from surveys.services.survey_links import survey_link_create
from surveys.services.web_survey import completed_response, contact_completed
from tests.surveys.calls import queued_attempt, running_campaign

CALLING_UNTIL = timezone.localdate() + timedelta(days=30)


@pytest.fixture
def contact(make_campaign):
    """The first of two contacts of a running campaign whose five questions are: 1 a choice whose
    answer 3 skips to question 4, 2 yes/no, 3 a number 0-120, 4 an optional open one, 5 a scale."""
    # Calling until a month from today: a campaign whose numbers and links are not due for the purge.
    campaign = running_campaign(
        make_campaign, slug="verkko", numbers=("0401234567", "0407654321"), end_date=CALLING_UNTIL
    )
    survey_services.question_create(
        survey=campaign.survey_version.survey, kind=QuestionKind.SCALE, text_fi="Kuinka tyytyväinen olet?"
    )
    return campaign.contacts.order_by("pk").first()


@pytest.fixture
def link(contact) -> str:
    return survey_link_create(contact=contact)


def page(link: str, position: int | None = None, *, language: str = "fi", name: str = "") -> str:
    with translation.override(language):
        if name:
            return reverse(f"surveys-public:{name}", kwargs={"link": link})
        if position is None:
            return reverse("surveys-public:web-survey", kwargs={"link": link})
        return reverse("surveys-public:web-question", kwargs={"link": link, "position": position})


def answered(client, link: str, *answers: tuple[int, str]):
    """Choose to answer at the introduction, then answer each (position, value) in turn."""
    response = client.post(page(link), {"choice": 1})
    for position, value in answers:
        response = client.post(page(link, position), {"answer": value})
    return response


def stored_answers(contact) -> dict[int, tuple]:
    answers = Answer.objects.filter(response__pseudonym=contact.pseudonym).select_related("question", "option")
    return {
        answer.question.position: (
            answer.option.digit if answer.option else None,
            answer.number_value,
            answer.transcript,
        )
        for answer in answers
    }


def test_the_link_opens_the_calls_introduction_notice_and_choices(client, contact, link):
    response = client.get(page(link))

    assert response.status_code == 200
    introduction = web_introduction(contact.campaign.survey_version, language="fi")
    call_introduction = call_script(contact.campaign.survey_version, language="fi").steps[0].says
    # Who asks, then what the call says of the survey, word for word.
    assert introduction.sentences[0] == "Esimerkkilän kunta pyytää asukkaita vastaamaan tähän kyselyyn."
    assert all(sentence in call_introduction for sentence in introduction.sentences[1:])
    for sentence in introduction.sentences:
        assert sentence in response.content.decode()
    assert "Rekisteriseloste." in response.content.decode()
    with translation.override("fi"):
        call_choices = consent_choices()
    assert [(digit, label) for digit, label, _style in response.context["choices"]] == list(call_choices.items())
    assert list(call_choices) == [1, 2, 9]
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]


def test_choosing_to_answer_records_the_reading_and_the_consent_on_the_web_and_asks_the_first_question(
    client, contact, link
):
    response = client.post(page(link), {"choice": 1})

    assert response.status_code == 302
    assert response["Location"] == page(link, 1)
    introduction = web_introduction(contact.campaign.survey_version, language="fi")
    assert list(ConsentEvent.objects.values_list("kind", "channel", "campaign", "contact_ref", "intro_hash")) == [
        ("informed", "web", contact.campaign_id, contact.pseudonym, introduction.intro_hash),
        ("consented", "web", contact.campaign_id, contact.pseudonym, ""),
    ]
    answer_sheet = Response.objects.get(pseudonym=contact.pseudonym)
    assert (answer_sheet.mode, answer_sheet.status, answer_sheet.language) == ("web", "partial", "fi")


def test_declining_records_the_refusal_and_asks_nothing(client, contact, link):
    """The thanks were the answer to the form's POST: reloading them sent the choice again, and the
    consent log recorded the person informed and declining twice."""
    response = client.post(page(link), {"choice": 2})

    assert response.status_code == 302
    assert response["Location"] == page(link) + "?declined"
    for _reload in range(2):
        thanks = client.get(response["Location"])
        main = thanks.content.decode().split("<main", 1)[1].split("</main>")[0]
        assert "form" not in main
        assert "Emme kysy sinulta tällä kertaa mitään." in main
    assert list(ConsentEvent.objects.values_list("kind", "channel")) == [("informed", "web"), ("declined", "web")]
    assert not Response.objects.exists()


def test_the_thanks_for_declining_are_shown_only_to_one_who_declined(client, contact, link):
    page_shown = client.get(page(link) + "?declined").content.decode()

    assert "Emme kysy sinulta tällä kertaa mitään." not in page_shown
    assert 'name="choice"' in page_shown


def test_choosing_never_again_opts_the_number_out_on_the_web_channel(client, contact, link):
    response = client.post(page(link), {"choice": 9})

    assert response["Location"] == page(link)
    assert DoNotCall.objects.filter(phone_hash=contact.numbers.get().phone_hash, source="web").exists()
    assert list(ConsentEvent.objects.values_list("kind", "channel", "contact_ref")) == [
        ("informed", "web", contact.pseudonym),
        ("opted_out", "web", contact.pseudonym),
    ]
    contact.refresh_from_db()
    assert contact.status == ContactStatus.OPTED_OUT
    after = client.get(page(link))
    assert after.templates[0].name == "surveys/web/opted_out.html"
    assert client.get(page(link, 1))["Location"] == page(link)


def test_the_opt_out_link_of_a_question_page_opts_out_a_contact_whose_calls_had_ended(client, contact, link):
    """The SMS comes after the last unanswered call: the contact is finished, and its campaign still
    hears of the opt-out with its pseudonym."""
    answered(client, link)
    contact.status = ContactStatus.FINISHED
    contact.save(update_fields=["status"])
    question = client.get(page(link, 1))
    opt_out_page = page(link, name="web-opt-out")
    assert f'href="{opt_out_page}"' in question.content.decode()

    assert client.get(opt_out_page).status_code == 200
    response = client.post(opt_out_page)

    assert response["Location"] == page(link)
    assert ConsentEvent.objects.filter(
        kind="opted_out", channel="web", campaign=contact.campaign, contact_ref=contact.pseudonym
    ).exists()
    contact.refresh_from_db()
    assert contact.status == ContactStatus.OPTED_OUT
    assert DoNotCall.objects.filter(phone_hash=contact.numbers.get().phone_hash).exists()


@pytest.mark.parametrize(
    ("position", "earlier", "value", "stored"),
    [
        (1, [], "2", (2, None, "")),
        (2, [(1, "1")], "2", (2, None, "")),
        (3, [(1, "1"), (2, "1")], "42", (None, 42, "")),
        (4, [(1, "1"), (2, "1"), (3, "7")], "Lisää pyöräteitä", (None, None, "Lisää pyöräteitä")),
        (5, [(1, "1"), (2, "1"), (3, "7"), (4, "")], "4", (4, None, "")),
    ],
    ids=["choice", "yes-no", "number", "open", "scale"],
)
def test_each_kind_of_question_stores_its_answer(client, contact, link, position, earlier, value, stored):
    answered(client, link, *earlier)

    response = client.post(page(link, position), {"answer": value})

    assert response.status_code == 302
    assert stored_answers(contact)[position] == stored


def test_choice_and_scale_questions_are_fieldsets_whose_legend_is_the_focused_heading(client, contact, link):
    answered(client, link, (1, "1"), (2, "1"), (3, "7"), (4, ""))

    html = client.get(page(link, 5)).content.decode()

    assert (
        '<legend><h1 id="step-heading" tabindex="-1" data-focus-on-load>Kuinka tyytyväinen olet?</h1></legend>' in html
    )
    assert 'aria-describedby="id_answer_hint"' in html
    with translation.override("fi"):
        assert f'<p class="hint" id="id_answer_hint">{SCALE_ANSWERS}</p>' in html
    assert html.count('type="radio" name="answer"') == 5


def test_a_number_out_of_range_is_refused_with_an_announced_error_and_nothing_stored(client, contact, link):
    answered(client, link, (1, "1"), (2, "1"))

    response = client.post(page(link, 3, language="en"), {"answer": "121"})

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["form"].errors == {"answer": ["Ensure this value is less than or equal to 120."]}
    assert '<div class="error-summary" role="alert" tabindex="-1" data-focus-on-load' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_answer_hint id_answer_error"' in html
    assert "<title>Error: Question 3 of 5" in html
    assert 3 not in stored_answers(contact)


@pytest.mark.parametrize(
    ("limits", "hint"),
    [((0, None), "Luku, joka on vähintään 0."), ((None, 120), "Luku, joka on enintään 120.")],
    ids=["lower-only", "upper-only"],
)
def test_a_number_question_with_one_limit_says_it_before_the_answer(client, contact, link, limits, hint):
    """The limit was told only after a wrong answer, as an error: a question with one limit had no hint."""
    minimum, maximum = limits
    contact.campaign.survey_version.questions.filter(position=3).update(min_value=minimum, max_value=maximum)
    answered(client, link, (1, "1"), (2, "1"))

    html = client.get(page(link, 3)).content.decode()

    assert f'<p class="hint" id="id_answer_hint">{hint}</p>' in html


def test_a_required_question_left_empty_is_asked_again(client, contact, link):
    answered(client, link)

    response = client.post(page(link, 1, language="en"), {})

    assert response.status_code == 200
    assert response.context["form"].errors == {"answer": ["Choose an answer."]}
    assert stored_answers(contact) == {}


def test_a_skip_rule_jumps_as_on_the_phone_and_the_questions_jumped_over_cannot_be_opened(client, contact, link):
    response = answered(client, link, (1, "3"))

    assert response["Location"] == page(link, 4)
    assert client.get(page(link, 2))["Location"] == page(link, 4)
    assert client.post(page(link, 3), {"answer": "5"})["Location"] == page(link, 4)
    assert set(stored_answers(contact)) == {1}


def test_a_question_after_an_unanswered_required_one_cannot_be_opened(client, contact, link):
    answered(client, link)

    assert client.get(page(link, 3))["Location"] == page(link, 1)


def test_completing_on_the_web_keeps_only_the_answers_on_the_way_and_stops_the_calls(client, contact, link):
    queued_attempt(contact, status=CallStatus.PENDING)
    answered(client, link, (1, "1"), (2, "1"), (3, "7"))
    # Back to the first question: the answer that skips to question 4 leaves questions 2 and 3 off the way.
    client.post(page(link, 1), {"answer": "3"})
    client.post(page(link, 4), {"answer": ""})

    response = client.post(page(link, 5), {"answer": "5"})

    assert response["Location"] == page(link)
    assert stored_answers(contact) == {1: (3, None, ""), 5: (5, None, "")}
    answer_sheet = Response.objects.get(pseudonym=contact.pseudonym)
    assert (answer_sheet.status, answer_sheet.mode) == (ResponseStatus.COMPLETE, ResponseMode.WEB)
    assert answer_sheet.finished_at is not None
    contact.refresh_from_db()
    assert contact.status == ContactStatus.FINISHED
    assert CallAttempt.objects.get(contact=contact).status == CallStatus.CANCELED


def test_a_completed_survey_thanks_and_shows_nothing_more(client, contact, link):
    answered(client, link, (1, "3"), (4, ""), (5, "2"))

    response = client.get(page(link))

    assert response.templates[0].name == "surveys/web/thanks.html"
    main = response.content.decode().split("<main", 1)[1]
    assert "<form" not in main
    assert "Mihin ikäryhmään kuulut?" not in main
    for position in (1, 5):
        assert client.get(page(link, position))["Location"] == page(link)
    assert client.post(page(link, 5), {"answer": "4"})["Location"] == page(link)
    assert client.post(page(link), {"choice": 1}).templates[0].name == "surveys/web/thanks.html"
    assert stored_answers(contact)[5] == (2, None, "")
    assert ConsentEvent.objects.filter(kind="consented").count() == 1


def test_the_link_of_a_person_who_completed_by_phone_only_thanks(client, contact, link):
    campaign = contact.campaign
    Response.objects.create(
        pseudonym=contact.pseudonym,
        campaign=campaign,
        survey_version=campaign.survey_version,
        status=ResponseStatus.COMPLETE,
    )

    response = client.get(page(link))

    assert response.status_code == 200
    assert response.templates[0].name == "surveys/web/thanks.html"
    assert "Mihin ikäryhmään kuulut?" not in response.content.decode()


def test_answers_begun_on_a_call_continue_on_the_web_and_complete_in_the_web_mode(client, contact, link):
    campaign = contact.campaign
    by_phone = Response.objects.create(
        pseudonym=contact.pseudonym, campaign=campaign, survey_version=campaign.survey_version
    )
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    Answer.objects.create(
        response=by_phone, question=questions[1], digits="1", option=questions[1].options.get(digit=1)
    )
    Answer.objects.create(
        response=by_phone, question=questions[2], digits="2", option=questions[2].options.get(digit=2)
    )

    assert client.post(page(link), {"choice": 1})["Location"] == page(link, 3)
    answered(client, link, (3, "12"), (4, "Puistoja"), (5, "3"))

    by_phone.refresh_from_db()
    assert (by_phone.status, by_phone.mode) == (ResponseStatus.COMPLETE, ResponseMode.WEB)
    assert set(stored_answers(contact)) == {1, 2, 3, 4, 5}


def test_the_previous_question_can_be_opened_with_its_answer(client, contact, link):
    answered(client, link, (1, "2"))

    response = client.get(page(link, 2))

    assert f'href="{page(link, 1)}"' in response.content.decode()
    assert client.get(page(link, 1)).context["form"].initial == {"answer": "2"}


def test_a_survey_not_offered_in_the_pages_language_is_shown_in_finnish(client, contact, link):
    response = client.get(page(link, language="en"))

    assert response.context["language"] == "fi"
    assert "This survey is not available in your language; it is shown in Finnish." in response.content.decode()
    assert '<div lang="fi">' in response.content.decode()


def test_the_pages_own_words_inside_a_finnish_question_are_marked_in_the_pages_language(client, contact, link):
    """A screen reader reads the form of a Finnish survey in a Finnish voice: the English button and
    error message inside it say they are English (WCAG 3.1.2), or they are read as Finnish."""
    answered(client, link)

    html = client.post(page(link, 1, language="en"), {}).content.decode()

    assert '<form method="post" novalidate lang="fi"' in html
    assert '<p class="error-message" id="id_answer_error" lang="en">' in html
    assert '<button type="submit" class="button" lang="en">Next</button>' in html


def test_the_closing_words_are_the_surveys_words_in_its_language(client, contact, link):
    """The call's closing sentences close the web survey in the survey's language, like its
    introduction: English words inside the Finnish part were read with a Finnish voice."""
    answered(client, link, (1, "3"), (4, ""), (5, "2"))

    html = client.get(page(link, language="en")).content.decode()

    with translation.override("fi"):
        closing = closing_sentences()
    assert f'<div lang="fi"><p class="lead">{closing[0]}</p><p>{closing[1]}</p></div>' in html
    assert closing[0] == "Kiitos vastauksistasi."


def test_a_swedish_link_shows_the_swedish_survey(client, contact, link):
    version = contact.campaign.survey_version
    version.offers_sv, version.title_sv = True, "Kommunstrategienkät"
    version.save()

    response = client.get(page(link, language="sv"))

    assert response.context["language"] == "sv"
    assert (
        '<h1 id="step-heading" tabindex="-1" data-focus-on-load>Kommunstrategienkät</h1>' in response.content.decode()
    )


def test_a_swedish_link_names_the_organiser_in_swedish_and_records_that_introduction(client, contact, link):
    version = contact.campaign.survey_version
    version.offers_sv, version.title_sv = True, "Kommunstrategienkät"
    version.save()
    Survey.objects.filter(pk=version.survey_id).update(organiser_sv="Exempelby kommun")

    html = client.get(page(link, language="sv")).content.decode()
    client.post(page(link, language="sv"), {"choice": 1})

    introduction = web_introduction(Survey.objects.get(pk=version.survey_id).current_version, language="sv")
    assert introduction.sentences[0] == "Exempelby kommun ber invånarna att svara på den här enkäten."
    assert f'<p class="lead">{introduction.sentences[0]}</p>' in html
    assert "Esimerkkilän" not in html
    assert ConsentEvent.objects.filter(kind="informed").get().intro_hash == introduction.intro_hash


def test_a_swedish_link_marks_the_finnish_organiser_and_notice_that_have_no_swedish_text(client, contact, link):
    """The survey is offered in Swedish, but its organiser and the campaign's information notice have
    no Swedish text: shown in Finnish, they say so inside the Swedish introduction (WCAG 3.1.2)."""
    version = contact.campaign.survey_version
    version.offers_sv, version.title_sv = True, "Kommunstrategienkät"
    version.save()

    html = client.get(page(link, language="sv")).content.decode()

    assert (
        '<p class="lead"><span lang="fi">Esimerkkilän kunta</span> ber invånarna att svara på den här enkäten.</p>'
        in html
    )
    assert '<div lang="fi"><p>Rekisteriseloste.</p></div>' in html


def test_an_unknown_link_answers_404_and_reveals_nothing(client, contact, link):
    response = client.get(page("x" + link[1:]))

    assert response.status_code == 404
    assert response.templates[0].name == "surveys/web/link_unknown.html"
    assert "Kuntastrategiakysely" not in response.content.decode()
    assert "Esimerkkilän" not in response.content.decode()


def test_an_expired_link_answers_410_and_reveals_nothing(client, contact, link):
    SurveyLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    for path in (page(link), page(link, 1), page(link, name="web-opt-out")):
        response = client.get(path)
        assert response.status_code == 410
        assert "Kuntastrategiakysely" not in response.content.decode()
    assert client.post(page(link), {"choice": 1}).status_code == 410
    assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize("status", [CampaignStatus.COMPLETED, CampaignStatus.CANCELLED])
def test_the_link_of_an_ended_campaign_has_closed(client, contact, link, status):
    Campaign.objects.filter(pk=contact.campaign_id).update(status=status)

    assert client.get(page(link)).status_code == 410


def test_a_paused_campaigns_link_still_opens(client, contact, link):
    Campaign.objects.filter(pk=contact.campaign_id).update(status=CampaignStatus.PAUSED)

    assert client.get(page(link)).status_code == 200


def test_the_dialer_can_tell_the_contacts_who_completed_on_the_web(client, contact, link):
    other = Contact.objects.exclude(pk=contact.pk).get()
    answered(client, link, (1, "3"), (4, ""))
    assert not contact_completed(contact=contact)

    answered(client, link, (5, "1"))

    assert contact_completed(contact=contact)
    assert not contact_completed(contact=other)
    assert list(Contact.objects.filter(~completed_response()).values_list("pk", flat=True)) == [other.pk]


def test_a_number_too_large_to_store_is_refused_when_the_question_sets_no_upper_limit(client, contact, link):
    """'Leave a limit empty to accept any number' still stops at what an answer can hold: a resident
    who types eleven digits is told the largest number, never shown a server error."""
    contact.campaign.survey_version.questions.filter(position=3).update(max_value=None)
    answered(client, link, (1, "1"), (2, "1"))

    response = client.post(page(link, 3, language="en"), {"answer": "99999999999"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"answer": ["Ensure this value is less than or equal to 2147483647."]}
    assert 3 not in stored_answers(contact)
    assert client.post(page(link, 3), {"answer": "2147483647"})["Location"] == page(link, 4)
    assert stored_answers(contact)[3] == (None, 2147483647, "")


@pytest.mark.django_db(transaction=True)
def test_a_choice_to_answer_that_fails_half_way_records_nothing(contact, monkeypatch):
    """The consent log and the answer sheet are one step: a failure after the consent was recorded
    left a person consented with no response to answer in."""
    from surveys.services import web_survey

    def broken_screening(**kwargs):
        raise RuntimeError("the quota lookup failed")

    monkeypatch.setattr(web_survey, "contact_screening", broken_screening)
    introduction = web_introduction(contact.campaign.survey_version, language="fi")

    with pytest.raises(RuntimeError):
        web_survey.web_consent(contact=contact, choice=1, introduction=introduction)

    assert not ConsentEvent.objects.filter(contact_ref=contact.pseudonym).exists()
    assert not Response.objects.exists()
