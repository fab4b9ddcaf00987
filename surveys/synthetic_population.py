"""The synthetic residents behind the simulator carrier: who they are, how they behave on the
phone and what they truly think.

Every contact of a campaign is one resident, built from the simulation's seed and the contact's
pseudonym alone, so the same seed always gives the same people:

- **Age** from the contact's birth year (age = the campaign's year - birth year), else drawn from
  AGE_BRACKETS. AGE_GROUPS is the same distribution in the three groups the behaviour and the
  opinions depend on; the demo's population targets (surveys/demo_results.py) use these shares.
- **District** from the postal code (DISTRICTS lists each district's share and postal codes, named
  like the options of the demo survey's district question), else drawn from the shares. Age and
  district are independent.
- **Behaviour on the phone** per age group (BEHAVIOUR), calibrated on the pilot (see below).
- **Behaviour with a text message** carrying a link to the survey on the web (SMS follow-up) per
  age group (SMS_BEHAVIOUR, see below).

**True opinions.** Each resident's answer to every question is fixed, drawn from a distribution
that depends on their age group - and on their district when the survey asks the district - with
a random generator seeded by (seed, resident, question position). Respondents give exactly these
answers, so a result can be checked against `population_truth`. The model, per question kind:

- scale 1-5: a normal curve around a mean by age group (SCALE_MEANS: the young are the least and
  the 65+ the most satisfied), cut to 1..5 with SCALE_SPREAD;
- yes/no: "yes" (1) with a probability by age group (YES_SHARES: the young say yes most often);
- choice: every option weighs 1, the age group's favourite CHOICE_FAVOURITE_WEIGHT more - the 65+
  favour the first option, the 30-64 the second and the 18-29 the last;
- number: a normal curve around a point of the allowed range by age group (NUMBER_POINTS);
- with a district question, each district shifts the scale means (and the yes share) by
  DISTRICT_LEANS, to one side on every other opinion question, and the district's own favourite
  choice option (the district's place in DISTRICTS, wrapped around) weighs one more.

**Civic interest**, a hidden trait, drives both as well, as real nonresponse does: those who care
about their town's affairs stay on the line, consent and finish more often, and answer some
questions differently. Each resident's interest is CIVIC_AGE_SLOPE times their age's distance from
CIVIC_AGE_CENTRE in CIVIC_AGE_SCALE years (so it grows weakly with age) plus a standard normal draw
of their own. No contact list and no question records it, so weighting cannot use it:

- answering: the interest beyond what the resident's age predicts (the normal draw d) multiplies
  the chances of listening, consenting and finishing (`Resident.listens`, `consents`, `finishes`)
  by exp(b d - c), b = CIVIC_RESPONSE / 3, so the chance of all three grows by exp(CIVIC_RESPONSE d).
  Each step's c is such that at every age, among the residents who got as far as that step, the
  step's rate stays BEHAVIOUR's, as the pilot measured it (up to chances capped at 1);
- opinions: the first opinion question of each kind (the "civic questions") leans with the whole
  interest - a scale's mean by CIVIC_SCALE_SHIFT per unit, the yes share by CIVIC_YES_SHIFT, the
  first option's weight of a choice by the factor exp(CIVIC_CHOICE_LEAN * interest), a number by
  CIVIC_NUMBER_SHIFT of its range. The other opinion questions depend on age and district only.

So weighting by age and district removes the part of the bias that age explains, not the rest: a
survey of the civic questions errs however it is weighted, the others do not. The population's
truth (`population_truth`) counts every resident's answer, reached or not.

**Numbers** (`line_kind`): besides mobile numbers a broker's list has landlines (LANDLINE_SHARE),
which take calls but not a text message (the operator reports it undelivered), and now and then a
fax or data line (FAX_SHARE), which answers every call with its tone.

**Text messages** (SMS_BEHAVIOUR). No pilot measured them: the figures are assumptions of this
simulator, to be replaced by a real mixed-mode campaign's. A resident who gets the link opens it
(`opens`) after an exponentially distributed delay (mean `delay_hours`), starts answering
(`consents`) and answers to the end (`finishes`), else breaks off where they would on the phone.
The assumption is the one the pilot's lesson suggests ("the young did not answer" a robot's call):
the young open a link on their phone far more readily than they stay on the line with a robot, the
65+ far less. Per message that is about 17 % complete answers of the 18-29, 11 % of the 30-64 and
4 % of the 65+ - below the phone's share of complete answers per number for the 65+ (over 20 %)
and above it for the 18-29 (under 10 %). Civic interest raises opening as it raises listening
(the same factor as one of CIVIC_STEPS). A resident who would open a link, but would not answer
the robot, presses the introduction's key for the link when a call offers it. These draws use
their own generator: a campaign without SMS follow-up plays exactly as before.

**Calibration** (`tests/surveys/test_simulation_calibration.py`, `benchmarks/bench_simulation.py`).
The pilot called 7,759 numbers up to 3 times: 20,219 calls (2.61 a number), 13,139 answered (65 %
of the calls), 1,132 complete (14.6 % of the numbers); 5.3 % of the respondents were 18-29 and
54 % 65+. The dialer tries a number again unless a person heard the introduction, so 2.61 calls a
number means a person stays for the introduction in only about one call in seven; the other
answered calls are voicemail or people hanging up as soon as they hear a robot. The age skew comes
from the young picking up less, hanging up more, consenting and finishing less often.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.timezone import get_default_timezone

from surveys.models import Campaign, Contact, Demographic, QuestionKind, SurveyVersion
from surveys.services.population_groups import age_group_at, age_groups_from_labels

# (youngest, oldest, share of the adult residents); the oldest are drawn up to 94.
AGE_BRACKETS = ((18, 29, 0.15), (30, 44, 0.22), (45, 64, 0.28), (65, 74, 0.19), (75, 94, 0.16))
AGE_GROUPS = {"18-29": 0.15, "30-64": 0.50, "65+": 0.35}
# District: (share of the residents, its postal codes). The demo contacts' codes are all here.
DISTRICTS = {
    "Keskusta": (0.30, ("01900",)),
    "Pohjoinen": (0.18, ("01910",)),
    "Etelä": (0.17, ("01940",)),
    "Itä": (0.14, ("01950",)),
    "Länsi": (0.13, ("01970",)),
    "Haja-asutusalue": (0.08, ("01980", "01990")),
}
POSTAL_DISTRICTS = {code: name for name, (_share, codes) in DISTRICTS.items() for code in codes}
SWEDISH_SPEAKERS = 0.05


@dataclass(frozen=True)
class Behaviour:
    """How the residents of one age group treat a robot's call."""

    picks_up: float  # a person or their voicemail answers (before the hour's effect)
    voicemail: float  # of the calls answered, those answered by voicemail
    listens: float  # of the people who answer, those who stay for the introduction
    consents: float  # of those who hear the introduction, those who press 1
    finishes: float  # of those who consent, those who answer to the end
    speaks: float  # answer by speech instead of the keypad
    daytime: float  # picking up on a weekday before 16 ...
    evening: float  # ... and from 16 on, relative to `picks_up`
    weekend: float


