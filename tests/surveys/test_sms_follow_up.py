"""SMS follow-up (mixed mode): the dialer's link after the last unanswered call, the call's "send me a
link" key, the text messages in the campaign's spend and budget cap, and the launch gate."""

import html
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from kuntaportaali.roles import Role
from surveys.models import (
    CallAttempt,
    CallStatus,
    Campaign,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactStatus,
    Response,
    ResponseStatus,
    SmsMessage,
    SmsStatus,
    SurveyLink,
)
from surveys.script import INTRO_DIGIT_LINK, call_script, web_introduction
from surveys.selectors import campaign_progress, campaign_spend
from surveys.services import launch as launch_services
from surveys.services.dialing import call_status_apply, dial_tick
from surveys.services.dispositions import campaign_dispositions
from surveys.services.results import campaign_results
from surveys.services.sms import SmsOutcome, sms_link_previews, sms_link_send
from surveys.services.web_survey import web_answer, web_consent
from surveys.telephony import StatusUpdate
from tests.conftest import make_user
from tests.surveys.calls import NOON, queued_attempt, running_campaign
from tests.surveys.factories import build_campaign, make_launch_ready
from tests.surveys.telephony_fakes import signed_post

LINK_JOB = "surveys.jobs.send_survey_link"
LINK_OFFER = "To answer on the web instead, press %(link)d and we will send you a link by text message."
LINK_GOODBYE = "Thank you. We will send you a link to the survey by text message shortly. Goodbye."


def finnish(msgid: str) -> str:
    with translation.override("fi"):
        return gettext(msgid)


@pytest.fixture
def follow_up(make_campaign):
    return running_campaign(make_campaign, slug="sekamuoto", sms_follow_up=True, max_attempts=2)


def link_jobs(rq_queues) -> list[tuple]:
    return [job.args for job in rq_queues["dialer"].get_jobs() if job.func_name == LINK_JOB]


def dialed(campaign, *, number: int, **fields) -> CallAttempt:
    contact = campaign.contacts.get()
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.IN_PROGRESS)
    values = {"status": CallStatus.DIALING, "placed_at": NOON, "provider_call_id": f"SIM{number}"} | fields
    return queued_attempt(contact, number=number, **values)


def finish(attempt: CallAttempt, status: str, capture, **fields) -> None:
    with capture(execute=True):
        call_status_apply(
            attempt_id=attempt.pk,
            provider=attempt.provider,
            update=StatusUpdate(call_id=attempt.provider_call_id, status=status, **fields),
            now=NOON + timedelta(minutes=1),
        )


# The dialer


@pytest.mark.parametrize("outcome", [CallStatus.NO_ANSWER, CallStatus.BUSY, CallStatus.FAILED, CallStatus.MACHINE])
def test_the_last_unanswered_call_sends_the_contact_one_link(
    follow_up, outcome, rq_queues, django_capture_on_commit_callbacks
):
    attempt = dialed(follow_up, number=follow_up.max_attempts)

    finish(attempt, outcome, django_capture_on_commit_callbacks)

    contact = follow_up.contacts.get()
    assert contact.status == ContactStatus.FINISHED
    assert link_jobs(rq_queues) == [(contact.pk, attempt.phone_id)]


def test_an_unanswered_call_with_attempts_left_sends_nothing_yet(
    follow_up, rq_queues, django_capture_on_commit_callbacks
):
    attempt = dialed(follow_up, number=1)

    finish(attempt, CallStatus.NO_ANSWER, django_capture_on_commit_callbacks)

    assert CallAttempt.objects.filter(number=2, status=CallStatus.PENDING).exists()
    assert link_jobs(rq_queues) == []


@pytest.mark.parametrize("step", ["declined", "closing", "no_choice", "opted_out"])
def test_a_person_who_made_a_choice_gets_no_link(follow_up, step, rq_queues, django_capture_on_commit_callbacks):
    attempt = dialed(follow_up, number=follow_up.max_attempts, current_step=step, answered_at=NOON)

    finish(attempt, CallStatus.COMPLETED, django_capture_on_commit_callbacks, duration_seconds=40)

    assert link_jobs(rq_queues) == []


def test_without_sms_follow_up_the_last_unanswered_call_sends_nothing(
    make_campaign, rq_queues, django_capture_on_commit_callbacks
):
    campaign = running_campaign(make_campaign, slug="vainpuhelin", max_attempts=1)
    attempt = dialed(campaign, number=1)

    finish(attempt, CallStatus.NO_ANSWER, django_capture_on_commit_callbacks)

    assert campaign.contacts.get().status == ContactStatus.FINISHED
    assert link_jobs(rq_queues) == []


