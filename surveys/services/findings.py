"""What the survey found, in sentences anyone can read, from the weighted results.

The sentences round as people speak ("about 6 in 10" for 58-62 %), give the margin of error of each
share and the interval of each mean, and never claim a difference that the 95 % intervals do not
support: two answers or two ratings whose intervals overlap are "about equal". They are built from
results whose hidden groups are already taken out (surveys.services.results_privacy), and no
sentence is written about a hidden group or a hidden answer.

What each mode added (`mode_sentences`) is said only when both the phone and the web produced
completes: how many the web added, which group it reached more than the phone did, and whether the
modes' answers differ beyond chance after weighting - a difference whose cause (who chose the mode,
or how the question was heard or read) it does not claim to know.

A demographic question whose dimension the results are weighted by has no finding: weighting makes
its shares the population's, so they tell nothing new ("who answered" compares it instead).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from surveys.services.estimates import rounded
from surveys.services.results_contract import GroupShare, ModeResults, OptionEstimate, QuestionResult

# A share this close to a tenth is "about k in 10"; others are said as whole per cents.
TENTH_SLACK = 0.02
# How far a group's share of the respondents must be from its population share to be worth a sentence.
NOTABLE_GAP = 0.05
NOTABLE_GROUPS = 4
THEMES_NAMED = 3
# Float noise: 0.58 may be 0.5799999999.
EPSILON = 1e-9


@dataclass(frozen=True)
class Finding:
    position: int  # the question's
    sentence: str


def share_in_words(share: float) -> str:
    """0.58-0.62 -> "about 6 in 10", 0.5 -> "about half", 0.98 and over -> "almost all", 0.02 and
    under -> "almost none", anything else the whole per cent ("about 55 %")."""
    if _near_a_tenth(share):
        tenths = round(share * 10)
        if tenths == 0:
            return _("almost none")
        if tenths == 10:
            return _("almost all")
        if tenths == 5:
            return _("about half")
        return _("about %(count)s in 10") % {"count": tenths}
    return _percent_in_words(share)


def shares_in_words(shares: Sequence[float]) -> list[str]:
    """Shares named together, said one way: in tenths only when every one of them is near a tenth."""
    if all(_near_a_tenth(share) for share in shares):
        return [share_in_words(share) for share in shares]
    return [_percent_in_words(share) for share in shares]


def _near_a_tenth(share: float) -> bool:
    return abs(share - round(share * 10) / 10) <= TENTH_SLACK + EPSILON


def _percent_in_words(share: float) -> str:
    return _("about %(percent)s %%") % {"percent": _whole_percent(share)}


def _whole_percent(share: float) -> str:
    return number_format(rounded(share * 100, 0), 0, use_l10n=True, force_grouping=True)


def _decimal(value: float) -> str:
    return number_format(rounded(value, 1), 1, use_l10n=True, force_grouping=True)


def margin_of_error_points(option: OptionEstimate) -> int | None:
    """The larger half of the share's 95 % interval, in whole percentage points (at least 1)."""
    if option.weighted_share is None or option.ci_low is None or option.ci_high is None:
        return None
    half = max(option.ci_high - option.weighted_share, option.weighted_share - option.ci_low)
    return max(1, int(rounded(half * 100, 0)))


def _margin_clause(option: OptionEstimate) -> str:
    points = margin_of_error_points(option)
    if points is None:
        return ""
    percent = option.weighted_share * 100
    if percent - points < 0 or percent + points > 100:
        # Near 0 % or 100 % the interval is lopsided (Wilson): a "±" would reach past the scale.
        return " " + _("Allowing for the margin of error, between %(low)s %% and %(high)s %%.") % {
            "low": _whole_percent(option.ci_low),
            "high": _whole_percent(option.ci_high),
        }
    return " " + _("The margin of error is about ±%(points)s percentage points.") % {"points": points}


