"""AAPOR dispositions derived from the attempts, consent events and responses of each number.

The survey of `running_campaign`: 1 a choice whose answer 3 skips to 4, 2 yes/no, 3 a number, 4 an
optional open question.
"""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from surveys.models import (
    Answer,
    AnsweredBy,
    CallStatus,
    ConsentKind,
    ContactStatus,
    QuestionKind,
    Response,
    ResponseStatus,
)
from surveys.reports import xlsx
from surveys.reports.presentation import results_view
from surveys.services.consent import consent_record
from surveys.services.dispositions import (
    FAX_LINE,
    MACHINE,
    NOT_WORKING,
    NOTHING,
    PERSON,
    UNKNOWN_PICK_UP,
    ResponseAnswers,
    SurveyQuestion,
    answered_share,
    campaign_dispositions,
    contact_disposition,
    interview_code,
    response_interview_code_refresh,
)
from surveys.services.privacy import answers_purge_expired
from surveys.services.results import campaign_results
from tests.surveys.calls import NOON, queued_attempt, running_campaign
from tests.surveys.results_factory import hand_built_results

S, BY = CallStatus, AnsweredBy


def attempt(contact, status: str, *, number: int = 1, by: str = "", picked_up: bool = False, step: str = "", **fields):
    return queued_attempt(
        contact,
        number=number,
        status=status,
        placed_at=NOON,
        answered_at=NOON + timedelta(seconds=5) if picked_up else None,
        answered_by=by,
        current_step=step,
        **fields,
    )


def respond(contact, status: str, answers: dict[int, int]) -> Response:
    """`answers` maps a question's position to the digit pressed (the option's, for a question with
    options; an open question's answer is spoken)."""
    campaign = contact.campaign
    response = Response.objects.create(
        pseudonym=contact.pseudonym, campaign=campaign, survey_version=campaign.survey_version, status=status
    )
    for position, digit in answers.items():
        question = campaign.survey_version.questions.get(position=position)
        Answer.objects.create(
            response=response,
            question=question,
            digits=str(digit),
            option=question.options.filter(digit=digit).first(),
            number_value=digit if question.kind == QuestionKind.NUMBER else None,
            transcript="Lisää pyöräteitä" if question.kind == QuestionKind.OPEN else "",
        )
    response_interview_code_refresh(response_id=response.pk)  # as the call and the web survey do
    return response


def only_code(campaign) -> str:
    counts = campaign_dispositions(campaign=campaign).counts
    assert sum(counts.values()) == 1
    return next(code for code, count in counts.items() if count)


# The pure rules: what each attempt told, the response's interview code and the consent events.
@pytest.mark.parametrize(
    ("outcomes", "interview", "consent", "code"),
    [
        ({PERSON}, "I", set(), "I"),
        ({PERSON}, "P", set(), "P"),
        ({PERSON}, "R", set(), "R"),
        ({PERSON}, None, {ConsentKind.DECLINED}, "R"),
        ((), None, {ConsentKind.OPTED_OUT}, "R"),
        ({PERSON, NOTHING}, None, set(), "R"),
        ({PERSON, MACHINE}, None, set(), "R"),
        ({NOTHING, MACHINE}, None, set(), "NC"),
        ({MACHINE, FAX_LINE}, None, set(), "NC"),
        ({MACHINE, UNKNOWN_PICK_UP}, None, set(), "NC"),
        # A fax line and another number that rang unanswered (`contact_outcomes`: a fax number's
        # own unanswered calls are the fax line): the person's eligibility is unknown.
        ({FAX_LINE, NOTHING}, None, set(), "UH"),
        ({FAX_LINE}, None, set(), "NE"),
        ({FAX_LINE, NOT_WORKING}, None, set(), "NE"),
        ({UNKNOWN_PICK_UP, NOTHING}, None, set(), "UO"),
        ({NOT_WORKING}, None, set(), "NE"),
        ({NOT_WORKING, NOTHING}, None, set(), "UH"),
        ({NOTHING}, None, set(), "UH"),
        ((), None, set(), "UH"),
    ],
)
def test_disposition_of_one_number(outcomes, interview, consent, code):
    assert contact_disposition(outcomes=outcomes, interview=interview, consent=consent) == code