def test_the_link_job_of_the_last_call_sends_one_message_however_often_it_runs(follow_up):
    contact = follow_up.contacts.get()

    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.SENT
    assert sms_link_send(contact=contact, now=NOON).outcome == SmsOutcome.ALREADY_SENT
    assert SmsMessage.objects.filter(contact=contact).count() == 1


# The call's "send me a link" key


@pytest.fixture
def link_call(follow_up):
    contact = follow_up.contacts.get()
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.IN_PROGRESS)
    return queued_attempt(contact, status=CallStatus.RINGING, provider_call_id="SIM1", answered_by="human")


def xml(response) -> ET.Element:
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 - the TwiML our own views rendered


def start(client, attempt) -> ET.Element:
    return xml(signed_post(client, f"/telephony/ivr/{attempt.pk}/start/", {"CallSid": "SIM1"}))


def intro(client, attempt, digits: str) -> ET.Element:
    return xml(signed_post(client, f"/telephony/ivr/{attempt.pk}/intro/", {"Digits": digits, "SpeechResult": ""}))


def test_the_introduction_offers_the_link_only_when_the_campaign_sends_one(client, link_call, make_campaign):
    version = link_call.contact.campaign.survey_version
    offer = finnish(LINK_OFFER) % {"link": INTRO_DIGIT_LINK}

    said = start(client, link_call).find("Gather/Say").text

    assert said == call_script(version, language="fi", offers_link=True).steps[0].says
    assert offer in said
    assert offer not in call_script(version, language="fi").steps[0].says
    plain = running_campaign(make_campaign, slug="ilmanlinkkia", numbers=("0401234568",))
    assert offer not in call_script(plain.survey_version, language="fi").steps[0].says


def test_the_link_key_is_documented_apart_from_the_other_choices(link_call):
    script = call_script(link_call.contact.campaign.survey_version, language="fi", offers_link=True)

    digits = [digit for digit, _label in script.steps[0].keypad]

    assert digits == [1, INTRO_DIGIT_LINK, 2, 9]
    assert INTRO_DIGIT_LINK == 3


def test_pressing_3_sends_the_link_at_once_and_ends_the_call_politely(
    client, link_call, rq_queues, django_capture_on_commit_callbacks
):
    start(client, link_call)

    with django_capture_on_commit_callbacks(execute=True):
        root = intro(client, link_call, "3")

    assert root.find("Say").text == finnish(LINK_GOODBYE)
    assert root.find("Hangup") is not None
    contact = link_call.contact
    assert link_jobs(rq_queues) == [(contact.pk, link_call.phone_id)]
    events = ConsentEvent.objects.filter(contact_ref=contact.pseudonym).order_by("pk")
    kinds = list(events.values_list("kind", flat=True))
    assert kinds == [ConsentKind.INFORMED, ConsentKind.WEB_LINK]
    assert not Response.objects.exists()


def test_after_asking_for_the_link_the_number_is_neither_called_again_nor_messaged_twice(
    client, link_call, rq_queues, django_capture_on_commit_callbacks
):
    start(client, link_call)
    with django_capture_on_commit_callbacks(execute=True):
        intro(client, link_call, "3")

    finish(link_call, CallStatus.COMPLETED, django_capture_on_commit_callbacks, duration_seconds=45)

    assert CallAttempt.objects.count() == 1
    assert Contact.objects.get(pk=link_call.contact_id).status == ContactStatus.FINISHED
    assert len(link_jobs(rq_queues)) == 1


def test_asking_for_the_link_is_no_refusal_and_the_web_answer_decides(
    client, link_call, django_capture_on_commit_callbacks
):
    start(client, link_call)
    intro(client, link_call, "3")
    finish(link_call, CallStatus.COMPLETED, django_capture_on_commit_callbacks, duration_seconds=45)
    campaign = link_call.contact.campaign

    dispositions = campaign_dispositions(campaign=campaign)
    assert (dispositions["O"], dispositions["R"]) == (1, 0)
    # In the phone mode's own rates too: the call reached a person who did not refuse.
    assert (dispositions.by_mode["phone"]["O"], dispositions.by_mode["phone"]["R"]) == (1, 0)

    contact = link_call.contact
    web_consent(contact=contact, choice=1, introduction=web_introduction(campaign.survey_version, language="fi"))
    oldest = campaign.survey_version.questions.get(position=1).options.get(digit=3)  # skips to the optional 4th
    assert web_answer(contact=contact, position=1, value={"digits": "3", "option": oldest}) == 4
    assert web_answer(contact=contact, position=4, value=None) is None

    assert Response.objects.get().status == ResponseStatus.COMPLETE
    assert campaign_dispositions(campaign=campaign)["I"] == 1


