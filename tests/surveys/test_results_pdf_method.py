"""The PDF report's method section names every way the answers were gathered: a campaign that sent
the web survey's link by text message got answers on the web too, and its method says so (it said
only "Robot phone survey: an automated call asked the questions", beside a section on what the web
added)."""

import io

import pypdf
import pytest

from surveys.models import CallStatus, ResponseStatus, SmsStatus
from surveys.reports import pdf
from surveys.services.results import campaign_results
from tests.surveys.calls import running_campaign
from tests.surveys.test_dispositions import attempt, respond
from tests.surveys.test_mode_dispositions import on_the_web, sms

pytestmark = pytest.mark.django_db

WEB = "a text message with a link to the survey on the web after the last unanswered call"


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_the_method_names_the_web_survey_when_its_link_was_sent(make_campaign):
    campaign = running_campaign(make_campaign, numbers=("0401234500", "0401234501"), sms_follow_up=True)
    by_phone, by_web = campaign.contacts.order_by("pk")
    attempt(by_phone, CallStatus.COMPLETED, picked_up=True, step="closing")
    respond(by_phone, ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 5})
    attempt(by_web, CallStatus.NO_ANSWER)
    sms(by_web, SmsStatus.DELIVERED)
    on_the_web(respond(by_web, ResponseStatus.COMPLETE, {1: 2, 2: 2, 3: 7}))

    text = pdf_text(pdf.render(campaign_results(campaign, language="en")))

    assert "Robot phone survey" in text
    assert WEB in text


def test_a_phone_only_campaigns_method_has_no_web_survey(make_campaign):
    campaign = running_campaign(make_campaign, numbers=("0401234500",))
    contact = campaign.contacts.get()
    attempt(contact, CallStatus.COMPLETED, picked_up=True, step="closing")
    respond(contact, ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 5})

    assert WEB not in pdf_text(pdf.render(campaign_results(campaign, language="en")))
