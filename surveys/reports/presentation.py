"""A campaign's results laid out for people: the sections that the results page and the PDF report
show, each chart with the table of its figures, formatted in the active language.

Building this is the same for the page and the PDF, so both say the same thing; the templates only
place the sections. `weighted` picks which estimate the question charts show; the question tables
always show the unweighted and the weighted distribution side by side.
"""

import statistics
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kuntaportaali.language_parts import part_in_language
from surveys import charts
from surveys.describe import simulated_notice
from surveys.models import QuestionKind
from surveys.progress import SHORT_REASONS, CampaignProgress
from surveys.services.findings import question_findings, rating_sentences, representation_sentences
from surveys.services.results_contract import (
    CampaignResults,
    CrossTab,
    Funnel,
    GroupShare,
    QuestionResult,
    ResponseRates,
)

from .display import (
    DISPOSITION_LABELS,
    NOT_DEFINED,
    QUOTA_FILLED_CODE,
    QUOTA_FILLED_LABEL,
    RATE_DEFINITIONS,
    WEIGHTING_METHODS,
    count_text,
    decimal_text,
    dimension_label,
    euros_text,
    hidden_text,
    interval_text,
    mean_interval_text,
    money_text,
    rounding_note,
    share_text,
    suppression_note,
)
from .layout import Figure, Table
from .modes import ModesView, modes_view

RATE_GROUPS = ("rr", "coop", "ref", "con")
DISPOSITION_ORDER = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
OPEN_ANSWERS_SHOWN = 200


@dataclass(frozen=True)
class QuestionView:
    anchor: str
    position: int
    text: str
    text_language: str  # see QuestionResult.text_language
    kind: str
    kind_label: str
    answered: str
    skipped: str
    figure: Figure | None
    mean: Table | None
    crosstabs: list[Table]
    themes: Table | None
    open_answers: list[str]
    open_answers_total: int
    finding: str = ""  # the main finding in a sentence (surveys.services.findings)
    # A demographic question the results are weighted by: its weighted shares are the population's.
    weighting_variable: bool = False
    hidden_note: str = ""  # why the question's answers are hidden in these results


@dataclass(frozen=True)
class ResultsView:
    results: CampaignResults
    weighted: bool
    key_figures: list[tuple[str, str]]
    summary: list[str]
    warnings: list[str]
    funnel: Figure
    rates: Table
    dispositions: Table
    coverage: Table
    groups: list[Figure]
    questions: list[QuestionView]
    costs: Table
    method: str
    weighting: list[tuple[str, str]]
    weights: Table
    collapsed: list[str] = field(default_factory=list)
    hidden_note: str = ""  # why the chosen group (or everyone) has no question results
    # Said before anything else when the answers come from the simulator's synthetic residents.
    simulated_notice: str = ""
    # What was learnt, for everyone, before the statistician's figures.
    ratings: list[str] = field(default_factory=list)
    plain_figures: list[tuple[str, str]] = field(default_factory=list)
    representation: list[str] = field(default_factory=list)
    weighting_sentence: str = ""
    cost_sentence: str = ""
    margin_note: str = ""
    # Results by mode (phone and web); None when only the phone was used.
    modes: ModesView | None = None

    @property
    def has_responses(self) -> bool:
        return self.results.has_responses

    @property
    def findings(self) -> list[QuestionView]:
        """The questions the findings show, in their order: all but the variables the results are
        weighted by, whose shares are the population's ("who answered" compares them instead)."""
        return [question for question in self.questions if not question.weighting_variable]


