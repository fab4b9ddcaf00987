"""The launch pages: blockers linked to where they are fixed, asking communications, the checklist's
verified items, and the confirmation that a start needs."""

import re

import pytest
from django.urls import reverse
from django_rq import get_worker
from rq import SimpleWorker

from kuntaportaali.roles import Role
from surveys.models import CampaignStatus
from tests.surveys.factories import build_campaign, build_survey, make_launch_ready


@pytest.fixture
def manager(role_users):
    return role_users[Role.SURVEY_MANAGER]


@pytest.fixture
def draft(manager):
    return build_campaign(build_survey(manager), manager)


@pytest.fixture
def ready(draft, manager, role_users):
    return make_launch_ready(draft, manager=manager, communications=role_users[Role.COMMUNICATIONS])


def gate_items(html: str) -> list[str]:
    gate = re.search(r'<ul class="problems launch-blockers">(.*?)</ul>', html, re.S).group(1)
    return [" ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", gate, re.S)]


def test_a_survey_manager_gets_links_to_their_own_fixes_and_the_fixer_of_the_rest(client_as, draft):
    page = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign", kwargs={"slug": draft.slug}))

    items = gate_items(page.text)
    assert len(items) == 5
    assert items[0].startswith("Kysymyksiä ei ole julkaistu asukkaiden sivulla.")
    assert "<a " not in items[0] and '<span class="fixer">' in items[0] and "Viestintä" in items[0]
    assert items[1].startswith(f'<a href="/staff/surveys/campaigns/{draft.slug}/contacts/">')
    assert all("<a " not in item and "Viestintä" in item for item in items[2:4])  # the two planned channels
    assert items[4] == (
        f'<a href="/staff/surveys/campaigns/{draft.slug}/checklist/">'
        "Käynnistyksen tarkistuslistaa ei ole vahvistettu.</a>"
    )
    assert reverse("surveys:campaign-notify-communications", kwargs={"slug": draft.slug}) in page.text


def test_an_administrator_gets_every_blocker_as_a_link_and_nobody_to_ask(client_as, draft):
    page = client_as(Role.ADMIN).get(reverse("surveys:campaign", kwargs={"slug": draft.slug}))

    announcements = f'<a href="/staff/surveys/announcements/{draft.slug}/">'
    assert [item.startswith(announcements) for item in gate_items(page.text)] == [True, False, True, True, False]
    assert all(item.startswith("<a href=") for item in gate_items(page.text))
    assert 'class="notify-form"' not in page.text


def test_asking_communications_emails_the_communications_users(
    client_as, draft, role_users, mailoutbox, rq_queues, django_capture_on_commit_callbacks
):
    url = reverse("surveys:campaign-notify-communications", kwargs={"slug": draft.slug})

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(Role.SURVEY_MANAGER).post(url, {"back": "launch"})
    get_worker("email", worker_class=SimpleWorker).work(burst=True)

    assert response.status_code == 302
    assert response["Location"] == f"/staff/surveys/campaigns/{draft.slug}/start/"
    [mail] = mailoutbox
    assert mail.to == [role_users[Role.COMMUNICATIONS].email]
    assert f"/staff/surveys/announcements/{draft.slug}/" in mail.body


def test_the_checklist_page_shows_what_the_portal_verified_and_asks_only_the_rest(client_as, draft):
    page = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign-checklist", kwargs={"slug": draft.slug}))

    assert list(page.context["form"].fields) == ["purpose_not_marketing", "legal_basis_public_task"]
    assert [item.met for item in page.context["verified"]] == [False, False, False, True]
    assert page.text.count('class="verified-items__unmet"') == 3
    assert 'name="caller_number_on_page"' not in page.text


