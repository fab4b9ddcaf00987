"""The AAPOR final disposition of each number, derived from its attempts, consent events and response.

Codes follow the Standard Definitions: I complete, P partial, R refusal and break-off, NC
non-contact, O other, UH unknown eligibility, NE not eligible (e.g. a disconnected number).
"""

from collections import Counter
from dataclasses import dataclass

from surveys.models import CallAttempt, CallStatus, Campaign, ConsentEvent, ConsentKind, Contact, Response

COMPLETE, PARTIAL, REFUSAL, NON_CONTACT, OTHER, UNKNOWN, NOT_ELIGIBLE = "I", "P", "R", "NC", "O", "UH", "NE"
REFUSING = {ConsentKind.DECLINED, ConsentKind.OPTED_OUT}


def contact_disposition(*, statuses: list[str], reached: bool, response: str | None, consent: set[str]) -> str:
    """`statuses` of the attempts, `reached` when a person heard the introduction, the response's status."""
    if response == "complete":
        return COMPLETE
    if response == "partial":
        return PARTIAL
    if consent & REFUSING or reached:
        return REFUSAL
    if statuses and all(status == CallStatus.FAILED for status in statuses):
        return NOT_ELIGIBLE
    if CallStatus.MACHINE in statuses or CallStatus.COMPLETED in statuses:
        return NON_CONTACT
    return UNKNOWN


@dataclass(frozen=True)
class Dispositions:
    counts: Counter

    def __getitem__(self, code: str) -> int:
        return self.counts.get(code, 0)

    @property
    def rr1(self) -> float:
        """RR1 = I / ((I+P) + (R+NC+O) + (UH+UO)); not-eligible numbers are outside the denominator."""
        denominator = sum(count for code, count in self.counts.items() if code != NOT_ELIGIBLE)
        return self[COMPLETE] / denominator if denominator else 0.0


def campaign_dispositions(*, campaign: Campaign) -> Dispositions:
    statuses: dict[int, list[str]] = {}
    reached: set[int] = set()
    for contact_id, status, step in CallAttempt.objects.filter(contact__campaign=campaign).values_list(
        "contact_id", "status", "current_step"
    ):
        statuses.setdefault(contact_id, []).append(status)
        if step:
            reached.add(contact_id)
    responses = dict(Response.objects.filter(campaign=campaign).values_list("pseudonym", "status"))
    consent: dict = {}
    for ref, kind in ConsentEvent.objects.filter(campaign=campaign).values_list("contact_ref", "kind"):
        consent.setdefault(ref, set()).add(kind)
    counts = Counter(
        contact_disposition(
            statuses=statuses.get(pk, []),
            reached=pk in reached,
            response=responses.get(pseudonym),
            consent=consent.get(pseudonym, set()),
        )
        for pk, pseudonym in Contact.objects.filter(campaign=campaign).values_list("pk", "pseudonym")
    )
    return Dispositions(counts)
