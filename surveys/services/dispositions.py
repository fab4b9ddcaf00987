"""The AAPOR final disposition of each number, derived from its attempts, consent events and response.

Codes follow the Standard Definitions (the queXS mapping of call outcomes in REFERENCE.md):
I complete, P partial, R refusal and break-off, NC non-contact, O other, UH unknown eligibility,
UO unknown other, NE not eligible (e.g. a disconnected number).

- A complete response is I. A partial one is P when at least half of the survey's questions were
  answered (AAPOR leaves the threshold to the survey and names 50 % as a common choice); with fewer
  answers it is a break-off, counted with the refusals (R, AAPOR 2.12).
- A person who heard the introduction and did not answer, declined or opted out (also on the web,
  after the pre-announcement) refused: R.
- Every attempt failed at the carrier: the number does not work, NE (4.32).
- An answering machine, or a call picked up and hung up before the introduction began: the number
  reaches a person, but no contact was made, NC (2.22). Only unanswered or busy calls, or no call
  at all: eligibility unknown, UH (3.13, 3.90). This robot survey has no UO or O outcomes.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count

from surveys.models import (
    Answer,
    CallAttempt,
    CallStatus,
    Campaign,
    ConsentEvent,
    ConsentKind,
    Contact,
    ContactStatus,
    Response,
    ResponseStatus,
)
from surveys.services.rates import CODES

COMPLETE, PARTIAL, REFUSAL, NON_CONTACT, OTHER, UNKNOWN, NOT_ELIGIBLE = "I", "P", "R", "NC", "O", "UH", "NE"
REFUSING = {ConsentKind.DECLINED, ConsentKind.OPTED_OUT}
# The share of the survey's questions a partial response must have answered to count as a partial interview.
PARTIAL_THRESHOLD = 0.5


def contact_disposition(
    *, statuses: list[str], reached: bool, response: str | None, consent: set[str], answered_share: float = 0.0
) -> str:
    """`statuses` of the attempts, `reached` when a person heard the introduction, the response's
    status and, for a partial one, the share of the survey's questions it answered."""
    if response == ResponseStatus.COMPLETE:
        return COMPLETE
    if response == ResponseStatus.PARTIAL and answered_share >= PARTIAL_THRESHOLD:
        return PARTIAL
    if response == ResponseStatus.PARTIAL:
        return REFUSAL
    if consent & REFUSING or reached:
        return REFUSAL
    if statuses and all(status == CallStatus.FAILED for status in statuses):
        return NOT_ELIGIBLE
    if CallStatus.MACHINE in statuses or CallStatus.COMPLETED in statuses:
        return NON_CONTACT
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
    """Every number's disposition in six queries, however many numbers the campaign has."""
    statuses: dict[int, list[str]] = {}
    reached: set[int] = set()
    for contact_id, status, step in CallAttempt.objects.filter(contact__campaign=campaign).values_list(
        "contact_id", "status", "current_step"
    ):
        statuses.setdefault(contact_id, []).append(status)
        if step:
            reached.add(contact_id)
    responses = dict(Response.objects.filter(campaign=campaign).values_list("pseudonym", "status"))
    questions = campaign.survey_version.questions.count()
    answered = dict(
        Answer.objects.filter(response__campaign=campaign, response__status=ResponseStatus.PARTIAL)
        .order_by()
        .values("response__pseudonym")
        .annotate(answers=Count("pk"))
        .values_list("response__pseudonym", "answers")
    )
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
            statuses=statuses.get(pk, []),
            reached=pk in reached,
            response=responses.get(pseudonym),
            consent=refusals,
            answered_share=answered.get(pseudonym, 0) / questions if questions else 0.0,
        )
        counts[code] += 1
        if code in (COMPLETE, PARTIAL):
            interviews.add(pseudonym)
    return Dispositions(counts, frozenset(interviews))
