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
- A person screened out because their group's quota was filled (a screened-out response): NE (4.80,
  quota filled).
- A person who declined or opted out (on the phone, or on the web after the pre-announcement): R (2.11).
- A person who asked at the introduction for the link by text message (SMS follow-up) and has not
  answered on the web: O (2.30, other: eligible and reached, not a refusal, no interview). Their
  answers on the web, if they come, decide by the first rule.
- A person picked up and hung up at once, or heard the introduction and chose nothing: R (2.11).
  A call is a person's when the answering machine detection said "human" or gave no verdict, or
  said "unknown" but a choice was made at the introduction.
- A number no longer called because its known group's quota was filled (the dialer closes only
  numbers waiting for a call): NE (4.80, quota filled), unless one of the rules above fits - a person
  reached before the group filled was eligible then, and counts so. Such a number's eligibility was
  never found out: it is left out of the estimate of e (`Dispositions.eligibility_not_learnt`), unlike
  a person screened out, whom the quota found not eligible.
- An answering machine picked up (with or without the short message, 2.221 / 2.222): NC (2.22).
  A machine is never a person reached, even when the introduction had started before the verdict.
- A fax or data line answered, and the person's other numbers (a contact file's phone columns are
  one person's numbers, called in turn) were fax lines too or do not work: NE (4.20), not an
  answering machine. A fax line is a property of its number: the calls to it that rang unanswered, or
  that the detection could not tell, were the fax line too (`contact_outcomes`), but a person whose
  other number rang unanswered is of unknown eligibility (below), as the dialer went on calling them.
- Picked up, the detection could not tell who or what, and no choice was made: UO (3.90).
- Every attempt failed at the carrier (the number does not work): NE (4.32). Carrier outages and
  account errors leave no failed attempt (the dialer puts the attempt back), so they never count.
- Only busy, unanswered or cancelled calls, or no call at all: UH (3.12, 3.13, 3.90).
The one disposition of a number, whichever mode reached it, has one O outcome: the link asked for
on the call, not (yet) answered on the web.

Mixed mode (phone, and the web survey an SMS link opens). AAPOR's Standard Definitions give a case
one final disposition for the survey as a whole: the rules above read the events of both modes (a
response in either mode, a refusal on the call, on the web or by an SMS reply), and a response is
the mode that completed it (`Response.mode`). The rates of one mode are computed over the cases
that mode was attempted on, each with a disposition read from that mode's own events (`by_mode`):

- Phone, attempted on a number with a call that was dialled (not one still waiting, nor one taken
  back before it rang): the rules above, with the response only when it was given by phone and
  only the refusals said on a call. A person reached by phone who then answered on the web, or who
  asked on the call for the link, did not refuse: O (2.30, eligible and contacted, no phone interview).
  Calls that reached nobody at a number the case's one disposition knows to be eligible (answered or
  refused on the web, opted out): NC (2.20), not of unknown eligibility.
- Web, attempted on a number whose SMS the provider took or may have taken (every status but "not
  sent"), or whose person opened the web survey through their personal link (an introduction read on
  the web) or answered on the web: the response when it was given on the web; a refusal or opt-out
  on the web or by an SMS reply: R (2.11); choosing on the web without a response in either mode:
  R (2.12, a break-off); consenting on the web and being interviewed by phone: O (2.30, symmetric
  with the phone); a number the phone found not eligible (a fax, a number that does not work): NE,
  as in the combined disposition - eligibility is the number's, not the mode's; so too nothing back
  from a number the combined disposition knows to be eligible (interviewed or reached by phone, an
  answering machine): NC (2.20), whether the SMS arrived or not; an SMS the operator could not
  deliver: UO (3.3, the invitation did not arrive); otherwise nothing came back: UH (3.19).
- An opt-out on the public opt-out page, or a STOP reply from a number no link of the campaign was
  sent to, reaches the campaign through the do-not-call registry: it is no attempt of either mode
  (the combined disposition counts it as a refusal, R 2.11).
