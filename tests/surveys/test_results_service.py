"""`campaign_results`: a small campaign whose every figure is worked out by hand in the comments."""

import dataclasses
import random
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation

from surveys.models import (
    Answer,
    CallAttempt,
    CallStatus,
    CampaignFixedCost,
    CampaignResultSettings,
    Contact,
    PopulationTarget,
    QuestionKind,
    Response,
    ResponseStatus,
)
from surveys.reports.presentation import results_view
from surveys.services import surveys as survey_services
from surveys.services import weighting
from surveys.services.dispositions import response_interview_code_refresh
from surveys.services.results import campaign_results
from surveys.services.surveys import OptionText
from tests.conftest import make_user
from tests.surveys.calls import queued_attempt
from tests.surveys.estimate_errors import estimate_errors
from tests.surveys.factories import build_campaign, build_survey
from tests.surveys.interview_codes import interview_codes_refresh

pytestmark = pytest.mark.django_db

# Respondents by age group: 1 aged 18-29, 3 aged 30-64, 6 aged 65+. Population: 0.15 / 0.50 / 0.35.
# Post-stratification weights: 0.15/0.1 = 1.5, 0.50/0.3 = 5/3, 0.35/0.6 = 7/12 (mean exactly 1).
# Q2 "exercise weekly" (1 yes, 2 no) and Q3 satisfaction 1-5 by group:
#   18-29: yes, 5   30-64: yes/yes/no, 4/4/4   65+: no x6, 2 x6
ANSWERS = [("18–29", 1, 5)] + [("30–64", 1, 4)] * 2 + [("30–64", 2, 4)] + [("65+", 2, 2)] * 6
OPEN = ["Lisää pyöräteitä!", "Pyöräteitä ja puistoja", "Kirjasto auki"]


def answer(response, question, *, digit=None, number=None, transcript=""):
    option = question.options.get(digit=digit) if digit is not None else None
    stored = Answer.objects.create(
        response=response,
        question=question,
        option=option,
        digits=str(digit or ""),
        number_value=number,
        transcript=transcript,
    )
    response_interview_code_refresh(response_id=response.pk)  # as the call and the web survey do
    return stored


def respond(campaign, *, status=ResponseStatus.COMPLETE, minutes=2, language="fi") -> Response:
    contact = Contact.objects.create(campaign=campaign)
    queued_attempt(contact, status=CallStatus.COMPLETED, current_step="closing", billed_minutes=minutes, cost="0.18")
    return Response.objects.create(
        pseudonym=contact.pseudonym,
        campaign=campaign,
        survey_version=campaign.survey_version,
        status=status,
        language=language,
    )


def set_age_targets(*shares):
    for position, (category, share) in enumerate(zip(("18-29", "30-64", "65+"), shares, strict=True)):
        PopulationTarget.objects.create(dimension="age_group", category=category, share=share, position=position)


@pytest.fixture
def surveyed(db):
    manager = make_user("tulokset")
    campaign = build_campaign(build_survey(manager), manager, budget_cap=Decimal("100.00"))
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    for index, (age, exercise, satisfaction) in enumerate(ANSWERS):
        response = respond(campaign)
        answer(response, questions[1], digit=["18–29", "30–64", "65+"].index(age) + 1)
        answer(response, questions[2], digit=exercise)
        answer(response, questions[3], digit=satisfaction)
        if index < len(OPEN):
            answer(response, questions[4], transcript=OPEN[index])
    # A break-off: consented, answered 1 of 4 questions (below half): R, not a respondent.
    answer(respond(campaign, status=ResponseStatus.PARTIAL), questions[1], digit=1)
    unanswered = Contact.objects.create(campaign=campaign)  # UH
    queued_attempt(unanswered, status=CallStatus.NO_ANSWER)
    disconnected = Contact.objects.create(campaign=campaign)  # NE
    queued_attempt(disconnected, status=CallStatus.FAILED)
    CampaignFixedCost.objects.create(campaign=campaign, description="Numerolista", amount=Decimal("2100.00"))
    return campaign


