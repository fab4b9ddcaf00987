"""The live campaign page's figures: exact counts on a hand-built campaign, a fixed number of
queries, and the JSON endpoint the page polls."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kuntaportaali.roles import Role
from surveys.models import (
    Answer,
    AnsweredBy,
    CallStatus,
    CampaignStatus,
    ConsentEvent,
    ConsentKind,
    ContactStatus,
    Response,
    ResponseStatus,
)
from surveys.progress import progress_values
from surveys.script import INTRO_DIGIT_ANSWER, web_introduction
from surveys.selectors import campaign_progress
from surveys.services.dispositions import campaign_dispositions, response_interview_code_refresh
from surveys.services.web_survey import web_consent
from tests.surveys.calls import NOON, queued_attempt, running_campaign

NUMBERS = tuple(f"040123456{digit}" for digit in range(10))


def placed(contact, number: int, status: str, *, answered: bool = False, step: str = "", cost: str = "0", by: str = ""):
    return queued_attempt(
        contact,
        number=number,
        status=status,
        placed_at=NOON,
        answered_at=NOON + timedelta(seconds=10) if answered else None,
        answered_by=by,
        current_step=step,
        cost=Decimal(cost),
    )


def finish(contact, status: str = ContactStatus.FINISHED) -> None:
    contact.status = status
    contact.save(update_fields=["status"])


def consent(contact, kind: str) -> None:
    ConsentEvent.objects.create(campaign=contact.campaign, contact_ref=contact.pseudonym, kind=kind, channel="call")


def respond(contact, status: str, *, answered_questions: int = 0) -> None:
    """Answers the first questions with 1 (whose options skip nowhere)."""
    campaign = contact.campaign
    response = Response.objects.create(
        pseudonym=contact.pseudonym, campaign=campaign, survey_version=campaign.survey_version, status=status
    )
    for question in campaign.survey_version.questions.order_by("position")[:answered_questions]:
        Answer.objects.create(response=response, question=question, digits="1", option=question.options.first())
    response_interview_code_refresh(response_id=response.pk)


@pytest.fixture
def campaign(make_campaign):
    """Ten numbers in every state a number can be in (three attempts allowed, budget 10 EUR)."""
    campaign = running_campaign(make_campaign, numbers=NUMBERS, max_attempts=3, budget_cap=Decimal("10.00"))
    complete, no_answer, partial, retrying, talking, fresh, opted_out, fax, declined, ran_out = (
        campaign.contacts.order_by("pk")
    )
    placed(complete, 1, CallStatus.COMPLETED, answered=True, step="q4", cost="0.18")
    consent(complete, ConsentKind.CONSENTED)
    respond(complete, ResponseStatus.COMPLETE, answered_questions=3)  # the fourth is optional
    finish(complete)
    for number in (1, 2, 3):
        placed(no_answer, number, CallStatus.NO_ANSWER)
    finish(no_answer)
    placed(partial, 1, CallStatus.COMPLETED, answered=True, step="q2", cost="0.27")
    consent(partial, ConsentKind.CONSENTED)
    respond(partial, ResponseStatus.PARTIAL, answered_questions=2)  # two of the three required: AAPOR P
    finish(partial)
    placed(retrying, 1, CallStatus.BUSY)
    queued_attempt(retrying, number=2, status=CallStatus.PENDING, scheduled_for=NOON + timedelta(hours=4))
    placed(talking, 1, CallStatus.IN_PROGRESS, answered=True, step="q1")
    finish(talking, ContactStatus.IN_PROGRESS)
    placed(opted_out, 1, CallStatus.COMPLETED, answered=True, step="intro", cost="0.09")
    consent(opted_out, ConsentKind.OPTED_OUT)
    finish(opted_out, ContactStatus.OPTED_OUT)
    placed(fax, 1, CallStatus.FAX, answered=True, by=AnsweredBy.FAX)
    finish(fax)
    placed(declined, 1, CallStatus.COMPLETED, answered=True, step="intro", cost="0.09")
    consent(declined, ConsentKind.DECLINED)
    finish(declined)
    placed(ran_out, 1, CallStatus.NO_ANSWER)
    # The introduction had started when the answering machine verdict came.
    placed(ran_out, 2, CallStatus.MACHINE, answered=True, step="intro", by=AnsweredBy.MACHINE)
    finish(ran_out)
    assert fresh.status == ContactStatus.PENDING
    return campaign


def test_progress_counts_numbers_with_a_final_outcome(campaign):
    progress = campaign_progress(campaign)
    assert (progress.numbers, progress.final, progress.percent) == (10, 7, 70.0)


def test_funnel_counts_calls_answered_consented_and_complete(campaign):
    progress = campaign_progress(campaign)
    funnel = (progress.calls, progress.answered, progress.consented, progress.complete, progress.partial)
    assert funnel == (12, 7, 2, 1, 1)  # answered: five people, the answering machine and the fax line


def test_funnel_counts_the_numbers_a_person_answered(campaign):
    # complete, partial, talking, opted out and declined heard the introduction; the machine and the fax did not.
    assert campaign_progress(campaign).reached == 5


def test_the_live_figures_read_the_stored_interview_codes_not_every_answer(campaign):
    # The page asks every few seconds: the completes, partials and break-offs are counted in the
    # database from each response's stored code, not worked out from its answers each time.
    with CaptureQueriesContext(connection) as captured:
        progress = campaign_progress(campaign)

    assert (progress.complete, progress.partial, progress.break_offs) == (1, 1, 0)
    assert not [query["sql"] for query in captured if '"surveys_answer"' in query["sql"]]


def test_a_person_who_read_the_introduction_on_the_web_is_a_number_reached(campaign):
    """The funnel narrows stage by stage: a resident who was never called but chose on their link's
    introduction page is reached (they read the introduction) before they consented, not a consent
    out of nowhere beside a reached count that left them out."""
    fresh = campaign.contacts.get(status=ContactStatus.PENDING, attempts__isnull=True)
    introduction = web_introduction(campaign.survey_version, language="fi")
    web_consent(contact=fresh, choice=INTRO_DIGIT_ANSWER, introduction=introduction)

    progress = campaign_progress(campaign)

    assert (progress.reached, progress.consented) == (6, 3)


def test_an_answering_machine_is_never_a_number_reached_even_after_the_introduction_started(campaign):
    fresh = campaign.contacts.order_by("pk")[5]  # never called yet
    placed(fresh, 1, CallStatus.COMPLETED, answered=True, step="intro", by=AnsweredBy.MACHINE)
    finish(fresh)

    progress = campaign_progress(campaign)

    assert progress.reached == 5
    assert progress.coverage[1].reasons["refused"] == 2
    assert campaign_dispositions(campaign=campaign)["NC"] == 2


def test_a_person_who_hung_up_at_once_refused(campaign):
    fresh = campaign.contacts.order_by("pk")[5]  # never called yet
    placed(fresh, 1, CallStatus.COMPLETED, answered=True, by=AnsweredBy.HUMAN)  # before the introduction
    finish(fresh)

    progress = campaign_progress(campaign)

    assert progress.reached == 5  # nobody heard the introduction
    assert progress.coverage[1].reasons["refused"] == 3
    assert campaign_dispositions(campaign=campaign)["R"] == 4  # with opted out, declined and the one above


def test_a_complete_answer_needs_80_percent_of_the_questions_that_applied(campaign):
    complete = campaign.contacts.order_by("pk").first()
    Answer.objects.filter(response__pseudonym=complete.pseudonym, question__position=3).delete()  # 2 of 3
    response_interview_code_refresh(response_id=Response.objects.get(pseudonym=complete.pseudonym).pk)

    progress = campaign_progress(campaign)
    dispositions = campaign_dispositions(campaign=campaign)

    assert (progress.complete, progress.partial, progress.break_offs) == (0, 2, 0)
    assert (dispositions["I"], dispositions["P"]) == (0, 2)


def test_partial_answers_count_like_aapor_p_and_the_rest_are_break_offs(campaign):
    talking = campaign.contacts.get(status=ContactStatus.IN_PROGRESS)
    respond(talking, ResponseStatus.PARTIAL, answered_questions=1)  # one of four so far

    during_the_call = campaign_progress(campaign)
    talking.attempts.update(status=CallStatus.COMPLETED)  # the resident hangs up: a break-off
    after_the_call = campaign_progress(campaign)

    assert (during_the_call.partial, during_the_call.break_offs) == (1, 0)
    assert (after_the_call.partial, after_the_call.break_offs) == (1, 1)
    assert campaign_dispositions(campaign=campaign)["P"] == after_the_call.partial


def test_coverage_explains_every_number_with_fewer_attempts_than_the_maximum(campaign):
    coverage = {row.attempts: (row.numbers, row.reasons) for row in campaign_progress(campaign).coverage}
    assert coverage == {
        0: (
            1,
            {
                "pending": 1,
                "complete": 0,
                "refused": 0,
                "opted_out": 0,
                "not_eligible": 0,
                "quota_filled": 0,
                "ended": 0,
            },
        ),
        1: (
            7,
            {
                "pending": 2,
                "complete": 1,
                "refused": 2,
                "opted_out": 1,
                "not_eligible": 1,
                "quota_filled": 0,
                "ended": 0,
            },
        ),
        2: (
            1,
            {
                "pending": 0,
                "complete": 0,
                "refused": 0,
                "opted_out": 0,
                "not_eligible": 0,
                "quota_filled": 0,
                "ended": 1,
            },
        ),
        3: (1, None),
    }


def test_numbers_still_waiting_count_as_ended_once_the_campaign_is_cancelled(campaign):
    campaign.status = CampaignStatus.CANCELLED
    progress = campaign_progress(campaign)
    assert progress.final == 10
    assert progress.coverage[0].reasons["ended"] == 1
    assert progress.coverage[1].reasons["pending"] == 0


def test_spend_against_the_budget(campaign):
    progress = campaign_progress(campaign)
    assert (progress.spend, progress.budget_cap, progress.budget_percent) == (
        Decimal("0.63"),
        Decimal("10.00"),
        6.3,
    )


def test_an_empty_campaign_has_no_progress(make_campaign):
    progress = campaign_progress(make_campaign("tyhja"))
    assert (progress.numbers, progress.final, progress.percent, progress.spend) == (0, 0, 0.0, Decimal(0))
    assert progress.budget_percent is None


def test_the_number_of_queries_does_not_grow_with_the_contacts(campaign, make_campaign):
    small_campaign = running_campaign(make_campaign, slug="pieni")
    with CaptureQueriesContext(connection) as small:
        campaign_progress(small_campaign)
    with CaptureQueriesContext(connection) as large:
        campaign_progress(campaign)
    assert len(large) == len(small) == 5


def test_the_progress_json_has_the_figures_the_page_updates(campaign, client_as):
    client = client_as(Role.SURVEY_MANAGER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("surveys:campaign-progress", args=[campaign.slug]))
    assert response.status_code == 200
    data = response.json()
    assert {key: data[key] for key in ("status", "running", "final", "numbers")} == {
        "status": "running",
        "running": True,
        "final": 7,
        "numbers": 10,
    }
    assert data["summary"] == "Numbers with a final outcome: 7 of 10 (70.0 %)."
    values = data["values"]
    assert (values["in_progress"], values["spend"], values["budget_percent"]) == ("1", "0.63", "6.3")
    assert values["coverage-1-refused"] == "2"
    assert data["funnel"].startswith('<figure class="results-figure"><svg class="chart"')
    assert (
        '<th scope="row">Calls</th><td class="num">12</td><td class="num">1.2 calls per number</td>' in data["funnel"]
    )


def test_the_campaign_page_shows_the_progress_and_the_funnel(campaign, client_as):
    response = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign", args=[campaign.slug]))
    html = response.content.decode()
    assert '<progress id="campaign-progress-bar" max="10" value="7">' in html
    assert 'data-progress-url="/staff/surveys/campaigns/' in html
    assert '<svg class="chart"' in html
    assert "style=" not in html.split('id="campaign-live"')[1].split("</section>")[0]
    # Twelve calls on ten numbers are calls per number, not a share of the numbers above 100 %.
    calls_row = html.split('<th scope="row">Puhelut</th>')[1].split("</tr>")[0]
    assert calls_row.startswith('<td class="num">12</td><td class="num">1,2 ')
    assert "%" not in calls_row


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.SURVEY_MANAGER, 200),
        (Role.COMMUNICATIONS, 403),
        (Role.COUNCILLOR, 403),
        (Role.HR_ADMIN, 403),
        (Role.SUPERVISOR, 403),
    ],
)
def test_who_may_read_the_progress_json(campaign, client_as, role, status):
    response = client_as(role).get(reverse("surveys:campaign-progress", args=[campaign.slug]))
    assert response.status_code == status


def test_the_progress_json_of_an_unknown_campaign_is_404(client_as):
    response = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign-progress", args=["ei-ole"]))
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(campaign, client):
    response = client.get(reverse("surveys:campaign-progress", args=[campaign.slug]))
    assert response.status_code == 302


def test_a_contact_ref_unknown_to_the_campaign_is_not_counted(campaign):
    ConsentEvent.objects.create(campaign=None, contact_ref=uuid.uuid4(), kind=ConsentKind.CONSENTED, channel="web")
    assert campaign_progress(campaign).consented == 2


def test_money_is_grouped_in_thousands_on_the_page_and_in_the_updates(campaign, client_as):
    campaign.budget_cap = Decimal("12000.00")
    campaign.save(update_fields=["budget_cap"])
    campaign.contacts.first().attempts.update(cost=Decimal("1234.5"))

    page = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign", kwargs={"slug": campaign.slug})).text
    with translation.override("fi"):
        values = progress_values(campaign_progress(campaign))

    # 1,234.50 + the other numbers' 0.27 + 0.09 + 0.09
    assert '<span data-live="spend">1\xa0234,95</span> EUR' in page
    assert "budjettikatto 12\xa0000,00 EUR" in page
    assert values["spend"] == "1\xa0234,95"
