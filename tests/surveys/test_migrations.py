"""Data migrations of the surveys app, run forward on rows as the versions before them stored them."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from surveys.models import CallAttempt, Campaign, ContactImport, ContactNumber, ReportFile, Response, Survey
from surveys.phone_numbers import phone_decrypt, phone_encrypt, phone_hash
from tests.migrations import migrated_from

pytestmark = pytest.mark.migrations


def old_campaign(old, slug: str = "k"):
    """A campaign as the app's state before the migration stores it."""
    user, _created = old.get_model("auth", "User").objects.get_or_create(username="vanha")
    survey, _created = old.get_model("surveys", "Survey").objects.get_or_create(
        slug="s", organiser="Kunta", created_by=user
    )
    version, _created = old.get_model("surveys", "SurveyVersion").objects.get_or_create(
        survey=survey, number=1, title_fi="Kysely", purpose_fi="Tarkoitus"
    )
    return old.get_model("surveys", "Campaign").objects.create(
        slug=slug,
        name="K",
        survey_version=version,
        caller_number="+358191234567",
        start_date=date(2025, 12, 8),
        end_date=date(2025, 12, 19),
        number_source="Välittäjä",
        information_notice_fi="Seloste.",
        created_by=user,
    )


@pytest.mark.django_db(transaction=True)
def test_each_stored_number_becomes_its_contacts_first_number_and_its_attempts_dialled_it():
    old, forward = migrated_from("surveys", "0007_announcement_generated_text")
    campaign = old_campaign(old)
    Contact = old.get_model("surveys", "Contact")
    kept = Contact.objects.create(
        campaign=campaign, phone_encrypted=phone_encrypt("+358401234567"), phone_hash=phone_hash("+358401234567")
    )
    purged = Contact.objects.create(campaign=campaign, phone_encrypted=None, phone_hash=None)
    old.get_model("surveys", "CallAttempt").objects.create(
        contact=kept, number=1, provider="simulator", scheduled_for="2025-12-08T10:00:00+02:00"
    )
    old.get_model("surveys", "ContactImport").objects.create(campaign=campaign, filename="a.csv", imported=2)

    forward()

    number = ContactNumber.objects.get(contact_id=kept.pk)
    assert (number.position, phone_decrypt(number.phone_encrypted)) == (1, "+358401234567")
    assert number.phone_hash == phone_hash("+358401234567")
    assert ContactNumber.objects.get(contact_id=purged.pk).phone_hash is None
    assert CallAttempt.objects.get().phone == number
    assert ContactImport.objects.values_list("status", "numbers").get() == ("done", 2)


@pytest.mark.django_db(transaction=True)
def test_twilios_detection_verdicts_become_the_portals_four_words_and_a_fax_is_no_machine():
    old, forward = migrated_from("surveys", "0008_contact_numbers_background_imports")
    campaign = old_campaign(old)
    Contact, Attempt = old.get_model("surveys", "Contact"), old.get_model("surveys", "CallAttempt")
    stored = [
        ("", "completed"),
        ("human", "completed"),
        ("machine_start", "machine"),
        ("machine_end_beep", "machine"),
        ("machine_end_silence", "machine"),
        ("fax", "machine"),
        ("unknown", "completed"),
    ]
    for answered_by, status in stored:
        contact = Contact.objects.create(campaign=campaign)
        Attempt.objects.create(
            contact=contact,
            number=1,
            provider="twilio",
            scheduled_for="2025-12-08T10:00:00+02:00",
            answered_by=answered_by,
            status=status,
        )

    forward()

    assert list(CallAttempt.objects.order_by("contact_id").values_list("answered_by", "status")) == [
        ("", "completed"),
        ("human", "completed"),
        ("machine", "machine"),
        ("machine", "machine"),
        ("machine", "machine"),
        ("fax", "fax"),
        ("unknown", "completed"),
    ]


@pytest.mark.django_db(transaction=True)
def test_stored_excel_reports_with_the_row_level_sheet_are_deleted_and_pdfs_kept():
    old, forward = migrated_from("surveys", "0009_calling_for_real")
    campaign = old_campaign(old)
    for file_format in ("xlsx", "pdf"):
        old.get_model("surveys", "ReportFile").objects.create(
            campaign=campaign, file_format=file_format, language="fi", content=b"x"
        )

    forward()

    assert list(ReportFile.objects.values_list("file_format", flat=True)) == ["pdf"]


@pytest.mark.django_db(transaction=True)
def test_a_campaign_plans_the_channels_it_was_announced_in_on_time_or_else_the_default_ones():
    old, forward = migrated_from("surveys", "0012_announcement_language_names")
    Announcement = old.get_model("surveys", "Announcement")
    announced, late_only, unannounced = (old_campaign(old, slug) for slug in ("ajoissa", "myohassa", "ilman"))
    on_time, late = date(2025, 12, 1), date(2025, 12, 2)  # the first calling day is 8.12.2025
    for campaign, channel, published_on in [
        (announced, "sms", on_time),
        (announced, "newspaper", late),
        (announced, "website", on_time),
        (late_only, "press", late),
    ]:
        Announcement.objects.create(
            campaign=campaign, channel=channel, language="fi", text="Teksti", published_on=published_on
        )
    Announcement.objects.create(campaign=unannounced, channel="press", language="fi", text="Teksti")

    forward()

    assert dict(Campaign.objects.values_list("slug", "announcement_channels")) == {
        "ajoissa": ["website", "sms"],
        "myohassa": ["website", "press"],
        "ilman": ["website", "press"],
    }