def by_position(results):
    return {question.position: question for question in results.questions}


def test_rates_funnel_and_costs(surveyed):
    set_age_targets("0.15", "0.50", "0.35")

    results = campaign_results(surveyed, language="fi")

    # I=10, R=1 (the break-off), UH=1, NE=1: D = 12, e = 11/12, De = 11 + 11/12
    assert results.rates.dispositions == {"I": 10, "P": 0, "R": 1, "NC": 0, "O": 0, "UH": 1, "UO": 0, "NE": 1}
    assert results.rates.rr["RR1"] == pytest.approx(10 / 12)
    assert results.rates.e == pytest.approx(11 / 12)
    assert results.rates.rr["RR3"] == pytest.approx(10 / (11 + 11 / 12))
    # The break-off is R in the AAPOR table, so the funnel does not count it as a partial answer.
    funnel = results.funnel
    assert (funnel.numbers, funnel.complete, funnel.partial, funnel.break_offs) == (13, 10, 0, 1)
    # 11 answered calls x 2 min x 0.18 EUR; fixed 2100; total 2101.98; per complete / 10
    costs = results.costs
    assert (costs.minutes, costs.call_cost, costs.total) == (22, Decimal("1.98"), Decimal("2101.98"))
    assert costs.per_complete == Decimal("210.20")
    assert costs.budget_used == pytest.approx(0.0198)
    assert [(cost.description, cost.amount) for cost in costs.fixed] == [("Numerolista", Decimal("2100.00"))]


@override_settings(RESULTS_MIN_GROUP_SIZE=1)  # the groups are 1, 3 and 6: hiding them is tested in tests/security
def test_weighted_and_unweighted_estimates_by_hand(surveyed):
    set_age_targets("0.15", "0.50", "0.35")

    results = campaign_results(surveyed, language="fi")

    weighting = results.weighting
    assert (weighting.method, weighting.dimensions, weighting.respondents) == (
        "post-stratification",
        ["age_group"],
        10,
    )
    assert sorted(weighting.weights.values()) == pytest.approx([7 / 12] * 6 + [1.5] + [5 / 3] * 3)
    # Kish: sum w^2 = 2.25 + 3*(25/9) + 6*(49/144) = 12.625 -> deff 1.2625, n_eff 7.92
    assert weighting.design_effect == pytest.approx(1.2625)
    assert weighting.effective_sample_size == pytest.approx(100 / 12.625)
    assert weighting.warnings == []
    groups = [(g.category, g.label, g.respondents, g.sample_share, g.weighted_share) for g in weighting.groups]
    assert groups == [
        ("18-29", "18–29", 1, 0.1, pytest.approx(0.15)),
        ("30-64", "30–64", 3, 0.3, pytest.approx(0.50)),
        ("65+", "65+", 6, 0.6, pytest.approx(0.35)),
    ]
    assert [g.population_share for g in weighting.groups] == [0.15, 0.5, 0.35]

    questions = by_position(results)
    yes, no = questions[2].options
    # yes: 3 of 10 unweighted; weighted (1.5 + 2 * 5/3) / 10 = 0.48333
    assert (yes.label, yes.count, yes.share) == ("kyllä", 3, pytest.approx(0.3))
    assert yes.weighted_share == pytest.approx((1.5 + 10 / 3) / 10)
    assert yes.ci_low < yes.weighted_share < yes.ci_high
    assert no.weighted_share == pytest.approx(1 - (1.5 + 10 / 3) / 10)
    # satisfaction: unweighted (5 + 3*4 + 6*2) / 10 = 2.9; weighted (1.5*5 + 5/3*12 + 7/12*12) / 10 = 3.45
    mean = questions[3].mean
    assert (mean.unweighted, mean.weighted) == (pytest.approx(2.9), pytest.approx(3.45))
    assert mean.ci_low < 3.45 < mean.ci_high
    # crosstab of exercise by age group: 18-29 all yes, 30-64 two of three yes, 65+ none
    [table] = questions[2].crosstabs
    assert table.rows[0] == ("kyllä", [1.0, pytest.approx(2 / 3), 0.0])
    assert table.respondents == [1, 3, 6]
    assert (questions[4].answered, questions[4].skipped) == (3, 7)
    assert questions[4].open_answers == OPEN
    assert [(theme.keyword, theme.count) for theme in questions[4].themes] == [("pyöräteitä", 2)]