BEHAVIOUR = {
    "18-29": Behaviour(0.57, 0.45, 0.23, 0.40, 0.58, 0.30, daytime=0.85, evening=1.25, weekend=1.10),
    "30-64": Behaviour(0.675, 0.40, 0.33, 0.52, 0.63, 0.20, daytime=0.85, evening=1.25, weekend=1.10),
    "65+": Behaviour(0.73, 0.30, 0.37, 0.62, 0.72, 0.10, daytime=1.05, evening=0.90, weekend=1.00),
}
# Picking up by district, relative (about 1 on average): the rural area answers most.
DISTRICT_PICK_UP = {
    "Keskusta": 0.92,
    "Pohjoinen": 1.00,
    "Etelä": 1.02,
    "Itä": 0.98,
    "Länsi": 1.03,
    "Haja-asutusalue": 1.15,
}


@dataclass(frozen=True)
class SmsBehaviour:
    """How the residents of one age group treat a text message with their link to the survey (assumed)."""

    opens: float  # open the link
    consents: float  # of those who open it, choose to answer
    finishes: float  # of those who answer, answer to the end
    delay_hours: float  # mean time from the message to opening it


SMS_BEHAVIOUR = {
    "18-29": SmsBehaviour(0.32, 0.65, 0.82, delay_hours=2.0),
    "30-64": SmsBehaviour(0.22, 0.62, 0.80, delay_hours=5.0),
    "65+": SmsBehaviour(0.09, 0.55, 0.75, delay_hours=10.0),
}
DISCONNECTED = 0.01  # numbers no longer in use: every call fails
# Of the numbers on a data broker's list, besides the mobile ones: landlines, which take calls but
# no text message (the operator reports it undelivered), and fax or data lines, which answer every
# call with a fax tone. A property of each number, not of the person.
LANDLINE_SHARE = 0.03
FAX_SHARE = 0.002
MOBILE, LANDLINE, FAX = "mobile", "landline", "fax"
OPTS_OUT = 0.10  # of those who do not consent: press 9 (the rest press 2 or hang up)
HANGS_UP_AT_INTRO = 0.30  # of those who do not consent: hang up without pressing anything

