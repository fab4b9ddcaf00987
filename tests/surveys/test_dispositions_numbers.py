"""A person's disposition when they have several numbers (several phone columns of the contact file:
one contact, whose numbers are called in turn). A fax or data line says only that that number reaches
no person (AAPOR 4.20 is a property of the number): the dialer goes on to the person's other numbers,
and what those tell decides. The person is not eligible only when every number tried is a fax line or
does not work - as for numbers that do not work (4.32), and as the attempt coverage already counts it.

Contact 1: a landline that answers as a fax, then a mobile that rings unanswered twice.
By hand: the mobile is a working line whose owner never answered: unknown eligibility, UH (3.13), not
NE. With contact 2, a complete interview: I 1, UH 1 -> D = 2, RR1 = 1/2 = 50 % (the portal said
NE, D = 1, RR1 = 100 %), and e = 1 / (1 + 0) = 1 (it said 1/2).
"""

import pytest

from surveys.models import AnsweredBy, CallStatus, CampaignStatus, ResponseStatus
from surveys.services.contacts import contacts_import
from surveys.services.dispositions import campaign_dispositions
from surveys.services.rates import response_rates
from tests.surveys.calls import add_questions
from tests.surveys.test_dispositions import attempt, respond

pytestmark = pytest.mark.django_db

S = CallStatus


@pytest.fixture
def campaign(make_campaign):
    campaign = make_campaign("numerot")
    add_questions(campaign)
    data = b"puhelin;matkapuhelin\n09 310 1691;040 123 4567\n;040 765 4321\n"
    contacts_import(campaign=campaign, file=data, filename="numerot.csv", by=None, phone_columns=[0, 1])
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])
    return campaign


def test_a_fax_landline_does_not_make_a_person_whose_mobile_rang_unanswered_not_eligible(campaign):
    two_numbers, one_number = campaign.contacts.order_by("pk")
    landline, mobile = two_numbers.numbers.order_by("position")
    attempt(two_numbers, S.FAX, number=1, by=AnsweredBy.FAX, picked_up=True, phone=landline)
    attempt(two_numbers, S.NO_ANSWER, number=2, phone=mobile)
    attempt(two_numbers, S.NO_ANSWER, number=3, phone=mobile)
    attempt(one_number, S.COMPLETED, picked_up=True, step="closing")
    respond(one_number, ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 5})

    counts = campaign_dispositions(campaign=campaign).counts

    assert {code: count for code, count in counts.items() if count} == {"I": 1, "UH": 1}
    rates = response_rates(counts)
    assert rates.rr["RR1"] == pytest.approx(1 / 2)
    assert rates.e == pytest.approx(1.0)


def test_a_person_whose_every_number_is_a_fax_or_does_not_work_is_not_eligible(campaign):
    two_numbers, _one_number = campaign.contacts.order_by("pk")
    landline, mobile = two_numbers.numbers.order_by("position")
    attempt(two_numbers, S.NO_ANSWER, number=1, phone=landline)
    attempt(two_numbers, S.FAX, number=2, by=AnsweredBy.FAX, picked_up=True, phone=landline)
    attempt(two_numbers, S.FAILED, number=3, phone=mobile)

    assert campaign_dispositions(campaign=campaign).counts["NE"] == 1