So a case both modes tried counts in both modes' rates, and the completes of the modes add up to
the combined completes.
"""

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When

from surveys.models import (
    AnsweredBy,
    CallAttempt,
    CallStatus,
    Campaign,
    ConsentChannel,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactStatus,
    Question,
    Response,
    ResponseMode,
    ResponseStatus,
    SmsStatus,
)
from surveys.services.privacy import campaign_answers_purged
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
# The choices of a person the rules read: the refusals, and asking on the call for the link (not one).
CHOICES = REFUSING | {ConsentKind.WEB_LINK}
# Shares of the questions that applied to the respondent: an interview from 80 %, a partial one from 50 %.
COMPLETE_THRESHOLD = 0.8
PARTIAL_THRESHOLD = 0.5

# A person done with the survey: they heard its closing words, or answered enough of it to be a
# complete (AAPOR I) before they left. Neither is called nor sent the link again: a person completes
# once. (The web survey stays open to the second, to answer the rest if they come back to it.)
SURVEY_DONE = Q(status=ResponseStatus.COMPLETE) | Q(interview_code=COMPLETE)

# The codes of a number known to be eligible: a mode that got nothing back from it did not reach it (NC).
ELIGIBLE = frozenset({COMPLETE, PARTIAL, REFUSAL, NON_CONTACT, OTHER})
UNKNOWN_ELIGIBILITY = frozenset({UNKNOWN, UNKNOWN_OTHER})

# What one attempt tells about its number (`ATTEMPT_OUTCOME`), in the order the rules rank them.
PERSON, MACHINE, FAX_LINE, UNKNOWN_PICK_UP, NOT_WORKING, NOTHING = (
    "person",
    "machine",
    "fax",
    "unknown",
    "not_working",
    "nothing",
)
# What the other calls to a fax or data line showed is the fax line too (`contact_outcomes`).
FAX_LINE_TOO = frozenset({NOTHING, NOT_WORKING, UNKNOWN_PICK_UP})
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

    def answer_add(self, question_id: int, *, option_id: int | None, skip_to: int | None) -> None:
        """An answer to `question_id`: with its option's skip target, or with no option known (a
        number, an open answer, or an option whose contents the answer retention cleared)."""
        self.skips[question_id] = skip_to
        if option_id is None:
            self.unknown_choices.add(question_id)


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
    if response.status == ResponseStatus.SCREENED_OUT:
        return NOT_ELIGIBLE
    finished = response.status == ResponseStatus.COMPLETE
    share = answered_share(questions, response.skips, unknown_choices=response.unknown_choices, finished=finished)
    if share is None:
        return COMPLETE if finished else REFUSAL
    if share >= COMPLETE_THRESHOLD:
        return COMPLETE
    return PARTIAL if share >= PARTIAL_THRESHOLD else REFUSAL


def survey_questions_of(questions: Iterable[Question]) -> list[SurveyQuestion]:
    """`questions` (in order, their options prefetched) as `answered_share` reads them, with no query:
    for a call, whose questions are in memory."""
    return [
        SurveyQuestion(
            question.pk,
            question.required,
            frozenset(option.skip_to_id for option in question.options.all() if option.skip_to_id is not None),
        )
        for question in questions
    ]


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
        if question_id is not None:
            response.answer_add(question_id, option_id=option_id, skip_to=skip_to)
    return found


def response_interview_code_refresh(*, response_id: int) -> None:
    """Store the response's `interview_code` as its answers and status stand now: called after each of
    its answers is stored, changed or removed and as it ends, so the quotas, the pacing and the live
    page count the report's completes while the campaign runs. Its row is locked for the while: of two
    steps storing answers at once, the later one reads the other's answers too. The questions are
    the campaign's version's, as `campaign_dispositions` reads them."""
    with transaction.atomic():
        version_id = (
            Response.objects.select_for_update(of=("self",))
            .filter(pk=response_id)
            .values_list("campaign__survey_version_id", flat=True)
            .first()
        )
        if version_id is None:
            return
        answers = responses_answers(Response.objects.filter(pk=response_id))
        code = interview_code(survey_questions(version_id=version_id), *answers.values())
        Response.objects.filter(pk=response_id).update(interview_code=code)


def contact_outcomes(by_number: Iterable[set[str]]) -> set[str]:
    """The outcomes (`ATTEMPT_OUTCOME`) of a contact's attempts, given one set per number called, as
    `contact_disposition` reads them: a number that answered as a fax line is that, whatever its other
    calls showed (ringing unanswered, failing, picked up by something the detection could not tell)."""
    found: set[str] = set()
    for outcomes in by_number:
        found |= outcomes - FAX_LINE_TOO if FAX_LINE in outcomes else outcomes
    return found


def contact_disposition(
    *, outcomes: Iterable[str], interview: str | None, consent: set[str], quota_closed: bool = False
) -> str:
    """`outcomes` of the contact's attempts (`contact_outcomes`), the `interview_code` of its response
    (None without one), its consent events and whether a quota closed it; the first rule of the
    module's list that fits."""
    outcomes = set(outcomes)
    if interview is not None:
        return interview
    if consent & REFUSING:
        return REFUSAL
    if ConsentKind.WEB_LINK in consent:
        return OTHER
    if PERSON in outcomes:
        return REFUSAL
    # Decided on purpose: a quota that closed the number makes it not eligible (AAPOR 4.80) only
    # where nothing eligible happened before. A person who refused, hung up on the introduction or
    # asked for the link was eligible then, and stays so: the conservative rates count them.
    if quota_closed:
        return NOT_ELIGIBLE
    if MACHINE in outcomes:
        return NON_CONTACT
    if FAX_LINE in outcomes and outcomes <= {FAX_LINE, NOT_WORKING}:
        return NOT_ELIGIBLE
    if UNKNOWN_PICK_UP in outcomes:
        return UNKNOWN_OTHER
    if outcomes == {NOT_WORKING}:
        return NOT_ELIGIBLE
    return UNKNOWN


