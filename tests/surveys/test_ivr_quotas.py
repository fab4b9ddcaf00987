"""The call with quotas: a person whose group the contact list does not tell is asked it right after
consenting, and a person whose group is full is thanked and let go, screened out (not a break-off)."""

import pytest

from surveys.models import Answer, CallAttempt, CallStatus, ContactStatus, Response, ResponseStatus
from surveys.services.dispositions import NOT_ELIGIBLE, campaign_dispositions
from surveys.services.quotas import campaign_quotas
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


def test_a_screening_question_without_a_valid_answer_goes_on_to_the_survey_not_round_again(client, campaign):
    contact = add_contact(campaign)  # age and district unknown
    attempt = call(contact)
    consent(client, attempt)

    reprompt = answer(client, attempt, 2)  # nothing understood: asked once more
    assert gather_action(reprompt) == question_url(attempt, 2)
    assert gather_action(answer(client, attempt, 2, digits="9")) == question_url(attempt, 3)  # the next asked first
    assert gather_action(answer(client, attempt, 3, digits="1")) == question_url(attempt, 1)  # the survey's start
    assert gather_action(answer(client, attempt, 1, digits="4")) == question_url(attempt, 4)  # 2 not asked again
    answer(client, attempt, 4, digits="1")

    response = Response.objects.get(pseudonym=contact.pseudonym)
    assert response.status == ResponseStatus.COMPLETE
    assert sorted(response.answers.values_list("question__position", flat=True)) == [1, 3, 4]
    age = campaign_quotas(campaign).dimension("age_group")
    assert sum(group.completes for group in age.groups) == 0  # counted in no age group


def test_star_on_an_optional_screening_question_moves_on_once(client, campaign):
    campaign.survey_version.questions.filter(position__in=[1, 2, 3]).update(required=False)
    attempt = call(add_contact(campaign))
    consent(client, attempt)

    assert gather_action(answer(client, attempt, 2, digits="*")) == question_url(attempt, 3)
    assert gather_action(answer(client, attempt, 3, digits="*")) == question_url(attempt, 1)
    assert gather_action(answer(client, attempt, 1, digits="*")) == question_url(attempt, 4)


def test_a_known_group_filling_during_the_screening_screens_the_person_out(client, campaign):
    contact = add_contact(campaign, postal_code="01900")  # Keskusta (quota 6) known, age unknown
    attempt = call(contact)
    assert gather_action(consent(client, attempt)) == question_url(attempt, 2)
    for year in [MIDDLE] * 3 + [1950] * 3:
        other = add_contact(campaign, birth_year=year, postal_code="01900")
        other.status = ContactStatus.FINISHED
        other.save()
        complete(other)

    goodbye = answer(client, attempt, 2, digits="2")

    assert goodbye.find("Gather") is None
    assert says(goodbye) == finnish(SCREENED_OUT_BY_AREA)
    assert Response.objects.get(pseudonym=contact.pseudonym).status == ResponseStatus.SCREENED_OUT


def test_the_questions_asked_first_are_decided_once_when_the_person_consents(client, campaign):
    contact = add_contact(campaign)  # both unknown: age, then district first
    attempt = call(contact)
    consent(client, attempt)
    assert Response.objects.get(pseudonym=contact.pseudonym).asked_first == [2, 3]
    # The contact list learns the district meanwhile: the call keeps its way.
    contact.postal_code = "01900"
    contact.save(update_fields=["postal_code"])

    assert gather_action(answer(client, attempt, 2, digits="2")) == question_url(attempt, 3)
    assert gather_action(answer(client, attempt, 3, digits="1")) == question_url(attempt, 1)