def test_open_answer_themes_stem_each_answer_in_its_respondents_language(surveyed):
    questions = {question.position: question for question in surveyed.survey_version.questions.all()}
    # Swedish respondents' "bussen"/"bussar" are one word only to the Swedish stemmer; a response
    # in no known language is stemmed in the survey's first language, Finnish, so "kirjastoa"
    # joins the Finnish respondent's "Kirjasto".
    for language, transcript in [
        ("sv", "Bussen är sen"),
        ("sv", "Bussen kommer sällan"),
        ("sv", "Fler bussar"),
        ("", "Kirjastoa kaivataan"),
    ]:
        response = respond(surveyed, language=language)
        for position in (1, 2, 3):
            answer(response, questions[position], digit=1)
        answer(response, questions[4], transcript=transcript)

    results = campaign_results(surveyed, language="fi")

    themes = [(theme.keyword, theme.count) for theme in by_position(results)[4].themes]
    assert themes == [("bussen", 3), ("kirjasto", 2), ("pyöräteitä", 2)]


@override_settings(
    RESULTS_MIN_GROUP_SIZE=1
)  # weighting figures by hand; groups this small are hidden and weighted as one in tests/security
def test_summary_in_the_language_asked(surveyed, english):
    set_age_targets("0.15", "0.50", "0.35")

    results = campaign_results(surveyed, language="en")

    assert results.language == "en"
    assert (
        "Weighted to the population, about half answered yes to “Liikutko viikoittain?”. The margin of error is "
        "about ±29 percentage points." in results.summary
    )  # 48 % of few respondents, weighted
    assert not any(line.startswith("Rated highest") for line in results.summary)  # one scale question


def test_a_campaign_without_answers_reports_so(make_campaign, english):
    campaign = make_campaign("tyhja")

    results = campaign_results(campaign, language="en")

    assert not results.has_responses
    assert results.weighting.respondents == 0
    assert results.weighting.warnings[0] == "Nobody has answered the survey yet, so there are no results to show."
    assert results.rates.rr["RR1"] is None
    assert results.costs.per_complete is None
    assert results.summary == []


def test_targets_that_do_not_match_the_options_leave_the_dimension_out_with_a_warning(surveyed, english):
    for position, (category, share) in enumerate([("18-34", "0.25"), ("35-64", "0.40"), ("65+", "0.35")]):
        PopulationTarget.objects.create(dimension="age_group", category=category, share=share, position=position)

    results = campaign_results(surveyed, language="en")

    assert results.weighting.method == "none"
    assert results.weighting.warnings == [
        "Age group: the survey's answer options and the population targets differ (not in the targets: "
        "18–29, 30–64; not among the options: 18-34, 35-64), so the results are not weighted by it."
    ]
    assert set(results.weighting.weights.values()) == {1.0}


def test_no_targets_at_all_gives_unweighted_results_and_says_why(surveyed, english):
    results = campaign_results(surveyed, language="en")

    assert results.weighting.method == "none"
    assert results.weighting.warnings == [
        "Age group: no population shares are set, so the results are not weighted by it."
    ]
    assert by_position(results)[2].options[0].weighted_share == pytest.approx(0.3)


@override_settings(
    RESULTS_MIN_GROUP_SIZE=1
)  # weighting figures by hand; groups this small are hidden and weighted as one in tests/security
def test_an_empty_age_group_is_merged_and_shown(surveyed, english):
    set_age_targets("0.15", "0.50", "0.35")
    Answer.objects.filter(question__position=1, option__digit=1).update(
        option=surveyed.survey_version.questions.get(position=1).options.get(digit=2)
    )

    results = campaign_results(surveyed, language="en")

    assert results.weighting.collapsed == ["Age group: nobody answered 18–29, so it is weighted together with 30–64."]
    # 18-29 + 30-64: 0.65 of the population, 4 of 10 respondents -> 1.625; 65+ 0.35/0.6
    assert sorted(set(round(weight, 4) for weight in results.weighting.weights.values())) == [0.5833, 1.625]