# What each attempt tells, from the attempts as the dialer stores them.
HUNG_UP_AT_ONCE = {"status": S.COMPLETED, "picked_up": True}


@pytest.mark.parametrize(
    ("attempts", "code"),
    [
        # Picked up and hung up before or during the introduction: someone picked up, never NC.
        ([HUNG_UP_AT_ONCE | {"by": BY.HUMAN}], "R"),
        ([HUNG_UP_AT_ONCE], "R"),
        ([{"status": S.COMPLETED}], "R"),  # a completed call was picked up, even without an answer time
        ([HUNG_UP_AT_ONCE | {"step": "intro"}], "R"),
        ([HUNG_UP_AT_ONCE | {"step": "no_choice", "by": BY.HUMAN}], "R"),
        ([HUNG_UP_AT_ONCE, {"status": S.NO_ANSWER}, {"status": S.BUSY}], "R"),
        # ... unless the detection could not tell who or what picked up: unknown eligibility.
        ([HUNG_UP_AT_ONCE | {"by": BY.UNKNOWN}], "UO"),
        ([HUNG_UP_AT_ONCE | {"by": BY.UNKNOWN, "step": "intro"}], "UO"),
        ([HUNG_UP_AT_ONCE | {"by": BY.UNKNOWN}, {"status": S.NO_ANSWER}], "UO"),
        ([HUNG_UP_AT_ONCE | {"by": BY.UNKNOWN, "step": "declined"}], "R"),  # a choice: a person
        # An answering machine is a non-contact, even when the introduction had started before the verdict.
        ([{"status": S.MACHINE, "by": BY.MACHINE, "picked_up": True, "step": "intro"}], "NC"),
        ([{"status": S.MACHINE, "by": BY.MACHINE, "picked_up": True, "message_left": True}], "NC"),
        ([{"status": S.COMPLETED, "by": BY.MACHINE, "picked_up": True, "step": "intro"}], "NC"),
        ([{"status": S.NO_ANSWER}, {"status": S.MACHINE, "by": BY.MACHINE}, {"status": S.BUSY}], "NC"),
        # A fax or data line is not eligible, and no answering machine.
        ([{"status": S.FAX, "by": BY.FAX, "picked_up": True}], "NE"),
        ([{"status": S.COMPLETED, "by": BY.FAX, "picked_up": True, "step": "intro"}], "NE"),
        ([{"status": S.NO_ANSWER}, {"status": S.FAX, "by": BY.FAX, "picked_up": True}], "NE"),
        ([{"status": S.FAILED}, {"status": S.FAX, "by": BY.FAX, "picked_up": True}], "NE"),
        ([{"status": S.FAX, "by": BY.FAX, "picked_up": True}, {"status": S.MACHINE, "by": BY.MACHINE}], "NC"),
        # The number does not work, or nobody ever answered.
        ([{"status": S.FAILED}, {"status": S.FAILED}], "NE"),
        ([{"status": S.FAILED}, {"status": S.NO_ANSWER}], "UH"),
        ([{"status": S.NO_ANSWER}, {"status": S.BUSY}, {"status": S.NO_ANSWER}], "UH"),
        ([{"status": S.CANCELED}], "UH"),
        ([], "UH"),
    ],
)
def test_disposition_from_the_attempts(make_campaign, attempts, code):
    campaign = running_campaign(make_campaign)
    contact = campaign.contacts.get()
    for number, fields in enumerate(attempts, start=1):
        attempt(contact, number=number, **fields)
    assert only_code(campaign) == code


def test_a_consent_refusal_after_the_introduction_is_r(make_campaign):
    campaign = running_campaign(make_campaign)
    contact = campaign.contacts.get()
    attempt(contact, S.COMPLETED, by=BY.UNKNOWN, picked_up=True, step="intro")
    consent_record(kind=ConsentKind.DECLINED, channel="call", campaign=campaign, contact_ref=contact.pseudonym)
    assert only_code(campaign) == "R"


# Completeness: the share of the questions that applied to the respondent.
QUESTIONS = [
    SurveyQuestion(1, True, frozenset({4})),
    SurveyQuestion(2, True),
    SurveyQuestion(3, True),
    SurveyQuestion(4, False),
    SurveyQuestion(5, True),
]