SCALE_MEANS = {"18-29": 2.6, "30-64": 3.3, "65+": 3.9}
SCALE_SPREAD = 1.0
YES_SHARES = {"18-29": 0.70, "30-64": 0.50, "65+": 0.30}
CHOICE_FAVOURITE_WEIGHT = 2.5
NUMBER_POINTS = {"18-29": 0.35, "30-64": 0.25, "65+": 0.15}  # where in the allowed range, 0..1
NUMBER_SPREAD = 0.12  # of the allowed range
DISTRICT_LEANS = {
    "Keskusta": 0.3,
    "Pohjoinen": 0.0,
    "Etelä": 0.1,
    "Itä": -0.2,
    "Länsi": -0.1,
    "Haja-asutusalue": -0.4,
}
# Civic interest: (age - CENTRE) / SCALE * SLOPE + a standard normal draw; correlation with age about 0.25.
CIVIC_AGE_SLOPE = 0.25
CIVIC_AGE_CENTRE = 50
CIVIC_AGE_SCALE = 20
# Answering: the log of the chance of a complete grows by this much per unit of interest beyond the
# age's, split evenly over its steps: listening, consenting and finishing.
CIVIC_RESPONSE = 0.8
CIVIC_STEPS = ("listens", "consents", "finishes")
# Opinions of the civic questions, per unit of interest.
CIVIC_SCALE_SHIFT = 0.25
CIVIC_YES_SHIFT = 0.08
CIVIC_CHOICE_LEAN = 0.4
CIVIC_NUMBER_SHIFT = 0.04


@dataclass(frozen=True)
class QuestionSpec:
    """What a resident needs to know of a question to answer it."""

    position: int
    kind: str
    demographic: str
    required: bool
    digits: tuple[int, ...]
    labels: tuple[str, ...]  # the options' Finnish labels, in digit order
    skips: dict[int, int] = field(default_factory=dict)  # digit -> position it jumps to
    min_value: int | None = None
    max_value: int | None = None

    @property
    def is_opinion(self) -> bool:
        return not self.demographic and self.kind != QuestionKind.OPEN


