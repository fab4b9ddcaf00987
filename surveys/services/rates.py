"""AAPOR Standard Definitions outcome rates from final disposition counts.

I complete, P partial, R refusal and break-off, NC non-contact, O other eligible non-interview,
UH / UO unknown eligibility, NE not eligible (outside every denominator). With
D = (I+P) + (R+NC+O) + (UH+UO) and De = (I+P) + (R+NC+O) + e(UH+UO):

    RR1 = I/D    RR2 = (I+P)/D    RR3 = I/De    RR4 = (I+P)/De
    RR5 = I/((I+P)+R+NC+O)        RR6 = (I+P)/((I+P)+R+NC+O)
    COOP1 = I/((I+P)+R+O)   COOP2 = (I+P)/((I+P)+R+O)   COOP3 = I/((I+P)+R)   COOP4 = (I+P)/((I+P)+R)
    REF1 = R/D   REF2 = R/De   REF3 = R/((I+P)+R+NC+O)
    CON1 = ((I+P)+R+O)/D   CON2 = ((I+P)+R+O)/De   CON3 = ((I+P)+R+O)/((I+P)+R+NC+O)

A rate whose denominator is 0 is None ("not defined"), never 0.
"""

from collections.abc import Mapping

from surveys.services.results_contract import ResponseRates

CODES = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
E_ESTIMATED, E_SET, E_ASSUMED = "estimated", "set", "assumed"
# A mode's rates use the e estimated from every number, both modes (surveys.services.results_by_mode).
E_COMBINED = "combined"


def eligibility_estimate(counts: Mapping[str, int], *, not_learnt: int = 0) -> float | None:
    """e from the cases whose eligibility is known: eligible / (eligible + not eligible).

    `not_learnt` of the NE cases were closed by a quota before anyone answered (surveys.services.
    dispositions): outside D, but their eligibility was never found out, so they say nothing of the
    unknown cases' and are left out here. Counting them as not eligible would lower e and raise RR3.
    None when no case is known yet (nothing to estimate from)."""
    eligible = sum(counts.get(code, 0) for code in ("I", "P", "R", "NC", "O"))
    known = eligible + counts.get("NE", 0) - not_learnt
    return eligible / known if known else None


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def response_rates(
    counts: Mapping[str, int], *, e: float | None = None, eligibility_not_learnt: int = 0, quota_filled: int = 0
) -> ResponseRates:
    """Every AAPOR rate of the counts. `e` set by the campaign wins; otherwise it is estimated
    from the known cases (`eligibility_estimate`, without the `eligibility_not_learnt` NE cases),
    and when nothing is known it is assumed to be 1 (every unknown case eligible), which makes
    RR3/RR4 equal RR1/RR2: the most conservative choice. `quota_filled` of the NE cases are not
    eligible as a quota was filled (4.80), which the rates carry for the reader."""
    dispositions = {code: int(counts.get(code, 0)) for code in CODES}
    if e is not None:
        e_value, e_source = float(e), E_SET
    else:
        estimate = eligibility_estimate(dispositions, not_learnt=eligibility_not_learnt)
        e_value, e_source = (estimate, E_ESTIMATED) if estimate is not None else (1.0, E_ASSUMED)

    complete, partial, refusal = dispositions["I"], dispositions["P"], dispositions["R"]
    non_contact, other = dispositions["NC"], dispositions["O"]
    unknown = dispositions["UH"] + dispositions["UO"]
    interviews = complete + partial
    known_eligible = interviews + refusal + non_contact + other
    all_cases = known_eligible + unknown  # D
    estimated_eligible = known_eligible + e_value * unknown  # De
    contacted = interviews + refusal + other

    return ResponseRates(
        dispositions=dispositions,
        e=e_value,
        e_source=e_source,
        rr={
            "RR1": _ratio(complete, all_cases),
            "RR2": _ratio(interviews, all_cases),
            "RR3": _ratio(complete, estimated_eligible),
            "RR4": _ratio(interviews, estimated_eligible),
            "RR5": _ratio(complete, known_eligible),
            "RR6": _ratio(interviews, known_eligible),
        },
        coop={
            "COOP1": _ratio(complete, interviews + refusal + other),
            "COOP2": _ratio(interviews, interviews + refusal + other),
            "COOP3": _ratio(complete, interviews + refusal),
            "COOP4": _ratio(interviews, interviews + refusal),
        },
        ref={
            "REF1": _ratio(refusal, all_cases),
            "REF2": _ratio(refusal, estimated_eligible),
            "REF3": _ratio(refusal, known_eligible),
        },
        con={
            "CON1": _ratio(contacted, all_cases),
            "CON2": _ratio(contacted, estimated_eligible),
            "CON3": _ratio(contacted, known_eligible),
        },
        quota_filled=quota_filled,
    )
