"""The shape of a campaign's results: what the results page, the PDF and the XLSX report render.

`surveys.services.results.campaign_results(campaign)` builds a `CampaignResults` from the
contacts' dispositions, the responses and the municipality's population targets. Everything in
here is plain data (no model instances beyond `campaign`), so the renderers never query.
Shares are fractions 0..1, never percentages; `None` means "not defined" (a zero denominator),
which renderers show as "-", never as 0.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class ResponseRates:
    """AAPOR Standard Definitions rates computed from final dispositions.

    `dispositions` maps I, P, R, NC, O, UH, UO, NE to counts of numbers. `e` is the estimated
    share of eligible cases among unknown-eligibility ones (derived from known cases unless the
    campaign sets it; `e_source` is "estimated" or "set", or "assumed" when no case's eligibility
    is known yet and e = 1 is taken, which makes RR3/RR4 equal RR1/RR2; a mode's rates (`ModeRates`)
    have "combined" for the e estimated from every number, both modes).
    """

    dispositions: dict[str, int]
    e: float
    e_source: str
    rr: dict[str, float | None]  # RR1..RR6
    coop: dict[str, float | None]  # COOP1..COOP4
    ref: dict[str, float | None]  # REF1..REF3
    con: dict[str, float | None]  # CON1..CON3
    # Of the NE numbers, those not eligible as their group's quota was filled (AAPOR 4.80).
    quota_filled: int = 0


@dataclass(frozen=True)
class Funnel:
    """As `surveys.progress.CampaignProgress` counts them: calls and answered are attempts, the rest numbers."""

    numbers: int
    calls: int
    answered: int
    reached: int
    consented: int
    complete: int
    partial: int  # AAPOR P
    break_offs: int  # unfinished with fewer answers than P needs: AAPOR R


@dataclass(frozen=True)
class GroupShare:
    """One category of a demographic dimension: respondents vs the population."""

    dimension: str  # "age_group" | "district" | "gender"
    category: str  # the target's category key, e.g. "65+"
    label: str  # human label in the current language
    respondents: int | None  # None: hidden (see `hidden`)
    sample_share: float | None
    weighted_share: float | None
    population_share: float | None
    hidden: str = ""  # why the group's figures are hidden: surveys.services.disclosure.SMALL or COMPLEMENTARY


@dataclass(frozen=True)
class Weighting:
    method: str  # "none" | "post-stratification" | "raking"
    dimensions: list[str]
    respondents: int
    converged: bool
    iterations: int
    trim_cap: float | None
    trimmed: int
    design_effect: float  # Kish: n * sum(w^2) / sum(w)^2
    effective_sample_size: float
    warnings: list[str]  # translated, shown wherever the results are shown
    collapsed: list[str]  # translated descriptions of categories merged as the fallback
    groups: list[GroupShare]
    missing_demographics: int  # respondents with a missing demographic answer (kept, weight documented)
    weights: dict[int, float]  # Response.pk -> weight (mean 1)
    # The weights' distribution and the number of trimmed weights are not to be shown: under raking
    # they depend on the sizes of combinations of groups, and some of those are hidden.
    details_hidden: bool = False
    # Without convergence: the largest difference left between a weighted and a population share (0..1).
    largest_gap: float = 0.0


@dataclass(frozen=True)
class OptionEstimate:
    value: str  # the digit / option key as answered
    label: str
    count: int | None  # None: hidden, for a demographic question's option that is a hidden group
    share: float | None  # unweighted
    weighted_share: float | None
    ci_low: float | None  # 95 % CI of the weighted share, design effect accounted for
    ci_high: float | None
    hidden: str = ""  # why it is hidden (see GroupShare.hidden)
    # The language `label` is in: the results' language, or Finnish when the survey has no translation of
    # it; a page in another language marks it (WCAG 3.1.2). "" for a label that is not the survey's text.
    label_language: str = ""


@dataclass(frozen=True)
class MeanEstimate:
    unweighted: float | None
    weighted: float | None
    ci_low: float | None  # 95 % CI of the weighted mean
    ci_high: float | None


@dataclass(frozen=True)
class CrossTab:
    """Weighted shares of one question's options within each category of a dimension."""

    dimension: str
    categories: list[tuple[str, str]]  # (category key, label)
    rows: list[tuple[str, list[float | None]]]  # (option label, share per category)
    respondents: list[int | None]  # respondents per category (None: hidden)
    hidden: list[str] = field(default_factory=list)  # per category: why it is hidden, or ""
    # Per category: the half-width of the widest 95 % interval its shares can have (a 50 % share's),
    # 0..1; None when nobody in it answered or it is hidden.
    margins: list[float | None] = field(default_factory=list)


@dataclass(frozen=True)
class Theme:
    keyword: str  # the most written of the word's inflected forms ("kirjasto", "kirjastossa": one theme)
    count: int  # answers that use the word in any inflection


@dataclass(frozen=True)
class QuestionResult:
    position: int
    text: str
    text_language: str  # the results' language, or Finnish when the survey has no translation of the text
    kind: str
    demographic: str
    answered: int
    skipped: int
    options: list[OptionEstimate]  # empty for number and open questions
    mean: MeanEstimate | None  # scale and number questions
    crosstabs: list[CrossTab]
    open_answers: list[str]  # transcripts, for open questions
    themes: list[Theme]  # frequent keywords, stop words removed
    # Why the question's answers are hidden in these results (too few of the group answered it, or
    # theirs would give such answers away: SMALL or COMPLEMENTARY), or "".
    hidden: str = ""