@pytest.mark.django_db(transaction=True)
def test_announcement_texts_take_each_languages_date_and_time_style_unless_edited_or_published():
    old, forward = migrated_from("surveys", "0013_campaign_announcement_channels")
    Announcement = old.get_model("surveys", "Announcement")
    campaign = old_campaign(old)
    swedish = "Mellan 2025-12-08 och 2025-12-19 ringer Kunta, klockan 10.00–20.00."
    finnish = "Kunta soittaa 8.12.2025–19.12.2025 klo 09.00–20.00."
    english = "Between 08/12/2025 and 19/12/2025, at 09.00-20.00."
    rows = [("website", "sv", swedish, swedish, None), ("website", "fi", finnish, finnish, None)]
    rows += [("website", "en", english, english, None), ("press", "sv", swedish, swedish, date(2025, 11, 30))]
    rows += [("social", "sv", "Redigerad 2025-12-08.", swedish, None)]
    for channel, language, text, generated, published_on in rows:
        Announcement.objects.create(
            campaign=campaign,
            channel=channel,
            language=language,
            text=text,
            generated_text=generated,
            published_on=published_on,
        )

    forward()

    stored = {(a.channel, a.language): (a.text, a.generated_text) for a in Announcement.objects.all()}
    new_swedish = "Mellan 8.12.2025 och 19.12.2025 ringer Kunta, klockan 10.00–20.00."
    assert stored == {
        ("website", "sv"): (new_swedish, new_swedish),
        ("website", "fi"): ("Kunta soittaa 8.12.2025–19.12.2025 klo 9.00–20.00.",) * 2,
        ("website", "en"): ("Between 08/12/2025 and 19/12/2025, at 09:00-20:00.",) * 2,
        ("press", "sv"): (swedish, new_swedish),  # published: the text went out as it was
        ("social", "sv"): ("Redigerad 2025-12-08.", new_swedish),  # edited by communications
    }


@pytest.mark.django_db(transaction=True)
def test_the_responses_stored_before_the_web_survey_were_given_by_phone():
    old, forward = migrated_from("surveys", "0014_announcement_texts_in_each_languages_style")
    campaign = old_campaign(old)
    old.get_model("surveys", "Response").objects.create(
        pseudonym="6f1c0c6e-8c1e-4a4e-9a4e-1f2d3c4b5a69", campaign=campaign, survey_version=campaign.survey_version
    )

    forward()

    assert list(Response.objects.values_list("mode", flat=True)) == ["phone"]


@pytest.mark.django_db(transaction=True)
def test_a_survey_and_campaign_stored_before_the_translated_names_keep_their_finnish_name_in_every_language():
    old, forward = migrated_from("surveys", "0025_sms_link_request")
    old_campaign(old)

    forward()

    survey, campaign = Survey.objects.get(), Campaign.objects.get()
    assert (survey.organiser, survey.organiser_sv, survey.organiser_en) == ("Kunta", "", "")
    assert (campaign.name, campaign.name_sv, campaign.name_en) == ("K", "", "")
    assert [survey.localized("organiser", language) for language in ("fi", "sv", "en")] == ["Kunta"] * 3
    assert [campaign.localized("name", language) for language in ("fi", "sv", "en")] == ["K"] * 3


@pytest.mark.django_db(transaction=True)
def test_the_calls_out_at_the_migration_end_by_twilios_longest_call_and_the_others_by_nothing():
    old, forward = migrated_from("surveys", "0028_sms_unconfirmed")
    contact = old.get_model("surveys", "Contact").objects.create(campaign=old_campaign(old))
    Attempt = old.get_model("surveys", "CallAttempt")
    placed_at = datetime(2025, 12, 10, 10, 0, tzinfo=UTC)
    common = {"contact": contact, "provider": "twilio", "scheduled_for": placed_at}
    ringing = Attempt.objects.create(number=1, status="in-progress", placed_at=placed_at, **common)
    ended = Attempt.objects.create(number=2, status="completed", placed_at=placed_at, **common)
    waiting = Attempt.objects.create(number=3, status="pending", **common)

    forward()

    ends_by = dict(CallAttempt.objects.values_list("pk", "ends_by"))
    assert ends_by == {ringing.pk: placed_at + timedelta(hours=4, minutes=10), ended.pk: None, waiting.pk: None}


@pytest.mark.django_db(transaction=True)
def test_each_response_gets_the_interview_code_the_report_gives_it():
    old, forward = migrated_from("surveys", "0031_call_attempt_failed_jobs")
    campaign = old_campaign(old)
    Question, Response_, Answer = (old.get_model("surveys", name) for name in ("Question", "Response", "Answer"))
    questions = [
        Question.objects.create(version=campaign.survey_version, position=position, kind="yes_no", text_fi="K?")
        for position in range(1, 6)
    ]

    def response(status: str, answered: int):
        stored = Response_.objects.create(
            pseudonym=uuid.uuid4(), campaign=campaign, survey_version=campaign.survey_version, status=status
        )
        for question in questions[:answered]:
            Answer.objects.create(response=stored, question=question, digits="1")
        return stored.pk

    codes = {
        response("complete", 5): "I",
        response("partial", 4): "I",  # 80 %: hung up before the closing words
        response("partial", 3): "P",
        response("partial", 1): "R",
        response("screened", 1): "NE",
    }

    forward()

    assert dict(Response.objects.values_list("pk", "interview_code")) == codes
