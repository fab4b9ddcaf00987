"""Demo data for `seed_demo`: a city-strategy survey like the pilot's, in Finnish and Swedish,
and two campaigns on the simulator carrier:

- `pilotti`, set up like the pilot and ready to launch (`simulate_campaign --campaign pilotti
  --contacts 7703` runs it at the pilot's scale on a virtual clock);
- `pilotti-plus`, the pilot's set-up with what reaches the young: quotas by age group and district
  (PILOT_PLUS_COMPLETES wanted), young-first calling and an SMS link after the last unanswered call,
  also ready to launch (benchmarks/bench_strategies.py compares the two);
- `demo`, running from the start: its window is every hour of every day (named so), so that in
  `make demo` the worker calls its synthetic residents in real time whenever the demo is shown and
  the live campaign page shows the calls progressing. Its retries come after 15 minutes, not hours.
"""

import uuid
from datetime import date, time, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from surveys.models import Campaign, CampaignStatus, Contact, Demographic, LaunchChecklist, QuestionKind, Survey
from surveys.services import announcements as announcement_services
from surveys.services import campaigns as campaign_services
from surveys.services import surveys as survey_services
from surveys.services.contacts import contacts_import
from surveys.services.notices import information_notice_placeholder_languages
from surveys.services.surveys import OptionText
from surveys.services.synthetic_contacts import synthetic_contacts_add
from surveys.telephony.simulator import LIVE_SEED

SURVEY_SLUG = "kaupunkistrategia"
SAMPLE_CONTACTS = Path(__file__).resolve().parent.parent / "docs" / "samples" / "contacts-sample.csv"
CALLER_NUMBER = "+358 9 310 1691"
# The running demo campaign: the sample file's numbers and synthetic ones up to this many.
DEMO_CONTACTS = 400
# The namespace of the sample list's pseudonyms in the demo (`_sample_pseudonyms_fix`).
SAMPLE_PSEUDONYMS = uuid.UUID("5f0c3c2e-8d1b-4a4e-9b7a-6c1d2e3f4a5b")
# The pilot was announced three times over: on the city's website, in the local paper and on social media.
DEMO_ANNOUNCEMENT_CHANNELS = ["website", "social", "newspaper"]
# About the pilot's 1,132 completes, wanted in the population's shares.
PILOT_PLUS_COMPLETES = 1200

QUESTIONS = [
    {
        "kind": QuestionKind.CHOICE,
        "demographic": Demographic.AGE_GROUP,
        "text_fi": "Mihin ikäryhmään kuulut?",
        "text_sv": "Vilken åldersgrupp hör du till?",
        "options": [
            ("18–29", "18–29"),
            ("30–44", "30–44"),
            ("45–64", "45–64"),
            ("65–74", "65–74"),
            ("75 tai yli", "75 eller äldre"),
        ],
    },
    {
        "kind": QuestionKind.CHOICE,
        "demographic": Demographic.DISTRICT,
        "text_fi": "Millä alueella asut?",
        "text_sv": "I vilket område bor du?",
        "options": [
            ("Keskusta", "Centrum"),
            ("Pohjoinen", "Norra"),
            ("Etelä", "Södra"),
            ("Itä", "Östra"),
            ("Länsi", "Västra"),
            ("Haja-asutusalue", "Glesbygd"),
        ],
    },
    {
        "kind": QuestionKind.SCALE,
        "text_fi": "Kuinka tyytyväinen olet asumiseen kaupungissamme?",
        "text_sv": "Hur nöjd är du med att bo i vår stad?",
    },
    {
        "kind": QuestionKind.CHOICE,
        "text_fi": "Mikä on sinulle tärkeintä kaupungin kehittämisessä?",
        "text_sv": "Vad är viktigast för dig när staden utvecklas?",
        "options": [
            ("Palvelut lähellä", "Service nära"),
            ("Työpaikat ja yrittäjyys", "Arbetsplatser och företagande"),
            ("Luonto ja ympäristö", "Natur och miljö"),
            ("Liikenneyhteydet", "Trafikförbindelser"),
            ("Turvallisuus", "Trygghet"),
            ("Kulttuuri ja vapaa-aika", "Kultur och fritid"),
        ],
    },
    {
        "kind": QuestionKind.YES_NO,
        "text_fi": "Käytätkö kaupungin liikuntapaikkoja vähintään kerran viikossa?",
        "text_sv": "Använder du stadens idrottsplatser minst en gång i veckan?",
    },
    {
        "kind": QuestionKind.SCALE,
        "text_fi": "Kuinka tyytyväinen olet kaupungin liikuntapaikkoihin?",
        "text_sv": "Hur nöjd är du med stadens idrottsplatser?",
    },
    {
        "kind": QuestionKind.SCALE,
        "text_fi": "Kuinka turvalliseksi koet oman asuinalueesi?",
        "text_sv": "Hur trygg känner du dig i ditt eget bostadsområde?",
    },
    {
        "kind": QuestionKind.OPEN,
        "required": False,
        "text_fi": "Mitä haluaisit kaupungin kehittävän seuraavaksi? Kerro omin sanoin.",
        "text_sv": "Vad vill du att staden utvecklar härnäst? Berätta med egna ord.",
    },
]