def results_view(results: CampaignResults, *, weighted: bool = True) -> ResultsView:
    """Every section of the results in the active language; `weighted` chooses the charts' estimate."""
    weighting = results.weighting
    group_languages = group_label_languages(results)
    text_language = {question.position: question.text_language for question in results.questions}
    texts = {question.position: question.text for question in results.questions}
    findings = {
        # The question the sentence names is marked when it is in another language than the sentence.
        finding.position: part_in_language(
            finding.sentence,
            texts[finding.position],
            language=text_language[finding.position],
            text_language=results.language,
        )
        for finding in question_findings(
            results.questions, weighted_dimensions=weighting.dimensions, population_weighted=bool(weighting.dimensions)
        )
    }
    return ResultsView(
        results=results,
        weighted=weighted,
        key_figures=_key_figures(results),
        plain_figures=_plain_figures(results),
        ratings=rating_sentences(results.questions),
        representation=representation_sentences(
            weighting.groups,
            dimension_names={group.dimension: dimension_label(group.dimension) for group in weighting.groups},
        ),
        weighting_sentence=_weighting_sentence(results),
        cost_sentence=_cost_sentence(results),
        margin_note=margin_note(results),
        summary=list(results.summary),
        warnings=list(weighting.warnings),
        hidden_note=hidden_group_note(results),
        funnel=_funnel(results),
        rates=_rates(results),
        dispositions=_dispositions(results),
        coverage=_coverage(results),
        groups=_groups(results),
        questions=[
            _question(
                question,
                weighted=weighted,
                minimum=results.minimum_group_size,
                finding=findings.get(question.position, ""),
                weighting_variable=bool(question.demographic) and question.demographic in weighting.dimensions,
                population_weighted=bool(weighting.dimensions),
                in_group=bool(results.respondent_filter),
                group_languages=group_languages,
            )
            for question in results.questions
        ],
        costs=_costs(results),
        method=str(WEIGHTING_METHODS.get(weighting.method, weighting.method)),
        weighting=_weighting_facts(results),
        weights=_weights_summary(results),
        collapsed=list(weighting.collapsed),
        simulated_notice=simulated_notice(results.campaign),
        modes=modes_view(results),
    )


def hidden_group_note(results: CampaignResults) -> str:
    """Why the chosen group (or everyone) has no question results, "" when it has them."""
    values = {"minimum": results.minimum_group_size, "group": ", ".join(results.filter_labels)}
    if not results.group_hidden:
        return ""
    if not results.respondent_filter:
        return (
            _("Fewer than %(minimum)s respondents have answered, so the answers are hidden to protect their privacy.")
            % values
        )
    # One sentence whatever the reason: "fewer than 5" for one group and "would give it away" for
    # another would narrow down both sizes.
    return (
        _(
            "The answers of the group %(group)s are hidden to protect the respondents' privacy: the group is too "
            "small to show, or a smaller group could be worked out from it."
        )
        % values
    )


def margin_note(results: CampaignResults) -> str:
    """What the margins of error cover, and where the population shares come from."""
    covers = _(
        "The margins of error (95 %) cover only the chance of who happened to answer (sampling error); they do "
        "not cover the differences between those who answered and those who did not, nor how a question was worded."
    )
    # "Skipped" would say a choice of people who were never asked the question (a skip rule, a break-off).
    covers += " " + _(
        "Each share is of those who answered the question: those who skipped it, were not asked it (a skip rule) "
        "or whose answering ended before it are left out."
    )
    covers += " " + rounding_note()
    if not results.weighting.dimensions:
        return covers
    if results.population_updated_at is None:
        return covers + " " + _("The population shares are those set in the results settings.")
    return (
        covers
        + " "
        + _("The population shares are those set in the results settings (last changed %(date)s).")
        % {"date": date_format(results.population_updated_at, "SHORT_DATE_FORMAT")}
    )


def _plain_figures(results: CampaignResults) -> list[tuple[str, str]]:
    funnel, costs = results.funnel, results.costs
    return [
        (_("Phone numbers called"), count_text(funnel.numbers)),
        (
            _("Complete answers (at least 80 per cent of the questions that applied answered)"),
            count_text(funnel.complete),
        ),
        (_("Total cost"), euros_text(costs.total)),
    ]


