"""The AAPOR final disposition of each number, derived from its attempts, consent events and response.

Codes follow the Standard Definitions (REFERENCE.md, and queXS's mapping of call outcomes):
I complete, P partial, R refusal and break-off, NC non-contact, O other, UH / UO unknown eligibility,
NE not eligible. The first rule that fits a number decides:

- A response is an interview or a break-off by how many of the questions that applied to the
  respondent were answered: at least 80 % is I (1.1), 50-80 % P (1.2), fewer a break-off, R (2.12),
  whether the call reached the closing or not. The questions that applied are found by walking the
  survey from its first question: an answered option's skip rule jumps ahead and the questions
  jumped over do not apply; after the last answer (an unfinished response) the questions that
  follow in order are taken to apply. An optional question applies only when it was answered:
  passing it over with the skip key is not item non-response. Once the answer retention has
  cleared which option was chosen, a skip is read from the answers that follow it (`answered_share`),
  so the dispositions stay as they were.
- A person who declined or opted out (on the phone, or on the web after the pre-announcement): R (2.11).
- A person picked up and hung up at once, or heard the introduction and chose nothing: R (2.11).
  A call is a person's when the answering machine detection said "human" or gave no verdict, or
  said "unknown" but a choice was made at the introduction.
- An answering machine picked up (with or without the short message, 2.221 / 2.222): NC (2.22).
  A machine is never a person reached, even when the introduction had started before the verdict.
- A fax or data line answered: NE (4.20), not an answering machine.
- Picked up, the detection could not tell who or what, and no choice was made: UO (3.90).
- Every attempt failed at the carrier (the number does not work): NE (4.32). Carrier outages and
  account errors leave no failed attempt (the dialer puts the attempt back), so they never count.
- Only busy, unanswered or cancelled calls, or no call at all: UH (3.12, 3.13, 3.90).
This robot survey has no O outcomes.
"""

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Case, Q, QuerySet, Value, When

from surveys.models import (
    AnsweredBy,
    CallAttempt,
    CallStatus,
    Campaign,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactStatus,
    Question,
    Response,
    ResponseStatus,
)
from surveys.services.rates import CODES

COMPLETE, PARTIAL, REFUSAL, NON_CONTACT, OTHER, UNKNOWN, UNKNOWN_OTHER, NOT_ELIGIBLE = (
    "I",
    "P",
    "R",
    "NC",
    "O",
    "UH",
    "UO",
    "NE",
)
REFUSING = {ConsentKind.DECLINED, ConsentKind.OPTED_OUT}
# Shares of the questions that applied to the respondent: an interview from 80 %, a partial one from 50 %.
COMPLETE_THRESHOLD = 0.8
PARTIAL_THRESHOLD = 0.5

# What one attempt tells about its number (`ATTEMPT_OUTCOME`), in the order the rules rank them.
PERSON, MACHINE, FAX_LINE, UNKNOWN_PICK_UP, NOT_WORKING, NOTHING = (
    "person",
    "machine",
    "fax",
    "unknown",
    "not_working",
    "nothing",
)
# Steps at which no choice has been made at the introduction.
NO_CHOICE_STEPS = ("", "intro", "no_choice")

FAX = Q(status=CallStatus.FAX) | Q(answered_by=AnsweredBy.FAX)
ANSWERING_MACHINE = Q(status=CallStatus.MACHINE) | Q(answered_by=AnsweredBy.MACHINE)
# A completed call was picked up even when no answer time came with it.
PICKED_UP = Q(answered_at__isnull=False) | Q(status=CallStatus.COMPLETED) | ~Q(current_step="")
ATTEMPT_OUTCOME = Case(
    When(FAX, then=Value(FAX_LINE)),
    When(ANSWERING_MACHINE, then=Value(MACHINE)),
    When(status=CallStatus.FAILED, then=Value(NOT_WORKING)),
    When(PICKED_UP & Q(answered_by=AnsweredBy.UNKNOWN, current_step__in=NO_CHOICE_STEPS), then=Value(UNKNOWN_PICK_UP)),
    When(PICKED_UP, then=Value(PERSON)),
    default=Value(NOTHING),
)


@dataclass(frozen=True)
class SurveyQuestion:
    pk: int
    required: bool
    # The questions its options skip to.
    skip_targets: frozenset[int] = frozenset()


@dataclass
class ResponseAnswers:
    """One response as `answered_share` reads it: its status (and any extra fields asked for), the
    question each answer's option skips to (None without a skip rule) and the questions answered with
    an option no longer known (its contents cleared at the end of the answer retention)."""

    values: tuple
    skips: dict[int, int | None]
    unknown_choices: set[int]

    @property
    def status(self) -> str:
        return self.values[0]


def answered_share(
    questions: Sequence[SurveyQuestion],
    skips: Mapping[int, int | None],
    *,
    unknown_choices: Collection[int] = (),
    finished: bool = False,
) -> float | None:
    """The share of the questions that applied to the respondent that were answered.

    Walks `questions` (in order) from the first: an answered question with a skip rule in `skips`
    jumps to its target, the questions jumped over do not apply, an unanswered question applies
    when it is required. When the option chosen is unknown (`unknown_choices`), the skip is the
    farthest one of the question that jumps over unanswered questions only: to at most the next
    answered question, or to any target once the response is `finished`. None when no question applied."""
    index = {question.pk: position for position, question in enumerate(questions)}
    answered_positions = sorted(index[pk] for pk in skips if pk in index)
    applied = answered = 0
    position = 0
    while position < len(questions):
        question = questions[position]
        if question.pk not in skips:
            if question.required:
                applied += 1
            position += 1
            continue
        applied += 1
        answered += 1
        if question.pk in unknown_choices:
            later = next((other for other in answered_positions if other > position), None)
            limit = len(questions) if later is None and finished else later
            targets = [index[pk] for pk in question.skip_targets if pk in index]
            target = max((t for t in targets if limit is not None and position < t <= limit), default=None)
        else:
            target = index.get(skips[question.pk])
        position = target if target is not None and target > position else position + 1
    return answered / applied if applied else None


