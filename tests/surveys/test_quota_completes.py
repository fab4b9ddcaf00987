"""The completes the quotas count while a campaign runs are the report's: AAPOR I, at least 80 % of the
questions that applied to the respondent answered (`dispositions.interview_code`), whether or not
they heard the closing words. Each response stores its code as its answers arrive and as it ends."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.models import CallStatus, ContactStatus, QuestionKind, QuestionOption, Response, ResponseStatus
from surveys.reports.selectors import campaigns_with_complete_counts
from surveys.services import surveys as survey_services
from surveys.services.dialing import dial_tick
from surveys.services.dispositions import COMPLETE, NOT_ELIGIBLE, PARTIAL, campaign_dispositions
from surveys.services.privacy import answers_purge_expired, campaign_answers_expire_on
from surveys.services.quotas import campaign_quotas, response_screen_out
from surveys.services.survey_links import survey_link_create
from surveys.services.surveys import version_freeze
from tests.surveys.calls import NOON, UNPACED_AT_NOON
from tests.surveys.quota_fixtures import MIDDLE, add_contact, complete, quota_campaign
from tests.surveys.telephony_fakes import signed_post
from tests.surveys.test_ivr import answer
from tests.surveys.test_ivr_quotas import call, consent
from tests.surveys.test_web_survey import page

pytestmark = pytest.mark.django_db

# The quota campaign's four questions and three yes/no questions more: 6 of 7 answered is 86 %
# (AAPOR I), 5 of 7 is 71 % (P). A person of 30-64 in Keskusta, as the contact list tells.
ANSWERS = {1: "3", 2: "2", 3: "1", 4: "1", 5: "1", 6: "1", 7: "1"}


def seven_questions(campaign) -> None:
    survey = campaign.survey_version.survey
    for text in ("Käytätkö kirjastoa?", "Käytätkö uimahallia?", "Käytätkö joukkoliikennettä?"):
        survey_services.question_create(survey=survey, kind=QuestionKind.YES_NO, text_fi=text)


@pytest.fixture
def campaign(make_campaign):
    # 2 completes wanted: 30-64 gets 1, Keskusta 1. Links open until a month from today.
    campaign = quota_campaign(make_campaign, target_completes=2, end_date=timezone.localdate() + timedelta(days=30))
    seven_questions(campaign)
    return campaign


def middle_aged_completes(campaign) -> int:
    age = campaign_quotas(campaign).dimension("age_group")
    return next(group.completes for group in age.groups if group.category == "30–64")


def web_answers(client, contact, positions) -> Response:
    """The contact opens their link, chooses to answer and answers the questions at `positions`."""
    link = survey_link_create(contact=contact)
    if not Response.objects.filter(pseudonym=contact.pseudonym).exists():
        client.post(page(link), {"choice": 1})
    for position in positions:
        client.post(page(link, position), {"answer": ANSWERS[position]})
    return Response.objects.get(pseudonym=contact.pseudonym)


def test_a_phone_break_off_at_86_percent_fills_its_group_and_the_dialer_closes_the_group(make_campaign, client):
    campaign = quota_campaign(make_campaign, target_completes=2, **UNPACED_AT_NOON)
    seven_questions(campaign)
    respondent = add_contact(campaign, birth_year=MIDDLE, postal_code="01900")
    attempt = call(respondent)
    consent(client, attempt)
    for position in range(1, 7):
        answer(client, attempt, position, digits=ANSWERS[position])
    hung_up = {"CallSid": attempt.provider_call_id, "CallStatus": "completed", "CallDuration": "90"}
    signed_post(client, f"/telephony/status/{attempt.pk}/", hung_up)
    waiting = add_contact(campaign, birth_year=MIDDLE)

    quotas = campaign_quotas(campaign)

    assert Response.objects.get().status == ResponseStatus.PARTIAL  # never heard the closing words
    assert campaign_dispositions(campaign=campaign).completes == {respondent.pseudonym}
    assert middle_aged_completes(campaign) == 1
    assert "30–64" in quotas.dimension("age_group").full
    dial_tick(campaign=campaign, now=NOON)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.quota_closed_at) == (ContactStatus.FINISHED, NOON)
    assert not waiting.attempts.exclude(status=CallStatus.CANCELED).exists()


def test_a_web_break_off_at_86_percent_counts_in_its_groups_quota(client, campaign):
    contact = add_contact(campaign, birth_year=MIDDLE, postal_code="01900")

    response = web_answers(client, contact, range(1, 7))

    assert (response.status, response.interview_code) == (ResponseStatus.PARTIAL, COMPLETE)
    assert middle_aged_completes(campaign) == 1


def test_a_break_off_at_71_percent_does_not_count(client, campaign):
    contact = add_contact(campaign, birth_year=MIDDLE, postal_code="01900")

    response = web_answers(client, contact, range(1, 6))

    assert response.interview_code == PARTIAL
    assert middle_aged_completes(campaign) == 0
    assert campaign_dispositions(campaign=campaign).completes == set()


def test_a_skip_rule_that_makes_fewer_questions_apply_makes_fewer_answers_a_complete(client, campaign):
    # Answering yes to question 4 skips to question 7: five questions apply, and four answered are 80 %.
    questions = campaign.survey_version.questions
    QuestionOption.objects.filter(question=questions.get(position=4), digit=1).update(skip_to=questions.get(position=7))
    contact = add_contact(campaign, birth_year=MIDDLE, postal_code="01900")

    assert web_answers(client, contact, range(1, 5)).interview_code == COMPLETE
    assert middle_aged_completes(campaign) == 1


def test_an_answer_changed_so_that_more_questions_apply_counts_no_more(client, campaign):
    questions = campaign.survey_version.questions
    QuestionOption.objects.filter(question=questions.get(position=4), digit=1).update(skip_to=questions.get(position=7))
    contact = add_contact(campaign, birth_year=MIDDLE, postal_code="01900")
    web_answers(client, contact, range(1, 5))
    link = survey_link_create(contact=contact)

    client.post(page(link, 4), {"answer": "2"})  # no: questions 5 and 6 apply again, 4 of 7 answered

    assert Response.objects.get(pseudonym=contact.pseudonym).interview_code == PARTIAL
    assert middle_aged_completes(campaign) == 0


def test_a_response_counts_once_it_goes_on_from_partial_to_complete(client, campaign):
    contact = add_contact(campaign, birth_year=MIDDLE, postal_code="01900")

    assert web_answers(client, contact, range(1, 5)).interview_code == PARTIAL  # 4 of 7
    assert middle_aged_completes(campaign) == 0
    assert web_answers(client, contact, [5, 6]).interview_code == COMPLETE
    assert middle_aged_completes(campaign) == 1
    finished = web_answers(client, contact, [7])

    assert (finished.status, finished.interview_code) == (ResponseStatus.COMPLETE, COMPLETE)
    assert middle_aged_completes(campaign) == 1


def test_a_screened_out_response_never_counts(client, campaign):
    contact = add_contact(campaign, birth_year=MIDDLE, postal_code="01900")
    web_answers(client, contact, range(1, 7))

    response_screen_out(contact=contact, now=timezone.now())

    assert Response.objects.get(pseudonym=contact.pseudonym).interview_code == NOT_ELIGIBLE
    assert middle_aged_completes(campaign) == 0


def test_the_dial_ticks_queries_do_not_grow_with_the_responses(make_campaign):
    campaign = quota_campaign(make_campaign, target_completes=100, **UNPACED_AT_NOON)
    seven_questions(campaign)

    def tick_queries(respondents: int) -> int:
        for _respondent in range(respondents):
            contact = add_contact(campaign, birth_year=MIDDLE, postal_code="01900")
            contact.status = ContactStatus.FINISHED
            contact.save(update_fields=["status"])
            complete(contact)
        add_contact(campaign, birth_year=MIDDLE)  # one to call
        with CaptureQueriesContext(connection) as captured:
            assert dial_tick(campaign=campaign, now=NOON) == 1
        return len(captured)

    assert tick_queries(2) == tick_queries(20)


def test_the_retention_purge_leaves_every_disposition_and_rate_as_it_was(client, campaign):
    # Yes to question 4 skips to question 7. Once the purge has cleared which option was chosen, the
    # answers cannot tell a break-off right after it skipped: read from them alone it would fall to P.
    # The codes stored while the answers were there are what they meant: the rates stay as they were.
    questions = campaign.survey_version.questions
    QuestionOption.objects.filter(question=questions.get(position=4), digit=1).update(skip_to=questions.get(position=7))
    broke_off = web_answers(client, add_contact(campaign, birth_year=MIDDLE, postal_code="01900"), range(1, 5))
    campaign.target_completes = 10
    campaign.save(update_fields=["target_completes"])
    finished = web_answers(client, add_contact(campaign, birth_year=MIDDLE, postal_code="01900"), range(1, 8))
    assert (broke_off.interview_code, finished.interview_code) == (COMPLETE, COMPLETE)
    before = campaign_dispositions(campaign=campaign)

    answers_purge_expired(today=campaign_answers_expire_on(campaign) + timedelta(days=1))

    with time_machine.travel(campaign_answers_expire_on(campaign) + timedelta(days=2)):
        after = campaign_dispositions(campaign=campaign)
    assert set(Response.objects.values_list("interview_code", flat=True)) == {COMPLETE}
    assert after.completes == before.completes == {broke_off.pseudonym, finished.pseudonym}
    assert (after.counts, after.rr1) == (before.counts, before.rr1)
    [listed] = campaigns_with_complete_counts([campaign])  # the results list's figure
    assert listed.complete_count == 2


def test_the_call_stores_the_code_with_one_statement_more_only_when_an_answer_changes_it(client, make_campaign):
    campaign = quota_campaign(make_campaign, target_completes=10)
    seven_questions(campaign)
    version_freeze(version=campaign.survey_version)
    attempt = call(add_contact(campaign, birth_year=MIDDLE, postal_code="01900"))
    consent(client, attempt)
    for position in range(1, 5):
        answer(client, attempt, position, digits=ANSWERS[position])  # 4 of 7: P since the fourth

    def statements(position: int) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            answer(client, attempt, position, digits=ANSWERS[position])
        return [
            query["sql"].split()[0] for query in captured if query["sql"].split()[0] in ("SELECT", "INSERT", "UPDATE")
        ]

    assert statements(5) == ["SELECT", "INSERT", "UPDATE"]  # 5 of 7 is still P
    assert statements(6) == ["SELECT", "INSERT", "UPDATE", "UPDATE"]  # 6 of 7: now I
    assert Response.objects.get().interview_code == COMPLETE