@override_settings(
    RESULTS_MIN_GROUP_SIZE=1
)  # weighting figures by hand; groups this small are hidden and weighted as one in tests/security
def test_a_respondent_without_an_age_answer_is_kept_and_counted(surveyed, english):
    set_age_targets("0.15", "0.50", "0.35")
    dropped = Answer.objects.filter(question__position=1, option__digit=3).first()
    dropped.delete()

    results = campaign_results(surveyed, language="en")

    assert results.weighting.respondents == 10
    assert results.weighting.missing_demographics == 1
    assert results.weighting.weights[dropped.response_id] == pytest.approx(1.0)
    assert (
        "1 respondent did not answer every demographic question used in weighting; "
        "they are weighted by the questions they answered." in results.weighting.warnings
    )
    assert by_position(results)[1].skipped == 1


def test_the_campaign_can_set_e_and_switch_weighting_off(surveyed):
    set_age_targets("0.15", "0.50", "0.35")
    CampaignResultSettings.objects.create(campaign=surveyed, eligibility_e=0.5, weighting_dimensions=[])

    results = campaign_results(surveyed, language="fi")

    assert (results.rates.e, results.rates.e_source) == (0.5, "set")
    assert results.rates.rr["RR3"] == pytest.approx(10 / 11.5)  # De = 11 + 0.5 * 1
    assert results.weighting.method == "none"


def test_queries_do_not_grow_with_the_respondents(surveyed, django_assert_max_num_queries):
    set_age_targets("0.15", "0.50", "0.35")
    with django_assert_max_num_queries(20):
        campaign_results(surveyed, language="fi")
    questions = {question.position: question for question in surveyed.survey_version.questions.all()}
    for _ in range(15):
        response = respond(surveyed)
        answer(response, questions[1], digit=2)
        answer(response, questions[2], digit=1)

    with django_assert_max_num_queries(20):
        results = campaign_results(surveyed, language="fi")
    assert results.weighting.respondents == 25


@override_settings(
    RESULTS_MIN_GROUP_SIZE=1
)  # weighting figures by hand; groups this small are hidden and weighted as one in tests/security
def test_estimate_errors_compare_weighted_and_unweighted_with_the_truth(surveyed):
    set_age_targets("0.15", "0.50", "0.35")
    # A population whose young and middle-aged exercise and old do not, like the sample's groups:
    # truth yes = 0.15*1 + 0.50*(2/3) + 0.35*0 = 0.48333; mean = 0.15*5 + 0.50*4 + 0.35*2 = 3.45
    truth = {
        2: {"shares": {"1": 0.15 + 0.5 * 2 / 3, "2": 0.35 + 0.5 / 3}, "mean": None},
        3: {"shares": {}, "mean": 3.45},
    }

    errors = estimate_errors(campaign_results(surveyed, language="fi"), truth)

    # unweighted yes 0.3 vs 0.48333: |error| 0.18333 for both options; weighted exact
    assert errors["shares"] == {
        "weighted": pytest.approx(0.0),
        "unweighted": pytest.approx(0.18333, abs=1e-5),
        "count": 2,
    }
    # mean: unweighted 2.9 vs 3.45 -> 0.55; weighted 3.45 -> 0
    assert errors["means"] == {"weighted": pytest.approx(0.0), "unweighted": pytest.approx(0.55), "count": 1}