@dataclass(frozen=True)
class SurveyQuestions:
    questions: tuple[QuestionSpec, ...]

    def at(self, position: int) -> QuestionSpec | None:
        return next((question for question in self.questions if question.position == position), None)

    @property
    def asks_district(self) -> bool:
        return any(question.demographic == Demographic.DISTRICT for question in self.questions)

    def is_civic(self, question: QuestionSpec) -> bool:
        """Whether civic interest leans the answers: the first opinion question of each kind."""
        return question.is_opinion and question.position == next(
            each.position for each in self.questions if each.is_opinion and each.kind == question.kind
        )

    def opinion_order(self, position: int) -> int:
        """0 for the first opinion question, 1 for the second, ..."""
        opinions = [question.position for question in self.questions if question.is_opinion]
        return opinions.index(position)

    def next_after(self, question: QuestionSpec, answer: int | None) -> QuestionSpec | None:
        if answer in question.skips:
            return self.at(question.skips[answer])
        return next((later for later in self.questions if later.position > question.position), None)


def survey_questions(version: SurveyVersion) -> SurveyQuestions:
    questions = list(version.questions.prefetch_related("options").order_by("position"))
    positions = {question.pk: question.position for question in questions}
    specs = []
    for question in questions:
        options = sorted(question.options.all(), key=lambda option: option.digit)
        specs.append(
            QuestionSpec(
                position=question.position,
                kind=question.kind,
                demographic=question.demographic,
                required=question.required,
                digits=tuple(option.digit for option in options),
                labels=tuple(option.label_fi for option in options),
                skips={option.digit: positions[option.skip_to_id] for option in options if option.skip_to_id},
                min_value=question.min_value,
                max_value=question.max_value,
            )
        )
    return SurveyQuestions(tuple(specs))


@dataclass(frozen=True)
class ContactFacts:
    """What the contact list says of a resident."""

    pseudonym: str
    birth_year: int | None
    postal_code: str
    language: str


@dataclass(frozen=True)
class Resident:
    seed: int
    key: str  # the contact's pseudonym
    age: int
    district: str
    language: str
    civic_interest: float  # the hidden trait (see the module's docstring)
    disconnected: bool
    consents: bool
    finishes: bool
    speaks: bool
    break_off: float  # when not finishing: hangs up at this point of the questions (0..1)
    # With a text message's link (SMS_BEHAVIOUR): opens it, how many hours after it came, answers, to the end.
    opens_link: bool = False
    link_delay_hours: float = 0.0
    consents_on_web: bool = False
    finishes_on_web: bool = False

    @property
    def age_group(self) -> str:
        return _age_group(self.age)

    @property
    def behaviour(self) -> Behaviour:
        return BEHAVIOUR[self.age_group]

    @property
    def listens(self) -> float:
        """The chance of staying for the introduction when this resident answers a call."""
        return _civic_chance(self.behaviour, "listens", self.civic_interest - _civic_of_age(self.age))

    def rng(self, *parts) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, self.key, *parts)))  # noqa: S311 - a simulation

    def picks_up(self, moment: datetime) -> float:
        """The chance that this resident (or their voicemail) answers a call at `moment`."""
        behaviour = self.behaviour
        local = moment.astimezone(get_default_timezone())
        if local.weekday() >= 5:
            factor = behaviour.weekend
        else:
            factor = behaviour.evening if local.hour >= 16 else behaviour.daytime
        return min(0.97, behaviour.picks_up * factor * DISTRICT_PICK_UP[self.district])


def resident_build(facts: ContactFacts, *, seed: int, year: int) -> Resident:
    """The resident behind a contact; `year` is the campaign's, for the age from the birth year."""
    rng = random.Random(f"{seed}:{facts.pseudonym}")  # noqa: S311 - a simulation, not a secret
    age = max(year - facts.birth_year, AGE_BRACKETS[0][0]) if facts.birth_year else _age_draw(rng)
    district = POSTAL_DISTRICTS.get(facts.postal_code) or _district_draw(rng)
    behaviour = BEHAVIOUR[_age_group(age)]
    # Its own generator, so that the trait leaves the other draws as they were.
    beyond_age = random.Random(f"{seed}:{facts.pseudonym}:civic").gauss(0, 1)  # noqa: S311 - a simulation
    return Resident(
        seed=seed,
        key=facts.pseudonym,
        age=age,
        district=district,
        language=facts.language,
        civic_interest=_civic_of_age(age) + beyond_age,
        disconnected=rng.random() < DISCONNECTED,
        consents=rng.random() < _civic_chance(behaviour, "consents", beyond_age),
        finishes=rng.random() < _civic_chance(behaviour, "finishes", beyond_age),
        speaks=rng.random() < behaviour.speaks,
        break_off=rng.random(),
        **_link_behaviour(random.Random(f"{seed}:{facts.pseudonym}:sms"), SMS_BEHAVIOUR[_age_group(age)], beyond_age),  # noqa: S311 - a simulation
    )