@pytest.mark.parametrize(
    ("skips", "share"),
    [
        ({1: None, 2: None, 3: None, 4: None, 5: None}, 1.0),
        ({1: None, 2: None, 3: None, 5: None}, 1.0),  # the optional question passed over does not count
        ({1: 4, 4: None, 5: None}, 1.0),  # 2 and 3 jumped over
        ({1: 4, 5: None}, 1.0),
        ({1: 4}, 0.5),  # unfinished: 5 still applies
        ({1: None, 2: None}, 0.5),  # unfinished: 3 and 5 still apply
        ({1: None, 2: None, 5: None}, 0.75),  # 3 unanswered, still applies
        ({1: None}, 0.25),
        ({}, 0.0),
    ],
)
def test_the_share_of_the_questions_that_applied(skips, share):
    assert answered_share(QUESTIONS, skips) == share


def test_no_share_when_no_question_applied():
    assert answered_share([SurveyQuestion(1, False)], {}) is None


@pytest.mark.parametrize(
    ("skips", "finished", "share"),
    [
        ({1: None, 4: None, 5: None}, False, 1.0),  # the next answer is the skip's target: the skip was taken
        ({1: None, 5: None}, False, 1.0),  # the skip jumps over unanswered questions only
        ({1: None, 2: None, 3: None, 5: None}, False, 1.0),  # 2 answered: no skip
        ({1: None}, True, 0.5),  # finished after 1: skipped to the optional 4; 5 unanswered
        ({1: None}, False, 0.25),  # unfinished: the default order applies
    ],
)
def test_an_answer_whose_option_was_cleared_takes_the_skip_its_next_answers_tell(skips, finished, share):
    assert answered_share(QUESTIONS, skips, unknown_choices={1}, finished=finished) == share


@pytest.mark.parametrize(
    ("answered", "applied", "status", "code"),
    [
        (4, 5, "partial", "I"),  # 80 %: complete, even though the call did not reach the closing
        (3, 4, "complete", "P"),  # 75 %: partial, even though the call reached the closing
        (1, 2, "complete", "P"),  # 50 %
        (2, 5, "complete", "R"),  # 40 %: a break-off
        (0, 3, "partial", "R"),
    ],
)
def test_interview_from_80_percent_partial_from_50_percent(answered, applied, status, code):
    questions = [SurveyQuestion(pk, True) for pk in range(applied)]
    response = ResponseAnswers((status,), dict.fromkeys(range(answered)), set())
    assert interview_code(questions, response) == code


def test_a_response_without_questions_that_applied_is_complete_when_it_reached_the_closing():
    questions = [SurveyQuestion(1, False)]
    assert interview_code(questions, ResponseAnswers(("complete",), {}, set())) == "I"
    assert interview_code(questions, ResponseAnswers(("partial",), {}, set())) == "R"


@pytest.mark.parametrize(
    ("status", "answers", "code"),
    [
        (ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 40}, "I"),  # 4 is optional
        (ResponseStatus.COMPLETE, {1: 3}, "I"),  # 65+: 2 and 3 skipped, 4 passed over
        (ResponseStatus.COMPLETE, {1: 1, 2: 1}, "P"),  # 2 of 3: 3 did not get an answer
        (ResponseStatus.COMPLETE, {1: 1}, "R"),  # 1 of 3: not an interview though the call ended well
        (ResponseStatus.PARTIAL, {1: 1, 2: 2, 3: 3}, "I"),  # hung up at the optional question
        (ResponseStatus.PARTIAL, {1: 2, 2: 1}, "P"),
        (ResponseStatus.PARTIAL, {1: 2}, "R"),
        (ResponseStatus.PARTIAL, {}, "R"),
    ],
)
def test_campaign_dispositions_tell_interviews_by_the_questions_that_applied(make_campaign, status, answers, code):
    campaign = running_campaign(make_campaign)
    contact = campaign.contacts.get()
    attempt(contact, S.COMPLETED, by=BY.HUMAN, picked_up=True, step="closing")
    respond(contact, status, answers)
    result = campaign_dispositions(campaign=campaign)
    assert only_code(campaign) == code
    assert result.interviews == ({contact.pseudonym} if code in ("I", "P") else set())