@transaction.atomic
def survey_demo_seed(*, today: date | None = None) -> str:
    today = today or timezone.localdate()
    users = get_user_model().objects.in_bulk(["kyselyvastaava", "viestinta"], field_name="username")
    manager, communications = users["kyselyvastaava"], users["viestinta"]
    survey = Survey.objects.filter(slug=SURVEY_SLUG).first() or _survey_create(manager)

    pilot_start = _first_december_monday(today)
    demo_start = today
    for slug, fields, published_on in (
        ("pilotti", _pilot_fields(pilot_start), today),
        ("pilotti-plus", _pilot_plus_fields(pilot_start), today),
        ("demo", _demo_fields(demo_start), demo_start - timedelta(days=7)),
    ):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            campaign = campaign_services.campaign_create(
                by=manager, slug=slug, survey_version=survey.current_version, caller_number=CALLER_NUMBER, **fields
            )
        if campaign.status in (CampaignStatus.DRAFT, CampaignStatus.READY):
            if information_notice_placeholder_languages(campaign):
                # Seeded before the notice was completed: bring it up to what the launch gate expects.
                campaign = campaign_services.campaign_update(
                    campaign=campaign, by=manager, caller_number=campaign.caller_number, **DEMO_NOTICES
                )
            campaign_services.campaign_publish_questions(campaign=campaign, by=communications)
            campaign_services.checklist_confirm(
                campaign=campaign, by=manager, **dict.fromkeys(LaunchChecklist.ITEMS, True)
            )
        if not campaign.contacts.exists():
            contacts_import(campaign=campaign, file=SAMPLE_CONTACTS, filename=SAMPLE_CONTACTS.name, by=manager)
            _sample_pseudonyms_fix(campaign)
        for announcement in announcement_services.announcements_ensure(campaign=campaign):
            if announcement.published_on is None and announcement.channel in campaign.announcement_channels:
                announcement_services.announcement_publish(
                    announcement=announcement, published_on=published_on, by=communications
                )
    demo = Campaign.objects.get(slug="demo")
    if demo.contacts.count() < DEMO_CONTACTS:
        synthetic_contacts_add(campaign=demo, count=DEMO_CONTACTS - demo.contacts.count(), seed=LIVE_SEED)
    if demo.status in (CampaignStatus.DRAFT, CampaignStatus.READY):
        campaign_services.campaign_start(campaign=demo, by=manager)
    contacts = Contact.objects.filter(campaign__slug__in=["pilotti", "pilotti-plus", "demo"]).count()
    return (
        f"survey={SURVEY_SLUG} questions={survey.current_version.questions.count()} "
        f"campaigns=pilotti,pilotti-plus,demo contacts={contacts}"
    )


def _sample_pseudonyms_fix(campaign: Campaign) -> None:
    """The sample list's residents are the same people in every demo database. The simulator draws a
    contact's resident from its pseudonym, which a real import makes random: without this a seed
    would not replay the demo's campaigns the same way (the synthetic residents' are drawn from it)."""
    contacts = list(campaign.contacts.order_by("pk"))
    for row, contact in enumerate(contacts):
        contact.pseudonym = uuid.uuid5(SAMPLE_PSEUDONYMS, f"{campaign.slug}:{row}")
    Contact.objects.bulk_update(contacts, ["pseudonym"])


def _survey_create(manager) -> Survey:
    survey = survey_services.survey_create(
        slug=SURVEY_SLUG,
        organiser="Esimerkkilän kaupunki",
        organiser_sv="Exempelby stad",
        organiser_en="City of Esimerkkilä",
        by=manager,
        title_fi="Kaupunkistrategia 2030 – mikä sinulle on tärkeää?",
        title_sv="Stadsstrategi 2030 – vad är viktigt för dig?",
        purpose_fi="Kysymme asukkailta, mitä he arvostavat kaupungissa ja mihin suuntaan sitä pitäisi kehittää. "
        "Vastauksia käytetään kaupunkistrategian valmisteluun.",
        purpose_sv="Vi frågar invånarna vad de värdesätter i staden och åt vilket håll den borde utvecklas. "
        "Svaren används när stadsstrategin bereds.",
        offers_sv=True,
    )
    for spec in QUESTIONS:
        fields = {key: value for key, value in spec.items() if key != "options"}
        options = [OptionText(fi, sv) for fi, sv in spec.get("options", [])]
        survey_services.question_create(survey=survey, options=options, **fields)
    # Those who do not use the sports facilities skip the question about them.
    survey_services.question_update(
        survey=survey, position=5, skips={2: 7}, **{key: value for key, value in QUESTIONS[4].items()}
    )
    return survey


