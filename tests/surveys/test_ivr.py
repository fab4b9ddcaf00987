"""The IVR webhooks: every TwiML step parsed as XML, answers stored as they arrive, signatures enforced."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from surveys.models import (
    Answer,
    CallAttempt,
    CallStatus,
    ConsentEvent,
    ConsentKind,
    ContactStatus,
    DoNotCall,
    Response,
    ResponseMode,
    ResponseStatus,
    Survey,
    SurveyVersion,
)
from surveys.script import call_script
from surveys.services.surveys import version_freeze
from tests.surveys.calls import queued_attempt, running_campaign
from tests.surveys.telephony_fakes import signed_post


@pytest.fixture
def attempt(make_campaign):
    campaign = running_campaign(make_campaign)
    contact = campaign.contacts.get()
    contact.status = ContactStatus.IN_PROGRESS
    contact.save(update_fields=["status"])
    # The detection's verdict comes a few seconds after the pick-up, long before the introduction ends.
    return queued_attempt(contact, status=CallStatus.RINGING, provider_call_id="SIM1", answered_by="human")


def xml(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 - the TwiML our own views rendered


def start(client, attempt):
    return xml(signed_post(client, f"/telephony/ivr/{attempt.pk}/start/", {"CallSid": "SIM1"}))


def intro(client, attempt, digits="", speech=""):
    return xml(signed_post(client, f"/telephony/ivr/{attempt.pk}/intro/", {"Digits": digits, "SpeechResult": speech}))


def answer(client, attempt, position, digits="", speech="", confidence=""):
    params = {"Digits": digits, "SpeechResult": speech, "Confidence": confidence}
    return xml(signed_post(client, f"/telephony/ivr/{attempt.pk}/q/{position}/", params))


def finnish(msgid: str) -> str:
    """What the bot says in a Finnish call (the calls are in the respondent's language, not the page's)."""
    with translation.override("fi"):
        return gettext(msgid)


def gather_action(root: ET.Element) -> str:
    return root.find("Gather").get("action")


def test_intro_is_the_call_scripts_introduction_in_a_gather(client, attempt):
    root = start(client, attempt)

    gather = root.find("Gather")
    assert gather.get("input") == "dtmf speech"
    assert gather.get("numDigits") == "1"
    assert gather.get("language") == "fi-FI"
    assert gather.get("method") == "POST"
    assert gather.get("actionOnEmptyResult") == "true"
    assert gather.get("action") == f"http://127.0.0.1:8000/telephony/ivr/{attempt.pk}/intro/"
    say = gather.find("Say")
    script = call_script(attempt.contact.campaign.survey_version, language="fi")
    assert say.text == script.steps[0].says
    assert say.get("voice") == "Polly.Suvi-Neural"


def test_a_person_who_heard_the_intro_is_recorded_as_informed_once_as_they_leave_it(client, attempt):
    script = call_script(attempt.contact.campaign.survey_version, language="fi")
    start(client, attempt)
    start(client, attempt)
    # Whether a person or an answering machine picked up is not known when the introduction starts.
    assert not ConsentEvent.objects.exists()

    intro(client, attempt)  # heard to its end in silence: asked again
    intro(client, attempt)

    event = ConsentEvent.objects.get()
    assert (event.kind, event.channel, event.intro_hash) == (ConsentKind.INFORMED, "call", script.intro_hash)
    assert event.contact_ref == attempt.contact.pseudonym


def test_before_the_detections_verdict_only_a_key_counts_at_the_intro(client, attempt):
    CallAttempt.objects.filter(pk=attempt.pk).update(answered_by="")
    start(client, attempt)

    # A voicemail greeting's words ("... yksi ...", "ei", "klo 9") are no choice and record nothing.
    intro(client, attempt, speech="Hei, olen yksi Virtasista, en ole nyt tavoitettavissa klo 9")
    intro(client, attempt, speech="ei")

    assert not ConsentEvent.objects.exists()
    assert not DoNotCall.objects.exists()
    assert not Response.objects.exists()


def test_before_the_verdict_a_key_press_shows_a_person(client, attempt):
    CallAttempt.objects.filter(pk=attempt.pk).update(answered_by="")
    start(client, attempt)

    intro(client, attempt, digits="1")

    kinds = list(ConsentEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [ConsentKind.INFORMED, ConsentKind.CONSENTED]


def test_pressing_1_consents_and_asks_the_first_question(client, attempt):
    start(client, attempt)

    root = intro(client, attempt, digits="1")

    assert gather_action(root).endswith(f"/telephony/ivr/{attempt.pk}/q/1/")
    assert root.find("Gather/Say").text.startswith("Mihin ikäryhmään kuulut?")
    assert ConsentEvent.objects.filter(kind=ConsentKind.CONSENTED, contact_ref=attempt.contact.pseudonym).exists()
    response = Response.objects.get()
    assert (response.pseudonym, response.status) == (attempt.contact.pseudonym, ResponseStatus.PARTIAL)


def test_saying_one_in_finnish_also_consents(client, attempt):
    start(client, attempt)

    root = intro(client, attempt, speech="Yksi")

    assert gather_action(root).endswith("/q/1/")


def test_pressing_2_declines_and_hangs_up(client, attempt):
    start(client, attempt)

    root = intro(client, attempt, digits="2")

    assert root.find("Hangup") is not None
    assert root.find("Say").text == finnish("Thank you. We will not ask you anything this time. Goodbye.")
    assert ConsentEvent.objects.filter(kind=ConsentKind.DECLINED).count() == 1
    assert not Response.objects.exists()


def test_pressing_9_puts_the_number_on_the_registry_at_once(client, attempt):
    start(client, attempt)

    root = intro(client, attempt, digits="9")

    assert root.find("Say").text == finnish("Your number will not be called again. Goodbye.")
    assert root.find("Hangup") is not None
    assert DoNotCall.objects.get().source == "call"
    attempt.contact.refresh_from_db()
    assert attempt.contact.status == ContactStatus.OPTED_OUT
    assert ConsentEvent.objects.filter(kind=ConsentKind.OPTED_OUT, contact_ref=attempt.contact.pseudonym).count() == 1


def test_silence_at_the_intro_is_reprompted_once_then_the_call_ends(client, attempt):
    start(client, attempt)

    again = intro(client, attempt)
    end = intro(client, attempt, digits="5")

    intro_text = call_script(attempt.contact.campaign.survey_version, language="fi").steps[0].says
    assert again.find("Gather/Say").text == f"{finnish('Sorry, I did not get that.')} {intro_text}"
    assert end.find("Say").text == finnish("We did not get an answer. Goodbye.")
    assert end.find("Hangup") is not None
    assert not ConsentEvent.objects.exclude(kind=ConsentKind.INFORMED).exists()


def test_each_answer_is_stored_at_once_and_skip_logic_is_followed(client, attempt):
    start(client, attempt)
    intro(client, attempt, digits="1")

    root = answer(client, attempt, 1, digits="3")

    stored = Answer.objects.get()
    assert (stored.question.position, stored.digits, stored.option.label_fi) == (1, "3", "65+")
    assert gather_action(root).endswith("/q/4/")
    assert Response.objects.get().status == ResponseStatus.PARTIAL


def test_invalid_input_is_reprompted_once_then_the_question_is_left(client, attempt):
    start(client, attempt)
    intro(client, attempt, digits="1")
    answer(client, attempt, 1, digits="1")

    again = answer(client, attempt, 2, digits="7")
    onwards = answer(client, attempt, 2, digits="")

    assert gather_action(again).endswith("/q/2/")
    assert again.find("Gather/Say").text.startswith(f"{finnish('Sorry, I did not get that.')} Liikutko viikoittain?")
    assert gather_action(onwards).endswith("/q/3/")
    assert list(Answer.objects.values_list("question__position", flat=True)) == [1]


def test_a_full_call_keeps_numbers_and_speech_and_completes(client, attempt):
    start(client, attempt)
    intro(client, attempt, digits="1")
    answer(client, attempt, 1, digits="2")
    answer(client, attempt, 2, digits="1")
    number = answer(client, attempt, 3, digits="12")
    assert number.find("Gather").get("finishOnKey") == "#"

    closing = answer(client, attempt, 4, speech="Lisää pyöräteitä", confidence="0.87")

    assert closing.find("Hangup") is not None
    assert (
        closing.find("Say").text == call_script(attempt.contact.campaign.survey_version, language="fi").steps[-1].says
    )
    assert Answer.objects.get(question__position=3).number_value == 12
    spoken = Answer.objects.get(question__position=4)
    assert (spoken.transcript, spoken.confidence) == ("Lisää pyöräteitä", 0.87)
    response = Response.objects.get()
    assert response.status == ResponseStatus.COMPLETE
    assert response.finished_at is not None


def test_an_optional_question_is_skipped_with_the_star_key(client, attempt):
    start(client, attempt)
    intro(client, attempt, digits="1")
    answer(client, attempt, 1, digits="3")

    closing = answer(client, attempt, 4, digits="*")

    assert closing.find("Hangup") is not None
    assert Response.objects.get().status == ResponseStatus.COMPLETE


def test_swedish_respondents_hear_swedish(client, attempt):
    version = attempt.contact.campaign.survey_version
    version.offers_sv = True
    version.save(update_fields=["offers_sv"])
    attempt.language = "sv"
    attempt.save(update_fields=["language"])

    gather = start(client, attempt).find("Gather")

    assert gather.get("language") == "sv-SE"
    assert gather.find("Say").get("voice") == "Polly.Elin-Neural"
    assert gather.find("Say").text.startswith("Hej")


def test_an_unknown_attempt_gets_403(client, attempt):
    assert signed_post(client, f"/telephony/ivr/{attempt.pk + 1000}/start/", {}).status_code == 403


def test_get_is_not_allowed(client, attempt):
    assert client.get(f"/telephony/ivr/{attempt.pk}/start/").status_code == 405


@pytest.fixture
def frozen_attempt(attempt):
    """The attempt of a campaign whose survey version is frozen, as every started campaign's is."""
    version_freeze(version=attempt.contact.campaign.survey_version)
    return attempt


