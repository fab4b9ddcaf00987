"""Pacing: new numbers spread over a campaign's days and hours, retries on other days, young first."""

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from surveys.calling_window import day_part
from surveys.models import CallAttempt, CallStatus, Contact, ContactStatus, PopulationTarget, Response, ResponseStatus
from surveys.services.dialing import call_status_apply, contacts_never_called, dial_tick
from surveys.services.dispositions import response_interview_code_refresh
from surveys.services.pacing import (
    ANSWER_RATE_PRIOR,
    ANSWER_RATE_PRIOR_CALLS,
    EVENING_FROM,
    PACING_STEP,
    age_group_needs,
    answer_rates_estimate,
    next_fresh_release,
    prior_answer_rate,
    retry_moment,
)
from surveys.services.population_groups import population_age_groups
from surveys.synthetic_population import BEHAVIOUR
from surveys.telephony import StatusUpdate
from tests.surveys.calls import HELSINKI, queued_attempt, running_campaign
from tests.surveys.quota_fixtures import complete

# Monday 8 to Friday 12 December 2025: five calling days, 10-20. With three attempts, new numbers
# are started on the first three and the last two are kept for retries.
FIRST_DAY, LAST_DAY = date(2025, 12, 8), date(2025, 12, 12)
NUMBERS = tuple(f"04012346{index:02d}" for index in range(30))
YOUNG, MIDDLE, OLD = 2000, 1980, 1950  # birth years: 25, 45 and 75 in 2025


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 12, day, hour, minute, tzinfo=HELSINKI)


@pytest.fixture
def campaign(make_campaign):
    return running_campaign(
        make_campaign,
        numbers=NUMBERS,
        start_date=FIRST_DAY,
        end_date=LAST_DAY,
        max_attempts=3,
        min_gap_minutes=180,
        max_concurrent_calls=50,
        calls_per_second=10,
    )


def ticks_over_the_days(campaign, days=range(8, 13)):
    """A tick at each pacing step of each calling day; every call queued ends unanswered at once,
    with no retry (only the starts of new numbers are looked at)."""
    for day in days:
        moment = at(day, 10)
        while moment < at(day, 20):
            dial_tick(campaign=campaign, now=moment)
            CallAttempt.objects.filter(status=CallStatus.QUEUED).update(
                status=CallStatus.NO_ANSWER, placed_at=moment, ended_at=moment
            )
            moment += PACING_STEP


def starts_by_day(campaign) -> Counter:
    first = CallAttempt.objects.filter(contact__campaign=campaign, number=1)
    return Counter(moment.astimezone(HELSINKI).day for moment in first.values_list("scheduled_for", flat=True))


def test_new_numbers_are_started_evenly_over_the_days_before_those_kept_for_retries(campaign, rq_queues):
    ticks_over_the_days(campaign)

    assert starts_by_day(campaign) == {8: 10, 9: 10, 10: 10}


def test_a_days_share_is_spread_over_its_hours(campaign, rq_queues):
    assert dial_tick(campaign=campaign, now=at(8, 10)) == 1  # 10 new numbers a day, in 40 steps

    ticks_over_the_days(campaign, days=[8])

    hours = Counter(
        moment.astimezone(HELSINKI).hour
        for moment in CallAttempt.objects.filter(number=1).values_list("scheduled_for", flat=True)
    )
    assert sum(hours.values()) == 10
    assert max(hours.values()) == 1
    assert max(hours) == 19


def test_the_next_release_of_new_numbers_is_the_next_step_that_starts_one_then_the_next_day(campaign, rq_queues):
    never_called = contacts_never_called(campaign)
    dial_tick(campaign=campaign, now=at(8, 10))

    assert next_fresh_release(campaign=campaign, never_called=never_called, after=at(8, 10)) == at(8, 11)

    ticks_over_the_days(campaign, days=[8])
    assert next_fresh_release(campaign=campaign, never_called=never_called, after=at(8, 19, 45)) == at(9, 10)


def test_a_campaign_resumed_after_its_days_of_new_numbers_still_calls_every_number(campaign, rq_queues):
    assert dial_tick(campaign=campaign, now=at(11, 19, 50)) == 30


def test_a_demonstration_campaign_is_not_paced(make_campaign, rq_queues):
    demo = running_campaign(
        make_campaign, numbers=NUMBERS, is_demo_window=True, max_concurrent_calls=50, calls_per_second=10
    )

    assert dial_tick(campaign=demo, now=at(8, 3)) == 30


def ended_unanswered(contact, *, number: int, placed: datetime) -> CallAttempt:
    """The contact's attempt `number` (the retry already scheduled, or a first one) dialed at
    `placed` and unanswered; returns the retry it leads to."""
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.IN_PROGRESS)
    call_id = f"SIMp{number}"
    dialing = {"status": CallStatus.DIALING, "placed_at": placed, "provider_call_id": call_id}
    attempt = CallAttempt.objects.filter(contact=contact, number=number).first()
    if attempt is None:
        attempt = queued_attempt(contact, number=number, **dialing)
    else:
        CallAttempt.objects.filter(pk=attempt.pk).update(**dialing)
    call_status_apply(
        attempt_id=attempt.pk,
        provider=attempt.provider,
        update=StatusUpdate(call_id=call_id, status=CallStatus.NO_ANSWER),
        now=placed + timedelta(seconds=30),
    )
    return CallAttempt.objects.get(contact=contact, number=number + 1)