def _weighting_sentence(results: CampaignResults) -> str:
    dimensions = results.weighting.dimensions
    if not results.has_responses:
        return ""
    if not dimensions:
        return _(
            "The answers are not weighted: each respondent counts once, whether or not their group answered more "
            "than its share."
        )
    values = {"dimensions": ", ".join(dimension_label(dimension).lower() for dimension in dimensions)}
    if results.weighting.collapsed:
        # A group nobody (or too few) answered cannot count as its own share: its weight goes to its neighbour.
        return (
            _(
                "The findings are weighted by %(dimensions)s, so that each group counts as much as its share of the "
                "residents, except where groups are weighted together (below): those count together as much as their "
                "shares combined."
            )
            % values
        )
    return _(
        "The findings are weighted by %(dimensions)s, so that each group counts as much as its share of the residents."
    ) % (values)


def _cost_sentence(results: CampaignResults) -> str:
    costs = results.costs
    if costs.per_complete is None:
        return _("The survey has cost %(total)s so far.") % {"total": euros_text(costs.total)}
    return _("The survey cost %(total)s in all: %(per_complete)s for each complete answer.") % {
        "total": euros_text(costs.total),
        "per_complete": euros_text(costs.per_complete),
    }


def _key_figures(results: CampaignResults) -> list[tuple[str, str]]:
    funnel, weighting = results.funnel, results.weighting
    return [
        (_("Phone numbers"), count_text(funnel.numbers)),
        (_("Calls"), count_text(funnel.calls)),
        (_("Answered calls"), count_text(funnel.answered)),
        (_("Complete answers"), count_text(funnel.complete)),
        (_("Response rate (AAPOR RR1)"), share_text(results.rates.rr.get("RR1"))),
        (_("Response rate (AAPOR RR3)"), share_text(results.rates.rr.get("RR3"))),
        (_("Effective sample size after weighting"), decimal_text(weighting.effective_sample_size, 1)),
        (_("Total cost"), euros_text(results.costs.total)),
    ]


def _funnel(results: CampaignResults) -> Figure:
    return funnel_figure(results.funnel, title=_("Funnel"))


def funnel_figure(funnel: Funnel | CampaignProgress, *, title: str) -> Figure:
    """The funnel of the results page, the PDF report and the live campaign page.

    Calls are attempts, several per number, so they are given per number and left out of the chart;
    every other stage counts numbers and is a share of them. Partial answers count like AAPOR's P.
    """
    numbers = funnel.numbers

    def share(value: int) -> str:
        return share_text(value / numbers if numbers else None)

    def per_number(value: int) -> str:
        return decimal_text(value / numbers if numbers else None, 1)

    number_stages = [
        (_("Numbers"), funnel.numbers),
        (_("Numbers reached (a person heard the introduction or read it on the web)"), funnel.reached),
        (_("Consented"), funnel.consented),
        (_("Complete answers"), funnel.complete),
    ]
    rows = [
        (_("Numbers"), [count_text(funnel.numbers), share(funnel.numbers)]),
        (_("Calls"), [count_text(funnel.calls), _("%(count)s calls per number") % {"count": per_number(funnel.calls)}]),
        (
            _("Answered calls"),
            [
                count_text(funnel.answered),
                _("%(count)s answered calls per number") % {"count": per_number(funnel.answered)},
            ],
        ),
        *[(label, [count_text(value), share(value)]) for label, value in number_stages[1:]],
        (
            _("Partial answers (50 to 80 per cent of the questions that applied answered)"),
            [count_text(funnel.partial), share(funnel.partial)],
        ),
        (
            _("Break-offs (fewer than half answered, counted as refusals)"),
            [count_text(funnel.break_offs), share(funnel.break_offs)],
        ),
    ]
    chart = charts.horizontal_bar_chart(
        chart_id="funnel-chart",
        title=title,
        description=_(
            "Numbers, numbers reached, consented numbers and complete answers. Calls are attempts, "
            "several per number, so the table gives them per number."
        ),
        # The chart's label column is narrow: the table beside it names the stages in full.
        categories=[_("Numbers"), _("Reached"), _("Consented"), _("Complete answers")],
        series=[charts.Series(name=_("Numbers"), values=[value for _label, value in number_stages])],
        value_text=count_text,
        shares=False,
    )
    table = Table(
        caption=title,
        row_header=_("Step"),
        headers=[_("Count"), _("Relative to the numbers")],
        rows=rows,
    )
    return Figure(chart=chart, table=table)