def intervals_overlap(first: tuple[float | None, float | None], second: tuple[float | None, float | None]) -> bool:
    """Whether two 95 % intervals overlap; an unknown interval overlaps everything (nothing can be told apart)."""
    (low_1, high_1), (low_2, high_2) = first, second
    if None in (low_1, high_1, low_2, high_2):
        return True
    return low_1 <= high_2 and low_2 <= high_1


def _option_interval(option: OptionEstimate) -> tuple[float | None, float | None]:
    return option.ci_low, option.ci_high


def question_findings(
    questions: Sequence[QuestionResult], *, weighted_dimensions: Sequence[str] = (), population_weighted: bool = False
) -> list[Finding]:
    """The main finding of each question that has one, in the questions' order. `population_weighted`:
    the shares are weighted to the population, so they are not what the respondents answered (68 % of
    them may have said yes where the weighted share is 62 %), and the sentences say so."""
    findings = []
    for question in questions:
        if not question.answered or (question.demographic and question.demographic in weighted_dimensions):
            continue
        sentence = _question_sentence(question, population_weighted=population_weighted)
        if sentence:
            findings.append(Finding(position=question.position, sentence=sentence))
    return findings


def _question_sentence(question: QuestionResult, *, population_weighted: bool) -> str:
    options = [option for option in question.options if not option.hidden and option.weighted_share is not None]
    if question.kind == "yes_no":
        yes = question.options[0] if question.options else None
        if yes is None or yes.hidden or yes.weighted_share is None:
            return ""
        if population_weighted:
            sentence = _("Weighted to the population, %(share)s answered yes to “%(question)s”.") % {
                "share": share_in_words(yes.weighted_share),
                "question": question.text,
            }
        else:
            sentence = _("%(share)s answered yes to “%(question)s”.") % {
                "share": share_in_words(yes.weighted_share).capitalize(),
                "question": question.text,
            }
        return sentence + _margin_clause(yes)
    if question.kind in ("scale", "number") and question.mean and question.mean.weighted is not None:
        return _mean_sentence(question)
    if question.kind in ("choice", "scale") and options:
        return _most_chosen_sentence(question, options, population_weighted=population_weighted)
    if question.kind == "open" and question.themes:
        return _("Words used most in the answers to “%(question)s”: %(keywords)s.") % {
            "question": question.text,
            "keywords": ", ".join(theme.keyword for theme in question.themes[:THEMES_NAMED]),
        }
    return ""


def _mean_sentence(question: QuestionResult) -> str:
    mean = question.mean
    values = {"question": question.text, "mean": _decimal(mean.weighted)}
    if (mean.ci_low is None or mean.ci_high is None) and question.answered > 1:
        # Answers all alike have no spread to build an interval from (surveys.services.estimates).
        values["count"] = question.answered
        if question.kind == "scale":
            return (
                _(
                    "“%(question)s”: all %(count)s answers were %(mean)s on a scale of 1 to 5, too alike for a "
                    "margin of error."
                )
                % values
            )
        return _("“%(question)s”: all %(count)s answers were %(mean)s, too alike for a margin of error.") % values
    if mean.ci_low is None or mean.ci_high is None:
        # An interval takes two answers: this mean is one person's answer, and says so.
        if question.kind == "scale":
            return (
                _("“%(question)s”: only one answer (%(mean)s on a scale of 1 to 5), too few for a margin of error.")
                % values
            )
        return _("“%(question)s”: only one answer (%(mean)s), too few for a margin of error.") % values
    values |= {"low": _decimal(mean.ci_low), "high": _decimal(mean.ci_high)}
    if question.kind == "scale":
        return (
            _(
                "“%(question)s”: %(mean)s on average on a scale of 1 to 5; allowing for the margin of error, "
                "between %(low)s and %(high)s."
            )
            % values
        )
    return _("“%(question)s”: %(mean)s on average; allowing for the margin of error, between %(low)s and %(high)s.") % (
        values
    )


