"""Surveys and campaigns built through the services, as the editor builds them."""

from datetime import date, timedelta

from django.utils import timezone

from surveys.models import Campaign, LaunchChecklist, QuestionKind, Survey
from surveys.services import announcements as announcement_services
from surveys.services import campaigns as campaign_services
from surveys.services import surveys as survey_services
from surveys.services.contacts import contacts_import
from surveys.services.surveys import OptionText


def build_survey(by, *, slug: str = "strategia", offers_sv: bool = True, **organiser_names) -> Survey:
    """`organiser_names`: the organiser's `organiser_sv` and `organiser_en`, none unless given."""
    survey = survey_services.survey_create(
        slug=slug,
        organiser="Esimerkkilän kaupunki",
        **organiser_names,
        by=by,
        title_fi="Mikä kaupungissa on tärkeää?",
        title_sv="Vad är viktigt i staden?" if offers_sv else "",
        purpose_fi="Kysymme asukkaiden mielipiteitä kaupunkistrategiaa varten.",
        purpose_sv="Vi frågar invånarnas åsikter inför stadsstrategin." if offers_sv else "",
        offers_sv=offers_sv,
    )
    sv = (lambda text: text) if offers_sv else (lambda text: "")
    survey_services.question_create(
        survey=survey,
        kind=QuestionKind.CHOICE,
        demographic="age_group",
        text_fi="Mihin ikäryhmään kuulut?",
        text_sv=sv("Vilken åldersgrupp hör du till?"),
        options=[OptionText("18–29", sv("18–29")), OptionText("30–64", sv("30–64")), OptionText("65+", sv("65+"))],
    )
    survey_services.question_create(
        survey=survey,
        kind=QuestionKind.YES_NO,
        text_fi="Liikutko viikoittain?",
        text_sv=sv("Motionerar du varje vecka?"),
    )
    survey_services.question_create(
        survey=survey, kind=QuestionKind.SCALE, text_fi="Kuinka tyytyväinen olet?", text_sv=sv("Hur nöjd är du?")
    )
    survey_services.question_create(
        survey=survey,
        kind=QuestionKind.OPEN,
        required=False,
        text_fi="Mitä kaupungin pitäisi kehittää?",
        text_sv=sv("Vad borde staden utveckla?"),
    )
    return survey


def skip_from_no_to_last(survey: Survey) -> None:
    """Answering "no" (2) to question 2 of `build_survey` jumps to question 4."""
    survey_services.question_update(
        survey=survey,
        position=2,
        kind=QuestionKind.YES_NO,
        text_fi="Liikutko viikoittain?",
        text_sv="Motionerar du varje vecka?",
        skips={2: 4},
    )


def build_campaign(survey: Survey, by, *, slug: str = "syksy", start: date | None = None, **fields) -> Campaign:
    start = start or timezone.localdate() + timedelta(days=14)
    values = {
        "name": "Syksyn kysely",
        "start_date": start,
        "end_date": start + timedelta(days=11),
        "number_source": "Esimerkkivälittäjä Oy",
        "information_notice_fi": "Rekisterinpitäjä: kaupunki.",
    } | fields
    return campaign_services.campaign_create(
        by=by, slug=slug, survey_version=survey.current_version, caller_number="09 310 1691", **values
    )


def add_numbers(campaign: Campaign, *numbers: str, by=None) -> None:
    """People to call, one number each, imported as a survey manager uploads them."""
    data = ("puhelinnumero\n" + "\n".join(numbers) + "\n").encode()
    contacts_import(campaign=campaign, file=data, filename="numerot.csv", by=by)


def make_launch_ready(campaign: Campaign, *, manager, communications) -> Campaign:
    """Everything the launch gate asks for: one number to call included."""
    campaign = make_ready_but_the_checklist(campaign, manager=manager, communications=communications)
    campaign_services.checklist_confirm(campaign=campaign, by=manager, **dict.fromkeys(LaunchChecklist.ITEMS, True))
    campaign.refresh_from_db()
    return campaign


def make_ready_but_the_checklist(campaign: Campaign, *, manager, communications) -> Campaign:
    """Communications' part of the launch gate done and one number to call: only the survey manager's
    checklist is left to confirm."""
    campaign_services.campaign_publish_questions(campaign=campaign, by=communications)
    add_numbers(campaign, "040 123 4567", by=manager)
    publish_planned_announcements(
        campaign, on=min(timezone.localdate(), campaign.start_date - timedelta(days=7)), by=communications
    )
    campaign.refresh_from_db()
    return campaign


def publish_planned_announcements(campaign: Campaign, *, on: date, by, languages: tuple[str, ...] = ()) -> None:
    """Record each planned channel's pre-announcement published `on` that day, in `languages` (every
    language of the survey when none are named)."""
    for announcement in announcement_services.announcements_ensure(campaign=campaign):
        if announcement.channel in campaign.announcement_channels and announcement.language in (
            languages or campaign.survey_version.languages
        ):
            announcement_services.announcement_publish(announcement=announcement, published_on=on, by=by)
