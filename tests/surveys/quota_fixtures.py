"""A running campaign with quotas: an opinion question first, then the age and district questions,
the population targets of both (districts with their postal codes) and contacts of known or unknown
groups."""

from decimal import Decimal

from surveys.models import (
    Answer,
    CampaignStatus,
    Contact,
    ContactNumber,
    PopulationTarget,
    QuestionKind,
    Response,
    ResponseMode,
    ResponseStatus,
    TargetDimension,
)
from surveys.phone_numbers import phone_encrypt, phone_hash
from surveys.services import surveys as survey_services
from surveys.services.dispositions import response_interview_code_refresh
from surveys.services.surveys import OptionText

AGES = [("18–29", "0.20"), ("30–64", "0.50"), ("65+", "0.30")]
DISTRICTS = [("Keskusta", "0.60", ["01900"]), ("Kylät", "0.40", ["01980", "01990"])]
# Born in these years, a person is in each age group in 2025 (the campaign's first calling day).
YOUNG, MIDDLE, OLD = 2000, 1980, 1950


def quota_targets() -> None:
    for position, (category, share) in enumerate(AGES):
        PopulationTarget.objects.create(
            dimension=TargetDimension.AGE_GROUP, category=category, share=Decimal(share), position=position
        )
    for position, (category, share, codes) in enumerate(DISTRICTS):
        PopulationTarget.objects.create(
            dimension=TargetDimension.DISTRICT,
            category=category,
            share=Decimal(share),
            position=position,
            postal_codes=codes,
        )


def quota_questions(campaign) -> None:
    survey = campaign.survey_version.survey
    survey_services.question_create(survey=survey, kind=QuestionKind.SCALE, text_fi="Kuinka tyytyväinen olet?")
    survey_services.question_create(
        survey=survey,
        kind=QuestionKind.CHOICE,
        demographic="age_group",
        text_fi="Mihin ikäryhmään kuulut?",
        options=[OptionText(category) for category, _share in AGES],
    )
    survey_services.question_create(
        survey=survey,
        kind=QuestionKind.CHOICE,
        demographic="district",
        text_fi="Millä alueella asut?",
        options=[OptionText(category) for category, _share, _codes in DISTRICTS],
    )
    survey_services.question_create(survey=survey, kind=QuestionKind.YES_NO, text_fi="Liikutko viikoittain?")


def quota_campaign(make_campaign, *, slug: str = "kiintiot", target_completes: int = 10, **fields):
    """A running campaign with quotas on: 10 completes wanted gives 18-29: 2, 30-64: 5, 65+: 3 and
    Keskusta: 6, Kylät: 4."""
    campaign = make_campaign(
        slug, quotas_enabled=True, target_completes=target_completes, status=CampaignStatus.RUNNING, **fields
    )
    quota_questions(campaign)
    quota_targets()
    return campaign


_numbers = iter(range(10**6))


def add_contact(campaign, *, birth_year: int | None = None, postal_code: str = "") -> Contact:
    contact = Contact.objects.create(campaign=campaign, birth_year=birth_year, postal_code=postal_code)
    number = f"+35840{next(_numbers):07d}"
    ContactNumber.objects.create(
        contact=contact,
        campaign=campaign,
        position=1,
        phone_encrypted=phone_encrypt(number),
        phone_hash=phone_hash(number),
    )
    return contact


def complete(
    contact: Contact, *, mode: str = ResponseMode.PHONE, answers: dict[int, str | None] | None = None
) -> Response:
    """A complete response of the contact: the questions in `answers` (position -> option label, None
    for none) answered so, the others with their first option (an open one with a suggestion)."""
    campaign = contact.campaign
    response = Response.objects.create(
        pseudonym=contact.pseudonym,
        campaign=campaign,
        survey_version=campaign.survey_version,
        status=ResponseStatus.COMPLETE,
        mode=mode,
    )
    for question in campaign.survey_version.questions.prefetch_related("options"):
        options = list(question.options.all())
        label = (answers or {}).get(question.position, options[0].label_fi if options else "")
        if label is None:
            continue
        if options:
            chosen = next(option for option in options if option.label_fi == label)
            Answer.objects.create(response=response, question=question, option=chosen)
        else:
            Answer.objects.create(response=response, question=question, transcript="Lisää pyöräteitä.")
    # Stored as the call and the web survey store it: the quotas count the responses it calls complete.
    response_interview_code_refresh(response_id=response.pk)
    response.refresh_from_db()
    return response
