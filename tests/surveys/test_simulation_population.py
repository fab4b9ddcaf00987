"""The synthetic residents: who they are, their true opinions and the population's truth."""

import uuid
from collections import Counter
from statistics import mean

import pytest

from surveys.demo import survey_demo_seed
from surveys.models import Answer, Campaign, CampaignStatus, Contact, ContactNumber, Response
from surveys.services.synthetic_contacts import synthetic_contacts_add
from surveys.simulation import simulate
from surveys.synthetic_population import (
    AGE_BRACKETS,
    AGE_GROUPS,
    DISTRICTS,
    POSTAL_DISTRICTS,
    ContactFacts,
    contact_facts,
    population_truth,
    resident_build,
    survey_questions,
    true_answer,
)
from tests.conftest import make_user

YEAR = 2026


@pytest.fixture
def demo_survey(db):
    make_user("kyselyvastaava")
    make_user("viestinta")
    survey_demo_seed()
    return Campaign.objects.get(slug="pilotti")


def residents(campaign, *, seed=1):
    year = campaign.start_date.year
    return [resident_build(facts, seed=seed, year=year) for facts in contact_facts(campaign.contacts.all())]


def test_the_three_age_groups_are_the_five_brackets_added_up():
    groups = Counter()
    for youngest, _oldest, share in AGE_BRACKETS:
        groups["18-29" if youngest < 30 else "30-64" if youngest < 65 else "65+"] += share
    assert {group: round(share, 4) for group, share in groups.items()} == AGE_GROUPS
    assert round(sum(share for share, _codes in DISTRICTS.values()), 4) == 1


@pytest.mark.django_db
def test_synthetic_contacts_are_drawn_like_the_population_and_the_same_seed_draws_the_same(make_campaign):
    campaign = make_campaign("otos")

    assert synthetic_contacts_add(campaign=campaign, count=4000, seed=1) == 4000

    people = residents(campaign)
    ages = Counter(resident.age_group for resident in people)
    districts = Counter(resident.district for resident in people)
    assert all(abs(ages[group] / 4000 - share) < 0.02 for group, share in AGE_GROUPS.items())
    assert all(abs(districts[name] / 4000 - share) < 0.02 for name, (share, _codes) in DISTRICTS.items())
    assert set(campaign.contacts.values_list("postal_code", flat=True)) <= set(POSTAL_DISTRICTS)
    again = make_campaign("otos-2")
    synthetic_contacts_add(campaign=again, count=5, seed=1)
    # The draw follows the seed and the campaign's short name, so another campaign gets other people.
    assert not set(again.contacts.values_list("numbers__phone_hash", flat=True)) & set(
        campaign.contacts.values_list("numbers__phone_hash", flat=True)
    )


def listed(campaign) -> list[tuple]:
    return list(
        campaign.contacts.order_by("pk").values_list(
            "pseudonym", "birth_year", "postal_code", "language", "numbers__phone_hash"
        )
    )


def test_two_campaigns_naming_the_same_people_draw_the_same_residents(make_campaign):
    """Two strategies simulated on the same seed, each in its own database (bench_strategies), call
    the same people, so their errors are measured against the same truth."""
    pilot = make_campaign("pilotti")
    synthetic_contacts_add(campaign=pilot, count=5, seed=3)
    drawn = listed(pilot)
    pilot.contacts.all().delete()  # as if the other strategy ran in a database of its own

    plus = make_campaign("pilotti-plus")
    synthetic_contacts_add(campaign=plus, count=5, seed=3, people="pilotti")

    assert listed(plus) == drawn


def test_a_made_up_number_is_never_one_another_campaign_lists(make_campaign):
    campaign = make_campaign("otos")
    synthetic_contacts_add(campaign=campaign, count=3, seed=1)
    first_drawn, *others = ContactNumber.objects.filter(campaign=campaign).order_by("contact_id")
    # Another campaign lists the number the same draw gives first (a resident's real number, say).
    elsewhere = make_campaign("toinen")
    listed = Contact.objects.create(campaign=elsewhere, pseudonym=uuid.uuid4())
    ContactNumber.objects.create(
        contact=listed,
        campaign=elsewhere,
        position=1,
        phone_encrypted=first_drawn.phone_encrypted,
        phone_hash=first_drawn.phone_hash,
    )
    campaign.contacts.all().delete()

    assert synthetic_contacts_add(campaign=campaign, count=3, seed=1) == 3

    # A planning run's resident who opts out reaches every contact with their number: a made-up number
    # must be nobody's.
    drawn = set(ContactNumber.objects.filter(campaign=campaign).values_list("phone_hash", flat=True))
    assert len(drawn) == 3
    assert first_drawn.phone_hash not in drawn
    # Only that number is drawn again: the same seed still gives the others.
    assert {number.phone_hash for number in others} < drawn


def test_a_resident_follows_from_the_seed_and_the_contact_alone():
    facts = ContactFacts("7f1e8a52-0c8e-4a55-9a43-1d1b6cb7a111", 1950, "01940", "fi")

    resident = resident_build(facts, seed=3, year=YEAR)

    assert resident == resident_build(facts, seed=3, year=YEAR)
    assert (resident.age, resident.age_group, resident.district) == (76, "65+", "Etelä")
    unknown = resident_build(ContactFacts(facts.pseudonym, None, "", "fi"), seed=3, year=YEAR)
    assert unknown.district in DISTRICTS and 18 <= unknown.age <= 94