def test_a_skipped_answer_keeps_its_disposition_after_the_answers_are_cleared(make_campaign):
    campaign = running_campaign(make_campaign)
    contacts = campaign.contacts.all()
    contact = contacts.get()
    attempt(contact, S.COMPLETED, by=BY.HUMAN, picked_up=True, step="closing")
    respond(contact, ResponseStatus.COMPLETE, {1: 3, 4: 0})  # 65+: jumped to the open question
    before = campaign_dispositions(campaign=campaign).counts

    report = answers_purge_expired(today=campaign.end_date + timedelta(days=3 * 366))

    assert report.campaigns[campaign.slug]["answers"] == 2
    assert Answer.objects.filter(option__isnull=False).count() == 0
    assert before["I"] == 1
    assert campaign_dispositions(campaign=campaign).counts == before


def test_campaign_dispositions_and_rr1(make_campaign):
    campaign = running_campaign(make_campaign, numbers=("0401234567", "0501234567", "0451234567", "0441234567"))
    complete, refused, unreachable, disconnected = campaign.contacts.order_by("pk")
    attempt(complete, S.COMPLETED, picked_up=True, step="closing")
    respond(complete, ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 5})
    attempt(refused, S.COMPLETED, picked_up=True, step="declined")
    consent_record(kind=ConsentKind.DECLINED, channel="call", campaign=campaign, contact_ref=refused.pseudonym)
    attempt(unreachable, S.NO_ANSWER)
    attempt(disconnected, S.FAILED)

    result = campaign_dispositions(campaign=campaign)

    assert (result["I"], result["R"], result["UH"], result["NE"]) == (1, 1, 1, 1)
    assert result.rr1 == pytest.approx(1 / 3)


def test_campaign_dispositions_count_every_code_and_list_the_interviews(make_campaign):
    numbers = tuple(f"04012345{index:02d}" for index in range(8))
    campaign = running_campaign(make_campaign, numbers=numbers)
    partial, hung_up, machine, fax, unknown, opted_out, disconnected, never = campaign.contacts.order_by("pk")
    attempt(partial, S.COMPLETED, picked_up=True, step="q3")
    respond(partial, ResponseStatus.PARTIAL, {1: 1, 2: 1})  # 2 of the 3 that applied: a partial interview
    attempt(hung_up, S.COMPLETED, by=BY.HUMAN, picked_up=True)  # hung up before the introduction
    attempt(machine, S.MACHINE, by=BY.MACHINE, picked_up=True, step="intro", message_left=True)
    attempt(fax, S.FAX, by=BY.FAX, picked_up=True)
    attempt(unknown, S.COMPLETED, by=BY.UNKNOWN, picked_up=True)
    opted_out.status = ContactStatus.OPTED_OUT  # on the web, before any call
    opted_out.save(update_fields=["status"])
    attempt(disconnected, S.FAILED)
    attempt(never, S.NO_ANSWER)

    result = campaign_dispositions(campaign=campaign)

    assert dict(result.counts) == {"I": 0, "P": 1, "R": 2, "NC": 1, "O": 0, "UH": 1, "UO": 1, "NE": 2}
    assert result.interviews == {partial.pseudonym}


def test_campaign_dispositions_take_five_queries_however_many_numbers(make_campaign):
    small = running_campaign(make_campaign, slug="pieni")
    large = running_campaign(make_campaign, slug="suuri", numbers=tuple(f"04012345{index:02d}" for index in range(6)))
    for index, contact in enumerate(large.contacts.order_by("pk")):
        attempt(contact, S.COMPLETED, picked_up=True, step="closing")
        respond(contact, ResponseStatus.COMPLETE if index % 2 else ResponseStatus.PARTIAL, {1: 1, 2: 1, 3: index})
        consent_record(kind=ConsentKind.CONSENTED, channel="call", campaign=large, contact_ref=contact.pseudonym)

    with CaptureQueriesContext(connection) as few:
        campaign_dispositions(campaign=small)
    with CaptureQueriesContext(connection) as many:
        result = campaign_dispositions(campaign=large)

    assert len(few) == len(many) == 5
    assert result["I"] == 6


