"""Campaign results built by hand, with figures worked out here, for testing how results are shown.

The campaign: 1,000 numbers, 146 complete answers, weighted by age group and district with raking.
Every figure the tests assert is computed below from the counts, so a reader can check it.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from surveys.progress import CoverageRow
from surveys.services.results_contract import (
    CampaignResults,
    Costs,
    CrossTab,
    FixedCost,
    Funnel,
    GroupShare,
    MeanEstimate,
    OptionEstimate,
    QuestionResult,
    ResponseRates,
    Theme,
    Weighting,
)
from tests.surveys.interview_codes import interview_codes_refresh

GENERATED_AT = datetime(2025, 12, 22, 9, 30, tzinfo=ZoneInfo("Europe/Helsinki"))
DISPOSITIONS = {"I": 146, "P": 9, "R": 310, "NC": 120, "O": 5, "UH": 380, "UO": 0, "NE": 30}
RESPONDENTS = 146

TEXTS = {
    "fi": {
        "age": "Mihin ikäryhmään kuulut?",
        "district": "Millä alueella asut?",
        "exercise": "Liikutko viikoittain?",
        "satisfaction": "Kuinka tyytyväinen olet?",
        "develop": "Mitä kaupungin pitäisi kehittää?",
        "yes": "Kyllä",
        "no": "Ei",
        "centre": "Keskusta",
        "villages": "Kylät",
        "summary": "Tärkeintä on liikunta: 62,0 % liikkuu viikoittain.",
        "warning": "Ikäryhmässä 18–29 on vain 8 vastaajaa: sen painot ovat suuria.",
        "list": "Numerolista",
        "project": "Projektityö",
    },
    "sv": {
        "age": "Vilken åldersgrupp hör du till?",
        "district": "I vilket område bor du?",
        "exercise": "Motionerar du varje vecka?",
        "satisfaction": "Hur nöjd är du?",
        "develop": "Vad borde staden utveckla?",
        "yes": "Ja",
        "no": "Nej",
        "centre": "Centrum",
        "villages": "Byarna",
        "summary": "Viktigast är motion: 62,0 % motionerar varje vecka.",
        "warning": "Åldersgruppen 18–29 har bara 8 svarande: dess vikter är stora.",
        "list": "Nummerlista",
        "project": "Projektarbete",
    },
}
TEXTS["en"] = TEXTS["fi"]

AGE_GROUPS = [("18–29", 8, 0.17), ("30–64", 58, 0.55), ("65+", 80, 0.28)]
DISTRICTS = [("centre", 90, 0.6), ("villages", 56, 0.4)]
AGE_WEIGHTS = {"18–29": 3.1, "30–64": 1.385, "65+": (RESPONDENTS - 8 * 3.1 - 58 * 1.385) / 80}


def rates(dispositions: dict[str, int]) -> ResponseRates:
    """The AAPOR formulas, written out for the hand-built figures (e estimated from the known cases)."""
    c = dispositions
    interviews = c["I"] + c["P"]
    known = interviews + c["R"] + c["NC"] + c["O"]
    unknown = c["UH"] + c["UO"]
    e = known / (known + c["NE"]) if known + c["NE"] else 0.0
    d, de = known + unknown, known + e * unknown
    reached = interviews + c["R"] + c["O"]

    def ratio(numerator: float, denominator: float) -> float | None:
        return numerator / denominator if denominator else None

    return ResponseRates(
        dispositions=dict(dispositions),
        e=e,
        e_source="estimated",
        rr={
            "RR1": ratio(c["I"], d),
            "RR2": ratio(interviews, d),
            "RR3": ratio(c["I"], de),
            "RR4": ratio(interviews, de),
            "RR5": ratio(c["I"], known),
            "RR6": ratio(interviews, known),
        },
        coop={
            "COOP1": ratio(c["I"], reached),
            "COOP2": ratio(interviews, reached),
            "COOP3": ratio(c["I"], interviews + c["R"]),
            "COOP4": ratio(interviews, interviews + c["R"]),
        },
        ref={"REF1": ratio(c["R"], d), "REF2": ratio(c["R"], de), "REF3": ratio(c["R"], known)},
        con={"CON1": ratio(reached, d), "CON2": ratio(reached, de), "CON3": ratio(reached, known)},
    )


def _groups(texts: dict) -> list[GroupShare]:
    groups = [
        GroupShare("age_group", key, key, count, count / RESPONDENTS, population, population)
        for key, count, population in AGE_GROUPS
    ]
    groups += [
        GroupShare("district", key, texts[key], count, count / RESPONDENTS, population, population)
        for key, count, population in DISTRICTS
    ]
    return groups


def _weights() -> dict[int, float]:
    weights, pk = {}, 1
    for key, count, _population in AGE_GROUPS:
        for _ in range(count):
            weights[pk] = AGE_WEIGHTS[key]
            pk += 1
    return weights


def _questions(texts: dict, text_language: str) -> list[QuestionResult]:
    age_categories = [(key, key) for key, _count, _population in AGE_GROUPS]
    district_categories = [(key, texts[key]) for key, _count, _population in DISTRICTS]
    age = QuestionResult(
        position=1,
        text=texts["age"],
        text_language=text_language,
        kind="choice",
        demographic="age_group",
        answered=RESPONDENTS,
        skipped=0,
        options=[
            OptionEstimate(str(digit), key, count, count / RESPONDENTS, population, None, None)
            for digit, (key, count, population) in enumerate(AGE_GROUPS, start=1)
        ],
        mean=None,
        crosstabs=[],
        open_answers=[],
        themes=[],
    )
    exercise = QuestionResult(
        position=2,
        text=texts["exercise"],
        text_language=text_language,
        kind="yes_no",
        demographic="",
        answered=RESPONDENTS,
        skipped=0,
        options=[
            OptionEstimate("1", texts["yes"], 100, 100 / RESPONDENTS, 0.62, 0.5301, 0.7099),
            OptionEstimate("2", texts["no"], 46, 46 / RESPONDENTS, 0.38, 0.2901, 0.4699),
        ],
        mean=None,
        crosstabs=[
            CrossTab(
                "age_group",
                age_categories,
                [(texts["yes"], [0.875, 0.69, 0.6625]), (texts["no"], [0.125, 0.31, 0.3375])],
                [8, 58, 80],
                margins=[0.3, 0.124, 0.106],
            ),
            CrossTab(
                "district", district_categories, [(texts["yes"], [0.7, 0.6607]), (texts["no"], [0.3, 0.3393])], [90, 56]
            ),
        ],
        open_answers=[],
        themes=[],
    )
    scale_counts = [5, 10, 31, 60, 40]
    satisfaction = QuestionResult(
        position=3,
        text=texts["satisfaction"],
        text_language=text_language,
        kind="scale",
        demographic="",
        answered=RESPONDENTS,
        skipped=0,
        options=[
            OptionEstimate(str(value), str(value), count, count / RESPONDENTS, weighted, low, high)
            for value, count, weighted, low, high in zip(
                range(1, 6),
                scale_counts,
                [0.05, 0.09, 0.24, 0.38, 0.24],
                [0.0107, 0.0380, 0.1615, 0.2868, 0.1615],
                [0.0893, 0.1420, 0.3185, 0.4732, 0.3185],
                strict=True,
            )
        ],
        mean=MeanEstimate(
            unweighted=sum(v * c for v, c in zip(range(1, 6), scale_counts, strict=True)) / RESPONDENTS,
            weighted=3.67,
            ci_low=3.48,
            ci_high=3.86,
        ),
        crosstabs=[],
        open_answers=[],
        themes=[],
    )
    develop = QuestionResult(
        position=4,
        text=texts["develop"],
        text_language=text_language,
        kind="open",
        demographic="",
        answered=40,
        skipped=106,
        options=[],
        mean=None,
        crosstabs=[],
        open_answers=["Enemmän kevyen liikenteen väyliä.", "Kirjaston aukioloajat pidemmiksi."],
        themes=[Theme("liikenne", 12), Theme("kirjasto", 7)],
    )
    return [age, exercise, satisfaction, develop]


def hand_built_results(campaign, *, language: str = "fi") -> CampaignResults:
    texts = TEXTS[language]
    weights = _weights()
    fixed = [FixedCost(texts["list"], Decimal("2100.00")), FixedCost(texts["project"], Decimal("9000.00"))]
    call_cost = Decimal("279.00")
    total = call_cost + sum(cost.amount for cost in fixed)
    return CampaignResults(
        campaign=campaign,
        generated_at=GENERATED_AT,
        language=language,
        rates=rates(DISPOSITIONS),
        funnel=Funnel(
            numbers=1000,
            calls=2400,
            answered=1500,
            reached=420,
            consented=160,
            complete=146,
            partial=9,
            break_offs=5,
        ),
        coverage=[
            CoverageRow(
                0, 0, dict.fromkeys(("pending", "complete", "refused", "opted_out", "not_eligible", "ended"), 0)
            ),
            CoverageRow(
                1, 300, {"pending": 0, "complete": 90, "refused": 180, "opted_out": 10, "not_eligible": 20, "ended": 0}
            ),
            CoverageRow(
                2, 250, {"pending": 0, "complete": 56, "refused": 130, "opted_out": 4, "not_eligible": 10, "ended": 50}
            ),
            CoverageRow(3, 450, None),
        ],
        weighting=Weighting(
            method="raking",
            dimensions=["age_group", "district"],
            respondents=RESPONDENTS,
            converged=True,
            iterations=6,
            trim_cap=5.0,
            trimmed=0,
            design_effect=1.42,
            effective_sample_size=RESPONDENTS / 1.42,
            warnings=[texts["warning"]],
            collapsed=[],
            groups=_groups(texts),
            missing_demographics=3,
            weights=weights,
        ),
        # The English results have the Finnish texts.
        questions=_questions(texts, text_language="fi" if language == "en" else language),
        costs=Costs(
            minutes=3100,
            call_cost=call_cost,
            fixed=fixed,
            total=total,
            per_complete=(total / 146).quantize(Decimal("0.01")),
            budget_cap=Decimal("12000.00"),
            budget_used=float(call_cost / Decimal("12000.00")),
        ),
        summary=[texts["summary"]],
        minimum_group_size=5,
    )


def empty_results(campaign, *, language: str = "fi") -> CampaignResults:
    """A campaign that called but got no answers: 40 numbers, none reached."""
    dispositions = {"I": 0, "P": 0, "R": 0, "NC": 10, "O": 0, "UH": 28, "UO": 0, "NE": 2}
    return CampaignResults(
        campaign=campaign,
        generated_at=GENERATED_AT,
        language=language,
        rates=rates(dispositions),
        funnel=Funnel(numbers=40, calls=95, answered=10, reached=0, consented=0, complete=0, partial=0, break_offs=0),
        coverage=[
            CoverageRow(
                0, 0, dict.fromkeys(("pending", "complete", "refused", "opted_out", "not_eligible", "ended"), 0)
            ),
            CoverageRow(
                1, 0, dict.fromkeys(("pending", "complete", "refused", "opted_out", "not_eligible", "ended"), 0)
            ),
            CoverageRow(
                2, 5, {"pending": 0, "complete": 0, "refused": 0, "opted_out": 0, "not_eligible": 2, "ended": 3}
            ),
            CoverageRow(3, 35, None),
        ],
        weighting=Weighting(
            method="none",
            dimensions=[],
            respondents=0,
            converged=True,
            iterations=0,
            trim_cap=None,
            trimmed=0,
            design_effect=1.0,
            effective_sample_size=0.0,
            warnings=[],
            collapsed=[],
            groups=[],
            missing_demographics=0,
            weights={},
        ),
        questions=[],
        costs=Costs(
            minutes=12,
            call_cost=Decimal("1.08"),
            fixed=[],
            total=Decimal("1.08"),
            per_complete=None,
            budget_cap=None,
            budget_used=None,
        ),
        summary=[],
        minimum_group_size=5,
    )


# A real small campaign, answered through the models as the IVR stores answers.
# Respondents by age group: 1 aged 18-29, 3 aged 30-64, 4 aged 65+; population 0.2 / 0.5 / 0.3.
# Post-stratification weights: 0.2/(1/8) = 1.6, 0.5/(3/8) = 4/3, 0.3/(4/8) = 0.6 (mean exactly 1).
# Q2 "exercise weekly" (1 yes, 2 no) and Q3 satisfaction 1-5:
#   18-29: yes, 5   30-64: yes/yes/no, 4/4/3   65+: yes/yes/no/no, 2/2/3/3
# Unweighted yes: 5/8 = 62.5 %. Weighted yes: (1.6 + 2 * 4/3 + 2 * 0.6) / 8 = 68.3 %.
# Unweighted mean of Q3: (5 + 4 + 4 + 3 + 2 + 2 + 3 + 3) / 8 = 3.25;
# weighted: (1.6 * 5 + 4/3 * 11 + 0.6 * 10) / 8 = 3.58.
# Besides the 8 complete answers: 1 refusal (R), 2 numbers never answering (UH) and one disconnected
# number (NE): RR1 = 8 / (8 + 1 + 2) = 72.7 %.
SMALL_ANSWERS = (
    [("18–29", 1, 5)] + [("30–64", 1, 4)] * 2 + [("30–64", 2, 3)] + [("65+", 1, 2)] * 2 + [("65+", 2, 3)] * 2
)
SMALL_OPEN = ["Lisää pyöräteitä ja valaistusta", '=HYPERLINK("http://x")', "Pyöräteitä kouluille"]
SMALL_NUMBERS = tuple(f"04012345{index:02d}" for index in range(12))


def small_campaign(manager, *, slug: str = "pieni", status: str = "completed"):
    """A campaign of 12 numbers with 8 complete answers, its questions on the residents' page."""
    from surveys.models import (
        Answer,
        CallAttempt,
        CallStatus,
        ConsentEvent,
        ConsentKind,
        ContactStatus,
        PopulationTarget,
        Response,
        ResponseStatus,
    )
    from surveys.services import campaigns as campaign_services
    from surveys.services.contacts import contacts_import
    from tests.surveys.factories import build_campaign, build_survey

    campaign = build_campaign(build_survey(manager, slug=f"{slug}-kysely"), manager, slug=slug, start=date(2025, 12, 8))
    campaign_services.campaign_publish_questions(campaign=campaign, by=manager)
    for position, (category, share) in enumerate((("18–29", "0.2"), ("30–64", "0.5"), ("65+", "0.3"))):
        PopulationTarget.objects.update_or_create(
            dimension="age_group", category=category, defaults={"share": Decimal(share), "position": position}
        )
    data = ("puhelin\n" + "\n".join(SMALL_NUMBERS) + "\n").encode()
    contacts_import(campaign=campaign, file=data, filename="numerot.csv", by=manager)
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    contacts = list(campaign.contacts.order_by("pk"))
    answered_at = datetime(2025, 12, 10, 12, 0, tzinfo=ZoneInfo("Europe/Helsinki"))

    def attempt(contact, number, status, *, step="", minutes=0):
        CallAttempt.objects.create(
            contact=contact,
            number=number,
            status=status,
            provider="simulator",
            scheduled_for=answered_at,
            placed_at=answered_at,
            answered_at=answered_at if status == CallStatus.COMPLETED else None,
            current_step=step,
            billed_minutes=minutes,
            cost=Decimal("0.09") * minutes,
        )

    for index, (age, exercise, satisfaction) in enumerate(SMALL_ANSWERS):
        contact = contacts[index]
        attempt(contact, 1, CallStatus.COMPLETED, step="closing", minutes=3)
        ConsentEvent.objects.create(
            campaign=campaign, contact_ref=contact.pseudonym, kind=ConsentKind.CONSENTED, channel="call"
        )
        response = Response.objects.create(
            pseudonym=contact.pseudonym,
            campaign=campaign,
            survey_version=campaign.survey_version,
            status=ResponseStatus.COMPLETE,
            finished_at=answered_at,
        )
        digits = {1: ["18–29", "30–64", "65+"].index(age) + 1, 2: exercise, 3: satisfaction}
        for position, digit in digits.items():
            Answer.objects.create(
                response=response,
                question=questions[position],
                digits=str(digit),
                option=questions[position].options.get(digit=digit),
            )
        if index < len(SMALL_OPEN):
            Answer.objects.create(response=response, question=questions[4], transcript=SMALL_OPEN[index])
    refusing, silent_1, silent_2, disconnected = contacts[8:]
    attempt(refusing, 1, CallStatus.COMPLETED, step="intro", minutes=1)
    ConsentEvent.objects.create(
        campaign=campaign, contact_ref=refusing.pseudonym, kind=ConsentKind.DECLINED, channel="call"
    )
    for contact in (silent_1, silent_2):
        for number in (1, 2, 3):
            attempt(contact, number, CallStatus.NO_ANSWER)
    attempt(disconnected, 1, CallStatus.FAILED)
    campaign.contacts.update(status=ContactStatus.FINISHED)
    interview_codes_refresh(responses=campaign.responses.all())  # as the call stored them
    campaign.status = status
    campaign.save(update_fields=["status"])
    return campaign