@dataclass(frozen=True)
class FixedCost:
    description: str
    amount: Decimal


@dataclass(frozen=True)
class Costs:
    minutes: int
    call_cost: Decimal
    fixed: list[FixedCost]
    total: Decimal
    per_complete: Decimal | None
    budget_cap: Decimal | None
    budget_used: float | None  # (call cost + SMS cost) / budget cap
    # What the carrier billed, per currency, once it stated the price of a call; `call_cost` is the
    # estimate from the campaign's price per minute. `priced_calls` of the `charged_calls` (calls
    # that lasted a second or more) have a price so far.
    billed: dict[str, Decimal] = field(default_factory=dict)
    priced_calls: int = 0
    charged_calls: int = 0
    # The text messages with survey links (SMS follow-up) and their estimated cost, in `total`.
    sms_messages: int = 0
    sms_cost: Decimal = Decimal(0)


@dataclass(frozen=True)
class ModeRates:
    """The AAPOR rates of one mode over the cases it was attempted on, or of the survey as a whole
    (`mode` "combined": one final disposition per case). See surveys.services.dispositions."""

    mode: str  # "phone" | "web" | "combined"
    cases: int  # numbers in its dispositions, not eligible ones included
    rates: ResponseRates


@dataclass(frozen=True)
class ModeGroups:
    """The completes (AAPOR I) of each mode in each category of one dimension."""

    dimension: str
    categories: list[tuple[str, str]]  # (category key, label); key "" for those who did not answer
    counts: dict[str, list[int | None]]  # mode -> completes per category (None: hidden)
    shares: dict[str, list[float | None]]  # mode -> share of the mode's completes per category
    hidden: dict[str, list[str]]  # mode -> per category: why it is hidden, or ""


@dataclass(frozen=True)
class ModeEstimate:
    mode: str
    answered: int
    estimate: float | None  # the mode's respondents weighted on their own to the population
    ci_low: float | None  # its 95 % interval
    ci_high: float | None


@dataclass(frozen=True)
class ModeComparison:
    """One question's weighted estimate in each mode and whether they differ beyond chance
    (surveys.services.mode_effects)."""

    position: int
    text: str
    measure: str  # "share" (of the option `label`) | "mean"
    label: str
    estimates: list[ModeEstimate]  # phone, web
    difference: float | None  # web minus phone
    difference_low: float | None  # the difference's interval at `confidence`
    difference_high: float | None
    confidence: float  # 0.95, or higher where several options of one question were compared
    differs: bool | None  # None: too few answers in a mode to compare


@dataclass(frozen=True)
class ModeResults:
    """Results by mode, when the web survey was offered to anyone (a phone-only campaign has none)."""

    rates: list[ModeRates]  # each mode attempted, then "combined"
    completes: dict[str, int]  # mode -> completes (AAPOR I); they add up to the combined I
    groups: list[ModeGroups]  # empty unless both modes have completes
    comparisons: list[ModeComparison]  # empty unless both modes have respondents (and `not_compared` is "")
    findings: list[str] = field(default_factory=list)  # translated sentences (surveys.services.findings)
    minimum_answers: int = 0  # answers a mode needs in a question to be compared
    # Translated: why the modes are not compared although both have respondents ("" when they are):
    # a mode could not be weighted with the results' cells (surveys.services.mode_effects).
    not_compared: str = ""

    @property
    def mode_effects(self) -> list[ModeComparison]:
        return [comparison for comparison in self.comparisons if comparison.differs]


@dataclass(frozen=True)
class CampaignResults:
    campaign: object  # surveys.models.Campaign
    generated_at: datetime
    language: str
    rates: ResponseRates
    funnel: Funnel
    coverage: list  # surveys.progress.CoverageRow
    weighting: Weighting
    questions: list[QuestionResult]
    costs: Costs
    summary: list[str] = field(default_factory=list)  # "what residents find important", translated
    # Estimates restricted to one group, e.g. {"age_group": "65+"}: weights stay those of the whole
    # sample; rates, funnel, costs and "who answered" describe the whole campaign.
    respondent_filter: dict[str, str] = field(default_factory=dict)
    filter_labels: list[str] = field(default_factory=list)  # translated, e.g. "Age group: 65+"
    selected_respondents: int | None = None  # respondents in the group (None: no filter, or the group is hidden)
    # Groups of fewer respondents than this are hidden, with the groups that would give them away
    # (surveys.services.disclosure). `group_hidden` says why the chosen group's (or, without a
    # filter, everyone's) question results are left out entirely, "" when they are shown.
    minimum_group_size: int = 0
    group_hidden: str = ""
    # When the population shares (PopulationTarget, set in the results settings) were last changed;
    # None when none is set.
    population_updated_at: datetime | None = None
    # Rates, completes and estimates by mode; None when only the phone was used.
    modes: ModeResults | None = None

    @property
    def has_responses(self) -> bool:
        return self.weighting.respondents > 0
