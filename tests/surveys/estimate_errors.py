"""How far a campaign's weighted and unweighted estimates are from its population's truth: the check
of the weighting in the tests and in benchmarks/bench_weighting.py (the portal itself never knows
the truth)."""

from collections.abc import Mapping, Sequence


def estimate_errors(results, truth: dict) -> dict:
    """How far the weighted and the unweighted estimates of `results` (a CampaignResults) are from
    the population's truth, {position: {"shares": {value: share}, "mean": float | None}} (or
    objects with `shares` and `mean`, like `synthetic_population.population_truth` returns).

    Shares and means are compared separately (a share is 0..1, a mean is on the question's scale):
    the mean absolute error over every option share of every question, and over every mean.
    Demographic questions are left out: weighting matches them by construction. Returns
    {"shares": {"weighted", "unweighted", "count"}, "means": {...}, "questions": {position:
    {"shares": {"weighted", "unweighted"}, "mean": {"weighted", "unweighted"}}}}, None where
    nothing was compared."""
    errors = {"shares": {"weighted": [], "unweighted": []}, "means": {"weighted": [], "unweighted": []}}
    questions = {}
    for question in results.questions:
        expected = truth.get(question.position)
        if expected is None or question.demographic or not question.answered:
            continue
        mine = {"shares": {"weighted": [], "unweighted": []}, "means": {"weighted": [], "unweighted": []}}
        true_shares, true_mean = _truth_parts(expected)
        shares = {str(value): share for value, share in true_shares.items()}
        for option in question.options:
            if option.value in shares:
                for kind, estimate in (("weighted", option.weighted_share), ("unweighted", option.share)):
                    mine["shares"][kind].append(abs((estimate or 0.0) - shares[option.value]))
        if true_mean is not None and question.mean is not None and question.mean.weighted is not None:
            for kind, estimate in (("weighted", question.mean.weighted), ("unweighted", question.mean.unweighted)):
                mine["means"][kind].append(abs(estimate - true_mean))
        for group in ("shares", "means"):
            for kind in ("weighted", "unweighted"):
                errors[group][kind] += mine[group][kind]
        questions[question.position] = {
            "shares": {kind: _mean(values) for kind, values in mine["shares"].items()},
            "mean": {kind: _mean(values) for kind, values in mine["means"].items()},
        }

    def summary(group):
        return {kind: _mean(values) for kind, values in group.items()} | {"count": len(group["weighted"])}

    return {"shares": summary(errors["shares"]), "means": summary(errors["means"]), "questions": questions}


def _truth_parts(expected) -> tuple[dict, float | None]:
    """(shares, mean) of a truth entry: a mapping, or an object with those attributes (the
    simulator's `TruthForQuestion`)."""
    if isinstance(expected, Mapping):
        return expected.get("shares") or {}, expected.get("mean")
    return expected.shares or {}, expected.mean


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