def test_a_retry_goes_to_the_next_day_to_a_part_not_yet_tried(campaign):
    contact = campaign.contacts.order_by("pk").first()

    retry = ended_unanswered(contact, number=1, placed=at(8, 10, 30))

    moment = retry.scheduled_for.astimezone(HELSINKI)
    assert moment.date() == date(2025, 12, 9)
    assert day_part(moment) == "afternoon"
    assert at(9, 12) <= moment < at(9, 16)


def test_the_days_kept_at_the_end_take_the_retries_of_the_last_new_numbers(campaign):
    contact = campaign.contacts.order_by("pk").first()

    second = ended_unanswered(contact, number=1, placed=at(10, 19, 45))
    third = ended_unanswered(contact, number=2, placed=second.scheduled_for)

    days = [attempt.scheduled_for.astimezone(HELSINKI).date() for attempt in (second, third)]
    assert days == [date(2025, 12, 11), date(2025, 12, 12)]
    assert {day_part(second.scheduled_for), day_part(third.scheduled_for)} == {"morning", "afternoon"}


def test_on_the_last_day_a_retry_goes_to_another_part_of_the_same_day_after_the_gap(campaign):
    contact = campaign.contacts.order_by("pk").first()
    queued_attempt(contact, number=1, status=CallStatus.NO_ANSWER, placed_at=at(11, 17))
    queued_attempt(contact, number=2, status=CallStatus.NO_ANSWER, placed_at=at(12, 10))

    moment = retry_moment(campaign, contact=contact, after=at(12, 10, 1))

    assert at(12, 13, 1) <= moment < at(12, 16)


def test_no_retry_after_the_campaigns_last_open_moment(campaign):
    contact = campaign.contacts.order_by("pk").first()

    assert retry_moment(campaign, contact=contact, after=at(12, 17, 30)) is None


# Young first


@pytest.fixture
def targets(db):
    for position, (category, share) in enumerate((("18–29", "0.20"), ("30–64", "0.50"), ("65 tai yli", "0.30"))):
        PopulationTarget.objects.create(dimension="age_group", category=category, share=share, position=position)