@pytest.mark.parametrize(
    ("language", "label"),
    [("fi", "Ei tavoitettu (esim. puheposti)"), ("sv", "Ingen kontakt (t.ex. telefonsvarare)")],
)
def test_the_non_contact_label_does_not_call_an_answering_machine_a_respondent(make_campaign, language, label):
    # "Vastaaja" is the respondent everywhere else in the Finnish report.
    with translation.override(language):
        rows = dict(results_view(hand_built_results(make_campaign(), language=language)).dispositions.rows)
    assert rows["NC"][0] == label
    assert "vastaaja" not in rows["NC"][0].lower()


def test_a_quota_closes_as_not_eligible_only_a_number_that_reached_no_person_before():
    assert contact_disposition(outcomes={MACHINE}, interview=None, consent=set(), quota_closed=True) == "NE"
    assert contact_disposition(outcomes={PERSON}, interview=None, consent=set(), quota_closed=True) == "R"
    refused = {ConsentKind.DECLINED}
    assert contact_disposition(outcomes={MACHINE}, interview=None, consent=refused, quota_closed=True) == "R"


def quota_campaign(make_campaign):
    """Seven numbers: I 1, R 1, UH 2, and NE 3 - a disconnected number, a person screened out by a filled
    quota, a number never answered and then closed as its listed group's quota filled."""
    numbers = tuple(f"04012345{index:02d}" for index in range(7))
    campaign = running_campaign(make_campaign, numbers=numbers)
    complete, refused, silent_1, silent_2, disconnected, screened, closed = campaign.contacts.order_by("pk")
    attempt(complete, S.COMPLETED, picked_up=True, step="closing")
    respond(complete, ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 5})
    attempt(refused, S.COMPLETED, picked_up=True, step="declined")
    consent_record(kind=ConsentKind.DECLINED, channel="call", campaign=campaign, contact_ref=refused.pseudonym)
    for contact in (silent_1, silent_2, closed):
        attempt(contact, S.NO_ANSWER)
    attempt(disconnected, S.FAILED)
    # Reached and screened out, their group's quota filled: found not eligible (4.80).
    attempt(screened, S.COMPLETED, picked_up=True, step="closing")
    respond(screened, ResponseStatus.SCREENED_OUT, {1: 1})
    # Never answered, then no longer called as the quota of its (listed) group filled: NE, but its
    # eligibility was never learnt.
    for contact in (screened, closed):
        contact.status, contact.quota_closed_at = ContactStatus.FINISHED, NOON
        contact.save(update_fields=["status", "quota_closed_at"])
    return campaign


def test_a_number_a_quota_closed_before_anyone_answered_does_not_lower_the_estimated_e(make_campaign):
    rates = campaign_results(quota_campaign(make_campaign), language="en").rates

    # I 1, R 1, UH 2, NE 3 (disconnected, screened out, closed). e is learnt from the numbers whose
    # eligibility was found out: 2 eligible, 2 not (disconnected, screened out), so e = 1/2 - not 2/5.
    assert dict(rates.dispositions) == {"I": 1, "P": 0, "R": 1, "NC": 0, "O": 0, "UH": 2, "UO": 0, "NE": 3}
    assert (rates.e, rates.e_source) == (pytest.approx(0.5), "estimated")
    # RR3 = I / ((I + R) + e UH) = 1 / (2 + 1) = 1/3 (not 1 / (2 + 0.8) = 35.7 %).
    assert rates.rr["RR3"] == pytest.approx(1 / 3)
    assert rates.rr["RR1"] == pytest.approx(1 / 4)


def test_the_dispositions_tell_the_numbers_not_eligible_as_a_quota_filled_from_the_others(make_campaign, english):
    results = campaign_results(quota_campaign(make_campaign), language="en")

    rows = results_view(results).dispositions.rows
    # 3 of 7 not eligible, 2 of them as their group's quota was filled (screened out, or closed).
    assert rows[-2:] == [
        ("NE", ["Not eligible (e.g. disconnected number)", "3", "42.9\xa0%"]),
        ("4.80", ["of which not eligible as their group's quota was filled", "2", "28.6\xa0%"]),
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.render(results)))["Dispositions"]
    assert ["4.80", "of which not eligible as their group's quota was filled", 2, pytest.approx(2 / 7)] in [
        [cell.value for cell in row] for row in sheet.iter_rows(min_row=2)
    ]