def line_kind(*, seed: int, pseudonym: str, position: int) -> str:
    """What the contact's number at `position` is: MOBILE, LANDLINE or FAX. Its own generator, so that
    the resident's other draws stay as they were."""
    roll = random.Random(f"{seed}:{pseudonym}:line:{position}").random()  # noqa: S311 - a simulation
    if roll < FAX_SHARE:
        return FAX
    return LANDLINE if roll < FAX_SHARE + LANDLINE_SHARE else MOBILE


def _link_behaviour(rng: random.Random, behaviour: SmsBehaviour, beyond_age: float) -> dict:
    """What the resident does with a text message's link; civic interest raises opening it as it
    raises the first of CIVIC_STEPS (the chance of opening averages `opens` at every age)."""
    share = CIVIC_RESPONSE / len(CIVIC_STEPS)
    opens = min(1.0, behaviour.opens * math.exp(share * beyond_age - share * share / 2))
    return {
        "opens_link": rng.random() < opens,
        "link_delay_hours": rng.expovariate(1 / behaviour.delay_hours),
        "consents_on_web": rng.random() < behaviour.consents,
        "finishes_on_web": rng.random() < behaviour.finishes,
    }


def _civic_of_age(age: int) -> float:
    """The civic interest a resident of this age has on average."""
    return CIVIC_AGE_SLOPE * (age - CIVIC_AGE_CENTRE) / CIVIC_AGE_SCALE


def _civic_chance(behaviour: Behaviour, step: str, beyond_age: float) -> float:
    """The chance of one of CIVIC_STEPS for a resident whose interest is `beyond_age` above their
    age's average, a standard normal d. With b the step's share of CIVIC_RESPONSE, the k-th step's
    factor exp(b d - (2k - 1) b^2 / 2) averages 1 among those who passed the k - 1 steps before it
    (their d is tilted by (k - 1) b), and the three factors together are 1 on average."""
    share = CIVIC_RESPONSE / len(CIVIC_STEPS)
    order = CIVIC_STEPS.index(step) + 1
    factor = math.exp(share * beyond_age - (2 * order - 1) * share * share / 2)
    return min(1.0, getattr(behaviour, step) * factor)


def _age_group(age: int) -> str:
    return "18-29" if age < 30 else "30-64" if age < 65 else "65+"


def _age_draw(rng: random.Random) -> int:
    youngest, oldest, _share = rng.choices(AGE_BRACKETS, weights=[share for *_ages, share in AGE_BRACKETS])[0]
    return rng.randint(youngest, oldest)


def _district_draw(rng: random.Random) -> str:
    return rng.choices(list(DISTRICTS), weights=[share for share, _codes in DISTRICTS.values()])[0]


def true_answer(resident: Resident, question: QuestionSpec, survey: SurveyQuestions) -> int | None:
    """The resident's answer to the question: an option's digit, or a number; None for open questions."""
    if question.demographic == Demographic.AGE_GROUP:
        return _age_digit(question, resident.age)
    if question.demographic == Demographic.DISTRICT:
        return _district_digit(question, resident.district)
    if question.demographic == Demographic.GENDER:
        return question.digits[resident.rng("gender").randrange(min(2, len(question.digits)))]
    if question.kind == QuestionKind.OPEN:
        return None
    opinion = _opinion(resident, question, survey)
    rng = resident.rng("opinion", question.position)
    if question.kind == QuestionKind.YES_NO:
        return question.digits[0] if rng.random() < opinion.yes else question.digits[-1]
    if question.kind == QuestionKind.NUMBER:
        return min(opinion.high, max(opinion.low, round(rng.gauss(opinion.centre, opinion.spread))))
    return rng.choices(question.digits, weights=opinion.weights)[0]