def _rates(results: CampaignResults) -> Table:
    rates = results.rates
    rows = []
    for group in RATE_GROUPS:
        for code, value in getattr(rates, group).items():
            rows.append((code, [share_text(value), str(RATE_DEFINITIONS.get(code, ""))]))
    rows.append(
        (
            "e",
            [
                share_text(rates.e),
                _("Estimated share of eligible numbers among the unknown ones (%(source)s)")
                % {"source": e_source_text(rates)},
            ],
        )
    )
    return Table(
        caption=_("Response rates (AAPOR Standard Definitions)"),
        row_header=_("Rate"),
        headers=[_("Value"), _("What it measures")],
        rows=rows,
        text_columns=(1,),
    )


def e_source_text(rates: ResponseRates) -> str:
    """How the results' e was found, in words."""
    return {
        "estimated": _("estimated from the numbers of known eligibility"),
        "assumed": _("assumed 1: no number's eligibility is known yet"),
    }.get(rates.e_source, _("set"))


def _dispositions(results: CampaignResults) -> Table:
    counts = results.rates.dispositions
    numbers = sum(counts.values())
    codes = [code for code in DISPOSITION_ORDER if code in counts] + sorted(set(counts) - set(DISPOSITION_ORDER))
    rows = [
        (
            code,
            [
                str(DISPOSITION_LABELS.get(code, code)),
                count_text(counts[code]),
                share_text(counts[code] / numbers if numbers else None),
            ],
        )
        for code in codes
    ]
    quota_filled = results.rates.quota_filled
    if quota_filled:
        rows.insert(
            codes.index("NE") + 1,
            (
                QUOTA_FILLED_CODE,
                [str(QUOTA_FILLED_LABEL), count_text(quota_filled), share_text(quota_filled / numbers)],
            ),
        )
    return Table(
        caption=_("Final dispositions of the numbers"),
        row_header=_("Code"),
        headers=[_("Disposition"), _("Numbers"), _("Share")],
        text_columns=(0,),
        rows=rows,
    )


def coverage_reason_labels() -> dict[str, str]:
    return {
        "pending": _("Still to be called"),
        "complete": _("Completed the survey"),
        "refused": _("Refused or broke off"),
        "opted_out": _("Opted out"),
        "not_eligible": _("Not eligible"),
        "quota_filled": _("Group's quota filled"),
        "ended": _("Window or campaign ended"),
    }


def _coverage(results: CampaignResults) -> Table:
    labels = coverage_reason_labels()
    rows = []
    for row in results.coverage:
        reasons = row.reasons or {}
        # Results computed before a reason was told apart have no count of it: none of their numbers had it.
        cells = [count_text(row.numbers)] + [
            count_text(reasons.get(reason, 0)) if row.reasons else "" for reason in SHORT_REASONS
        ]
        rows.append((str(row.attempts), cells))
    return Table(
        caption=_("Attempt coverage: numbers by attempts made, and why a number had fewer than the maximum"),
        row_header=_("Attempts"),
        headers=[_("Numbers")] + [labels[reason] for reason in SHORT_REASONS],
        rows=rows,
    )


def group_label_languages(results: CampaignResults) -> dict[str, dict[str, str]]:
    """The language of each group's label by dimension: the groups are the answers of the survey's background
    question, and their labels those answers' (a merged or unknown group's label has none: the page's)."""
    return {
        question.demographic: {option.label: _other_language(option.label_language) for option in question.options}
        for question in results.questions
        if question.demographic
    }