def test_an_answer_step_of_a_frozen_version_takes_three_queries(client, frozen_attempt):
    start(client, frozen_attempt)
    intro(client, frozen_attempt, digits="1")

    with CaptureQueriesContext(connection) as captured:
        root = answer(client, frozen_attempt, 1, digits="2")

    # The attempt locked (the signature is checked before, without the database), read with its
    # campaign, survey and the respondent's response; the answer inserted; the step saved. The
    # script and the questions come from memory. (The step's transaction is a savepoint inside the
    # test's own transaction.)
    statements = [query["sql"].split()[0] for query in captured.captured_queries]
    assert [statement for statement in statements if statement not in ("SAVEPOINT", "RELEASE")] == [
        "SELECT",
        "INSERT",
        "UPDATE",
    ]
    assert gather_action(root).endswith(f"/ivr/{frozen_attempt.pk}/q/2/")
    assert Answer.objects.get().option.digit == 2


def test_a_swedish_call_names_the_organiser_in_swedish_and_still_takes_three_queries_a_step(client, frozen_attempt):
    version = frozen_attempt.contact.campaign.survey_version
    SurveyVersion.objects.filter(pk=version.pk).update(offers_sv=True, title_sv="Kommunenkät")
    Survey.objects.filter(pk=version.survey_id).update(organiser_sv="Exempelby kommun")
    frozen_attempt.language = "sv"
    frozen_attempt.save(update_fields=["language"])

    said = start(client, frozen_attempt).find("Gather").find("Say").text
    intro(client, frozen_attempt, digits="1")
    with CaptureQueriesContext(connection) as captured:
        answer(client, frozen_attempt, 1, digits="2")

    assert said.startswith("Hej, det här är ett automatiskt samtal från Exempelby kommun.")
    statements = [query["sql"].split()[0] for query in captured.captured_queries]
    assert [statement for statement in statements if statement not in ("SAVEPOINT", "RELEASE")] == [
        "SELECT",
        "INSERT",
        "UPDATE",
    ]


