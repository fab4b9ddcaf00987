"""The calling window: Helsinki wall-clock hours, weekdays, campaign days and Finnish holidays, DST-safe."""

from datetime import UTC, date, datetime, time, timedelta

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.calling_window import is_open, next_open_moment
from surveys.models import Campaign
from tests.surveys.calls import HELSINKI


def window(**fields) -> Campaign:
    values = {
        "start_date": date(2026, 3, 20),
        "end_date": date(2026, 4, 10),
        "daily_start": time(10),
        "daily_end": time(20),
        "weekdays": [0, 1, 2, 3, 4],
        "exclude_holidays": True,
    } | fields
    return Campaign(**values)


def helsinki(*args) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)


def test_the_demo_window_is_open_all_day_only_for_a_campaign_that_calls_no_one():
    """Set on a campaign calling through Twilio, it called real residents at 3 at night and on
    Saturdays, while the pre-announcement and the residents' page gave its hours."""
    night, saturday = helsinki(2026, 3, 24, 3, 0), helsinki(2026, 3, 28, 23, 0)
    simulated = window(is_demo_window=True, telephony_provider="simulator")
    real = window(is_demo_window=True, telephony_provider="twilio")

    assert [next_open_moment(simulated, moment) for moment in (night, saturday)] == [night, helsinki(2026, 3, 30, 0, 0)]
    assert [next_open_moment(real, moment) for moment in (night, saturday)] == [
        helsinki(2026, 3, 24, 10, 0),
        helsinki(2026, 3, 30, 10, 0),
    ]


def test_inside_the_window_is_now():
    moment = helsinki(2026, 3, 24, 12, 30)

    assert next_open_moment(window(), moment) == moment


def test_before_the_hours_is_the_same_mornings_start():
    assert next_open_moment(window(), helsinki(2026, 3, 24, 7, 0)) == helsinki(2026, 3, 24, 10, 0)


def test_after_the_hours_on_friday_is_monday_morning():
    assert next_open_moment(window(), helsinki(2026, 3, 27, 20, 0)) == helsinki(2026, 3, 30, 10, 0)


def test_easter_holidays_are_skipped():
    # Good Friday 3 April and Easter Monday 6 April 2026.
    assert next_open_moment(window(), helsinki(2026, 4, 2, 20, 0)) == helsinki(2026, 4, 7, 10, 0)


def test_holidays_are_called_when_the_campaign_allows_it():
    campaign = window(exclude_holidays=False)

    assert next_open_moment(campaign, helsinki(2026, 4, 2, 20, 0)) == helsinki(2026, 4, 3, 10, 0)


def test_ten_oclock_stays_ten_oclock_across_the_spring_change():
    campaign = window(weekdays=list(range(7)))

    sunday = next_open_moment(campaign, datetime(2026, 3, 29, 0, 0, tzinfo=UTC))

    assert sunday == helsinki(2026, 3, 29, 10, 0)
    assert sunday.utcoffset() == timedelta(hours=3)
    assert next_open_moment(campaign, helsinki(2026, 3, 28, 12, 0)).utcoffset() == timedelta(hours=2)


def test_before_the_first_and_after_the_last_day():
    assert next_open_moment(window(), helsinki(2026, 1, 1, 12, 0)) == helsinki(2026, 3, 20, 10, 0)
    assert next_open_moment(window(), helsinki(2026, 4, 10, 20, 0)) is None


def test_is_open():
    assert is_open(window(), helsinki(2026, 3, 24, 19, 59))
    assert not is_open(window(), helsinki(2026, 3, 24, 20, 0))


FI_HOLIDAYS = holidays.country_holidays("FI", years=range(2024, 2029))
campaigns = st.builds(
    lambda start, length, hours, days, exclude: window(
        start_date=start,
        end_date=start + timedelta(days=length),
        daily_start=time(hours[0]),
        daily_end=time(hours[1]),
        weekdays=sorted(days),
        exclude_holidays=exclude,
    ),
    start=st.dates(date(2025, 1, 1), date(2027, 12, 1)),
    length=st.integers(0, 60),
    hours=st.tuples(st.integers(0, 12), st.integers(13, 23)),
    days=st.sets(st.integers(0, 6), min_size=1),
    exclude=st.booleans(),
)
# Moments clustered around the DST changes (last Sundays of March and October) and Christmas.
special = st.sampled_from(
    [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2025, 12, 24, tzinfo=UTC),
    ]
)
moments = st.one_of(
    st.datetimes(datetime(2024, 12, 1), datetime(2028, 1, 1), timezones=st.just(UTC)),
    st.builds(lambda base, minutes: base + timedelta(minutes=minutes), special, st.integers(-3 * 24 * 60, 3 * 24 * 60)),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campaign=campaigns, after=moments)
def test_never_a_moment_outside_the_window(campaign, after):
    moment = next_open_moment(campaign, after)

    if moment is None:
        return
    local = moment.astimezone(HELSINKI)
    assert moment >= after
    assert campaign.start_date <= local.date() <= campaign.end_date
    assert local.weekday() in campaign.weekdays
    assert campaign.daily_start <= local.time() < campaign.daily_end
    assert not (campaign.exclude_holidays and local.date() in FI_HOLIDAYS)


@settings(max_examples=200, deadline=None)
@given(campaign=campaigns, after=moments)
def test_nothing_open_is_skipped(campaign, after):
    """The answer is the first open moment: every earlier whole minute since `after` is closed."""
    moment = next_open_moment(campaign, after)
    end = moment or after + timedelta(days=3)
    probe = after
    while probe < min(end, after + timedelta(days=3)):
        assert not is_open(campaign, probe) or probe == moment
        probe += timedelta(minutes=37)