def _groups(results: CampaignResults) -> list[Figure]:
    by_dimension: dict[str, list[GroupShare]] = {}
    for group in results.weighting.groups:
        by_dimension.setdefault(group.dimension, []).append(group)
    label_languages = group_label_languages(results)
    return [
        _group_figure(
            dimension,
            groups,
            minimum=results.minimum_group_size,
            weighted=dimension in results.weighting.dimensions,
            label_languages=label_languages.get(dimension, {}),
        )
        for dimension, groups in by_dimension.items()
    ]


def _group_figure(
    dimension: str, groups: list[GroupShare], *, minimum: int, weighted: bool, label_languages: dict[str, str]
) -> Figure:
    """Respondents against the population in each group; the weighted share only when the results are
    weighted by the dimension (otherwise it would be the respondents' share under another name)."""
    name = dimension_label(dimension)
    series = [
        charts.Series(
            name=_("Respondents"), values=[group.sample_share for group in groups], fill=charts.UNWEIGHTED_FILL
        ),
        charts.Series(name=_("Weighted"), values=[group.weighted_share for group in groups]),
        charts.Series(
            name=_("Population"),
            values=[group.population_share for group in groups],
            fill=charts.INK,
            marker=True,
        ),
    ]
    headers = [_("Respondents"), _("Share of respondents"), _("Weighted share"), _("Share of the population")]
    description = _(
        "Share of respondents, weighted share and population share (diamond) in each group; the table has the figures."
    )
    if not weighted:
        del series[1], headers[2]
        description = _("Share of respondents and population share (diamond) in each group; the table has the figures.")
    chart = charts.horizontal_bar_chart(
        chart_id=f"groups-{dimension}",
        title=_("Who answered: %(dimension)s") % {"dimension": name},
        description=description,
        categories=[group.label for group in groups],
        series=series,
        value_text=share_text,
    )
    rows = []
    for group in groups:
        cells = [
            hidden_text() if group.hidden else count_text(group.respondents),
            share_text(group.sample_share),
            share_text(group.weighted_share),
            share_text(group.population_share),
        ]
        if not weighted:
            del cells[2]
        rows.append((group.label, cells))
    table = Table(
        caption=_("Respondents compared with the population: %(dimension)s") % {"dimension": name},
        row_header=name,
        headers=headers,
        rows=rows,
        note=suppression_note([group.hidden for group in groups], minimum),
        row_languages=tuple(label_languages.get(group.label, "") for group in groups),
    )
    return Figure(chart=chart, table=table)


def question_chart(
    question: QuestionResult, *, weighted: bool, chart_id: str, intervals: bool = True, population_weighted: bool = True
) -> SafeString:
    """One bar per answer option: the weighted share with its 95 % interval (`intervals`), or the unweighted share.
    Results weighted by nothing (`population_weighted` False) show the estimate and interval, not called weighted."""
    options = question.options
    estimates = [option.weighted_share for option in options]
    estimate_intervals = [
        (option.ci_low, option.ci_high) if option.ci_low is not None and option.ci_high is not None else None
        for option in options
    ]
    if weighted and not population_weighted:
        series = charts.Series(name=_("Share of respondents"), values=estimates, intervals=estimate_intervals)
        description = _("Share of each answer with its confidence interval (95 %); the table has the figures.")
    elif weighted and not intervals:
        series = charts.Series(name=_("Weighted share"), values=estimates)
        description = _("Weighted share of each answer; the table has the figures.")
    elif weighted:
        series = charts.Series(name=_("Weighted share"), values=estimates, intervals=estimate_intervals)
        description = _("Weighted share of each answer with its confidence interval (95 %); the table has the figures.")
    else:
        series = charts.Series(
            name=_("Share of respondents"), values=[option.share for option in options], fill=charts.UNWEIGHTED_FILL
        )
        description = _("Unweighted share of each answer; the table has the figures.")
    return charts.horizontal_bar_chart(
        chart_id=chart_id,
        title=f"{question.position}. {question.text}",
        description=description,
        categories=[option.label for option in options],
        series=[series],
        value_text=share_text,
    )