def expected_answer(resident: Resident, question: QuestionSpec, survey: SurveyQuestions) -> float | None:
    """The mean of the figure the results show for an opinion question (see `simulation_report`)
    over the resident's possible answers: the mean answer of a scale or number question, the chance
    of the first option (the "yes" of yes/no). None for demographic and open questions. What
    the resident was likely to say, apart from what they happened to say (`true_answer`)."""
    if not question.is_opinion:
        return None
    opinion = _opinion(resident, question, survey)
    if question.kind == QuestionKind.YES_NO:
        return min(1.0, max(0.0, opinion.yes))
    if question.kind == QuestionKind.NUMBER:
        return opinion.number_mean()
    total = sum(opinion.weights)
    if question.kind == QuestionKind.SCALE:
        return sum(digit * weight for digit, weight in zip(question.digits, opinion.weights, strict=True)) / total
    return opinion.weights[0] / total


@dataclass(frozen=True)
class _Opinion:
    """What a resident's answer to an opinion question is drawn from: weights over the question's
    digits (scale, choice), the chance of "yes" (yes/no), or a normal curve rounded and cut to
    low..high (number)."""

    weights: tuple[float, ...] = ()
    yes: float = 0.0
    centre: float = 0.0
    spread: float = 1.0
    low: int = 0
    high: int = 0

    def number_mean(self) -> float:
        """The mean of the rounded, cut normal: every whole number of low..high by its chance."""

        def below(value: float) -> float:
            return 0.5 * (1 + math.erf((value - self.centre) / (self.spread * math.sqrt(2))))

        def chance(value: int) -> float:
            up_to = 1.0 if value == self.high else below(value + 0.5)
            return up_to - (0.0 if value == self.low else below(value - 0.5))

        return sum(value * chance(value) for value in range(self.low, self.high + 1))


def _opinion(resident: Resident, question: QuestionSpec, survey: SurveyQuestions) -> _Opinion:
    group = resident.age_group
    lean = 0.0
    if survey.asks_district:
        lean = DISTRICT_LEANS[resident.district] * (1 if survey.opinion_order(question.position) % 2 == 0 else -1)
    civic = resident.civic_interest if survey.is_civic(question) else 0.0
    if question.kind == QuestionKind.SCALE:
        mean = SCALE_MEANS[group] + lean + CIVIC_SCALE_SHIFT * civic
        weights = tuple(math.exp(-((value - mean) ** 2) / (2 * SCALE_SPREAD**2)) for value in question.digits)
        return _Opinion(weights=weights)
    if question.kind == QuestionKind.YES_NO:
        return _Opinion(yes=YES_SHARES[group] + lean / 10 + CIVIC_YES_SHIFT * civic)
    if question.kind == QuestionKind.NUMBER:
        low, high = question.min_value or 0, question.max_value if question.max_value is not None else 100
        point = NUMBER_POINTS[group] + CIVIC_NUMBER_SHIFT * civic
        return _Opinion(centre=low + (high - low) * point, spread=(high - low) * NUMBER_SPREAD, low=low, high=high)
    weights = [1.0] * len(question.digits)
    favourite = {"65+": 0, "30-64": min(1, len(weights) - 1), "18-29": len(weights) - 1}[group]
    weights[favourite] += CHOICE_FAVOURITE_WEIGHT
    if survey.asks_district:
        weights[list(DISTRICTS).index(resident.district) % len(weights)] += 1
    weights[0] *= math.exp(CIVIC_CHOICE_LEAN * civic)
    return _Opinion(weights=tuple(weights))