def with_ages(campaign, *birth_years) -> None:
    """The campaign's contacts in import order get these birth years, ten each."""
    contacts = list(campaign.contacts.order_by("pk"))
    for index, contact in enumerate(contacts):
        Contact.objects.filter(pk=contact.pk).update(birth_year=birth_years[index // 10])


def completes(campaign, birth_year: int, count: int, *, status: str = ResponseStatus.COMPLETE) -> None:
    """`count` finished respondents born in `birth_year` who answered every question (`status`: a
    response that heard the closing words, or one whose call ended before them), besides the numbers
    still to call."""
    for _ in range(count):
        contact = Contact.objects.create(campaign=campaign, birth_year=birth_year, status=ContactStatus.FINISHED)
        response = complete(contact)
        Response.objects.filter(pk=response.pk).update(status=status)
        response_interview_code_refresh(response_id=response.pk)


@pytest.fixture
def young_first(campaign, targets):
    campaign.young_first = True
    campaign.save(update_fields=["young_first"])
    with_ages(campaign, OLD, MIDDLE, YOUNG)  # imported oldest first
    completes(campaign, MIDDLE, 5)
    completes(campaign, OLD, 5)
    return campaign


def started_birth_years(campaign) -> list[int]:
    return list(
        CallAttempt.objects.filter(contact__campaign=campaign, number=1)
        .order_by("pk")
        .values_list("contact__birth_year", flat=True)
    )


def test_young_first_starts_the_under_filled_group_that_answers_in_the_evening_first(young_first, rq_queues):
    young_first.max_concurrent_calls = 15
    young_first.save(update_fields=["max_concurrent_calls"])

    # A kept day for retries: every number left may be started, 22 of 30 by this step.
    assert dial_tick(campaign=young_first, now=at(11, 17)) == 15

    assert started_birth_years(young_first) == [YOUNG] * 10 + [MIDDLE] * 5


def test_young_first_starts_the_group_that_answers_in_the_morning_then(young_first, rq_queues):
    assert dial_tick(campaign=young_first, now=at(11, 10)) == 1

    assert started_birth_years(young_first) == [OLD]


def test_young_first_counts_a_respondent_who_hung_up_after_answering_everything_as_a_complete(campaign, targets):
    # The report counts them (AAPOR I): so does the pacing, which is not to call their group first.
    completes(campaign, MIDDLE, 5, status=ResponseStatus.PARTIAL)
    completes(campaign, OLD, 5)

    needs = age_group_needs(campaign=campaign, groups=population_age_groups())

    # 30-64: (5 completes + 0.5 of the 20 prior) / (10 + 20) is its target share, 0.5; without the five
    # who hung up it would be under-filled, 10 / 25 = 0.4 of the completes (1.25).
    assert needs["30–64"] == pytest.approx(1.0)


def test_without_young_first_numbers_are_started_as_imported(campaign, targets, rq_queues):
    with_ages(campaign, OLD, MIDDLE, YOUNG)

    assert dial_tick(campaign=campaign, now=at(11, 17)) == 22

    assert started_birth_years(campaign)[:10] == [OLD] * 10


def test_a_young_first_retry_goes_to_the_hours_when_the_group_answers(young_first):
    young = young_first.contacts.filter(birth_year=YOUNG).order_by("pk").first()

    second = ended_unanswered(young, number=1, placed=at(8, 17))
    third = ended_unanswered(young, number=2, placed=second.scheduled_for)

    assert [day_part(attempt.scheduled_for) for attempt in (second, third)] == ["evening", "evening"]
    assert [attempt.scheduled_for.astimezone(HELSINKI).day for attempt in (second, third)] == [9, 10]


def test_a_label_renamed_within_the_hour_of_the_cached_estimates_still_schedules_the_retry(young_first, rq_queues):
    dial_tick(campaign=young_first, now=at(8, 17))  # the estimates of 17-18 are read and kept
    # The results settings replace the targets: the same ages, the label spelt with a hyphen.
    PopulationTarget.objects.filter(category="18–29").update(category="18-29")
    young = young_first.contacts.filter(birth_year=YOUNG, attempts__isnull=True).order_by("pk").first()

    retry = ended_unanswered(young, number=1, placed=at(8, 17, 20))

    assert retry.scheduled_for.astimezone(HELSINKI).date() == date(2025, 12, 9)
    assert day_part(retry.scheduled_for) == "evening"
    assert dial_tick(campaign=young_first, now=at(8, 17, 30)) >= 0


def test_a_group_the_estimates_do_not_know_is_read_from_the_prior(young_first, rq_queues, monkeypatch):
    # Estimates read before the targets changed know none of today's groups.
    monkeypatch.setattr("surveys.services.pacing.answer_rates_estimate", lambda **_: {})
    young = young_first.contacts.filter(birth_year=YOUNG).order_by("pk").first()

    retry = ended_unanswered(young, number=1, placed=at(8, 17, 20))

    assert day_part(retry.scheduled_for) == "evening"  # the prior: the young answer best in the evening
    assert dial_tick(campaign=young_first, now=at(11, 17)) > 0
    assert started_birth_years(young_first)[:3] == [YOUNG] * 3  # the prior: the young answer at 17


def test_a_young_first_contacts_retries_fall_at_another_time_each_day(young_first):
    young = young_first.contacts.filter(birth_year=YOUNG).order_by("pk").first()

    second = ended_unanswered(young, number=1, placed=at(8, 17, 45))
    third = ended_unanswered(young, number=2, placed=second.scheduled_for)

    moments = [attempt.scheduled_for.astimezone(HELSINKI) for attempt in (second, third)]
    assert [moment.day for moment in moments] == [9, 10]
    assert [day_part(moment) for moment in moments] == ["evening", "evening"]
    assert moments[0].time() != moments[1].time()
    assert all(moment < at(moment.day, 20) for moment in moments)


def test_answer_rates_start_from_the_prior_and_move_to_the_campaigns_own_calls(young_first):
    groups = population_age_groups()
    before = answer_rates_estimate(campaign=young_first, groups=groups)
    young = list(young_first.contacts.filter(birth_year=YOUNG))
    for index in range(40):
        queued_attempt(
            young[index % 10],
            number=index // 10 + 1,
            status=CallStatus.COMPLETED,
            placed_at=at(8, 10, 5),
            ended_at=at(8, 10, 6),
            answered_at=at(8, 10, 5),
        )

    after = answer_rates_estimate(campaign=young_first, groups=groups)

    assert before["18–29"][10] == pytest.approx(0.57 * 0.85)
    assert after["18–29"][10] == pytest.approx(
        (40 + 0.57 * 0.85 * ANSWER_RATE_PRIOR_CALLS) / (40 + ANSWER_RATE_PRIOR_CALLS)
    )
    assert after["18–29"][11] == before["18–29"][11]
    assert after["65 tai yli"][10] == before["65 tai yli"][10] == pytest.approx(0.73 * 1.05)


def test_the_prior_is_the_pilots_experience_the_simulator_reproduces():
    simulated = {"18-29": 18, "30-64": 30, "65+": 65}
    assert [row[0] for row in ANSWER_RATE_PRIOR] == list(simulated.values())
    for group, youngest in simulated.items():
        behaviour = BEHAVIOUR[group]
        assert prior_answer_rate(youngest, EVENING_FROM - 1) == pytest.approx(behaviour.picks_up * behaviour.daytime)
        assert prior_answer_rate(youngest, EVENING_FROM) == pytest.approx(behaviour.picks_up * behaviour.evening)
