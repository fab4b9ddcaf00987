"""A person with several numbers: one contact whose numbers are called in turn, a number the carrier
refuses is not called again, and an opt-out covers all of them."""

from datetime import timedelta

import pytest

from surveys.models import CallAttempt, CallStatus, ContactNumber, ContactStatus, DoNotCall
from surveys.phone_numbers import phone_decrypt, phone_hash
from surveys.services.dialing import call_status_apply, dial_tick
from surveys.services.privacy import opt_out_register
from surveys.telephony import StatusUpdate
from tests.surveys.calls import NOON, add_questions
from tests.surveys.test_ivr import intro, start

FILE = "Puhelin 1;Puhelin 2\n040 123 4567;09 123 4567\n"


@pytest.fixture
def campaign(make_campaign):
    from surveys.models import CampaignStatus
    from surveys.services.contacts import contacts_import

    campaign = make_campaign("kaksi-numeroa", max_attempts=3)
    add_questions(campaign)
    contacts_import(campaign=campaign, file=FILE.encode(), filename="numerot.csv")
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])
    return campaign


def dialled_number(attempt: CallAttempt) -> str:
    return phone_decrypt(attempt.phone.phone_encrypted)


def unanswered(attempt: CallAttempt, now) -> CallAttempt:
    CallAttempt.objects.filter(pk=attempt.pk).update(status=CallStatus.DIALING, placed_at=now)
    update = StatusUpdate(call_id=f"SIM{attempt.pk}", status=CallStatus.NO_ANSWER)
    call_status_apply(attempt_id=attempt.pk, provider=attempt.provider, update=update, now=now)
    return CallAttempt.objects.get(contact=attempt.contact, number=attempt.number + 1)


def test_the_numbers_of_a_person_are_called_in_turn(campaign, rq_queues, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert dial_tick(campaign=campaign, now=NOON) == 1
    first = CallAttempt.objects.get()

    second = unanswered(first, NOON)
    third = unanswered(second, NOON + timedelta(days=1))

    assert [dialled_number(attempt) for attempt in (first, second, third)] == [
        "+358401234567",
        "+35891234567",
        "+358401234567",
    ]


def test_a_number_the_carrier_refused_is_skipped_and_the_other_is_called(campaign):
    contact = campaign.contacts.get()
    home = contact.numbers.get(position=2)
    home.carrier_refused = True
    home.save(update_fields=["carrier_refused"])
    first = CallAttempt.objects.create(
        contact=contact, number=1, phone=contact.numbers.get(position=1), scheduled_for=NOON, provider="simulator"
    )

    second = unanswered(first, NOON)

    assert dialled_number(second) == "+358401234567"


def test_opting_out_on_the_call_puts_every_number_of_the_person_on_the_registry(client, campaign):
    contact = campaign.contacts.get()
    contact.status = ContactStatus.IN_PROGRESS
    contact.save(update_fields=["status"])
    attempt = CallAttempt.objects.create(
        contact=contact,
        number=1,
        phone=contact.numbers.get(position=1),
        status=CallStatus.RINGING,
        provider_call_id="SIM1",
        scheduled_for=NOON,
        provider="simulator",
    )
    start(client, attempt)

    intro(client, attempt, digits="9")

    assert set(DoNotCall.objects.values_list("phone_hash", flat=True)) == {
        phone_hash("+358401234567"),
        phone_hash("+35891234567"),
    }


def test_an_opt_out_with_the_second_number_stops_the_person(campaign):
    opt_out_register(raw_number="09 123 4567", source="web")

    assert campaign.contacts.get().status == ContactStatus.OPTED_OUT
    assert ContactNumber.objects.filter(campaign=campaign).count() == 2