def test_the_launch_page_states_numbers_dates_and_cost_and_starts_only_when_confirmed(client_as, ready):
    client = client_as(Role.SURVEY_MANAGER)
    url = reverse("surveys:campaign-launch", kwargs={"slug": ready.slug})

    page = client.get(url)
    plan = page.context["plan"]
    assert plan.contacts == 1
    assert re.search(r'<dd id="launch-contacts">\s*1\b', page.text)
    assert f"{plan.first_day:%-d.%-m.%Y}–{plan.last_day:%-d.%-m.%Y}" in page.text
    assert f"{plan.estimated_cost}".replace(".", ",") in page.text
    assert '<input type="hidden" name="confirmed" value="yes">' in page.text

    client.post(url)  # without the confirmation
    client.post(reverse("surveys:campaign-status", kwargs={"slug": ready.slug}), {"to": "running"})
    ready.refresh_from_db()
    assert ready.status == CampaignStatus.DRAFT

    started = client.post(url, {"confirmed": "yes"})
    ready.refresh_from_db()
    assert (started.status_code, ready.status) == (302, CampaignStatus.RUNNING)


def test_the_launch_page_states_which_channels_were_published_when(client_as, ready):
    client = client_as(Role.SURVEY_MANAGER)
    client.cookies["kuntaportaali_language"] = "en"

    page = client.get(reverse("surveys:campaign-launch", kwargs={"slug": ready.slug}))

    published_on = ready.announcements.get(channel="press", language="sv").published_on
    day = f"{published_on:%d/%m/%Y}"
    announced = re.search(r'<dd id="launch-announced">(.*?)</dd>', page.text, re.S).group(1)
    assert [" ".join(item.split()) for item in re.findall(r"<li [^>]*>(.*?)</li>", announced, re.S)] == [
        f"City website news: Finnish {day}, Swedish {day}",
        f"Press release: Finnish {day}, Swedish {day}",
    ]


def test_a_planned_channel_missing_in_one_language_stops_the_launch_page(client_as, ready):
    ready.announcements.filter(channel="press", language="sv").update(published_on=None, published_by=None)
    client = client_as(Role.SURVEY_MANAGER)
    client.cookies["kuntaportaali_language"] = "en"

    page = client.get(reverse("surveys:campaign-launch", kwargs={"slug": ready.slug}))

    assert page.context["plan"] is None
    [item] = gate_items(page.text)
    assert item.startswith("Pre-announcement not published: Press release (Swedish). Publish it by ")
    assert item.endswith('<span class="fixer">Fixed by: Communications</span>')
    assert 'name="confirmed"' not in page.text
    assert reverse("surveys:campaign-notify-communications", kwargs={"slug": ready.slug}) in page.text
    refused = client.post(reverse("surveys:campaign-launch", kwargs={"slug": ready.slug}), {"confirmed": "yes"})
    ready.refresh_from_db()
    assert (refused.status_code, ready.status) == (302, CampaignStatus.DRAFT)


def test_the_status_button_sends_a_first_start_to_the_confirmation(client_as, ready):
    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-status", kwargs={"slug": ready.slug}), {"to": "running"}
    )

    assert response["Location"] == f"/staff/surveys/campaigns/{ready.slug}/start/"


def test_the_launch_page_lists_the_blockers_instead_of_a_start_button(client_as, draft):
    page = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign-launch", kwargs={"slug": draft.slug}))

    assert page.context["plan"] is None
    assert len(gate_items(page.text)) == 5
    assert 'name="confirmed"' not in page.text
    assert '<input type="hidden" name="back" value="launch">' in page.text


@pytest.mark.parametrize("role", [Role.COMMUNICATIONS, Role.COUNCILLOR])
def test_other_roles_can_neither_start_nor_ask(client_as, ready, role):
    client = client_as(role)

    start = client.post(reverse("surveys:campaign-launch", kwargs={"slug": ready.slug}), {"confirmed": "yes"})
    ask = client.post(reverse("surveys:campaign-notify-communications", kwargs={"slug": ready.slug}))

    assert (start.status_code, ask.status_code) == (403, 403)
    ready.refresh_from_db()
    assert ready.status == CampaignStatus.DRAFT
