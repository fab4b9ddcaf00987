"""The web survey with quotas: the same screening as the call, on the question's own page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import ContactStatus, Response, ResponseStatus
from surveys.services.dispositions import NOT_ELIGIBLE, campaign_dispositions
from surveys.services.quotas import campaign_quotas
from surveys.services.survey_links import survey_link_create
from tests.surveys.quota_fixtures import MIDDLE, YOUNG, add_contact, complete, quota_campaign
from tests.surveys.test_web_survey import page

pytestmark = pytest.mark.django_db
SCREENED_OUT = "Ryhmästäsi (ikäryhmästäsi tai asuinalueeltasi) on jo saatu riittävästi vastauksia"


@pytest.fixture
def campaign(make_campaign):
    # 18-29: 2 completes; calling until a month from today (its links are not due for the purge).
    campaign = quota_campaign(make_campaign, end_date=timezone.localdate() + timedelta(days=30))
    for _done in range(2):
        done = add_contact(campaign, birth_year=YOUNG, postal_code="01900")
        done.status = ContactStatus.FINISHED
        done.save()
        complete(done)
    return campaign


def test_an_answer_in_a_full_group_ends_the_web_survey_as_screened_out(client, campaign):
    contact = add_contact(campaign)
    link = survey_link_create(contact=contact)
    assert client.post(page(link), {"choice": 1})["Location"] == page(link, 2)  # the age first

    response = client.post(page(link, 2), {"answer": "1"})  # 18-29

    assert response["Location"] == page(link)
    assert Response.objects.get(pseudonym=contact.pseudonym).status == ResponseStatus.SCREENED_OUT
    thanks = client.get(page(link)).content.decode()
    assert SCREENED_OUT in thanks
    assert client.get(page(link, 3))["Location"] == page(link)  # nothing more is asked
    contact.refresh_from_db()
    assert (contact.status, contact.quota_closed_at is not None) == (ContactStatus.FINISHED, True)
    assert campaign_dispositions(campaign=campaign)[NOT_ELIGIBLE] == 1


def test_a_known_full_group_is_let_go_as_they_choose_to_answer(client, campaign):
    contact = add_contact(campaign, birth_year=YOUNG, postal_code="01900")
    link = survey_link_create(contact=contact)

    response = client.post(page(link), {"choice": 1})

    assert response["Location"] == page(link)
    assert SCREENED_OUT in client.get(page(link)).content.decode()


def test_a_group_with_room_goes_on(client, campaign):
    contact = add_contact(campaign)
    link = survey_link_create(contact=contact)
    client.post(page(link), {"choice": 1})

    assert client.post(page(link, 2), {"answer": "2"})["Location"] == page(link, 3)


def test_the_web_asks_the_quota_questions_the_list_does_not_answer_first_as_the_call_does(client, campaign):
    contact = add_contact(campaign)  # age and district unknown
    link = survey_link_create(contact=contact)

    assert client.post(page(link), {"choice": 1})["Location"] == page(link, 2)
    assert client.get(page(link, 1))["Location"] == page(link, 2)  # the survey's start waits
    assert client.post(page(link, 2), {"answer": "2"})["Location"] == page(link, 3)
    assert client.post(page(link, 3), {"answer": "1"})["Location"] == page(link, 1)
    assert client.post(page(link, 1), {"answer": "4"})["Location"] == page(link, 4)  # 2 and 3 not again
    client.post(page(link, 4), {"answer": "1"})

    response = Response.objects.get(pseudonym=contact.pseudonym)
    assert response.status == ResponseStatus.COMPLETE
    assert response.asked_first == [2, 3]
    assert sorted(response.answers.values_list("question__position", flat=True)) == [1, 2, 3, 4]


def test_a_skipped_optional_age_leaves_the_group_unknown_on_the_web_as_on_the_call(client, campaign):
    campaign.survey_version.questions.filter(position=2).update(required=False)
    contact = add_contact(campaign, postal_code="01900")  # age unknown
    link = survey_link_create(contact=contact)
    client.post(page(link), {"choice": 1})
    age = campaign_quotas(campaign).dimension("age_group")
    before = [group.completes for group in age.groups]

    assert client.post(page(link, 2), {"answer": ""})["Location"] == page(link, 1)
    assert client.post(page(link, 1), {"answer": "4"})["Location"] == page(link, 3)
    client.post(page(link, 3), {"answer": "1"})
    client.post(page(link, 4), {"answer": "1"})

    assert Response.objects.get(pseudonym=contact.pseudonym).status == ResponseStatus.COMPLETE
    age = campaign_quotas(campaign).dimension("age_group")
    assert [group.completes for group in age.groups] == before  # counted in no age group


def test_a_known_group_filling_during_the_web_screening_screens_the_person_out(client, campaign):
    contact = add_contact(campaign, postal_code="01900")  # Keskusta (6) known, age unknown
    link = survey_link_create(contact=contact)
    client.post(page(link), {"choice": 1})
    for year in [MIDDLE] * 4:  # Keskusta has 2 young completes already: 6 with these
        other = add_contact(campaign, birth_year=year, postal_code="01900")
        other.status = ContactStatus.FINISHED
        other.save()
        complete(other)

    assert client.post(page(link, 2), {"answer": "2"})["Location"] == page(link)

    assert Response.objects.get(pseudonym=contact.pseudonym).status == ResponseStatus.SCREENED_OUT


def test_the_questions_asked_first_are_numbered_as_they_are_asked(client, campaign):
    """The age (question 2) and the district (3) come first: the pages said 'Kysymys 2 / 4', then
    '3 / 4', then '1 / 4', a count that jumped back. They are numbered in the order asked."""
    contact = add_contact(campaign)
    link = survey_link_create(contact=contact)
    client.post(page(link), {"choice": 1})
    numbers = []
    for position, answer in ((2, "2"), (3, "1"), (1, "4"), (4, "1")):
        numbers.append(
            re.search(r'<p class="web-survey__progress">([^<]*)</p>', client.get(page(link, position)).text)[1]
        )
        client.post(page(link, position), {"answer": answer})

    assert numbers == ["Kysymys 1 / 4", "Kysymys 2 / 4", "Kysymys 3 / 4", "Kysymys 4 / 4"]