def test_weighting_brings_a_pilot_like_skewed_sample_closer_to_the_population_truth(db):
    """A hand-built population and a sample skewed like the pilot's (the old answer far more often).

    Population: 18-29 0.15, 30-64 0.50, 65+ 0.35. Who exercises weekly: 0.7 / 0.5 / 0.2 of each group,
    so the truth is 0.15*0.7 + 0.50*0.5 + 0.35*0.2 = 0.425. Satisfaction (1-5) averages 2.5 / 3.5 / 4.5
    by group: truth 0.15*2.5 + 0.50*3.5 + 0.35*4.5 = 3.7. Response propensity 0.12 / 0.27 / 0.55 (the
    simulator's FINISH) makes the 400 respondents 20 / 157 / 223: 5 % young, 56 % old, as in the pilot.
    """
    rng = random.Random(11)  # noqa: S311 - test data, not a secret
    manager = make_user("vinouma")
    campaign = build_campaign(build_survey(manager), manager)
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    options = {
        (position, option.digit): option.pk for position in (1, 2, 3) for option in questions[position].options.all()
    }
    set_age_targets("0.15", "0.50", "0.35")
    groups = [(1, 20, 0.7, 2.5), (2, 157, 0.5, 3.5), (3, 223, 0.2, 4.5)]
    contacts = Contact.objects.bulk_create(Contact(campaign=campaign) for _ in range(400))
    responses = Response.objects.bulk_create(
        Response(
            pseudonym=contact.pseudonym,
            campaign=campaign,
            survey_version=campaign.survey_version,
            status=ResponseStatus.COMPLETE,
        )
        for contact in contacts
    )
    answers = []
    people = iter(responses)
    for age_digit, count, exercise, satisfaction in groups:
        for _ in range(count):
            response = next(people)
            # Satisfaction: the two scores around the group's mean, equally likely.
            score = rng.choice([int(satisfaction - 0.5), int(satisfaction + 0.5)])
            answers += [
                Answer(response=response, question=questions[1], option_id=options[(1, age_digit)]),
                Answer(
                    response=response,
                    question=questions[2],
                    option_id=options[(2, 1 if rng.random() < exercise else 2)],
                ),
                Answer(response=response, question=questions[3], option_id=options[(3, score)]),
            ]
    Answer.objects.bulk_create(answers)
    interview_codes_refresh(responses=campaign.responses.all())  # as the calls stored them
    truth = {
        2: {"shares": {"1": 0.425, "2": 0.575}, "mean": None},
        3: {"shares": {}, "mean": 0.15 * 2.5 + 0.50 * 3.5 + 0.35 * 4.5},
    }

    results = campaign_results(campaign, language="fi")
    errors = estimate_errors(results, truth)

    assert [group.respondents for group in results.weighting.groups] == [20, 157, 223]
    assert errors["shares"]["weighted"] < 0.03 < 0.07 < errors["shares"]["unweighted"]
    assert errors["means"]["weighted"] < 0.1 < 0.25 < errors["means"]["unweighted"]
    assert errors["questions"][3]["mean"]["weighted"] == errors["means"]["weighted"]


def test_the_carriers_bill_is_shown_apart_from_the_estimate(surveyed):
    priced = CallAttempt.objects.filter(contact__campaign=surveyed, billed_minutes__gt=0).order_by("pk")
    assert priced.update(duration_seconds=100) == 11
    CallAttempt.objects.filter(pk__in=list(priced.values_list("pk", flat=True)[:4])).update(
        price=Decimal("0.1234"), price_unit="USD"
    )

    costs = campaign_results(surveyed, language="fi").costs

    assert costs.call_cost == Decimal("1.98")  # the estimate stays
    assert (costs.billed, costs.priced_calls, costs.charged_calls) == ({"USD": Decimal("0.49")}, 4, 11)
    with translation.override("fi"):
        rows = results_view(campaign_results(surveyed, language="fi")).costs.rows
    assert ("Kustannusarvio puheluista", ["1,98\xa0EUR"]) in rows
    assert ("Operaattorin laskuttama", ["0,49\xa0USD (4/11 puhelua hinnoiteltu)"]) in rows