def _most_chosen_sentence(question: QuestionResult, options: list[OptionEstimate], *, population_weighted: bool) -> str:
    ranked = sorted(options, key=lambda option: -option.weighted_share)
    top = ranked[0]
    tied = [other for other in ranked[1:] if intervals_overlap(_option_interval(top), _option_interval(other))]
    if tied:
        return _(
            "In “%(question)s”, the answers do not tell which of %(answers)s was chosen most often "
            "(%(shares)s): the differences are within the margin of error."
        ) % {
            "question": question.text,
            "answers": ", ".join(option.label for option in [top, *tied]),
            "shares": ", ".join(shares_in_words([option.weighted_share for option in [top, *tied]])),
        }
    values = {"question": question.text, "answer": top.label, "share": share_in_words(top.weighted_share)}
    if population_weighted:
        sentence = (
            _("In “%(question)s”, weighted to the population, the most chosen answer was %(answer)s: %(share)s.")
            % values
        )
    else:
        sentence = _("In “%(question)s”, the most chosen answer was %(answer)s: %(share)s.") % values
    return sentence + _margin_clause(top)


def rating_sentences(questions: Sequence[QuestionResult]) -> list[str]:
    """Which scale questions were rated highest and lowest, when the intervals tell them apart;
    questions whose intervals overlap the highest (lowest) one's are named with it, and when the
    highest and the lowest overlap every rating is "about equal"."""
    rated = sorted(
        (
            question
            for question in questions
            if question.kind == "scale"
            and not question.demographic
            and question.answered
            and question.mean
            and question.mean.weighted is not None
        ),
        key=lambda question: -question.mean.weighted,
    )
    if len(rated) < 2:
        return []

    def interval(question):
        return question.mean.ci_low, question.mean.ci_high

    highest, lowest = rated[0], rated[-1]
    if intervals_overlap(interval(highest), interval(lowest)):
        return [
            _(
                "The scale questions were rated about equally: from %(low)s to %(high)s on average on a scale of "
                "1 to 5, differences within the margin of error."
            )
            % {"low": _decimal(lowest.mean.weighted), "high": _decimal(highest.mean.weighted)}
        ]
    # A rating that overlaps both ends can be told apart from neither: it is named as neither.
    top = [
        question
        for question in rated
        if intervals_overlap(interval(highest), interval(question))
        and not intervals_overlap(interval(lowest), interval(question))
    ]
    bottom = [
        question
        for question in rated
        if intervals_overlap(interval(lowest), interval(question))
        and not intervals_overlap(interval(highest), interval(question))
    ]
    return [
        _("Rated highest: %(questions)s on a scale of 1 to 5.") % {"questions": _rated_names(top)},
        _("Rated lowest: %(questions)s on a scale of 1 to 5.") % {"questions": _rated_names(bottom[::-1])},
    ]


def _rated_names(questions: Sequence[QuestionResult]) -> str:
    names = [
        _("“%(question)s” (%(mean)s on average)")
        % {"question": question.text, "mean": _decimal(question.mean.weighted)}
        for question in questions
    ]
    if len(names) == 1:
        return names[0]
    return _("%(questions)s, about equally") % {"questions": ", ".join(names)}


def representation_sentences(groups: Sequence[GroupShare], *, dimension_names: dict[str, str]) -> list[str]:
    """The groups whose share of the respondents is furthest from their share of the population (at
    least 5 points), hidden groups never among them."""
    notable = sorted(
        (
            group
            for group in groups
            if not group.hidden
            and group.sample_share is not None
            and group.population_share is not None
            and abs(group.sample_share - group.population_share) >= NOTABLE_GAP - EPSILON
        ),
        key=lambda group: -abs(group.sample_share - group.population_share),
    )[:NOTABLE_GROUPS]
    sentences = []
    for group in notable:
        values = {
            "group": f"{dimension_names.get(group.dimension, group.dimension)}: {group.label}",
            "sample": _whole_percent(group.sample_share),
            "population": _whole_percent(group.population_share),
        }
        if group.sample_share > group.population_share:
            sentences.append(
                _(
                    "%(group)s answered more than their share: %(sample)s %% of those who answered, %(population)s "
                    "%% of the residents."
                )
                % values
            )
        else:
            sentences.append(
                _(
                    "%(group)s answered less than their share: %(sample)s %% of those who answered, %(population)s "
                    "%% of the residents."
                )
                % values
            )
    return sentences