def _question(
    question: QuestionResult,
    *,
    weighted: bool,
    minimum: int,
    finding: str = "",
    weighting_variable: bool = False,
    population_weighted: bool = True,
    in_group: bool = False,
    group_languages: dict[str, dict[str, str]],
) -> QuestionView:
    """`group_languages`: each dimension's group labels' languages (`group_label_languages`), for the columns
    of the question by group."""
    anchor = f"q{question.position}"
    figure = None
    if question.options:
        figure = _options_figure(
            question,
            weighted=weighted,
            minimum=minimum,
            weighting_variable=weighting_variable,
            population_weighted=population_weighted,
        )
    mean = None
    if question.mean is not None:
        headers = [_("Unweighted"), _("Weighted"), _("Confidence interval (95 %)")]
        cells = [
            decimal_text(question.mean.unweighted),
            decimal_text(question.mean.weighted),
            mean_interval_text(question.mean.ci_low, question.mean.ci_high),
        ]
        if not population_weighted:
            del headers[1], cells[1]
            headers[0] = _("Mean")
        mean = Table(
            caption=_("Mean of question %(position)s") % {"position": question.position},
            row_header=_("Mean"),
            headers=headers,
            rows=[(_("Mean"), cells)],
        )
    themes = None
    if question.themes:
        themes = Table(
            caption=_("Frequent words in the answers to question %(position)s") % {"position": question.position},
            row_header=_("Word"),
            headers=[_("Answers mentioning it")],
            rows=[(theme.keyword, [count_text(theme.count)]) for theme in question.themes],
        )
    return QuestionView(
        anchor=anchor,
        position=question.position,
        text=question.text,
        text_language=question.text_language,
        kind=question.kind,
        kind_label=str(QuestionKind(question.kind).label) if question.kind in QuestionKind.values else question.kind,
        answered=count_text(question.answered),
        skipped=count_text(question.skipped),
        figure=figure,
        mean=mean,
        crosstabs=[
            _crosstab(
                question,
                crosstab,
                minimum=minimum,
                weighted=population_weighted,
                group_languages=group_languages.get(crosstab.dimension, {}),
            )
            for crosstab in question.crosstabs
        ],
        themes=themes,
        open_answers=question.open_answers[:OPEN_ANSWERS_SHOWN],
        open_answers_total=len(question.open_answers),
        finding=finding,
        weighting_variable=weighting_variable,
        hidden_note=_question_hidden_note(question, minimum=minimum, in_group=in_group),
    )


def _question_hidden_note(question: QuestionResult, *, minimum: int, in_group: bool) -> str:
    if not question.hidden:
        return ""
    if in_group:
        return _(
            "Fewer than %(minimum)s respondents of this group answered this question, or their answers could be "
            "worked out from the other figures: the answers are hidden to protect their privacy."
        ) % {"minimum": minimum}
    return _(
        "Fewer than %(minimum)s respondents answered this question: the answers are hidden to protect their privacy."
    ) % {"minimum": minimum}


