"""Building blocks of the dialing tests: a running campaign with questions and contacts, and its attempts."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from surveys.models import CallAttempt, CallStatus, CampaignStatus, Contact, QuestionKind, QuestionOption
from surveys.services import surveys as survey_services
from surveys.services.contacts import contacts_import
from surveys.services.surveys import OptionText

HELSINKI = ZoneInfo("Europe/Helsinki")
# Wednesday in the default campaign window (8-19 Dec 2025, weekdays 10-20).
NOON = datetime(2025, 12, 10, 12, 0, tzinfo=HELSINKI)
# A campaign whose last calling day is NOON's and ends at 12:05: at NOON it is past its days of new
# numbers and in its day's last pacing step, so pacing lets every number left start at once and a
# test sees the dialer's other limits (concurrency, calls a second) alone.
UNPACED_AT_NOON = {"end_date": date(2025, 12, 10), "daily_end": time(12, 5)}


def add_questions(campaign) -> None:
    """Four questions: a choice whose answer 3 skips to question 4, yes/no, number 0-120, an optional open one."""
    survey = campaign.survey_version.survey
    age = survey_services.question_create(
        survey=survey,
        kind=QuestionKind.CHOICE,
        text_fi="Mihin ikäryhmään kuulut?",
        options=[OptionText("18–29"), OptionText("30–64"), OptionText("65+")],
    )
    survey_services.question_create(survey=survey, kind=QuestionKind.YES_NO, text_fi="Liikutko viikoittain?")
    survey_services.question_create(
        survey=survey, kind=QuestionKind.NUMBER, text_fi="Montako kertaa?", min_value=0, max_value=120
    )
    survey_services.question_create(
        survey=survey, kind=QuestionKind.OPEN, required=False, text_fi="Mitä pitäisi kehittää?"
    )
    QuestionOption.objects.filter(question=age, digit=3).update(
        skip_to=campaign.survey_version.questions.get(position=4)
    )


def running_campaign(make_campaign, slug: str = "soitot", numbers: tuple[str, ...] = ("0401234567",), **fields):
    campaign = make_campaign(slug, **fields)
    add_questions(campaign)
    data = ("puhelin\n" + "\n".join(numbers) + "\n").encode()
    contacts_import(campaign=campaign, file=data, filename="numerot.csv", by=None)
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])
    return campaign


def queued_attempt(contact: Contact, *, number: int = 1, status: str = CallStatus.QUEUED, **fields) -> CallAttempt:
    values = {
        "scheduled_for": NOON,
        "provider": contact.campaign.telephony_provider,
        "phone": contact.numbers.order_by("position").first(),
    } | fields
    return CallAttempt.objects.create(contact=contact, number=number, status=status, **values)
