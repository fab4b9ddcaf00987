"""Campaign and announcement pages: survey managers and the communications team."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from kuntaportaali.roles import Role
from surveys.models import Announcement, Campaign, CampaignStatus, PopulationTarget
from tests.surveys.factories import build_campaign, build_survey, make_launch_ready


@pytest.fixture
def survey(role_users):
    return build_survey(role_users[Role.SURVEY_MANAGER])


def campaign_post(survey, **overrides):
    start = timezone.localdate() + timedelta(days=20)
    return {
        "slug": "kevat",
        "name": "Kevään kysely",
        "name_sv": "Vårens enkät",
        "survey_version": survey.current_version.pk,
        "caller_number": "09 310 1691",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=11)).isoformat(),
        "daily_start": "10:00",
        "daily_end": "20:00",
        "weekdays": ["0", "1", "2", "3", "4"],
        "exclude_holidays": "on",
        "max_attempts": "3",
        "min_gap_minutes": "180",
        "max_concurrent_calls": "10",
        "calls_per_second": "1",
        "price_per_minute": "0.09",
        "telephony_provider": "simulator",
        "number_source": "Esimerkkivälittäjä Oy",
        "number_retention_days": "30",
        "answer_retention_months": "24",
        "information_notice_fi": "Rekisterinpitäjä: kaupunki.",
        "announcement_channels": ["website", "press"],
    } | overrides


def test_survey_manager_creates_a_campaign_with_pilot_defaults(client_as, survey):
    client = client_as(Role.SURVEY_MANAGER)

    form_page = client.get(reverse("surveys:campaign-create"))
    assert form_page.context["form"]["daily_start"].value().strftime("%H:%M") == "10:00"
    assert "Rekisterinpitäjä: kunta" in form_page.context["form"]["information_notice_fi"].value()
    response = client.post(reverse("surveys:campaign-create"), campaign_post(survey))

    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="kevat")
    assert (campaign.caller_number, campaign.weekdays, campaign.status) == ("+35893101691", [0, 1, 2, 3, 4], "draft")


def test_a_campaign_of_a_survey_offered_in_swedish_needs_its_swedish_name(client_as, survey):
    client = client_as(Role.SURVEY_MANAGER)

    refused = client.post(reverse("surveys:campaign-create"), campaign_post(survey, name_sv=" "))
    created = client.post(reverse("surveys:campaign-create"), campaign_post(survey, name_en="Spring survey"))

    assert refused.context["form"].errors == {
        "name_sv": ["Kysely tarjotaan kielellä ruotsi, joten tämä teksti tarvitaan."]
    }
    assert created.status_code == 302
    assert Campaign.objects.values_list("name", "name_sv", "name_en").get() == (
        "Kevään kysely",
        "Vårens enkät",
        "Spring survey",
    )


def test_a_campaign_of_a_finnish_only_survey_needs_no_swedish_name(client_as, role_users):
    finnish_only = build_survey(role_users[Role.SURVEY_MANAGER], slug="suomeksi", offers_sv=False)

    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-create"), campaign_post(finnish_only, name_sv="")
    )

    assert response.status_code == 302
    assert Campaign.objects.values_list("name", "name_sv").get() == ("Kevään kysely", "")


def age_targets(*labels):
    for position, label in enumerate(labels):
        PopulationTarget.objects.create(dimension="age_group", category=label, share="0.25", position=position)


def test_the_survey_manager_turns_young_first_on_and_the_campaign_page_says_so(client_as, survey):
    client = client_as(Role.SURVEY_MANAGER)
    age_targets("18–29", "30–64", "65 tai yli")

    assert client.post(reverse("surveys:campaign-create"), campaign_post(survey, young_first="on")).status_code == 302

    campaign = Campaign.objects.get(slug="kevat")
    assert campaign.young_first is True
    page = client.get(reverse("surveys:campaign", kwargs={"slug": campaign.slug})).text
    assert "nuoret ensin: ikäryhmille, joita on valmiissa vastauksissa väestöosuuttaan vähemmän" in page


def test_the_campaign_page_tells_a_retention_of_one_day_and_one_month_in_the_singular(client_as, survey):
    client = client_as(Role.SURVEY_MANAGER)
    post = campaign_post(survey, number_retention_days="1", answer_retention_months="1")
    assert client.post(reverse("surveys:campaign-create"), post).status_code == 302

    page = client.get(reverse("surveys:campaign", kwargs={"slug": "kevat"})).text

    assert "numerot 1 päivä viimeisen soittopäivän jälkeen, vastaukset 1 kuukausi" in page


@pytest.mark.parametrize("labels", [(), ("alle 30", "30–64", "65 tai yli")])
def test_young_first_without_age_groups_to_work_with_is_a_launch_warning_and_the_page_says_so(
    client_as, survey, labels
):
    age_targets(*labels)
    client = client_as(Role.SURVEY_MANAGER)
    client.post(reverse("surveys:campaign-create"), campaign_post(survey, young_first="on"))

    page = client.get(reverse("surveys:campaign", kwargs={"slug": "kevat"}))

    assert "nuoret ensin on valittu, mutta väestöosuuksissa ei ole ikäryhmiä" in page.text
    assert "nuoret ensin: ikäryhmille" not in page.text
    assert page.context["warnings"] == [
        "Nuoret ensin on käytössä, mutta väestöosuuksissa ei ole ikäryhmiä, joiden mukaan soittaa (ikäryhmän "
        "nimen pitää alkaa sen nuorimmasta iästä, esim. 18–29), joten numerot soitetaan tuontijärjestyksessä."
    ]


def test_a_new_campaign_calls_in_import_order_unless_young_first_is_chosen(client_as, survey):
    client = client_as(Role.SURVEY_MANAGER)

    client.post(reverse("surveys:campaign-create"), campaign_post(survey))

    campaign = Campaign.objects.get(slug="kevat")
    assert campaign.young_first is False
    assert "numerot tuontijärjestyksessä" in client.get(reverse("surveys:campaign", kwargs={"slug": "kevat"})).text


def test_prices_are_written_and_read_as_people_write_them(client_as, survey):
    client = client_as(Role.SURVEY_MANAGER)
    post = campaign_post(survey, price_per_minute="0,0125", budget_cap="12\u00a0000,50", calls_per_second="1,5")

    assert client.post(reverse("surveys:campaign-create"), post).status_code == 302
    campaign = Campaign.objects.get(slug="kevat")
    assert (campaign.price_per_minute, campaign.budget_cap, campaign.calls_per_second) == (
        Decimal("0.0125"),
        Decimal("12000.50"),
        Decimal("1.5"),
    )
    Campaign.objects.filter(pk=campaign.pk).update(price_per_minute=Decimal("0.09"))
    edit = client.get(reverse("surveys:campaign-edit", kwargs={"slug": campaign.slug})).text
    page = client.get(reverse("surveys:campaign", kwargs={"slug": campaign.slug})).text
    assert 'name="price_per_minute" value="0,09"' in edit
    assert "0,09 EUR alkavalta minuutilta" in page
    assert "Simulaattori (ei oikeita puheluita)" in page


def test_an_english_page_reads_euros_with_commas_between_thousands(client_as, survey, settings):
    client = client_as(Role.SURVEY_MANAGER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("surveys:campaign-create"), campaign_post(survey, budget_cap="12,000.50"))

    assert response.status_code == 302
    assert Campaign.objects.get(slug="kevat").budget_cap == Decimal("12000.50")


def test_a_price_per_minute_no_carrier_charges_is_refused_with_its_likely_cause(client_as, survey):
    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-create"), campaign_post(survey, price_per_minute="12.000")
    )

    assert response.status_code == 200
    assert "tarkista desimaalierotin" in response.text
    assert not Campaign.objects.exists()


def test_a_new_campaign_s_short_name_is_made_from_its_name_and_kept_unique(client_as, survey):
    client = client_as(Role.SURVEY_MANAGER)

    for _time in range(2):
        response = client.post(reverse("surveys:campaign-create"), campaign_post(survey, slug=""))
        assert response.status_code == 302

    assert sorted(Campaign.objects.values_list("slug", flat=True)) == ["kevaan-kysely", "kevaan-kysely-2"]


def test_the_new_campaign_form_puts_the_optional_short_name_under_the_name(client_as, survey):
    page = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign-create"))

    form = page.context["form"]
    assert list(form.fields)[:4] == ["name", "slug", "name_sv", "name_en"]
    assert not form.fields["slug"].required
    assert 'data-slug-from="id_name"' in page.text


def test_a_campaign_name_with_nothing_to_make_a_short_name_from_asks_for_one(client_as, survey):
    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-create"), campaign_post(survey, slug="", name="!!!")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["slug"]
    assert not Campaign.objects.exists()


def test_foreign_caller_number_is_refused_in_the_form(client_as, survey):
    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-create"), campaign_post(survey, caller_number="+7 495 123 4567")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["caller_number"] == [
        "Soittajan numeron on oltava suomalainen; vain pääkäyttäjä voi tehdä poikkeuksen."
    ]
    assert not Campaign.objects.exists()


def test_the_demo_window_is_refused_for_a_campaign_that_calls_real_residents(client_as, survey):
    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-create"), campaign_post(survey, telephony_provider="twilio", is_demo_window="on")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["is_demo_window"] == [
        "Esittelyn soittoikkuna on vain simulaattorin kautta soittaville kampanjoille: tämä kampanja soittaa "
        "oikeille asukkaille."
    ]
    assert not Campaign.objects.exists()


def test_a_site_that_calls_only_real_residents_offers_no_demo_window(client_as, survey, settings):
    settings.TELEPHONY_PROVIDERS = {"twilio": settings.TELEPHONY_PROVIDERS["twilio"]}
    settings.TELEPHONY_PROVIDER = "twilio"
    client = client_as(Role.SURVEY_MANAGER)

    page = client.get(reverse("surveys:campaign-create"))
    client.post(
        reverse("surveys:campaign-create"), campaign_post(survey, telephony_provider="twilio", is_demo_window="on")
    )

    assert "is_demo_window" not in page.context["form"].fields
    assert Campaign.objects.get(slug="kevat").is_demo_window is False


def test_a_demo_window_stored_on_a_real_campaign_is_cleared_by_saving_it_where_no_box_is_offered(
    client_as, survey, role_users, settings
):
    """The launch gate says to turn the setting off; on a site with only real providers the form has no
    box for it, and saving the campaign failed with a server error."""
    settings.TELEPHONY_PROVIDERS = {"twilio": settings.TELEPHONY_PROVIDERS["twilio"]}
    settings.TELEPHONY_PROVIDER = "twilio"
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER], telephony_provider="twilio")
    Campaign.objects.filter(pk=campaign.pk).update(is_demo_window=True)

    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-edit", kwargs={"slug": campaign.slug}),
        campaign_post(survey, telephony_provider="twilio"),
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.is_demo_window is False


def test_calls_must_end_after_they_start(client_as, survey):
    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-create"), campaign_post(survey, daily_start="20:00", daily_end="10:00")
    )

    assert response.context["form"].errors["daily_end"] == ["Soittojen on päätyttävä myöhemmin kuin ne alkavat."]


def test_campaign_page_lists_the_gate_and_refuses_a_start(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER])
    client = client_as(Role.SURVEY_MANAGER)

    page = client.get(reverse("surveys:campaign", kwargs={"slug": campaign.slug}))
    assert len(page.context["blockers"]) == 5
    refused = client.post(
        reverse("surveys:campaign-status", kwargs={"slug": campaign.slug}), {"to": "ready"}, follow=True
    )

    texts = [str(message) for message in refused.context["messages"]]
    assert "Käynnistyksen tarkistuslistaa ei ole vahvistettu." in texts
    assert len(texts) == 6  # the refusal and each blocker
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_checklist_is_confirmed_in_the_users_name(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER])

    client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-checklist", kwargs={"slug": campaign.slug}),
        dict.fromkeys(["purpose_not_marketing", "legal_basis_public_task"], "on"),
    )

    assert campaign.checklist.confirmed_by == role_users[Role.SURVEY_MANAGER]
    assert campaign.checklist.unconfirmed_items() == []


def test_communications_prepares_publishes_and_records_announcements(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER])
    client = client_as(Role.COMMUNICATIONS)

    page = client.get(reverse("surveys:campaign-announcements", kwargs={"slug": campaign.slug}))
    assert page.status_code == 200
    assert campaign.announcements.count() == 10  # five channels, Finnish and Swedish
    website = campaign.announcements.get(channel="website", language="fi")
    assert "09 3101691" in website.text
    assert f"/fi/kyselyt/{campaign.slug}/" in website.text
    assert f"/sv/enkater/{campaign.slug}/" in campaign.announcements.get(channel="website", language="sv").text

    client.post(reverse("surveys:campaign-publish", kwargs={"slug": campaign.slug}))
    published_on = timezone.localdate()
    client.post(
        reverse("surveys:announcement", kwargs={"pk": website.pk}),
        {"publish": "1", "published_on": published_on.isoformat()},
    )

    website.refresh_from_db()
    campaign.refresh_from_db()
    assert (website.published_on, website.published_by) == (published_on, role_users[Role.COMMUNICATIONS])
    assert campaign.questions_published_by == role_users[Role.COMMUNICATIONS]
    assert Announcement.objects.filter(campaign=campaign, published_on__isnull=False).count() == 1


def test_announcement_text_cannot_be_emptied(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER])
    client = client_as(Role.COMMUNICATIONS)
    client.get(reverse("surveys:campaign-announcements", kwargs={"slug": campaign.slug}))
    sms = campaign.announcements.get(channel="sms", language="fi")

    response = client.post(reverse("surveys:announcement", kwargs={"pk": sms.pk}), {"save": "1", "text": "   "})

    assert response.status_code == 200
    sms.refresh_from_db()
    assert sms.text.startswith("Esimerkkilän kaupunki soittaa asukkaille")


def test_survey_manager_starts_a_launch_ready_campaign_from_its_page(client_as, survey, role_users):
    campaign = make_launch_ready(
        build_campaign(survey, role_users[Role.SURVEY_MANAGER]),
        manager=role_users[Role.SURVEY_MANAGER],
        communications=role_users[Role.COMMUNICATIONS],
    )

    client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-launch", kwargs={"slug": campaign.slug}), {"confirmed": "yes"}
    )

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING


def test_a_publication_cannot_be_recorded_for_a_future_day(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER])
    client = client_as(Role.COMMUNICATIONS)
    client.get(reverse("surveys:campaign-announcements", kwargs={"slug": campaign.slug}))
    website = campaign.announcements.get(channel="website", language="fi")

    response = client.post(
        reverse("surveys:announcement", kwargs={"pk": website.pk}),
        {"publish": "1", "published_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
    )

    assert response.status_code == 200
    assert response.context["publish_form"].errors["published_on"]
    website.refresh_from_db()
    assert website.published_on is None


def test_the_checklist_page_refuses_changes_once_the_campaign_runs(client_as, survey, role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = make_launch_ready(
        build_campaign(survey, manager), manager=manager, communications=role_users[Role.COMMUNICATIONS]
    )
    client = client_as(Role.SURVEY_MANAGER)
    client.post(reverse("surveys:campaign-launch", kwargs={"slug": campaign.slug}), {"confirmed": "yes"})

    checklist_url = reverse("surveys:campaign-checklist", kwargs={"slug": campaign.slug})
    response = client.post(checklist_url, {"purpose_not_marketing": "on"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    campaign.refresh_from_db()
    assert campaign.checklist.unconfirmed_items() == []


@pytest.fixture
def running(client_as, survey, role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = make_launch_ready(
        build_campaign(survey, manager), manager=manager, communications=role_users[Role.COMMUNICATIONS]
    )
    client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-launch", kwargs={"slug": campaign.slug}), {"confirmed": "yes"}
    )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING
    return campaign


@pytest.mark.parametrize("final", ["completed", "cancelled"])
def test_a_final_transition_without_confirmation_is_refused(client_as, running, final):
    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-status", kwargs={"slug": running.slug}), {"to": final}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/staff/surveys/campaigns/{running.slug}/status/{final}/confirm/"
    running.refresh_from_db()
    assert running.status == CampaignStatus.RUNNING


@pytest.mark.parametrize("role", [Role.COUNCILLOR, Role.COMMUNICATIONS, Role.SUPERVISOR])
def test_other_roles_can_neither_open_the_confirmation_nor_end_the_campaign(client_as, running, role):
    client = client_as(role)
    confirm_url = reverse("surveys:campaign-status-confirm", kwargs={"slug": running.slug, "target": "cancelled"})

    page = client.get(confirm_url)
    post = client.post(
        reverse("surveys:campaign-status", kwargs={"slug": running.slug}), {"to": "cancelled", "confirmed": "yes"}
    )

    assert (page.status_code, post.status_code) == (403, 403)
    running.refresh_from_db()
    assert running.status == CampaignStatus.RUNNING


def test_a_confirmed_cancellation_ends_the_campaign_with_its_reason(client_as, running):
    client = client_as(Role.SURVEY_MANAGER)
    confirm_url = reverse("surveys:campaign-status-confirm", kwargs={"slug": running.slug, "target": "cancelled"})
    page = client.get(confirm_url).text
    assert '<input type="hidden" name="confirmed" value="yes">' in page
    assert f'<a href="/staff/surveys/campaigns/{running.slug}/">' in page  # back without changes
    assert 'class="button button--danger" aria-describedby="final-consequences"' in page

    client.post(
        reverse("surveys:campaign-status", kwargs={"slug": running.slug}),
        {"to": "cancelled", "confirmed": "yes", "note": "Budjetti loppui"},
    )

    running.refresh_from_db()
    assert running.status == CampaignStatus.CANCELLED
    assert running.status_changes.get(to_status=CampaignStatus.CANCELLED).note == "Budjetti loppui"
    history = client.get(reverse("surveys:campaign", kwargs={"slug": running.slug})).text
    assert re.search(r'<th scope="col" >\s*Syy\s*</th>', history) and "<td >Budjetti loppui</td>" in history


def test_pausing_stays_one_click_and_final_actions_open_the_confirmation(client_as, running):
    client = client_as(Role.SURVEY_MANAGER)
    page = client.get(reverse("surveys:campaign", kwargs={"slug": running.slug})).text
    assert f'href="/staff/surveys/campaigns/{running.slug}/status/completed/confirm/">Päätä kampanja</a>' in page
    assert (
        f'<a class="button button--danger" href="/staff/surveys/campaigns/{running.slug}/status/cancelled/confirm/">'
        in page
    )
    assert 'name="to" value="completed"' not in page and 'name="to" value="cancelled"' not in page

    client.post(reverse("surveys:campaign-status", kwargs={"slug": running.slug}), {"to": "paused"})

    running.refresh_from_db()
    assert running.status == CampaignStatus.PAUSED


def test_no_confirmation_page_for_a_transition_the_campaign_cannot_make(client_as, survey, role_users):
    draft = build_campaign(survey, role_users[Role.SURVEY_MANAGER])
    client = client_as(Role.SURVEY_MANAGER)

    assert client.get(f"/staff/surveys/campaigns/{draft.slug}/status/completed/confirm/").status_code == 404
    assert client.get(f"/staff/surveys/campaigns/{draft.slug}/status/paused/confirm/").status_code == 404


def test_each_checklist_box_sits_inside_its_own_label(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER])

    page = (
        client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign-checklist", kwargs={"slug": campaign.slug})).text
    )

    assert (
        '<label for="id_purpose_not_marketing"><input type="checkbox" name="purpose_not_marketing" '
        'id="id_purpose_not_marketing"> <span>Tarkoitus on kysely, ei markkinointi tai myynti.</span></label>'
    ) in page
    assert page.count('<div class="check-item">') == 2


SIMULATED_FI = 'role="note">Simuloitu kampanja: sen puhelut menevät puhelinsimulaattoriin'


def test_a_campaign_on_the_simulator_is_marked_simulated_on_its_page_and_in_the_list(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER], telephony_provider="simulator")
    client = client_as(Role.SURVEY_MANAGER)

    page = client.get(reverse("surveys:campaign", kwargs={"slug": campaign.slug})).text
    listing = client.get(reverse("surveys:campaigns")).text

    assert SIMULATED_FI in page
    assert '</a> <span class="tag">simuloitu</span>' in listing


def test_a_twilio_campaign_is_not_marked_simulated(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER], telephony_provider="twilio")
    client = client_as(Role.SURVEY_MANAGER)

    page = client.get(reverse("surveys:campaign", kwargs={"slug": campaign.slug})).text
    listing = client.get(reverse("surveys:campaigns")).text

    assert "imuloitu" not in page and "imuloitu" not in listing


def test_a_new_campaign_plans_the_website_and_a_press_release_and_the_manager_may_choose_others(client_as, survey):
    client = client_as(Role.SURVEY_MANAGER)

    form_page = client.get(reverse("surveys:campaign-create"))
    checkbox = r'<input type="checkbox" name="announcement_channels" value="(\w+)"[^>]*checked'
    checked = re.findall(checkbox, form_page.text)
    assert checked == ["website", "press"]
    response = client.post(
        reverse("surveys:campaign-create"), campaign_post(survey, announcement_channels=["press", "newspaper", "sms"])
    )

    assert response.status_code == 302
    assert Campaign.objects.get(slug="kevat").announcement_channels == ["press", "newspaper", "sms"]


@pytest.mark.parametrize("channels", [[], ["website", "tv"]], ids=["none", "unknown"])
def test_a_campaign_without_known_planned_channels_is_refused(client_as, survey, channels):
    response = client_as(Role.SURVEY_MANAGER).post(
        reverse("surveys:campaign-create"), campaign_post(survey, announcement_channels=channels)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["announcement_channels"]
    assert not Campaign.objects.exists()


def test_the_survey_manager_changes_the_planned_channels_on_the_campaign_form(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER])
    client = client_as(Role.SURVEY_MANAGER)
    url = reverse("surveys:campaign-edit", kwargs={"slug": campaign.slug})

    response = client.post(url, campaign_post(survey, announcement_channels=["newspaper"]))

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.announcement_channels == ["newspaper"]
    assert client.get(url).context["form"]["announcement_channels"].value() == ["newspaper"]


def test_the_announcements_page_shows_which_planned_channels_are_published_late_or_missing(
    client_as, survey, role_users
):
    today = timezone.localdate()
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER], start=today + timedelta(days=3))
    client = client_as(Role.COMMUNICATIONS)
    client.cookies["kuntaportaali_language"] = "en"
    client.get(reverse("surveys:campaign-announcements", kwargs={"slug": campaign.slug}))
    published = {("website", "fi"): 10, ("website", "sv"): 10, ("press", "fi"): 0, ("sms", "fi"): 10}  # days ago
    for (channel, language), days_ago in published.items():
        campaign.announcements.filter(channel=channel, language=language).update(
            published_on=today - timedelta(days=days_ago), published_by=role_users[Role.COMMUNICATIONS]
        )

    page = client.get(reverse("surveys:campaign-announcements", kwargs={"slug": campaign.slug}))

    plan = re.search(r'<ul class="announcement-plan">(.*?)</ul>', page.text, re.S).group(1)
    assert re.findall(r'<li data-channel="(\w+)" data-planned="(\w+)" data-state="(\w+)">', plan) == [
        ("website", "yes", "on_time"),
        ("press", "yes", "missing"),  # late in Finnish, and not out at all in Swedish
        ("sms", "no", "missing"),  # out in Finnish though not planned: listed, never holds up the start
    ]
    rows = dict(
        ((channel, language), (" ".join(planned.split()), state, " ".join(text.split())))
        for channel, language, planned, state, text in re.findall(
            r'<tr data-channel="(\w+)" data-language="(\w+)" class="\w+">.*?</th>\s*<td >.*?</td>\s*<td >(.*?)</td>\s*'
            r'<td data-state="(\w+)">(.*?)</td>',
            page.text,
            re.S,
        )
    )
    deadline = f"{today - timedelta(days=4):%d/%m/%Y}"
    assert len(rows) == 10  # five channels in Finnish and Swedish
    who = role_users[Role.COMMUNICATIONS]
    assert rows["press", "fi"] == ("planned", "late", f"{today:%d/%m/%Y} by {who} – too late: due by {deadline}")
    assert rows["press", "sv"] == ("planned", "missing", f"not published – due by {deadline}")
    assert rows["social", "fi"] == ("not planned", "missing", "not published")
    assert rows["website", "sv"][:2] == ("planned", "on_time")


def test_the_announcement_list_names_each_campaign_in_its_row_header(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER])

    listing = client_as(Role.COMMUNICATIONS).get(reverse("surveys:announcements")).text

    link = f'<a href="{reverse("surveys:campaign-announcements", kwargs={"slug": campaign.slug})}">{campaign.name}</a>'
    first_day = date_format(campaign.start_date, "SHORT_DATE_FORMAT")
    assert f'<th scope="row" >{link}</th><td >{first_day}</td><td >ei julkaistu</td>' in listing


def test_the_campaign_list_names_each_campaign_in_its_row_header(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER], telephony_provider="twilio")

    listing = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaigns")).text

    link = f'<a href="{reverse("surveys:campaign", kwargs={"slug": campaign.slug})}">{campaign.name}</a>'
    days = "–".join(date_format(day, "SHORT_DATE_FORMAT") for day in (campaign.start_date, campaign.end_date))
    assert (
        f'<th scope="row" >{link}</th><td >{campaign.survey_version}</td><td >{days}</td><td >0</td>'
        '<td ><span class="status status--draft">Luonnos</span></td>'
    ) in listing


def test_the_status_history_names_the_change_and_leaves_no_reason_blank(client_as, survey, role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(survey, manager)

    page = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign", kwargs={"slug": campaign.slug})).text

    created = campaign.status_changes.get()
    when = date_format(timezone.localtime(created.changed_at), "SHORT_DATETIME_FORMAT")
    assert '<caption id="status-history-caption" class="visually-hidden">Tilahistoria</caption>' in page
    assert f'<tr class="even"><td >{when}</td><td >Luonnos</td><td >{manager}</td><td >–</td></tr>' in page


def test_each_pre_announcement_row_is_named_by_its_channel_linking_to_its_text(client_as, survey, role_users):
    campaign = build_campaign(survey, role_users[Role.SURVEY_MANAGER])
    client = client_as(Role.COMMUNICATIONS)
    client.cookies["kuntaportaali_language"] = "en"

    page = client.get(reverse("surveys:campaign-announcements", kwargs={"slug": campaign.slug})).text

    website = campaign.announcements.get(channel="website", language="sv")
    link = f'<a href="{reverse("surveys:announcement", args=[website.pk])}">City website news</a>'
    assert f'<tr data-channel="website" data-language="sv" class="odd"><th scope="row" >{link}</th>' in page
    assert '<td data-state="missing">not published – due by ' in page
    assert '<caption id="announcements-caption">Pre-announcements by channel and language</caption>' in page


def test_the_channels_help_tells_a_lead_time_of_one_day_in_the_singular(client_as, survey, settings):
    settings.ANNOUNCEMENT_LEAD_DAYS = 1

    page = client_as(Role.SURVEY_MANAGER).get(reverse("surveys:campaign-create")).text

    assert "vähintään 1 päivä ennen ensimmäistä soittopäivää" in page