def _options_figure(
    question: QuestionResult, *, weighted: bool, minimum: int, weighting_variable: bool, population_weighted: bool
) -> Figure:
    """The options' chart and table. A variable the results are weighted by has no confidence
    intervals: its weighted shares are the population's by construction, not estimates."""
    headers = [_("Answers"), _("Share")] + ([_("Weighted share")] if population_weighted else [])
    if not weighting_variable:
        headers.append(_("Confidence interval (95 %)"))
    rows = []
    for option in question.options:
        cells = [hidden_text() if option.hidden else count_text(option.count), share_text(option.share)]
        if population_weighted:
            cells.append(share_text(option.weighted_share))
        if not weighting_variable:
            cells.append(interval_text(option.ci_low, option.ci_high))
        rows.append((option.label, cells))
    notes = [suppression_note([option.hidden for option in question.options], minimum)]
    if weighting_variable:
        notes.append(
            _(
                "The results are weighted by this question, so its weighted shares equal the population shares: "
                "they have no margin of error."
            )
        )
    caption = (
        _("Answers to question %(position)s, unweighted and weighted")
        if population_weighted
        else _("Answers to question %(position)s")
    )
    table = Table(
        caption=caption % {"position": question.position},
        row_header=_("Answer"),
        headers=headers,
        rows=rows,
        note=" ".join(note for note in notes if note),
        row_languages=tuple(_other_language(option.label_language) for option in question.options),
    )
    chart = question_chart(
        question,
        weighted=weighted,
        chart_id=f"q{question.position}-chart",
        intervals=not weighting_variable,
        population_weighted=population_weighted,
    )
    return Figure(chart=chart, table=table)


def _other_language(language: str) -> str:
    """`language` when it is not the page's (the active one), else "": only text in another language is marked."""
    return "" if language == (get_language() or "").split("-")[0] else language


def _crosstab(
    question: QuestionResult, crosstab: CrossTab, *, minimum: int, weighted: bool, group_languages: dict[str, str]
) -> Table:
    label_language = {option.label: option.label_language for option in question.options}
    name = dimension_label(crosstab.dimension)
    hidden = crosstab.hidden or [""] * len(crosstab.categories)
    rows = [(label, [share_text(share) for share in shares]) for label, shares in crosstab.rows]
    rows.append(
        (
            _("Respondents"),
            [
                hidden_text() if why else count_text(count)
                for count, why in zip(crosstab.respondents, hidden, strict=True)
            ],
        )
    )
    if crosstab.margins:
        rows.append(
            (
                _("Margin of error (95 %), at most"),
                [
                    hidden_text() if why else (NOT_DEFINED if margin is None else f"±{share_text(margin)}")
                    for margin, why in zip(crosstab.margins, hidden, strict=True)
                ],
            )
        )
    return Table(
        note=suppression_note(hidden, minimum),
        caption=(
            _("Question %(position)s by %(dimension)s (weighted shares)")
            if weighted
            else _("Question %(position)s by %(dimension)s")
        )
        % {"position": question.position, "dimension": name.lower()},
        row_header=_("Answer"),
        headers=[label for _key, label in crosstab.categories],
        header_languages=tuple(group_languages.get(label, "") for _key, label in crosstab.categories),
        rows=rows,
        # The answers' rows, in the survey's words, then the page's own rows (respondents, margins).
        row_languages=tuple(
            [_other_language(label_language.get(label, "")) for label, _shares in crosstab.rows]
            + [""] * (len(rows) - len(crosstab.rows))
        ),
    )


def _costs(results: CampaignResults) -> Table:
    costs = results.costs
    rows = [
        (_("Call minutes"), [count_text(costs.minutes)]),
        (_("Call costs, estimated"), [euros_text(costs.call_cost)]),
        *_billed_rows(costs),
    ]
    if costs.sms_messages:
        rows += [
            (_("Text messages with a survey link"), [count_text(costs.sms_messages)]),
            (_("Text message costs, estimated"), [euros_text(costs.sms_cost)]),
        ]
    rows += [(fixed.description, [euros_text(fixed.amount)]) for fixed in costs.fixed]
    rows += [
        (_("Total"), [euros_text(costs.total)]),
        (_("Per complete answer"), [euros_text(costs.per_complete)]),
        (_("Budget cap (calls and text messages)"), [euros_text(costs.budget_cap)]),
        (_("Share of the budget used"), [share_text(costs.budget_used)]),
    ]
    return Table(caption=_("Costs"), row_header=_("Item"), headers=[_("Amount")], rows=rows)