def answered_demo(*, manager, communications):
    """`seed_demo`'s running campaign `demo` (surveys/demo.py) with the demo town's population targets,
    its 400 residents called once: each answers as the simulator's resident would (synthetic_population),
    without playing the calls. Those who consent and finish answer every question on their path (the
    open one left empty), those who consent but break off leave a partial response, the rest decline;
    a number no longer in use fails. `survey_demo_seed` looks its users up as kyselyvastaava and
    viestinta: `manager` and `communications` must have those user names."""
    from surveys.demo import survey_demo_seed
    from surveys.demo_results import results_demo_seed
    from surveys.models import (
        Answer,
        CallAttempt,
        CallStatus,
        Campaign,
        ConsentEvent,
        ConsentKind,
        ContactStatus,
        Response,
        ResponseStatus,
    )
    from surveys.synthetic_population import answers_path, contact_facts, resident_build, survey_questions
    from surveys.telephony.simulator import LIVE_SEED

    assert (manager.username, communications.username) == ("kyselyvastaava", "viestinta")
    survey_demo_seed()
    results_demo_seed()
    campaign = Campaign.objects.get(slug="demo")
    survey = survey_questions(campaign.survey_version)
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    options = {
        (question.position, option.digit): option
        for question in questions.values()
        for option in question.options.all()
    }
    contacts = {str(contact.pseudonym): contact for contact in campaign.contacts.all()}
    answered_at = datetime.combine(campaign.start_date, datetime.min.time(), tzinfo=ZoneInfo("Europe/Helsinki"))
    attempts, consents, answers = [], [], []
    for facts in contact_facts(campaign.contacts.all()):
        resident = resident_build(facts, seed=LIVE_SEED, year=campaign.start_date.year)
        contact = contacts[facts.pseudonym]
        reached = not resident.disconnected
        minutes = 0 if not reached else 3 if resident.consents else 1
        attempts.append(
            CallAttempt(
                contact=contact,
                number=1,
                status=CallStatus.COMPLETED if reached else CallStatus.FAILED,
                provider="simulator",
                scheduled_for=answered_at,
                placed_at=answered_at,
                answered_at=answered_at if reached else None,
                current_step="closing" if resident.consents and resident.finishes else "intro",
                billed_minutes=minutes,
                cost=campaign.price_per_minute * minutes,
            )
        )
        if not reached:
            continue
        consents.append(
            ConsentEvent(
                campaign=campaign,
                contact_ref=contact.pseudonym,
                kind=ConsentKind.CONSENTED if resident.consents else ConsentKind.DECLINED,
                channel="call",
            )
        )
        if not resident.consents:
            continue
        path = [(position, value) for position, value in answers_path(resident, survey).items() if value is not None]
        if not resident.finishes:
            path = path[: int(len(path) * resident.break_off)]
        response = Response.objects.create(
            pseudonym=contact.pseudonym,
            campaign=campaign,
            survey_version=campaign.survey_version,
            language=resident.language,
            status=ResponseStatus.COMPLETE if resident.finishes else ResponseStatus.PARTIAL,
            finished_at=answered_at if resident.finishes else None,
        )
        for position, value in path:
            option = options.get((position, value))
            answers.append(
                Answer(
                    response=response,
                    question=questions[position],
                    digits=str(value),
                    option=option,
                    number_value=None if option else value,
                )
            )
    CallAttempt.objects.bulk_create(attempts)
    ConsentEvent.objects.bulk_create(consents)
    Answer.objects.bulk_create(answers)
    interview_codes_refresh(responses=campaign.responses.all())  # as the call stored them
    campaign.contacts.update(status=ContactStatus.FINISHED)
    return campaign