# A call still waiting, or taken back before it rang, is no phone attempt.
NOT_DIALLED = frozenset({CallStatus.PENDING, CallStatus.CANCELED})
# An SMS the provider refused, or the operator could not deliver: the invitation did not arrive.
SMS_NOT_DELIVERED = frozenset({SmsStatus.UNDELIVERED, SmsStatus.FAILED})
WEB_CHANNELS = frozenset({ConsentChannel.WEB, ConsentChannel.SMS})


def phone_disposition(
    *,
    outcomes: Iterable[str],
    interview: str | None,
    refusals: set[str],
    answered_on_the_web: bool,
    combined: str,
    quota_closed: bool = False,
) -> str:
    """The case's disposition in the phone mode: `interview` only for a response given by phone,
    `refusals` only those said on a call, with asking there for the link; `combined` the case's one
    disposition (see the module docstring)."""
    code = contact_disposition(outcomes=outcomes, interview=interview, consent=refusals, quota_closed=quota_closed)
    if code == REFUSAL and interview is None and not refusals and answered_on_the_web:
        return OTHER
    if code in UNKNOWN_ELIGIBILITY and combined in ELIGIBLE:
        return NON_CONTACT
    return code


def web_disposition(
    *, interview: str | None, events: set[str], sms_status: str | None, combined: str, interviewed_by_phone: bool
) -> str:
    """The case's disposition in the web mode: `interview` only for a response given on the web,
    `events` the consent events of the web and of SMS replies, `combined` the case's one disposition
    (see the module docstring)."""
    if interview is not None:
        return interview
    if events & REFUSING:
        return REFUSAL
    if events:
        return OTHER if interviewed_by_phone else REFUSAL
    if combined == NOT_ELIGIBLE:
        return NOT_ELIGIBLE
    if combined in ELIGIBLE:
        return NON_CONTACT
    if sms_status in SMS_NOT_DELIVERED:
        return UNKNOWN_OTHER
    return UNKNOWN


@dataclass(frozen=True)
class Dispositions:
    """Numbers per code; every code of `rates.CODES` is present, zeros included."""

    counts: Counter
    # The pseudonyms of the responses that are interviews (I or P): the respondents of the results.
    interviews: frozenset = frozenset()
    # Per mode (`ResponseMode`), the dispositions of the cases it was attempted on (module docstring);
    # a mode attempted on no case is left out.
    by_mode: dict[str, Counter] = field(default_factory=dict)
    # The mode of each interview (I or P), by pseudonym.
    interview_modes: dict = field(default_factory=dict)
    # The pseudonyms of the complete interviews (I).
    completes: frozenset = frozenset()
    # NE numbers a quota closed before anyone answered: no eligibility learnt, so not in e's estimate.
    eligibility_not_learnt: int = 0
    # NE numbers not eligible as their group's quota was filled (4.80): screened out, or closed.
    quota_filled: int = 0

    def __getitem__(self, code: str) -> int:
        return self.counts.get(code, 0)

    @property
    def rr1(self) -> float:
        """RR1 = I / ((I+P) + (R+NC+O) + (UH+UO)); not-eligible numbers are outside the denominator."""
        denominator = sum(count for code, count in self.counts.items() if code != NOT_ELIGIBLE)
        return self[COMPLETE] / denominator if denominator else 0.0