# A completed information notice: the default one has a placeholder controller the launch gate refuses.
DEMO_NOTICES = {
    "information_notice_fi": "\n".join(
        [
            "Rekisterinpitäjä: Esimerkkilän kaupunki, Kaupunginkanslia, Kaupungintalontie 1, 00100 Esimerkkilä; "
            "kirjaamo@esimerkkila.fi, puh. 09 310 1691. Tietosuojavastaava: tietosuoja@esimerkkila.fi.",
            "Tarkoitus: asukaskysely kaupunkistrategian valmistelua varten (yleisen edun mukainen tehtävä, "
            "EU:n tietosuoja-asetus 6 art. 1 e).",
            "Puhelinnumeroiden lähde: tietopalveluyritykseltä ostettu numeroluettelo.",
            "Säilytys: puhelinnumerot poistetaan 30 päivän kuluttua viimeisestä soittopäivästä; vastaukset "
            "säilytetään ilman numeroita raportointia varten 24 kuukautta.",
            "Oikeutesi: voit vastustaa käsittelyä (21 art.) ja pyytää, ettei sinulle soiteta enää, tarkastaa "
            "tietosi ja tehdä valituksen tietosuojavaltuutetulle.",
        ]
    ),
    "information_notice_sv": "\n".join(
        [
            "Personuppgiftsansvarig: Exempelby stad, Stadskansliet, Stadshusvägen 1, 00100 Exempelby; "
            "registratur@esimerkkila.fi, tfn 09 310 1691. Dataskyddsombud: tietosuoja@esimerkkila.fi.",
            "Syfte: en invånarenkät för beredningen av stadsstrategin (en uppgift av allmänt intresse, "
            "EU:s dataskyddsförordning art. 6.1 e).",
            "Telefonnumrens källa: en nummerförteckning köpt av ett informationstjänstföretag.",
            "Lagring: telefonnumren raderas 30 dagar efter den sista uppringningsdagen; svaren sparas utan "
            "nummer för rapporteringen i 24 månader.",
            "Dina rättigheter: du kan invända mot behandlingen (art. 21) och be att inte bli uppringd igen, "
            "granska dina uppgifter och lämna klagomål till dataombudsmannen.",
        ]
    ),
}


def _common_fields() -> dict:
    return {
        # The demo's residents are synthetic: its campaigns never call through the site's own carrier.
        "telephony_provider": "simulator",
        "number_source": "Numerot ostettu tietopalveluyritykseltä (vuosisopimus)",
        "max_attempts": 3,
        "price_per_minute": "0.09",
        "announcement_channels": list(DEMO_ANNOUNCEMENT_CHANNELS),
        **DEMO_NOTICES,
    }


def _pilot_fields(start: date) -> dict:
    return {
        **_common_fields(),
        "name": "Kaupunkistrategiakysely (pilotin asetukset)",
        "name_sv": "Stadsstrategienkät (pilotens inställningar)",
        "name_en": "City strategy survey (the pilot's settings)",
        "start_date": start,
        "end_date": start + timedelta(days=11),
        "daily_start": time(10),
        "daily_end": time(20),
        "weekdays": [0, 1, 2, 3, 4],
        "exclude_holidays": True,
        # Twenty lines, four new calls a second: the whole list is dialed in about half an hour.
        "max_concurrent_calls": 20,
        "calls_per_second": 4,
        "budget_cap": "12000",
    }


def _pilot_plus_fields(start: date) -> dict:
    return {
        **_pilot_fields(start),
        "name": "Kaupunkistrategiakysely (pilotin asetukset, kiintiöt, nuoret ensin, tekstiviestilinkki)",
        "name_sv": "Stadsstrategienkät (pilotens inställningar, kvoter, unga först, länk per sms)",
        "name_en": "City strategy survey (the pilot's settings, quotas, young first, SMS link)",
        "quotas_enabled": True,
        "target_completes": PILOT_PLUS_COMPLETES,
        "young_first": True,
        "sms_follow_up": True,
    }


def _demo_fields(start: date) -> dict:
    return {
        **_common_fields(),
        "name": "Esittelykampanja (simuloidut puhelut mihin aikaan tahansa)",
        "name_sv": "Demonstrationskampanj (simulerade samtal när som helst)",
        "name_en": "Demonstration campaign (simulated calls at any hour)",
        "start_date": start,
        "end_date": start + timedelta(days=60),
        "daily_start": time(0),
        "daily_end": time(23, 59),
        "weekdays": [0, 1, 2, 3, 4, 5, 6],
        "exclude_holidays": False,
        "is_demo_window": True,
        "min_gap_minutes": 15,
        "budget_cap": "300",
    }


def _first_december_monday(today: date) -> date:
    """The pilot called in the first half of December; the launch gate needs a week's notice first."""
    year = today.year
    while True:
        first = date(year, 12, 1)
        monday = first + timedelta(days=(7 - first.weekday()) % 7)
        if monday - timedelta(days=7) >= today:
            return monday
        year += 1