def test_without_sms_follow_up_3_is_no_choice_at_the_introduction(
    client, make_campaign, rq_queues, django_capture_on_commit_callbacks
):
    contact = running_campaign(make_campaign, slug="ilmanviestia").contacts.get()
    attempt = queued_attempt(contact, status=CallStatus.RINGING, provider_call_id="SIM1", answered_by="human")
    start(client, attempt)

    with django_capture_on_commit_callbacks(execute=True):
        again = intro(client, attempt, "3")

    assert again.find("Gather/Say").text.startswith(finnish("Sorry, I did not get that."))
    assert not ConsentEvent.objects.exists()
    assert link_jobs(rq_queues) == []


def test_a_call_to_a_landline_offers_no_link_it_could_not_send(
    client, make_campaign, rq_queues, django_capture_on_commit_callbacks
):
    campaign = running_campaign(make_campaign, slug="lankapuhelin", numbers=("091234567",), sms_follow_up=True)
    contact = campaign.contacts.get()
    attempt = queued_attempt(contact, status=CallStatus.RINGING, provider_call_id="SIM1", answered_by="human")

    said = start(client, attempt).find("Gather/Say").text
    with django_capture_on_commit_callbacks(execute=True):
        again = intro(client, attempt, "3")

    assert said == call_script(campaign.survey_version, language="fi").steps[0].says
    assert again.find("Gather/Say").text.startswith(finnish("Sorry, I did not get that."))
    assert not ConsentEvent.objects.exists()
    assert link_jobs(rq_queues) == []


# The spend and the budget cap


def test_the_spend_counts_the_calls_and_the_text_messages_the_provider_took(follow_up, settings):
    settings.SMS_PRICE_PER_SEGMENT = Decimal("0.08")
    contact = follow_up.contacts.get()
    queued_attempt(contact, status=CallStatus.COMPLETED, cost=Decimal("0.27"))
    sms_link_send(contact=contact, now=NOON)
    message = SmsMessage.objects.get()
    assert message.cost == message.segments * Decimal("0.08")

    assert campaign_spend(follow_up) == Decimal("0.27") + message.cost
    assert campaign_progress(follow_up).spend == Decimal("0.27") + message.cost
    costs = campaign_results(follow_up, language="fi").costs
    assert (costs.sms_messages, costs.sms_cost) == (1, message.cost.quantize(Decimal("0.01")))
    assert costs.total == (Decimal("0.27") + message.cost).quantize(Decimal("0.01"))

    SmsMessage.objects.update(status=SmsStatus.NOT_SENT)
    assert campaign_spend(follow_up) == Decimal("0.27")


@pytest.mark.parametrize(("status", "charged"), [(SmsStatus.UNDELIVERED, True), (SmsStatus.FAILED, False)])
def test_a_message_reported_failed_never_left_the_provider_and_costs_nothing(follow_up, settings, status, charged):
    """Twilio bills the attempt to deliver: "undelivered" reached an operator and is billed; "failed" did
    not leave Twilio and is not (its answer to the sending was a success, so the message has its id). The
    spend counted such a message at its full price, and the budget cap stopped the calls too early."""
    settings.SMS_PRICE_PER_SEGMENT = Decimal("0.08")
    contact = follow_up.contacts.get()
    sms_link_send(contact=contact, now=NOON)
    message = SmsMessage.objects.get()
    assert message.provider_message_id

    SmsMessage.objects.update(status=status)

    assert campaign_spend(follow_up) == (message.cost if charged else Decimal(0))
    costs = campaign_results(follow_up, language="fi").costs
    assert costs.sms_messages == (1 if charged else 0)


def test_text_messages_count_towards_the_budget_cap_that_stops_the_calls(
    make_campaign, rq_queues, django_capture_on_commit_callbacks
):
    campaign = running_campaign(make_campaign, slug="katto", numbers=("0401234567", "0401234568"), sms_follow_up=True)
    first, second = campaign.contacts.order_by("pk")
    queued_attempt(first, status=CallStatus.NO_ANSWER, cost=Decimal("0.90"))
    Contact.objects.filter(pk=first.pk).update(status=ContactStatus.FINISHED)
    assert sms_link_send(contact=first, now=NOON).outcome == SmsOutcome.SENT
    # The cap is what the call and the message cost together: reached, with the message counted.
    Campaign.objects.filter(pk=campaign.pk).update(budget_cap=campaign_spend(campaign))
    assert campaign_spend(campaign) > Decimal("0.90")

    with django_capture_on_commit_callbacks(execute=True):
        queued = dial_tick(campaign=Campaign.objects.get(pk=campaign.pk), now=NOON)

    assert queued == 0
    assert not second.attempts.exists()