def _age_digit(question: QuestionSpec, age: int) -> int:
    """The option whose age range holds `age`: each label starts with its youngest age ("18–29",
    "75 tai yli"). Options without ages are taken as AGE_GROUPS in order."""
    groups = age_groups_from_labels(question.labels)
    if groups:
        held = age_group_at(age, groups=groups) or groups[0]
        return question.digits[question.labels.index(held.label)]
    group = list(AGE_GROUPS).index(_age_group(age))
    return question.digits[min(group, len(question.digits) - 1)]


def _district_digit(question: QuestionSpec, district: str) -> int:
    if district in question.labels:
        return question.digits[question.labels.index(district)]
    return question.digits[list(DISTRICTS).index(district) % len(question.digits)]


def answers_path(resident: Resident, survey: SurveyQuestions) -> dict[int, int | None]:
    """Position -> true answer of every question the resident would be asked, skip rules followed."""
    answers = {}
    question = survey.questions[0] if survey.questions else None
    while question is not None:
        answer = true_answer(resident, question, survey)
        answers[question.position] = answer
        question = survey.next_after(question, answer)
    return answers


@dataclass(frozen=True)
class TruthForQuestion:
    """The whole population's answers to one opinion question."""

    position: int
    kind: str
    residents: int  # those the question would be put to (skip rules followed)
    shares: dict[str, float]  # answer as keyed in ("1".."5", option digit, number) -> share
    mean: float | None  # scale and number questions
    # The residents' expected figure (`expected_answer`): the truth apart from the luck of their answers.
    expected: float | None


def population_truth(campaign: Campaign, *, seed: int) -> dict[int, TruthForQuestion]:
    """The true answers of ALL the campaign's residents, reached or not, to each question that is
    neither demographic nor open: what a perfect survey of the campaign's numbers would find."""
    survey = survey_questions(campaign.survey_version)
    given: dict[int, list[int]] = {question.position: [] for question in survey.questions if question.is_opinion}
    expected: dict[int, list[float]] = {position: [] for position in given}
    for facts in contact_facts(Contact.objects.filter(campaign=campaign)):
        resident = resident_build(facts, seed=seed, year=campaign.start_date.year)
        for position, answer in answers_path(resident, survey).items():
            if position in given:
                given[position].append(answer)
                expected[position].append(expected_answer(resident, survey.at(position), survey))
    truth = {}
    for position, answers in given.items():
        question = survey.at(position)
        values = question.digits if question.digits else sorted(set(answers))
        count = len(answers)
        truth[position] = TruthForQuestion(
            position=position,
            kind=question.kind,
            residents=count,
            shares={str(value): (answers.count(value) / count if count else 0.0) for value in values},
            mean=(sum(answers) / count if count else None)
            if question.kind in (QuestionKind.SCALE, QuestionKind.NUMBER)
            else None,
            expected=sum(expected[position]) / count if count else None,
        )
    return truth


def contact_facts(contacts) -> list[ContactFacts]:
    return [
        ContactFacts(str(pseudonym), birth_year, postal_code, language)
        for pseudonym, birth_year, postal_code, language in contacts.values_list(
            "pseudonym", "birth_year", "postal_code", "language"
        )
    ]


@dataclass(frozen=True)
class ListedFacts:
    """What a contact list says of a person, without who they are: what a synthetic copy keeps."""

    birth_year: int | None
    postal_code: str
    language: str


def listed_facts_draw(rng: random.Random, *, year: int) -> ListedFacts:
    """A made-up resident's listed facts in `year`, drawn like the population: age from AGE_BRACKETS,
    a postal code of a district by DISTRICTS, Swedish-speaking by SWEDISH_SPEAKERS."""
    age, district = _age_draw(rng), _district_draw(rng)
    postal_code = rng.choice(DISTRICTS[district][1])
    return ListedFacts(year - age, postal_code, "sv" if rng.random() < SWEDISH_SPEAKERS else "fi")
