"""The finished report of a pilot-sized campaign: 7,759 numbers, about 20,000 calls of which about
13,000 were answered (people and answering machines), about 1,200 complete answers to the demo
survey's eight questions, weighted by age group and district to the demo targets. Wall time of the
PDF and of the XLSX (results computed, rendered, bytes returned), and of the results page.
Figures go to docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_survey_report
"""

import random
import statistics
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from benchmarks.harness import benchmark_database, describe_machine, setup_django

NUMBERS = 7_759
RUNS = 3
SEED = 2021
HELSINKI = ZoneInfo("Europe/Helsinki")
# The pilot's respondents: 5.3 % aged 18-29 and 54 % over 65 (the demo survey's five age groups).
AGE_WEIGHTS = (0.053, 0.10, 0.307, 0.30, 0.24)
DISTRICT_WEIGHTS = (0.34, 0.17, 0.16, 0.13, 0.12, 0.08)
OPEN_ANSWERS = (
    "Lisää kevyen liikenteen väyliä ja parempi valaistus",
    "Terveyskeskuksen palvelut lähemmäs",
    "Kirjaston aukioloajat pidemmiksi",
    "Joukkoliikenne kyliin useammin",
    "Uimahalli kuntoon",
    "Nuorille enemmän tekemistä iltaisin",
    "Tiet kuntoon ja talvikunnossapito paremmaksi",
    "Vanhusten palveluihin lisää henkilökuntaa",
)


def build_campaign(user):
    """The survey, targets and campaign, then contacts, attempts, consent events, responses and
    answers in bulk, like the pilot: returns the campaign and what was created."""
    from surveys.demo import QUESTIONS
    from surveys.demo_results import demo_population_targets
    from surveys.models import (
        Answer,
        CallAttempt,
        CallStatus,
        Campaign,
        CampaignStatus,
        ConsentEvent,
        ConsentKind,
        Contact,
        ContactStatus,
        Response,
        ResponseStatus,
    )
    from surveys.services import surveys as survey_services
    from surveys.services.surveys import OptionText

    rng = random.Random(SEED)  # noqa: S311 (reproducible test data, not secrets)
    survey = survey_services.survey_create(
        slug="bench-strategia",
        organiser="Esimerkkilän kaupunki",
        by=user,
        title_fi="Kaupunkistrategia 2030 – mikä sinulle on tärkeää?",
        title_sv="Stadsstrategi 2030 – vad är viktigt för dig?",
        purpose_fi="Kysymme asukkailta, mitä he arvostavat.",
        purpose_sv="Vi frågar invånarna vad de värdesätter.",
        offers_sv=True,
    )
    for spec in QUESTIONS:
        fields = {key: value for key, value in spec.items() if key != "options"}
        survey_services.question_create(
            survey=survey, options=[OptionText(fi, sv) for fi, sv in spec.get("options", [])], **fields
        )
    demo_population_targets()
    campaign = Campaign.objects.create(
        slug="bench-pilotti",
        name="Kaupunkistrategiakysely",
        survey_version=survey.current_version,
        caller_number="+35893101691",
        start_date=date(2021, 12, 7),
        end_date=date(2021, 12, 17),
        number_source="Tietopalveluyhtiö",
        information_notice_fi="Rekisteriseloste.",
        created_by=user,
        status=CampaignStatus.COMPLETED,
        budget_cap=Decimal("12000"),
        answer_retention_months=120,  # the pilot's dates: the default 24 months would have purged the answers
    )
    questions = list(campaign.survey_version.questions.prefetch_related("options").order_by("position"))
    options = {question.position: list(question.options.all()) for question in questions}

    contacts = Contact.objects.bulk_create(
        (Contact(campaign=campaign, status=ContactStatus.FINISHED) for _ in range(NUMBERS)), batch_size=5_000
    )
    start = datetime(2021, 12, 7, 10, 0, tzinfo=HELSINKI)
    attempts, events, responses, plans = [], [], [], []
    for contact in contacts:
        roll = rng.random()
        # (outcome of the last attempt, attempts made): complete, partial, refusal, machines, no answer, disconnected
        if roll < 0.155:
            outcome, tries = "complete", rng.choice((1, 1, 2, 3))
        elif roll < 0.165:
            outcome, tries = "partial", 1
        elif roll < 0.43:
            outcome, tries = "refusal", rng.choice((1, 2, 3))
        elif roll < 0.80:
            outcome, tries = "machine", 3
        elif roll < 0.97:
            outcome, tries = "no-answer", 3
        else:
            outcome, tries = "failed", 1
        when = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 8))
        for number in range(1, tries + 1):
            last = number == tries
            if outcome == "failed":
                status, step = CallStatus.FAILED, ""
            elif last and outcome in ("complete", "partial", "refusal"):
                status, step = (
                    CallStatus.COMPLETED,
                    {"complete": "closing", "partial": "q3", "refusal": "intro"}[outcome],
                )
            elif outcome == "no-answer" or rng.random() < 0.15:
                status, step = CallStatus.NO_ANSWER, ""
            else:
                status, step = CallStatus.MACHINE, ""
            answered = status in (CallStatus.COMPLETED, CallStatus.MACHINE)
            minutes = {"closing": 4, "q3": 2, "intro": 1}.get(step, 1 if answered else 0)
            attempts.append(
                CallAttempt(
                    contact=contact,
                    number=number,
                    status=status,
                    provider="simulator",
                    scheduled_for=when,
                    placed_at=when,
                    answered_at=when if answered else None,
                    ended_at=when + timedelta(minutes=minutes),
                    duration_seconds=60 * minutes,
                    billed_minutes=minutes,
                    cost=Decimal("0.09") * minutes,
                    current_step=step,
                )
            )
            when += timedelta(hours=rng.choice((3, 5, 26)))
        if outcome in ("complete", "partial"):
            events.append(
                ConsentEvent(
                    campaign=campaign, contact_ref=contact.pseudonym, kind=ConsentKind.CONSENTED, channel="call"
                )
            )
            status = ResponseStatus.COMPLETE if outcome == "complete" else ResponseStatus.PARTIAL
            responses.append(
                Response(
                    pseudonym=contact.pseudonym,
                    campaign=campaign,
                    survey_version=campaign.survey_version,
                    language="sv" if rng.random() < 0.05 else "fi",
                    status=status,
                    finished_at=when if outcome == "complete" else None,
                )
            )
            plans.append(outcome)
        elif outcome == "refusal":
            events.append(
                ConsentEvent(
                    campaign=campaign, contact_ref=contact.pseudonym, kind=ConsentKind.DECLINED, channel="call"
                )
            )
    CallAttempt.objects.bulk_create(attempts, batch_size=5_000)
    ConsentEvent.objects.bulk_create(events, batch_size=5_000)
    responses = Response.objects.bulk_create(responses, batch_size=5_000)

    answers = []
    for response, outcome in zip(responses, plans, strict=True):
        age = rng.choices(range(5), weights=AGE_WEIGHTS)[0]
        chosen = {
            1: options[1][age],
            2: rng.choices(options[2], weights=DISTRICT_WEIGHTS)[0],
            3: options[3][min(4, max(0, round(rng.gauss(3.6 + 0.1 * age, 0.9)) - 1))],
            4: rng.choice(options[4]),
            5: options[5][0 if rng.random() < 0.62 - 0.08 * age else 1],
        }
        if chosen[5].digit == 1:
            chosen[6] = options[6][min(4, max(0, round(rng.gauss(3.4, 1.0)) - 1))]
        chosen[7] = options[7][min(4, max(0, round(rng.gauss(4.0, 0.8)) - 1))]
        kept = [1, 2, 3] if outcome == "partial" else sorted(chosen)
        answers += [
            Answer(
                response=response,
                question=questions[position - 1],
                option=chosen[position],
                digits=str(chosen[position].digit),
            )
            for position in kept
        ]
        if outcome == "complete" and rng.random() < 0.45:
            answers.append(Answer(response=response, question=questions[7], transcript=rng.choice(OPEN_ANSWERS)))
    Answer.objects.bulk_create(answers, batch_size=5_000)
    return campaign, {
        "numbers": len(contacts),
        "calls": len(attempts),
        "answered": sum(1 for attempt in attempts if attempt.answered_at),
        "complete": plans.count("complete"),
        "partial": plans.count("partial"),
        "answers": len(answers),
    }


