"""The call with quotas: a person whose group the contact list does not tell is asked it right after
consenting, and a person whose group is full is thanked and let go, screened out (not a break-off)."""

import pytest

from surveys.models import Answer, CallAttempt, CallStatus, ContactStatus, Response, ResponseStatus
from surveys.services.dispositions import NOT_ELIGIBLE, campaign_dispositions
from tests.surveys.calls import queued_attempt
from tests.surveys.quota_fixtures import MIDDLE, YOUNG, add_contact, complete, quota_campaign
from tests.surveys.telephony_fakes import signed_post
from tests.surveys.test_ivr import answer, finnish, gather_action, intro, start

pytestmark = pytest.mark.django_db

SCREENED_OUT_BY_AGE = (
    "Thank you. We already have enough answers from your age group, so we will not ask you more. Goodbye."
)
SCREENED_OUT_BY_AREA = "Thank you. We already have enough answers from your area, so we will not ask you more. Goodbye."


@pytest.fixture
def campaign(make_campaign):
    return quota_campaign(make_campaign)  # 18-29: 2 completes, Keskusta 6, Kylät 4


def fill_young(campaign) -> None:
    for _done in range(2):
        contact = add_contact(campaign, birth_year=YOUNG, postal_code="01900")
        contact.status = ContactStatus.FINISHED
        contact.save()
        complete(contact)


def call(contact) -> CallAttempt:
    contact.status = ContactStatus.IN_PROGRESS
    contact.save(update_fields=["status"])
    return queued_attempt(contact, status=CallStatus.RINGING, provider_call_id=f"SIM{contact.pk}", answered_by="human")


def consent(client, attempt):
    start(client, attempt)
    return intro(client, attempt, digits="1")


def says(root) -> str:
    return " ".join(say.text for say in root.iter("Say"))


def question_url(attempt, position: int) -> str:
    return f"http://127.0.0.1:8000/telephony/ivr/{attempt.pk}/q/{position}/"


def test_an_unknown_age_and_district_are_asked_first_then_the_survey_without_asking_them_again(client, campaign):
    attempt = call(add_contact(campaign))

    assert gather_action(consent(client, attempt)) == question_url(attempt, 2)  # age, before question 1
    assert gather_action(answer(client, attempt, 2, digits="2")) == question_url(attempt, 3)  # district
    assert gather_action(answer(client, attempt, 3, digits="1")) == question_url(attempt, 1)
    assert gather_action(answer(client, attempt, 1, digits="4")) == question_url(attempt, 4)  # 2 and 3 answered
    closing = answer(client, attempt, 4, digits="1")

    assert closing.find("Gather") is None
    response = Response.objects.get()
    assert response.status == ResponseStatus.COMPLETE
    assert Answer.objects.filter(response=response).count() == 4


def test_a_known_group_is_not_asked_first(client, campaign):
    attempt = call(add_contact(campaign, birth_year=MIDDLE, postal_code="01900"))

    assert gather_action(consent(client, attempt)) == question_url(attempt, 1)


def test_only_the_unknown_dimension_is_asked_first(client, campaign):
    attempt = call(add_contact(campaign, birth_year=MIDDLE, postal_code="00100"))  # a postal code of no district

    assert gather_action(consent(client, attempt)) == question_url(attempt, 3)
    assert gather_action(answer(client, attempt, 3, digits="2")) == question_url(attempt, 1)
    assert gather_action(answer(client, attempt, 1, digits="3")) == question_url(attempt, 2)  # asked in its place


def test_an_answer_in_a_full_group_closes_the_call_politely_as_screened_out(client, campaign):
    fill_young(campaign)
    contact = add_contact(campaign)
    attempt = call(contact)
    consent(client, attempt)

    goodbye = answer(client, attempt, 2, digits="1")  # 18-29: full

    assert goodbye.find("Gather") is None
    assert says(goodbye) == finnish(SCREENED_OUT_BY_AGE)
    assert says(goodbye).startswith("Kiitos. Ikäryhmästäsi on jo saatu riittävästi vastauksia")
    response = Response.objects.get(pseudonym=contact.pseudonym)
    assert response.status == ResponseStatus.SCREENED_OUT
    assert response.finished_at is not None
    attempt.refresh_from_db()
    assert attempt.current_step == "screened_out"
    contact.refresh_from_db()
    assert contact.quota_closed_at is not None


def test_a_screened_out_call_ends_the_number_as_not_eligible_not_a_break_off(client, campaign):
    fill_young(campaign)
    contact = add_contact(campaign)
    attempt = call(contact)
    consent(client, attempt)
    answer(client, attempt, 2, digits="1")

    status = {"CallSid": attempt.provider_call_id, "CallStatus": "completed", "CallDuration": "40"}
    signed_post(client, f"/telephony/status/{attempt.pk}/", status)

    contact.refresh_from_db()
    assert contact.status == ContactStatus.FINISHED
    assert not CallAttempt.objects.filter(contact=contact, number=2).exists()
    dispositions = campaign_dispositions(campaign=campaign)
    assert dispositions[NOT_ELIGIBLE] == 1
    assert dispositions["R"] == 0


def test_a_known_full_group_is_let_go_right_after_consenting(client, campaign):
    fill_young(campaign)
    contact = add_contact(campaign, birth_year=YOUNG, postal_code="01900")
    attempt = call(contact)

    goodbye = consent(client, attempt)

    assert goodbye.find("Gather") is None
    assert says(goodbye) == finnish(SCREENED_OUT_BY_AGE)
    assert Response.objects.get(pseudonym=contact.pseudonym).status == ResponseStatus.SCREENED_OUT


def test_a_full_district_answered_closes_with_the_areas_words(client, campaign):
    campaign.target_completes = 2  # Keskusta 1, Kylät 1; 30-64 1
    campaign.save()
    done = add_contact(campaign, postal_code="01980")  # answered 18-29
    done.status = ContactStatus.FINISHED
    done.save()
    complete(done)
    attempt = call(add_contact(campaign, birth_year=MIDDLE))

    consent(client, attempt)
    goodbye = answer(client, attempt, 3, digits="2")

    assert says(goodbye) == finnish(SCREENED_OUT_BY_AREA)


def test_an_answer_in_a_group_with_room_goes_on(client, campaign):
    fill_young(campaign)
    attempt = call(add_contact(campaign))
    consent(client, attempt)

    assert gather_action(answer(client, attempt, 2, digits="3")) == question_url(attempt, 3)


def test_without_quotas_the_survey_runs_in_its_order(client, campaign):
    campaign.quotas_enabled = False
    campaign.save()
    attempt = call(add_contact(campaign))

    assert gather_action(consent(client, attempt)) == question_url(attempt, 1)
