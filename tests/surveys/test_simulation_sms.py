"""A simulated campaign with SMS follow-up: the links go out through the simulator SMS provider, and
the synthetic residents who open them answer through the real web survey pages."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from surveys.calling_window import is_open
from surveys.models import (
    Answer,
    CampaignStatus,
    ConsentEvent,
    ConsentKind,
    Contact,
    QuestionKind,
    Response,
    ResponseMode,
    ResponseStatus,
    SmsMessage,
    SmsStatus,
)
from surveys.selectors import campaign_call_costs, campaign_sms_costs
from surveys.synthetic_population import (
    LANDLINE,
    MOBILE,
    answers_path,
    contact_facts,
    line_kind,
    resident_build,
    survey_questions,
)
from tests.surveys.calls import add_questions
from tests.surveys.interview_codes import assert_stored_interview_codes_agree

pytestmark = pytest.mark.django_db(transaction=True)
SEED = 5
CONTACTS = 120


@pytest.fixture
def mixed(make_campaign, rq_queues):
    campaign = make_campaign(
        "sekamuoto", sms_follow_up=True, max_concurrent_calls=10, calls_per_second=2, min_gap_minutes=120
    )
    add_questions(campaign)
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])
    return campaign


def simulate(campaign, contacts: int) -> dict:
    stdout = io.StringIO()
    call_command(
        "simulate_campaign",
        "--campaign",
        campaign.slug,
        "--contacts",
        str(contacts),
        "--seed",
        str(SEED),
        "--json",
        stdout=stdout,
    )
    return json.loads(stdout.getvalue().splitlines()[-1])


@pytest.mark.slow
def test_with_sms_follow_up_the_residents_who_get_the_link_answer_on_the_web(mixed):
    # One simulation for every check: a simulated campaign takes a while even at this size.
    summary = simulate(mixed, CONTACTS)

    web = Response.objects.filter(campaign=mixed, status=ResponseStatus.COMPLETE, mode=ResponseMode.WEB)
    assert summary["completes_by_mode"]["web"] == web.count() > 0
    assert summary["completes_by_mode"]["phone"] > 0
    assert sum(summary["completes_by_mode"].values()) == summary["complete"]
    assert_stored_interview_codes_agree(mixed)  # stored in both modes as the answers came
    # Every web complete came from a text message, and each message reached its phone.
    messaged = SmsMessage.objects.filter(contact__campaign=mixed)
    assert set(web.values_list("pseudonym", flat=True)) <= set(messaged.values_list("contact__pseudonym", flat=True))
    assert summary["sms_sent"] == messaged.count() > summary["completes_by_mode"]["web"]
    # Each message reached its phone, but one to a landline, which the operator reports undelivered.
    kinds = {
        message.pk: line_kind(seed=SEED, pseudonym=str(message.contact.pseudonym), position=message.phone.position)
        for message in messaged.select_related("contact", "phone")
    }
    assert LANDLINE in kinds.values()
    assert {(kinds[pk], status, code) for pk, status, code in messaged.values_list("pk", "status", "error_code")} == {
        (MOBILE, SmsStatus.DELIVERED, None),
        (LANDLINE, SmsStatus.UNDELIVERED, 30006),
    }
    # ... sent inside the calling window, and their cost is in the summary's.
    assert all(is_open(mixed, sent) for sent in messaged.values_list("sent_at", flat=True))
    sms = campaign_sms_costs(mixed)
    assert sms.estimate > 0
    expected_cost = (campaign_call_costs(mixed).estimate + sms.estimate).quantize(Decimal("0.01"))
    assert Decimal(str(summary["cost_eur"])) == expected_cost
    # Some asked for the link during the call, and got it.
    asked = ConsentEvent.objects.filter(campaign=mixed, kind=ConsentKind.WEB_LINK).values("contact_ref")
    assert asked.exists()
    assert SmsMessage.objects.filter(contact__pseudonym__in=asked).count() == asked.count()
    # The answers given on the web are the residents' true answers.
    survey = survey_questions(mixed.survey_version)
    for response in web:
        [facts] = contact_facts(Contact.objects.filter(pseudonym=response.pseudonym))
        truth = answers_path(resident_build(facts, seed=SEED, year=mixed.start_date.year), survey)
        given = {
            answer.question.position: int(answer.digits or answer.number_value)
            for answer in Answer.objects.filter(response=response).select_related("question")
            if answer.question.kind != QuestionKind.OPEN
        }
        assert given
        assert given == {position: truth[position] for position in given}