def summary_sentences(
    questions: Sequence[QuestionResult], *, weighted_dimensions: Sequence[str] = (), population_weighted: bool = False
) -> list[str]:
    """The short summary of the reports: the ratings compared, then each question's finding - those of
    the results page and the PDF (`question_findings`), a background question's too unless the results
    are weighted by it."""
    findings = question_findings(
        questions, weighted_dimensions=weighted_dimensions, population_weighted=population_weighted
    )
    return rating_sentences(questions) + [finding.sentence for finding in findings]


def mode_sentences(modes: ModeResults, *, dimension_names: dict[str, str]) -> list[str]:
    """What the web added to the phone: nothing unless both modes produced completes."""
    phone, web = modes.completes.get("phone", 0), modes.completes.get("web", 0)
    if not phone or not web:
        return []
    values = {"count": web, "share": _whole_percent(web / (phone + web))}
    reached = _group_the_web_reached(modes, dimension_names)
    if reached is None:
        sentences = [
            ngettext(
                "The web survey added %(count)s completed answer (%(share)s %% of all).",
                "The web survey added %(count)s completed answers (%(share)s %% of all).",
                web,
            )
            % values
        ]
    else:
        sentences = [
            _(
                "The web survey added %(count)s completed answers (%(share)s %% of all); %(web)s %% of them came "
                "from the group %(group)s, against %(phone)s %% of the phone answers."
            )
            % (values | reached)
        ]
    differing = modes.mode_effects
    compared = [comparison for comparison in modes.comparisons if comparison.differs is not None]
    if differing:
        sentences.append(
            _(
                "After weighting, the phone and web answers differ beyond chance in %(questions)s. The difference "
                "may come from who chose each mode or from hearing a question against reading it; the results "
                "combine both modes."
            )
            % {
                "questions": ", ".join(
                    pgettext("a question quoted", "“%(question)s”") % {"question": comparison.text}
                    for comparison in differing
                )
            }
        )
        if len(compared) > 1:
            sentences.append(
                _("Of %(count)s questions compared, about one in twenty may differ beyond chance by chance alone.")
                % {"count": len(compared)}
            )
    elif compared:
        sentences.append(
            ngettext(
                "After weighting, the phone and web answers did not differ beyond chance in the %(count)s "
                "question compared.",
                "After weighting, the phone and web answers did not differ beyond chance in any of the %(count)s "
                "questions compared.",
                len(compared),
            )
            % {"count": len(compared)}
        )
    return sentences


def _group_the_web_reached(modes: ModeResults, dimension_names: dict[str, str]) -> dict | None:
    """The shown group whose share of the web's completes is furthest above its share of the phone's,
    in the first dimension counted (the age group when the survey asks it)."""
    for groups in modes.groups:
        best = None
        for index, (key, label) in enumerate(groups.categories):
            web, phone = groups.shares["web"][index], groups.shares["phone"][index]
            if not key or web is None or phone is None or web <= phone:
                continue
            if best is None or web - phone > best[0]:
                best = (web - phone, label, web, phone)
        if best is not None:
            _gap, label, web, phone = best
            name = dimension_names.get(groups.dimension, groups.dimension)
            return {"group": f"{name}: {label}", "web": _whole_percent(web), "phone": _whole_percent(phone)}
    return None
