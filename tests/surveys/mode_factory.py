"""A mixed-mode campaign for the results by mode, every figure worked out by hand.

The survey of `build_survey`: 1 age group (demographic), 2 "exercise weekly" yes/no, 3 satisfaction
1-5, 4 open. Population: 18-29 0.2, 30-64 0.5, 65+ 0.3.

Completes by phone 40 (18-29: 5, 30-64: 15, 65+: 20), on the web 35 (18-29: 14, 30-64: 16, 65+: 5).
The web added 35 of 75 completes (47 %); 14/35 = 40 % of them were 18-29, against 5/40 = 12.5 %
(13 %) of the phone completes. Every web respondent was first called without an answer, then sent
the SMS: phone mode 75 numbers (I 40, NC 35: known to be eligible, as they answered on the web), web
mode 35 (I 35), combined 75 (I 75).

Q2 is answered by age alone, the same in both modes: 18-29 yes, 65+ no, 30-64 yes for every other
one. Unweighted the modes look far apart (phone 13/40 yes, web 22/35), but each mode weighted to the
population says about the same: phone 0.2 + 0.5 * 8/15 = 0.467, web 0.2 + 0.5 * 8/16 = 0.45.
Q3 differs by mode itself: the phone answers 4 and 5 in turn, the web 2 and 3.
"""

from decimal import Decimal

from surveys.models import (
    Answer,
    CallStatus,
    CampaignStatus,
    Contact,
    PopulationTarget,
    Response,
    ResponseMode,
    ResponseStatus,
    SmsMessage,
    SmsStatus,
)
from surveys.services.dispositions import response_interview_code_refresh
from tests.conftest import make_user
from tests.surveys.calls import queued_attempt
from tests.surveys.factories import build_campaign, build_survey

AGE_GROUPS = ("18–29", "30–64", "65+")
PHONE_COMPLETES = {"18–29": 5, "30–64": 15, "65+": 20}
WEB_COMPLETES = {"18–29": 14, "30–64": 16, "65+": 5}


def set_population() -> None:
    for position, (category, share) in enumerate(zip(("18-29", "30-64", "65+"), ("0.2", "0.5", "0.3"), strict=True)):
        PopulationTarget.objects.create(dimension="age_group", category=category, share=share, position=position)


def _respond(campaign, questions, *, mode: str, age: str, index: int) -> Response:
    contact = Contact.objects.create(campaign=campaign)
    if mode == ResponseMode.PHONE:
        queued_attempt(contact, status=CallStatus.COMPLETED, current_step="closing", billed_minutes=2, cost="0.18")
    else:
        queued_attempt(contact, status=CallStatus.NO_ANSWER)
        SmsMessage.objects.create(contact=contact, provider="simulator", status=SmsStatus.DELIVERED, sender="Kunta")
    response = Response.objects.create(
        pseudonym=contact.pseudonym,
        campaign=campaign,
        survey_version=campaign.survey_version,
        status=ResponseStatus.COMPLETE,
        mode=mode,
    )
    exercise = {"18–29": 1, "65+": 2}.get(age, 1 + index % 2)
    satisfaction = (4 if mode == ResponseMode.PHONE else 2) + index % 2
    for position, digit in ((1, AGE_GROUPS.index(age) + 1), (2, exercise), (3, satisfaction)):
        question = questions[position]
        Answer.objects.create(
            response=response, question=question, option=question.options.get(digit=digit), digits=str(digit)
        )
    response_interview_code_refresh(response_id=response.pk)  # as the call and the web survey do
    return response


def mixed_mode_campaign(*, slug: str = "sekamuoto", web: bool = True, manager=None):
    """The campaign above, completed (`web=False`: its phone completes only, and no SMS)."""
    manager = manager or make_user(f"{slug}-manager")
    campaign = build_campaign(build_survey(manager, slug=f"{slug}-survey"), manager, slug=slug)
    campaign.budget_cap = Decimal("100.00")
    campaign.status = CampaignStatus.COMPLETED
    campaign.save(update_fields=["budget_cap", "status"])
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    for mode, completes in ((ResponseMode.PHONE, PHONE_COMPLETES), (ResponseMode.WEB, WEB_COMPLETES)):
        if mode == ResponseMode.WEB and not web:
            continue
        for age, count in completes.items():
            for index in range(count):
                _respond(campaign, questions, mode=mode, age=age, index=index)
    return campaign