def test_a_frozen_versions_script_is_built_once_and_follows_its_survey(frozen_attempt, django_assert_num_queries):
    version = SurveyVersion.objects.select_related("survey").get(pk=frozen_attempt.contact.campaign.survey_version_id)
    first = call_script(version, language="fi")

    with django_assert_num_queries(0):
        assert call_script(version, language="fi") is first
    Survey.objects.filter(pk=version.survey_id).update(organiser="Toinen kunta")
    version.survey.refresh_from_db()
    assert "Toinen kunta" in call_script(version, language="fi").steps[0].says


def test_a_repeated_answer_request_stores_the_answer_once(client, frozen_attempt):
    start(client, frozen_attempt)
    intro(client, frozen_attempt, digits="1")

    first = answer(client, frozen_attempt, 1, digits="2")
    repeat = answer(client, frozen_attempt, 1, digits="2")

    assert gather_action(first) == gather_action(repeat)
    assert [(answer.question.position, answer.digits) for answer in Answer.objects.all()] == [(1, "2")]


def test_a_response_begun_on_the_web_and_completed_by_phone_is_a_phone_response(client, attempt):
    contact = attempt.contact
    Response.objects.create(
        pseudonym=contact.pseudonym,
        campaign=contact.campaign,
        survey_version=contact.campaign.survey_version,
        mode=ResponseMode.WEB,
    )
    start(client, attempt)
    intro(client, attempt, digits="1")
    answer(client, attempt, 1, digits="2")
    answer(client, attempt, 2, digits="1")
    answer(client, attempt, 3, digits="12")

    answer(client, attempt, 4, speech="Lisää pyöräteitä")

    # A response's mode is the mode that completed it.
    response = Response.objects.get()
    assert (response.status, response.mode) == (ResponseStatus.COMPLETE, ResponseMode.PHONE)


def test_a_keyed_number_too_large_to_store_is_asked_again_when_the_question_sets_no_upper_limit(client, attempt):
    """A number question without an upper limit took eleven keyed digits and stored another number in
    their place (99999999999 as 1215752191): the integer column holds no more than 2147483647."""
    attempt.contact.campaign.survey_version.questions.filter(position=3).update(max_value=None)
    start(client, attempt)
    intro(client, attempt, digits="1")
    answer(client, attempt, 1, digits="2")
    answer(client, attempt, 2, digits="1")

    again = answer(client, attempt, 3, digits="99999999999")

    assert gather_action(again).endswith("/q/3/")
    assert again.find("Gather/Say").text.startswith(finnish("Sorry, I did not get that."))
    assert not Answer.objects.filter(question__position=3).exists()
    answer(client, attempt, 3, digits="2147483647")
    assert Answer.objects.get(question__position=3).number_value == 2147483647