def timed(label: str, action) -> float:
    """Median wall time of `RUNS` runs (after one warm-up run), printed with the range."""
    action()
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - started)
    size = f", {len(result):,} bytes" if isinstance(result, bytes) else ""
    print(
        f"{label:<52} median {statistics.median(seconds):6.2f} s "
        f"(min {min(seconds):.2f}, max {max(seconds):.2f}; {RUNS} runs{size})"
    )
    return statistics.median(seconds)


def main() -> None:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from kuntaportaali.roles import Role, user_set_roles
    from surveys.reports.files import report_build
    from surveys.services.results import campaign_results

    with benchmark_database():
        user = get_user_model().objects.create_user("bench-valtuutettu")
        user_set_roles(user=user, roles=[Role.COUNCILLOR])
        started = time.perf_counter()
        campaign, made = build_campaign(user)
        print(describe_machine())
        print(
            f"campaign built in {time.perf_counter() - started:.1f} s: "
            + " ".join(f"{key}={value:,}" for key, value in made.items())
        )
        results = campaign_results(campaign, language="fi")
        print(
            f"respondents={results.weighting.respondents:,} method={results.weighting.method} "
            f"deff={results.weighting.design_effect:.2f} rr1={results.rates.rr['RR1']:.3f}"
        )
        client = Client()
        client.force_login(user)
        page = f"/staff/surveys/results/{campaign.slug}/"
        timed("campaign_results (the figures alone)", lambda: campaign_results(campaign, language="fi"))
        timed("PDF report, Finnish", lambda: report_build(campaign=campaign, file_format="pdf", language="fi"))
        timed("XLSX workbook, Finnish", lambda: report_build(campaign=campaign, file_format="xlsx", language="fi"))
        timed("results page (GET, councillor)", lambda: client.get(page).content)


if __name__ == "__main__":
    main()