def test_the_campaign_page_shows_the_text_message_costs(client, follow_up):
    sms_link_send(contact=follow_up.contacts.get(), now=NOON)
    client.force_login(make_user("sekamuoto-manager", Role.SURVEY_MANAGER))

    page = client.get(reverse("surveys:campaign", kwargs={"slug": follow_up.slug}))

    assert page.status_code == 200
    assert 'id="sms-costs"' in page.content.decode()


def test_the_campaign_page_shows_the_message_in_each_language_with_its_parts_and_price(client, follow_up, settings):
    settings.PUBLIC_BASE_URL = "https://kuntaportaali.esimerkkila.fi"
    version = follow_up.survey_version
    version.offers_sv, version.title_sv = True, "Kommunenkät"
    version.save()
    client.force_login(make_user("sekamuoto-manager", Role.SURVEY_MANAGER))

    page = client.get(reverse("surveys:campaign", kwargs={"slug": follow_up.slug})).content.decode()

    previews = re.search(r'<dd id="sms-previews">(.*?)</dd>', page, re.S)[1]
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", previews)
    assert captions == ["suomi: 2 osaa, 0,16 euroa viestiä kohden", "ruotsi: 2 osaa, 0,16 euroa viestiä kohden"]
    texts = re.findall(r'<pre lang="(\w+)">(.*?)</pre>', previews, re.S)
    assert [language for language, _text in texts] == ["fi", "sv"]  # read out in their own language
    finnish, swedish = (html.unescape(text) for _language, text in texts)
    assert f"\nhttps://kuntaportaali.esimerkkila.fi/fi/vastaa/{'x' * 22}/\n" in finnish
    assert f"\nhttps://kuntaportaali.esimerkkila.fi/sv/svara/{'x' * 22}/\n" in swedish
    assert swedish.startswith("Esimerkkilän kunta frågar invånarna: Kommunenkät\n")
    # Shown, not sent: no link exists and nothing is billed.
    assert not SurveyLink.objects.exists() and not SmsMessage.objects.exists()


def test_before_the_campaign_starts_the_message_is_shown_as_its_first_calling_day_would_send_it(follow_up):
    # A message goes only inside the calling window: the earliest is sent on Monday 8 December.
    [preview] = sms_link_previews(campaign=follow_up, now=NOON - timedelta(days=20))

    assert "\nVastaa 22.12.2025 mennessä omalla linkilläsi:\n" in preview.text


def test_no_message_is_shown_when_none_could_be_sent(client, follow_up, settings):
    settings.SMS_PROVIDERS = {}
    client.force_login(make_user("sekamuoto-manager", Role.SURVEY_MANAGER))

    page = client.get(reverse("surveys:campaign", kwargs={"slug": follow_up.slug})).content.decode()

    assert 'id="sms-previews"' not in page
    assert 'id="sms-costs"' in page


# The launch gate


@pytest.fixture
def launchable(survey, manager, communications):
    campaign = make_launch_ready(build_campaign(survey, manager), manager=manager, communications=communications)
    Campaign.objects.filter(pk=campaign.pk).update(sms_follow_up=True)
    campaign.refresh_from_db()
    return campaign


def sms_blockers(campaign) -> list[str]:
    return [
        blocker.message
        for blocker in launch_services.campaign_launch_blockers(campaign=campaign)
        if "SMS" in blocker.message
    ]


@pytest.mark.usefixtures("english")
def test_sms_follow_up_without_a_provider_blocks_the_launch(launchable, settings):
    settings.SMS_PROVIDER, settings.SMS_PROVIDERS = "", {}

    [blocker] = sms_blockers(launchable)

    assert blocker == (
        "SMS follow-up is on, but no text message can be sent: A simulated campaign's messages go only through "
        "the SMS simulator, which this site does not offer."
    )


@pytest.mark.usefixtures("english")
def test_sms_follow_up_with_an_undeliverable_sender_blocks_the_launch(launchable, settings):
    settings.SMS_SENDER = "+46701234567"

    [blocker] = sms_blockers(launchable)

    assert "is not a Finnish number" in blocker


@pytest.mark.usefixtures("english")
def test_the_simulated_sms_provider_blocks_a_campaign_that_calls_real_people(launchable, settings):
    settings.TELEPHONY_PROVIDERS = settings.TELEPHONY_PROVIDERS | {"twilio": "surveys.telephony.twilio.TwilioProvider"}
    Campaign.objects.filter(pk=launchable.pk).update(telephony_provider="twilio")
    launchable.refresh_from_db()

    [blocker] = sms_blockers(launchable)

    assert blocker.startswith(
        "SMS follow-up is on, but no text message can be sent: The SMS provider Simulator (no real messages) "
        "sends no message to anyone while the calls reach real people"
    )


def test_a_simulated_campaign_with_the_simulated_sms_provider_may_start(launchable):
    assert sms_blockers(launchable) == []