@override_settings(RESULTS_MIN_GROUP_SIZE=1)
def test_raking_that_stops_within_a_rounding_of_the_targets_warns_of_nothing(surveyed, english, monkeypatch):
    set_age_targets("0.15", "0.50", "0.35")
    computed = weighting.weights_compute

    def stopped_short(*args, **kwargs):
        outcome = computed(*args, **kwargs)
        return dataclasses.replace(
            outcome, converged=False, issues=[weighting.Issue(kind=weighting.NOT_CONVERGED, value=0.00004)]
        )

    monkeypatch.setattr(weighting, "weights_compute", stopped_short)

    results = campaign_results(surveyed, language="en")

    assert not any("did not fully reach" in warning for warning in results.weighting.warnings)
    assert results.weighting.largest_gap == 0.00004


@override_settings(RESULTS_MIN_GROUP_SIZE=1)
def test_the_results_say_when_the_population_shares_were_last_changed(surveyed):
    set_age_targets("0.15", "0.50", "0.35")
    latest = PopulationTarget.objects.order_by("-updated_at").first().updated_at

    assert campaign_results(surveyed, language="en").population_updated_at == latest


def test_a_few_who_did_not_say_their_age_are_left_out_rather_than_hiding_age_groups(english):
    """Two of 49 respondents did not say their age. Everyone's figures less the age groups' would be
    their answers, so something must give: rather than hide two whole age groups (and weight them
    as one, which undoes the weighting of the young), the two are left out of the results, and the
    results say so. Their interviews still count in the response rates."""
    set_age_targets("0.15", "0.50", "0.35")
    manager = make_user("tulokset")
    campaign = build_campaign(build_survey(manager), manager)
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    for age, count, exercise in ((1, 12, 1), (2, 15, 1), (3, 20, 2)):
        for _ in range(count):
            response = respond(campaign)
            answer(response, questions[1], digit=age)
            answer(response, questions[2], digit=exercise)
            answer(response, questions[3], digit=4)
    unstated = []
    for _ in range(2):
        response = respond(campaign)
        answer(response, questions[2], digit=1)
        answer(response, questions[3], digit=1)
        answer(response, questions[4], transcript="En kerro ikääni")
        unstated.append(response.pk)

    results = campaign_results(campaign, language="en")

    weighting = results.weighting
    assert weighting.respondents == 47
    assert not set(unstated) & set(weighting.weights)
    assert [(group.category, group.respondents, group.hidden) for group in weighting.groups] == [
        ("18-29", 12, ""),
        ("30-64", 15, ""),
        ("65+", 20, ""),
    ]
    # Each age group weighted to its own share: the young are 15 % of the weighted respondents.
    assert [group.weighted_share for group in weighting.groups] == pytest.approx([0.15, 0.50, 0.35])
    assert weighting.collapsed == []
    assert (
        "2 respondents who left a background question unanswered are not included in the results, "
        "as everyone's figures less the groups' would otherwise reveal their answers." in weighting.warnings
    )
    questions = by_position(results)
    assert (questions[1].answered, questions[1].skipped) == (47, 0)
    yes = questions[2].options[0]
    assert yes.share == pytest.approx(27 / 47)
    assert questions[3].mean.unweighted == pytest.approx(4.0)
    assert questions[4].open_answers == []
    # The two answered 3 of the 4 questions: partial interviews, counted as such.
    assert (results.rates.dispositions["I"], results.rates.dispositions["P"]) == (47, 2)


def test_one_left_out_is_told_in_the_singular_in_finnish_and_swedish():
    """One of 48 respondents did not say their age: the Finnish sentence says "vastaaja" in the
    nominative, as Finnish says one of anything, not the partitive "vastaajaa" of two or more."""
    set_age_targets("0.15", "0.50", "0.35")
    manager = make_user("tulokset")
    campaign = build_campaign(build_survey(manager), manager)
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    for age, count in ((1, 12), (2, 15), (3, 20)):
        for _ in range(count):
            response = respond(campaign)
            answer(response, questions[1], digit=age)
            answer(response, questions[2], digit=1)
            answer(response, questions[3], digit=4)
    unstated = respond(campaign)
    answer(unstated, questions[2], digit=1)
    answer(unstated, questions[3], digit=4)
    answer(unstated, questions[4], transcript="En kerro ikääni")

    finnish = campaign_results(campaign, language="fi").weighting.warnings
    swedish = campaign_results(campaign, language="sv").weighting.warnings

    assert (
        "1 taustakysymykseen vastaamatta jättänyt vastaaja ei ole mukana tuloksissa, koska hänen vastauksensa "
        "saisi muuten selville vähentämällä ryhmien luvut kaikkien luvuista." in finnish
    )
    assert (
        "1 svarande som lämnade en bakgrundsfråga obesvarad har inte tagits med i resultaten, eftersom allas "
        "siffror minus gruppernas annars skulle avslöja personens svar." in swedish
    )