def interview_code(questions: Sequence[SurveyQuestion], response: ResponseAnswers) -> str:
    """I, P or R (a break-off) by the share of the questions that applied that `response` answered."""
    finished = response.status == ResponseStatus.COMPLETE
    share = answered_share(questions, response.skips, unknown_choices=response.unknown_choices, finished=finished)
    if share is None:
        return COMPLETE if finished else REFUSAL
    if share >= COMPLETE_THRESHOLD:
        return COMPLETE
    return PARTIAL if share >= PARTIAL_THRESHOLD else REFUSAL


def survey_questions(*, version_id: int) -> list[SurveyQuestion]:
    """A survey version's questions in order with their skip targets, in one query."""
    found: dict[int, tuple[bool, set[int]]] = {}
    for pk, required, skip_to in (
        Question.objects.filter(version=version_id)
        .order_by("position")
        .values_list("pk", "required", "options__skip_to")
    ):
        _required, targets = found.setdefault(pk, (required, set()))
        if skip_to is not None:
            targets.add(skip_to)
    return [SurveyQuestion(pk, required, frozenset(targets)) for pk, (required, targets) in found.items()]


def responses_answers(responses: QuerySet[Response], *fields: str) -> dict[UUID, ResponseAnswers]:
    """Each response of `responses` by pseudonym, with its `("status", *fields)` values, in one query."""
    found: dict[UUID, ResponseAnswers] = {}
    for pseudonym, question_id, option_id, skip_to, *values in responses.order_by().values_list(
        "pseudonym", "answers__question", "answers__option", "answers__option__skip_to", "status", *fields
    ):
        response = found.setdefault(pseudonym, ResponseAnswers(tuple(values), {}, set()))
        if question_id is None:
            continue
        response.skips[question_id] = skip_to
        if option_id is None:
            response.unknown_choices.add(question_id)
    return found


def contact_disposition(*, outcomes: Iterable[str], interview: str | None, consent: set[str]) -> str:
    """`outcomes` of the number's attempts (`ATTEMPT_OUTCOME`), the `interview_code` of its response
    (None without one) and its consent events; the first rule of the module's list that fits."""
    outcomes = set(outcomes)
    if interview is not None:
        return interview
    if consent & REFUSING or PERSON in outcomes:
        return REFUSAL
    if MACHINE in outcomes:
        return NON_CONTACT
    if FAX_LINE in outcomes:
        return NOT_ELIGIBLE
    if UNKNOWN_PICK_UP in outcomes:
        return UNKNOWN_OTHER
    if outcomes == {NOT_WORKING}:
        return NOT_ELIGIBLE
    return UNKNOWN


@dataclass(frozen=True)
class Dispositions:
    """Numbers per code; every code of `rates.CODES` is present, zeros included."""

    counts: Counter
    # The pseudonyms of the responses that are interviews (I or P): the respondents of the results.
    interviews: frozenset = frozenset()

    def __getitem__(self, code: str) -> int:
        return self.counts.get(code, 0)

    @property
    def rr1(self) -> float:
        """RR1 = I / ((I+P) + (R+NC+O) + (UH+UO)); not-eligible numbers are outside the denominator."""
        denominator = sum(count for code, count in self.counts.items() if code != NOT_ELIGIBLE)
        return self[COMPLETE] / denominator if denominator else 0.0


def campaign_dispositions(*, campaign: Campaign) -> Dispositions:
    """Every number's disposition in five queries, however many numbers the campaign has."""
    outcomes: dict[int, set[str]] = {}
    for contact_id, outcome in (
        CallAttempt.objects.filter(contact__campaign=campaign)
        .order_by()
        .annotate(outcome=ATTEMPT_OUTCOME)
        .values_list("contact_id", "outcome")
    ):
        outcomes.setdefault(contact_id, set()).add(outcome)
    questions = survey_questions(version_id=campaign.survey_version_id)
    interviews_of = {
        pseudonym: interview_code(questions, response)
        for pseudonym, response in responses_answers(Response.objects.filter(campaign=campaign)).items()
    }
    consent: dict = {}
    for ref, kind in ConsentEvent.objects.filter(campaign=campaign).values_list("contact_ref", "kind"):
        consent.setdefault(ref, set()).add(kind)
    counts = Counter(dict.fromkeys(CODES, 0))
    interviews = set()
    for pk, pseudonym, contact_status in Contact.objects.filter(campaign=campaign).values_list(
        "pk", "pseudonym", "status"
    ):
        refusals = consent.get(pseudonym, set())
        if contact_status == ContactStatus.OPTED_OUT:
            refusals = refusals | {ConsentKind.OPTED_OUT}
        code = contact_disposition(
            outcomes=outcomes.get(pk, ()), interview=interviews_of.get(pseudonym), consent=refusals
        )
        counts[code] += 1
        if code in (COMPLETE, PARTIAL):
            interviews.add(pseudonym)
    return Dispositions(counts, frozenset(interviews))
