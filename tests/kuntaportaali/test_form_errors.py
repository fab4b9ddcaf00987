"""A form sent back with errors opens with a summary of them, each linked to its field (WCAG 3.3.1, 3.3.3).

The summary is drawn by the shared form rendering, so these tests walk forms of both apps and the
residents' opt-out form: every field with an error is listed and linked, the field says it is invalid
and is described by its error, and what was typed is still there.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kuntaportaali.roles import Role
from tests.hrreports.conftest import make_unit
from tests.surveys.factories import build_campaign, build_survey

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text) of the links inside
    ancestors: list["Element"] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class _Page(HTMLParser):
    """The page's elements, each with its text, the links inside it and the elements it is inside."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self._link: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, ancestors=list(self._open))
        self.elements.append(element)
        if tag == "a":
            self._link = [element.attrs.get("href", "")]
        if tag not in VOID_ELEMENTS:
            self._open.append(element)

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            href, *text = self._link
            for element in self._open:
                element.links.append((href, " ".join("".join(text).split())))
            self._link = None
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text.append(data)
        if self._link is not None:
            self._link.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def by_id(page: _Page, element_id: str) -> Element:
    [element] = [element for element in page.elements if element.attrs.get("id") == element_id]
    return element


def text_of(element: Element) -> str:
    return " ".join("".join(element.text).split())


def assert_errors_summarised(html: str, expected: dict[str, str]) -> None:
    """The page's error summary links exactly the fields of `expected` (field id: a part of its error),
    opens with the focus on it, and each linked field is invalid and described by its error."""
    page = parse(html)
    [summary] = [element for element in page.elements if "error-summary" in element.classes]
    assert "autofocus" in summary.attrs and summary.attrs.get("tabindex") == "-1"
    heading = by_id(page, summary.attrs["aria-labelledby"])
    assert text_of(heading)
    targets = {href.removeprefix("#"): text for href, text in summary.links}
    assert set(targets) == set(expected), f"the summary links {targets}"
    for field_id, error in expected.items():
        assert error in targets[field_id]
        target = by_id(page, field_id)
        assert target.attrs.get("aria-invalid") == "true", f"{field_id} is not marked invalid: {target.attrs}"
        described = target.attrs.get("aria-describedby", "").split()
        # A group of choices is described on its fieldset, the group its first choice belongs to.
        if not described:
            group = next(element for element in reversed(target.ancestors) if element.tag == "fieldset")
            described = group.attrs.get("aria-describedby", "").split()
        assert any(error in text_of(by_id(page, described_id)) for described_id in described), (
            f"{field_id} is not described by its error {error!r}: aria-describedby={described}"
        )


@pytest.fixture
def finnish():
    with translation.override("fi"):
        yield


def campaign_data(survey, **overrides) -> dict:
    start = timezone.localdate() + timedelta(days=20)
    return {
        "slug": "kevat",
        "name": "Kevään kysely",
        "name_sv": "Vårens enkät",
        "survey_version": survey.current_version.pk,
        "caller_number": "09 310 1691",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=11)).isoformat(),
        "daily_start": "10:00",
        "daily_end": "20:00",
        "weekdays": ["0", "1", "2", "3", "4"],
        "max_attempts": "3",
        "min_gap_minutes": "180",
        "max_concurrent_calls": "10",
        "calls_per_second": "1",
        "price_per_minute": "0.09",
        "telephony_provider": "simulator",
        "number_source": "Esimerkkivälittäjä Oy",
        "number_retention_days": "30",
        "answer_retention_months": "24",
        "information_notice_fi": "Rekisterinpitäjä: kaupunki.",
        "announcement_channels": ["website"],
    } | overrides


def test_campaign_form_lists_its_errors_and_keeps_the_input(client_as, role_users, finnish):
    survey = build_survey(role_users[Role.SURVEY_MANAGER])
    start = timezone.localdate() + timedelta(days=20)
    data = campaign_data(survey, name="", weekdays=[], end_date=(start - timedelta(days=1)).isoformat())

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
    data = campaign_data(survey, caller_number="+7 495 123 45 67")

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