def test_nobody_is_left_out_when_too_few_would_remain(english):
    """Two of six did not say their age: leaving them out would leave four, fewer than the minimum
    of five, whose every figure is hidden anyway. Nobody is left out, and nothing claims so."""
    set_age_targets("0.15", "0.50", "0.35")
    manager = make_user("tulokset")
    campaign = build_campaign(build_survey(manager), manager)
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    for age in (1, 2, 3, 3, None, None):
        response = respond(campaign)
        if age:
            answer(response, questions[1], digit=age)
        answer(response, questions[2], digit=1)
        answer(response, questions[3], digit=4)

    results = campaign_results(campaign, language="en")

    assert results.weighting.respondents == 6
    assert not any("not included in the results" in warning for warning in results.weighting.warnings)
    assert by_position(results)[1].skipped == 2


def test_a_question_that_enough_left_unanswered_keeps_its_respondents(english):
    """Three did not say their age, and six their district, two of them both: only the three are
    left out, counted once; the district's unanswered, six before and four after, are not few to
    begin with and stay, protected where they are few by hiding as before."""
    set_age_targets("0.15", "0.50", "0.35")
    manager = make_user("tulokset")
    survey = build_survey(manager)
    survey_services.question_create(
        survey=survey,
        kind=QuestionKind.CHOICE,
        demographic="district",
        text_fi="Missä asut?",
        text_sv="Var bor du?",
        options=[OptionText("Keskusta", "Centrum"), OptionText("Kylät", "Byarna")],
    )
    campaign = build_campaign(survey, manager)
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    people = [(1, 1)] * 10 + [(2, 1)] * 12 + [(3, 2)] * 14 + [(None, 1), (None, None), (None, None)] + [(2, None)] * 4
    for age, home in people:
        response = respond(campaign)
        if age:
            answer(response, questions[1], digit=age)
        answer(response, questions[2], digit=1)
        answer(response, questions[3], digit=4)
        if home:
            answer(response, questions[5], digit=home)

    results = campaign_results(campaign, language="en")

    assert results.weighting.respondents == len(people) - 3
    assert (
        "3 respondents who left a background question unanswered are not included in the results, "
        "as everyone's figures less the groups' would otherwise reveal their answers." in results.weighting.warnings
    )
    assert by_position(results)[5].skipped == 4


def test_with_fewer_respondents_than_the_minimum_no_group_of_who_answered_is_shown_empty(english):
    """One respondent, aged 30-64. Showing the other age groups at 0 % of the respondents (and saying
    that they answered less than their share) while hiding 30-64 told every reader the one
    respondent's age group: with fewer respondents than the minimum, every group is hidden."""
    set_age_targets("0.15", "0.50", "0.35")
    manager = make_user("tulokset")
    campaign = build_campaign(build_survey(manager), manager)
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    response = respond(campaign)
    answer(response, questions[1], digit=2)
    answer(response, questions[2], digit=1)
    answer(response, questions[3], digit=4)

    results = campaign_results(campaign, language="en")

    assert [
        (group.category, group.respondents, group.sample_share, group.hidden) for group in results.weighting.groups
    ] == [
        ("18-29", None, None, "small"),
        ("30-64", None, None, "small"),
        ("65+", None, None, "small"),
    ]
    view = results_view(results)
    assert view.representation == []
    assert [cells[:2] for _label, cells in view.groups[0].table.rows] == [["hidden", "–"]] * 3
