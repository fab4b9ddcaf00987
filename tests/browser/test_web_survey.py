"""In a real browser on a 390 px phone: a resident opens the link of their SMS, switches the survey to
Swedish, answers every kind of question (one left empty first, as a mistake) and is thanked. On each
step the focus is on the step's heading (or on the summary of errors), the page fits the phone's
width and axe-core finds no WCAG 2.1 AA violation at any impact."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from kuntaportaali.roles import Role
from surveys.models import CampaignStatus, QuestionKind, Response
from surveys.services import surveys as survey_services
from surveys.services.contacts import contacts_import
from surveys.services.survey_links import survey_link_create
from tests.browser.conftest import PHONE_WIDTH, axe_violations, describe, page_width, screenshot, switch_language
from tests.surveys.factories import build_campaign, build_survey


@pytest.fixture
def link(create_role_user) -> str:
    """The link of a contact of a running campaign: a choice, yes/no, scale, an optional open question
    and a number, in Finnish and Swedish."""
    manager = create_role_user(Role.SURVEY_MANAGER)
    survey = build_survey(manager)
    survey_services.question_create(
        survey=survey, kind=QuestionKind.NUMBER, text_fi="Montako lasta?", text_sv="Hur många barn?", min_value=0
    )
    campaign = build_campaign(survey, manager)
    contacts_import(campaign=campaign, file=b"puhelin\n0401234567\n", filename="x.csv", by=manager)
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])
    return survey_link_create(contact=campaign.contacts.get())


def assert_step(page: Page, live_server, axe_path, focused: str = "step-heading") -> None:
    """The step fits the phone, starts at its heading (or errors) and axe finds nothing at any impact."""
    expect(page.locator(f"#{focused}" if focused == "step-heading" else f".{focused}")).to_be_focused()
    assert page_width(page) <= PHONE_WIDTH, f"{page.url} is {page_width(page)} px wide on a phone"
    violations = axe_violations(page, live_server, axe_path)
    assert not violations, f"axe on {page.url}:\n" + describe(violations)


def next_step(page: Page) -> None:
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")


def test_a_resident_answers_on_a_phone_from_the_link(phone_page: Page, live_server, link, axe_path):
    page = phone_page
    with translation.override("fi"):
        page.goto(reverse("surveys-public:web-survey", kwargs={"link": link}))
    expect(page.locator("h1")).to_have_text("Mikä kaupungissa on tärkeää?")
    assert_step(page, live_server, axe_path)

    switch_language(page, "sv")
    expect(page.locator("h1")).to_have_text("Vad är viktigt i staden?")
    assert_step(page, live_server, axe_path)
    screenshot(page, "web-survey-introduction-phone")
    page.locator("button[name=choice][value='1']").click()

    expect(page.locator("legend h1")).to_have_text("Vilken åldersgrupp hör du till?")
    assert_step(page, live_server, axe_path)
    page.get_by_label("30–64").check()
    next_step(page)

    expect(page.locator("legend h1")).to_have_text("Motionerar du varje vecka?")
    next_step(page)  # nothing chosen
    expect(page.locator(".error-summary")).to_be_visible()
    assert_step(page, live_server, axe_path, focused="error-summary")
    screenshot(page, "web-survey-error-phone")
    page.get_by_label("Ja", exact=True).check()
    next_step(page)

    expect(page.locator("legend h1")).to_have_text("Hur nöjd är du?")
    assert_step(page, live_server, axe_path)
    page.get_by_label("4", exact=True).check()
    next_step(page)

    expect(page.locator("h1 label")).to_have_text("Vad borde staden utveckla?")
    assert_step(page, live_server, axe_path)
    page.get_by_label("Vad borde staden utveckla?").fill("Fler cykelvägar")
    next_step(page)

    expect(page.locator("h1 label")).to_have_text("Hur många barn?")
    assert_step(page, live_server, axe_path)
    page.get_by_label("Hur många barn?").fill("2")
    next_step(page)

    expect(page.locator("main p.lead")).to_be_visible()
    assert_step(page, live_server, axe_path)
    screenshot(page, "web-survey-thanks-phone")
    answers = Response.objects.get()
    assert (answers.status, answers.mode, answers.language) == ("complete", "web", "sv")
    assert sorted(answers.answers.values_list("question__position", "option__digit", "number_value", "transcript")) == [
        (1, 2, None, ""),
        (2, 1, None, ""),
        (3, 4, None, ""),
        (4, None, None, "Fler cykelvägar"),
        (5, None, 2, ""),
    ]


SMALLEST_PHONE_WIDTH = 320


def test_the_web_survey_fits_the_smallest_phone_with_its_text_at_200_percent(page: Page, live_server, link):
    """A resident who reads with the phone's text at 200 % (WCAG 1.4.4) on a 320 px screen (1.4.10) reads
    each step without scrolling sideways: the language buttons wrap, and a long Finnish word in a question
    breaks rather than running off the screen."""
    page.set_viewport_size({"width": SMALLEST_PHONE_WIDTH, "height": 640})
    with translation.override("fi"):
        page.goto(reverse("surveys-public:web-survey", kwargs={"link": link}))
    for step in ("introduction", "first question"):
        page.wait_for_load_state("load")
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert page_width(page) <= SMALLEST_PHONE_WIDTH, f"the {step} is {page_width(page)} px wide"
        if step == "introduction":
            page.locator("button[name=choice][value='1']").click()