@pytest.mark.django_db
def test_demographic_answers_are_the_residents_own_age_bracket_and_district(demo_survey):
    survey = survey_questions(demo_survey.survey_version)
    age, district = survey.at(1), survey.at(2)
    labels = {
        position: dict(zip(survey.at(position).digits, survey.at(position).labels, strict=True)) for position in (1, 2)
    }

    def answers(birth_year, postal_code):
        resident = resident_build(ContactFacts("a", birth_year, postal_code, "fi"), seed=1, year=YEAR)
        return labels[1][true_answer(resident, age, survey)], labels[2][true_answer(resident, district, survey)]

    assert answers(YEAR - 18, "01900") == ("18–29", "Keskusta")
    assert answers(YEAR - 44, "01910") == ("30–44", "Pohjoinen")
    assert answers(YEAR - 45, "01950") == ("45–64", "Itä")
    assert answers(YEAR - 74, "01970") == ("65–74", "Länsi")
    assert answers(YEAR - 90, "01990") == ("75 tai yli", "Haja-asutusalue")


@pytest.mark.django_db
def test_opinions_lean_by_age_group(demo_survey):
    survey = survey_questions(demo_survey.survey_version)
    satisfaction, priority, sports = survey.at(3), survey.at(4), survey.at(5)
    by_group = {}
    for birth_year, group in ((YEAR - 22, "18-29"), (YEAR - 47, "30-64"), (YEAR - 80, "65+")):
        people = [
            resident_build(ContactFacts(f"{group}-{n}", birth_year, "01950", "fi"), seed=1, year=YEAR)
            for n in range(600)
        ]
        by_group[group] = {
            "satisfaction": mean(true_answer(person, satisfaction, survey) for person in people),
            "favourite": Counter(true_answer(person, priority, survey) for person in people).most_common(1)[0][0],
            "sports": mean(true_answer(person, sports, survey) == 1 for person in people),
        }

    assert by_group["18-29"]["satisfaction"] < by_group["30-64"]["satisfaction"] - 0.4
    assert by_group["30-64"]["satisfaction"] < by_group["65+"]["satisfaction"] - 0.4
    assert [by_group[group]["favourite"] for group in ("65+", "30-64", "18-29")] == [1, 2, 6]
    assert by_group["18-29"]["sports"] > 0.6 > 0.4 > by_group["65+"]["sports"]


@pytest.mark.django_db
def test_population_truth_covers_every_opinion_question_over_all_residents(demo_survey):
    synthetic_contacts_add(campaign=demo_survey, count=600, seed=2)
    everyone = residents(demo_survey, seed=2)
    survey = survey_questions(demo_survey.survey_version)

    truth = population_truth(demo_survey, seed=2)

    # Not the demographic questions (1, 2) nor the open one (8); question 6 only for those using sports facilities.
    assert sorted(truth) == [3, 4, 5, 6, 7]
    assert truth[3].residents == len(everyone) == 656
    users = sum(true_answer(resident, survey.at(5), survey) == 1 for resident in everyone)
    assert truth[6].residents == users
    assert truth[5].shares["1"] == pytest.approx(users / 656)
    for question in truth.values():
        assert sum(question.shares.values()) == pytest.approx(1)
    assert set(truth[4].shares) == {"1", "2", "3", "4", "5", "6"}
    assert truth[3].mean == pytest.approx(sum(int(value) * share for value, share in truth[3].shares.items()))
    assert truth[3].mean == pytest.approx(mean(true_answer(resident, survey.at(3), survey) for resident in everyone))
    assert truth[4].mean is None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_respondents_answer_with_their_true_opinions(rq_queues):
    make_user("kyselyvastaava")
    make_user("viestinta")
    survey_demo_seed()
    campaign = Campaign.objects.get(slug="pilotti")
    synthetic_contacts_add(campaign=campaign, count=120, seed=4)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    campaign.refresh_from_db()

    simulate(campaign, seed=4)

    survey = survey_questions(campaign.survey_version)
    people = {
        resident.key: resident
        for resident in (
            resident_build(facts, seed=4, year=campaign.start_date.year)
            for facts in contact_facts(Contact.objects.filter(campaign=campaign))
        )
    }
    answers = Answer.objects.filter(response__campaign=campaign).exclude(question__kind="open")
    given = [
        (str(pseudonym), position, option_digit if option_digit is not None else number)
        for pseudonym, position, option_digit, number in answers.values_list(
            "response__pseudonym", "question__position", "option__digit", "number_value"
        )
    ]
    assert len(given) > 100
    assert Response.objects.filter(campaign=campaign).count() >= len({pseudonym for pseudonym, _p, _a in given})
    assert all(
        answer == true_answer(people[pseudonym], survey.at(position), survey) for pseudonym, position, answer in given
    )
    assert {position for _pseudonym, position, _answer in given} >= {1, 2, 3, 4, 5, 7}