def campaign_dispositions(*, campaign: Campaign) -> Dispositions:
    """Every number's disposition, combined and per mode, in five queries however many numbers the
    campaign has."""
    by_number: dict[int, dict[int | None, set[str]]] = {}
    dialled: set[int] = set()
    for contact_id, phone_id, outcome, status in (
        CallAttempt.objects.filter(contact__campaign=campaign)
        .order_by()
        .annotate(outcome=ATTEMPT_OUTCOME)
        .values_list("contact_id", "phone_id", "outcome", "status")
    ):
        by_number.setdefault(contact_id, {}).setdefault(phone_id, set()).add(outcome)
        if status not in NOT_DIALLED:
            dialled.add(contact_id)
    outcomes = {contact_id: contact_outcomes(numbers.values()) for contact_id, numbers in by_number.items()}
    interviews_of: dict = {}
    mode_of: dict = {}
    if campaign_answers_purged(campaign):
        # The options chosen are gone, and with them the skips a break-off took: each response's code
        # is the one stored while its answers were there.
        for pseudonym, code, mode in Response.objects.filter(campaign=campaign).values_list(
            "pseudonym", "interview_code", "mode"
        ):
            interviews_of[pseudonym], mode_of[pseudonym] = code, mode
    else:
        questions = survey_questions(version_id=campaign.survey_version_id)
        for pseudonym, response in responses_answers(Response.objects.filter(campaign=campaign), "mode").items():
            interviews_of[pseudonym] = interview_code(questions, response)
            mode_of[pseudonym] = response.values[1]
    consent: dict = {}
    call_choices: dict = {}
    web_events: dict = {}
    # The people who opened the web survey through their personal link: only there is its
    # introduction read on the web (an opt-out on the public page records no introduction).
    web_visits: set = set()
    for ref, kind, channel in ConsentEvent.objects.filter(campaign=campaign).values_list(
        "contact_ref", "kind", "channel"
    ):
        consent.setdefault(ref, set()).add(kind)
        if channel in WEB_CHANNELS:
            web_events.setdefault(ref, set()).add(kind)
            if channel == ConsentChannel.WEB and kind == ConsentKind.INFORMED:
                web_visits.add(ref)
        elif kind in CHOICES:
            call_choices.setdefault(ref, set()).add(kind)
    counts = Counter(dict.fromkeys(CODES, 0))
    by_mode: dict[str, Counter] = {}
    interviews = set()
    interview_modes = {}
    completes = set()
    not_learnt = quota_filled = 0
    for pk, pseudonym, contact_status, sms_status, quota_closed_at in Contact.objects.filter(
        campaign=campaign
    ).values_list("pk", "pseudonym", "status", "sms_message__status", "quota_closed_at"):
        choices = consent.get(pseudonym, set()) & CHOICES
        if contact_status == ContactStatus.OPTED_OUT:
            choices = choices | {ConsentKind.OPTED_OUT}
        interview = interviews_of.get(pseudonym)
        mode = mode_of.get(pseudonym)
        quota_closed = quota_closed_at is not None
        code = contact_disposition(
            outcomes=outcomes.get(pk, ()), interview=interview, consent=choices, quota_closed=quota_closed
        )
        counts[code] += 1
        if code == NOT_ELIGIBLE and (quota_closed or interview == NOT_ELIGIBLE):
            quota_filled += 1
            without_quota = contact_disposition(outcomes=outcomes.get(pk, ()), interview=interview, consent=choices)
            if quota_closed and without_quota != NOT_ELIGIBLE:
                not_learnt += 1
        if code in (COMPLETE, PARTIAL):
            interviews.add(pseudonym)
            interview_modes[pseudonym] = mode
        if code == COMPLETE:
            completes.add(pseudonym)
        if pk in dialled:
            phone_code = phone_disposition(
                outcomes=outcomes[pk],
                interview=interview if mode == ResponseMode.PHONE else None,
                refusals=call_choices.get(pseudonym, set()),
                answered_on_the_web=mode == ResponseMode.WEB and interview in (COMPLETE, PARTIAL),
                combined=code,
                quota_closed=quota_closed,
            )
            _mode_counts(by_mode, ResponseMode.PHONE)[phone_code] += 1
        link_sent = sms_status not in (None, SmsStatus.NOT_SENT)
        if link_sent or pseudonym in web_visits or mode == ResponseMode.WEB:
            web_code = web_disposition(
                interview=interview if mode == ResponseMode.WEB else None,
                events=web_events.get(pseudonym, set()),
                sms_status=sms_status,
                combined=code,
                interviewed_by_phone=mode == ResponseMode.PHONE and interview in (COMPLETE, PARTIAL),
            )
            _mode_counts(by_mode, ResponseMode.WEB)[web_code] += 1
    return Dispositions(
        counts, frozenset(interviews), by_mode, interview_modes, frozenset(completes), not_learnt, quota_filled
    )


def _mode_counts(by_mode: dict[str, Counter], mode: str) -> Counter:
    if mode not in by_mode:
        by_mode[mode] = Counter(dict.fromkeys(CODES, 0))
    return by_mode[mode]
