"""The web survey with quotas: the same screening as the call, on the question's own page."""

import pytest

from surveys.models import ContactStatus, Response, ResponseStatus
from surveys.services.dispositions import NOT_ELIGIBLE, campaign_dispositions
from surveys.services.survey_links import survey_link_create
from tests.surveys.quota_fixtures import MIDDLE, YOUNG, add_contact, complete, quota_campaign
from tests.surveys.test_web_survey import page

pytestmark = pytest.mark.django_db
SCREENED_OUT = "Ryhmästäsi (ikäryhmästäsi tai asuinalueeltasi) on jo saatu riittävästi vastauksia"


@pytest.fixture
def campaign(make_campaign):
    campaign = quota_campaign(make_campaign)  # 18-29: 2 completes
    for _done in range(2):
        done = add_contact(campaign, birth_year=YOUNG, postal_code="01900")
        done.status = ContactStatus.FINISHED
        done.save()
        complete(done)
    return campaign


def test_an_answer_in_a_full_group_ends_the_web_survey_as_screened_out(client, campaign):
    contact = add_contact(campaign)
    link = survey_link_create(contact=contact)
    client.post(page(link), {"choice": 1})
    client.post(page(link, 1), {"answer": "4"})

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
    contact = add_contact(campaign, birth_year=MIDDLE)
    link = survey_link_create(contact=contact)
    client.post(page(link), {"choice": 1})
    client.post(page(link, 1), {"answer": "4"})

    assert client.post(page(link, 2), {"answer": "2"})["Location"] == page(link, 3)
