"""The attempt coverage says a number got fewer calls because its person completed the survey as the
funnel and the AAPOR table count a complete answer: at least 80 % of the questions that applied
(surveys.services.dispositions), also when the call ended before the closing.

The survey of `running_campaign`: 1 a choice, 2 yes/no, 3 a number, 4 an optional open question.
The person answered 1, 2 and 3 and hung up at the optional question 4: 3 of the 3 questions that
applied, a complete answer (I). The funnel says 1 complete; the coverage said "refused or broke off".
"""

from datetime import timedelta

import pytest

from surveys.models import Answer, CallStatus, ConsentEvent, ConsentKind, ContactStatus, Response, ResponseStatus
from surveys.selectors import campaign_progress
from surveys.services.dispositions import campaign_dispositions, response_interview_code_refresh
from tests.surveys.calls import NOON, queued_attempt, running_campaign

pytestmark = pytest.mark.django_db


def test_a_person_who_answered_every_question_that_applied_completed_the_survey(make_campaign):
    campaign = running_campaign(make_campaign, max_attempts=3)
    contact = campaign.contacts.get()
    queued_attempt(
        contact,
        status=CallStatus.COMPLETED,
        placed_at=NOON,
        answered_at=NOON + timedelta(seconds=10),
        current_step="q4",
    )
    ConsentEvent.objects.create(
        campaign=campaign, contact_ref=contact.pseudonym, kind=ConsentKind.CONSENTED, channel="call"
    )
    response = Response.objects.create(
        pseudonym=contact.pseudonym,
        campaign=campaign,
        survey_version=campaign.survey_version,
        status=ResponseStatus.PARTIAL,
    )
    for question in campaign.survey_version.questions.order_by("position")[:3]:
        Answer.objects.create(response=response, question=question, digits="1", option=question.options.first())
    response_interview_code_refresh(response_id=response.pk)  # as the call stores it with each answer
    contact.status = ContactStatus.FINISHED
    contact.save(update_fields=["status"])

    progress = campaign_progress(campaign)

    assert campaign_dispositions(campaign=campaign)["I"] == 1
    assert (progress.complete, progress.partial, progress.break_offs) == (1, 0, 0)
    assert progress.coverage[1].numbers == 1
    assert (progress.coverage[1].reasons["complete"], progress.coverage[1].reasons["refused"]) == (1, 0)