def _billed_rows(costs) -> list[tuple[str, list[str]]]:
    """What the carrier billed, apart from the estimate above, with how many calls it has priced."""
    if not costs.charged_calls:
        return []
    priced = _("%(priced)s of %(calls)s calls priced") % {
        "priced": count_text(costs.priced_calls),
        "calls": count_text(costs.charged_calls),
    }
    if not costs.billed:
        return [(_("Billed by the carrier"), [_("not stated yet") + f" ({priced})"])]
    return [
        (_("Billed by the carrier"), [f"{money_text(amount, currency)} ({priced})"])
        for currency, amount in sorted(costs.billed.items())
    ]


def _weighting_facts(results: CampaignResults) -> list[tuple[str, str]]:
    weighting = results.weighting
    facts = [
        (_("Method"), str(WEIGHTING_METHODS.get(weighting.method, weighting.method))),
        (_("Weighted by"), ", ".join(dimension_label(dimension) for dimension in weighting.dimensions) or "–"),
        (_("Respondents"), count_text(weighting.respondents)),
        (_("Respondents with a missing demographic answer"), count_text(weighting.missing_demographics)),
    ]
    if weighting.method == "raking":
        facts.append((_("Population shares reached"), _reached_text(weighting)))
    if weighting.trim_cap is not None:
        facts.append((_("Weights trimmed at"), decimal_text(weighting.trim_cap)))
        if not weighting.details_hidden:
            facts.append((_("Trimmed weights"), count_text(weighting.trimmed)))
    facts += [
        (_("Design effect (Kish)"), decimal_text(weighting.design_effect)),
        (_("Effective sample size"), decimal_text(weighting.effective_sample_size, 1)),
        (_("Confidence intervals (95 %)"), interval_method_text()),
    ]
    return facts


def interval_method_text() -> str:
    """How the intervals of surveys.services.estimates are computed, for the statistician."""
    return _(
        "A share: Wilson's score interval on the effective number of those who answered the question (their "
        "number divided by the design effect of their weights), which stays within 0-100 %. A mean: the weighted "
        "mean ± t standard errors, its variance linearised with the weights and t from Student's t distribution "
        "with the effective number of those who answered less one as its degrees of freedom (for eight equally "
        "weighted answers t = 2.36, not 1.96)."
    )


def _reached_text(weighting) -> str:
    """Whether raking brought the weighted shares to the population's, in words. A gap that rounds to
    0.00 points is reached, whatever the tolerance of the iterations said."""
    gap = round(weighting.largest_gap * 100, 2)
    if weighting.converged or gap == 0:
        return _("Yes, after %(iterations)s rounds of adjustment") % {"iterations": weighting.iterations}
    return _(
        "Not fully: after %(iterations)s rounds of adjustment the weighted shares still differ from the population "
        "shares by up to %(gap)s percentage points, so the weighted figures do not quite match the population."
    ) % {"iterations": weighting.iterations, "gap": decimal_text(gap)}


def _weights_summary(results: CampaignResults) -> Table:
    weights = sorted(results.weighting.weights.values())
    note = ""
    if results.weighting.details_hidden:
        cells = [hidden_text()] * 5
        note = _(
            "The distribution of the weights is hidden: the weights depend on the sizes of combinations of "
            "groups, and some of those are hidden to protect the respondents' privacy."
        )
    elif weights:
        quartiles = statistics.quantiles(weights, n=4) if len(weights) > 1 else [weights[0]] * 3
        cells = [decimal_text(value) for value in (weights[0], quartiles[0], quartiles[1], quartiles[2], weights[-1])]
    else:
        cells = ["–"] * 5
    return Table(
        caption=_("Distribution of the weights (mean 1)"),
        row_header=_("Respondents"),
        headers=[_("Smallest"), _("Lower quartile"), _("Median"), _("Upper quartile"), _("Largest")],
        rows=[(count_text(len(weights)), cells)],
        note=note,
    )
