"""The planner: a campaign simulated as configured before its launch, everything it wrote rolled back."""

import math
import threading
import time
from datetime import time as time_of_day
from datetime import timedelta
from decimal import Decimal
from statistics import mean

import django_rq
import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from surveys import simulation
from surveys.demo import PILOT_PLUS_COMPLETES, survey_demo_seed
from surveys.demo_results import PILOT_NUMBER_LIST, results_demo_seed
from surveys.errors import SurveyError
from surveys.models import (
    Answer,
    CallAttempt,
    Campaign,
    CampaignPrediction,
    CampaignStatus,
    ConsentChannel,
    ConsentEvent,
    Contact,
    ContactNumber,
    DoNotCall,
    PredictionStatus,
    Response,
    SmsMessage,
)
from surveys.planner_figures import numbers_needed, prediction_figures
from surveys.reports.prediction import prediction_panel
from surveys.services import planner
from surveys.services.planner import prediction_request, prediction_run, settings_changed
from surveys.services.privacy import contact_opt_out, opt_out_register, registry_writes_rolled_back
from surveys.services.synthetic_contacts import synthetic_contacts_add
from surveys.simulation import simulate
from surveys.synthetic_population import AGE_GROUPS
from tests.conftest import make_user, rq_queue_empty
from tests.surveys.factories import build_campaign, build_survey

pytestmark = pytest.mark.django_db
# The valid rows of docs/samples/contacts-sample.csv.
LISTED = 56
ROWS = (Campaign, Contact, ContactNumber, CallAttempt, Response, Answer, ConsentEvent, SmsMessage)


@pytest.fixture
def pilot(db):
    """The demo's pilot-like campaign before its launch: the sample file's contacts, the population
    targets and the number list's cost."""
    make_user("kyselyvastaava")
    make_user("viestinta")
    survey_demo_seed()
    results_demo_seed()
    campaign = Campaign.objects.get(slug="pilotti")
    assert campaign.status in planner.PREDICTABLE_STATUSES
    assert campaign.contacts.count() == LISTED
    return campaign


SMALL_SAMPLE = 8


@pytest.fixture
def short_pilot(pilot, monkeypatch):
    """The pilot called over its first three days instead of nine, runs simulating 8 of its numbers:
    for the tests of what a run does around the simulation, not of its figures (the simulated
    calls and days are most of a run's time)."""
    Campaign.objects.filter(pk=pilot.pk).update(end_date=pilot.start_date + timedelta(days=2))
    pilot.refresh_from_db()
    monkeypatch.setattr(planner, "SAMPLE_MAX", SMALL_SAMPLE)
    return pilot


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROWS}


def redis_jobs() -> dict[str, int]:
    """Every job the worker queues hold, due now or later."""
    return {
        name: django_rq.get_queue(name).count + len(django_rq.get_queue(name).scheduled_job_registry)
        for name in settings.WORKER_QUEUES
    }


def predicted(campaign, *, seeds=(1, 2), numbers=None) -> CampaignPrediction:
    prediction = prediction_request(campaign=campaign, by=campaign.created_by, numbers=numbers)
    CampaignPrediction.objects.filter(pk=prediction.pk).update(seeds=list(seeds))
    return prediction_run(prediction_id=prediction.pk)


@pytest.mark.slow
def test_a_prediction_simulates_the_campaign_per_seed_and_leaves_nothing_behind(pilot, rq_queues):
    before, jobs_before = row_counts(), redis_jobs()

    prediction = predicted(pilot)

    assert prediction.status == PredictionStatus.DONE, prediction.failure_reason
    assert (prediction.numbers, prediction.sample_size, prediction.numbers_assumed) == (LISTED, LISTED, False)
    assert [run["seed"] for run in prediction.runs] == [1, 2]
    for run in prediction.runs:
        assert run["numbers"] == LISTED
        assert run["calls"] >= LISTED
        assert 0 < run["complete"] < run["numbers"]
        assert sum(run["complete_by_age_group"].values()) == run["complete"]
        # The pilot's 0.09 EUR a started minute, billed per call.
        assert Decimal(run["call_cost"]) > 0
        assert Decimal(run["call_cost"]) % Decimal("0.09") == 0
        assert run["design_effect"] >= 1
    # Two seeds, two populations: the runs differ.
    assert prediction.runs[0] != prediction.runs[1]
    assert prediction.fixed_cost == PILOT_NUMBER_LIST[1]
    # Nothing the runs wrote is left, and no job of theirs reached Redis.
    assert row_counts() == before
    assert redis_jobs() == jobs_before == dict.fromkeys(settings.WORKER_QUEUES, 0)
    pilot.refresh_from_db()
    assert pilot.status in planner.PREDICTABLE_STATUSES
    assert not pilot.contacts.exclude(status="pending").exists()


def test_the_figures_are_the_runs_means_and_ranges_with_the_fixed_costs():
    runs = [
        _run(seed=1, complete=10, calls=150, groups={"18-29": 1, "30-64": 4, "65+": 5}, cost="12.60", deff=1.2),
        _run(seed=2, complete=14, calls=160, groups={"18-29": 2, "30-64": 5, "65+": 7}, cost="13.50", deff=1.5),
    ]

    figures = prediction_figures(numbers=400, sample_size=100, fixed_cost=Decimal("2100"), runs=runs)

    assert figures.scaled
    # Counts scaled by 400 / 100.
    assert (figures.completes.low, figures.completes.mean, figures.completes.high) == (40, 48, 56)
    assert (figures.calls.low, figures.calls.high) == (600, 640)
    # A fifth of the completes on the web: 2 and 2 of the sample, 8 of the list.
    assert (figures.web_completes.low, figures.web_completes.high) == (8, 8)
    assert (figures.sms_sent.low, figures.sms_sent.high) == (40, 56)
    shares = {share.group: share.share for share in figures.age_groups}
    assert list(shares) == list(AGE_GROUPS)
    assert (shares["18-29"].low, shares["18-29"].high) == (0.1, pytest.approx(2 / 14))
    assert shares["65+"].mean == pytest.approx((0.5 + 0.5) / 2)
    # Calls scaled, the fixed cost once: 4 * 12.60 + 2100 and 4 * 13.50 + 2100.
    assert (figures.cost.low, figures.cost.high) == (2150.4, 2154.0)
    assert figures.cost_per_complete.low == pytest.approx(2154.0 / 56)
    assert figures.cost_per_complete.high == pytest.approx(2150.4 / 40)
    # 95 % for a 50 % share over completes / design effect: 1.96 * sqrt(0.25 / (40 / 1.2)).
    assert figures.margin_of_error.high == pytest.approx(1.959964 * math.sqrt(0.25 / (40 / 1.2)))
    assert figures.margin_of_error.low == pytest.approx(1.959964 * math.sqrt(0.25 / (56 / 1.5)))
    assert (figures.design_effect.low, figures.design_effect.high) == (1.2, 1.5)
    # 0.10 and 0.14 completes a number: 1,000 completes need 7,143 to 10,000 numbers.
    assert (figures.completes_per_number.low, figures.completes_per_number.high) == (0.1, 0.14)
    assert numbers_needed(figures, 1000) == (7143, 10000)
    assert numbers_needed(figures, 14) == (100, 140)


def test_a_run_that_completed_nothing_gives_no_cost_per_complete_nor_numbers_needed():
    runs = [_run(seed=1, complete=0, calls=30, groups={}, cost="1.80", deff=None)]

    figures = prediction_figures(numbers=10, sample_size=10, fixed_cost=Decimal(0), runs=runs)

    assert figures.completes.mean == 0
    assert figures.cost_per_complete is None
    assert figures.margin_of_error is None
    assert numbers_needed(figures, 100) is None


def test_the_age_groups_shares_come_from_the_runs_that_completed_something():
    """Of three runs of four numbers one completed nothing: counting it as 0 % in every age group
    made the predicted shares add up to 66.7 %, not 100 %."""
    runs = [
        _run(seed=1, complete=1, calls=10, groups={"65+": 1}, cost="0.90", deff=1.0),
        _run(seed=2, complete=0, calls=9, groups={}, cost="0.72", deff=None),
        _run(seed=3, complete=2, calls=12, groups={"30-64": 1, "65+": 1}, cost="0.81", deff=1.0),
    ]

    figures = prediction_figures(numbers=4, sample_size=4, fixed_cost=Decimal(0), runs=runs)

    shares = {share.group: share.share for share in figures.age_groups}
    assert sum(share.mean for share in shares.values()) == pytest.approx(1.0)
    assert (shares["65+"].mean, shares["65+"].low, shares["65+"].high) == (0.75, 0.5, 1.0)
    assert (shares["30-64"].mean, shares["18-29"].high) == (0.25, 0.0)


def test_a_run_without_completes_says_nothing_of_the_age_groups_shares():
    """A run that completed nothing has no shares: counted as 0 % in every group it made the
    groups' mean shares add up to half of the completes (5 %, 20 %, 25 %)."""
    runs = [
        _run(seed=1, complete=0, calls=30, groups={}, cost="1.80", deff=None),
        _run(seed=2, complete=10, calls=150, groups={"18-29": 1, "30-64": 4, "65+": 5}, cost="12.60", deff=1.2),
    ]

    figures = prediction_figures(numbers=100, sample_size=100, fixed_cost=Decimal(0), runs=runs)

    shares = {share.group: share.share for share in figures.age_groups}
    assert [shares[group].mean for group in AGE_GROUPS] == [0.1, 0.4, 0.5]
    assert (shares["65+"].low, shares["65+"].high) == (0.5, 0.5)
    # The completes themselves are the two runs' own: 0 and 10.
    assert (figures.completes.low, figures.completes.mean, figures.completes.high) == (0, 5, 10)


def test_a_long_list_is_simulated_as_a_sample_and_its_counts_scaled(short_pilot, rq_queues):
    prediction = predicted(short_pilot, seeds=(3,))

    assert prediction.status == PredictionStatus.DONE, prediction.failure_reason
    assert (prediction.numbers, prediction.sample_size) == (LISTED, SMALL_SAMPLE)
    (run,) = prediction.runs
    assert run["numbers"] == SMALL_SAMPLE
    figures = prediction_figures(
        numbers=prediction.numbers, sample_size=prediction.sample_size, fixed_cost=Decimal(0), runs=prediction.runs
    )
    assert figures.completes.mean == pytest.approx(run["complete"] * LISTED / SMALL_SAMPLE)
    assert figures.calls.mean == pytest.approx(run["calls"] * LISTED / SMALL_SAMPLE)
    assert figures.completes_per_number.mean == pytest.approx(run["complete"] / SMALL_SAMPLE)


def test_a_campaign_without_contacts_is_predicted_for_the_numbers_given(manager, rq_queues):
    # Called over three days: the simulated days are most of a run's time.
    campaign = build_campaign(build_survey(manager), manager)
    Campaign.objects.filter(pk=campaign.pk).update(end_date=campaign.start_date + timedelta(days=2))

    prediction = predicted(campaign, seeds=(1,), numbers=12)

    assert prediction.status == PredictionStatus.DONE, prediction.failure_reason
    assert (prediction.numbers, prediction.numbers_assumed, prediction.sample_size) == (12, True, 12)
    assert prediction.runs[0]["numbers"] == 12
    assert not campaign.contacts.exists()


def test_without_contacts_the_default_is_the_pilots_list(manager):
    # The pilot's pace: a sample of SAMPLE_MAX is still called at one call a tick or more.
    campaign = build_campaign(build_survey(manager), manager, calls_per_second=4)

    prediction = prediction_request(campaign=campaign, by=manager)

    assert (prediction.numbers, prediction.sample_size) == (7759, planner.SAMPLE_MAX)
    assert prediction.seeds == [1, 2, 3]


def test_a_prediction_is_refused_once_the_campaign_has_started(pilot):
    Campaign.objects.filter(pk=pilot.pk).update(status=CampaignStatus.RUNNING)
    pilot.refresh_from_db()

    with pytest.raises(SurveyError, match="käynnistynyt"):
        prediction_request(campaign=pilot, by=pilot.created_by)


def test_a_second_request_while_one_is_on_its_way_gets_the_same_prediction(pilot):
    first = prediction_request(campaign=pilot, by=pilot.created_by)

    assert prediction_request(campaign=pilot, by=pilot.created_by) == first
    assert CampaignPrediction.objects.count() == 1


def test_a_prediction_whose_job_was_lost_fails_and_a_new_one_is_made(pilot):
    lost = prediction_request(campaign=pilot, by=pilot.created_by)
    CampaignPrediction.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - timedelta(hours=2))

    new = prediction_request(campaign=pilot, by=pilot.created_by)

    lost.refresh_from_db()
    assert new != lost
    assert lost.status == PredictionStatus.FAILED
    assert "pysähtyi" in lost.failure_reason


def test_a_prediction_whose_job_redis_lost_fails_within_a_minute_and_a_new_one_is_made(
    pilot, rq_queues, django_capture_on_commit_callbacks
):
    """Redis restarted without its data: the prediction waited for its lost job for an hour, and asking
    again returned it, while the launch meeting waited."""
    with django_capture_on_commit_callbacks(execute=True):
        lost = prediction_request(campaign=pilot, by=pilot.created_by)
    rq_queue_empty(rq_queues["reports"])

    assert prediction_request(campaign=pilot, by=pilot.created_by) == lost, "its job may still be on its way"
    with (
        time_machine.travel(timezone.now() + planner.PREDICTION_JOB_GRACE + timedelta(seconds=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        new = prediction_request(campaign=pilot, by=pilot.created_by)

    lost.refresh_from_db()
    assert new != lost
    assert lost.status == PredictionStatus.FAILED
    assert "pysähtyi" in lost.failure_reason
    assert rq_queues["reports"].get_job_ids() == [planner.prediction_job_id(new.pk)]


def test_a_prediction_whose_job_waits_in_a_busy_queue_is_not_failed(
    pilot, rq_queues, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        waiting = prediction_request(campaign=pilot, by=pilot.created_by)

    with time_machine.travel(timezone.now() + planner.PREDICTION_JOB_GRACE + timedelta(minutes=5)):
        assert prediction_request(campaign=pilot, by=pilot.created_by) == waiting


def test_the_job_is_queued_on_commit_and_a_redelivered_job_does_nothing(
    pilot, rq_queues, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        prediction = prediction_request(campaign=pilot, by=pilot.created_by)
    queue = django_rq.get_queue(planner.PREDICTION_QUEUE)
    (job,) = queue.get_jobs()
    assert (job.func_name, job.args) == ("surveys.jobs.predict_campaign", (prediction.pk,))
    CampaignPrediction.objects.filter(pk=prediction.pk).update(status=PredictionStatus.RUNNING)

    assert prediction_run(prediction_id=prediction.pk).runs == []


def test_a_campaign_started_before_the_run_fails_with_the_reason(pilot, rq_queues):
    prediction = prediction_request(campaign=pilot, by=pilot.created_by)
    Campaign.objects.filter(pk=pilot.pk).update(status=CampaignStatus.RUNNING)

    prediction = prediction_run(prediction_id=prediction.pk)

    assert prediction.status == PredictionStatus.FAILED
    assert prediction.failure_reason.startswith("Kampanja käynnistyi ennen kuin ennuste ehdittiin tehdä")
    assert prediction.finished_at is not None


def test_a_run_that_breaks_fails_with_the_error_and_leaves_nothing_behind(pilot, rq_queues, monkeypatch):
    def broken(campaign, *, seed):
        assert Contact.objects.filter(campaign=campaign).count() == LISTED
        raise RuntimeError("the carrier fell over")

    monkeypatch.setattr(planner, "simulate", broken)
    before = row_counts()

    prediction = predicted(pilot, seeds=(1,))

    assert prediction.status == PredictionStatus.FAILED
    assert "RuntimeError: the carrier fell over" in prediction.failure_reason
    assert row_counts() == before


def test_on_a_site_calling_through_twilio_the_run_still_calls_only_the_simulator(short_pilot, rq_queues, fake_twilio):
    pilot = short_pilot
    real_providers = {
        "TELEPHONY_PROVIDERS": {"twilio": "surveys.telephony.twilio.TwilioProvider"},
        "TELEPHONY_PROVIDER": "twilio",
        "SMS_PROVIDERS": {"twilio": "surveys.messaging.twilio.TwilioSmsProvider"},
        "SMS_PROVIDER": "twilio",
    }
    Campaign.objects.filter(pk=pilot.pk).update(telephony_provider="twilio")

    with override_settings(**real_providers):
        prediction = predicted(pilot, seeds=(1,))
        assert real_providers["TELEPHONY_PROVIDERS"] == settings.TELEPHONY_PROVIDERS

    assert prediction.status == PredictionStatus.DONE, prediction.failure_reason
    assert prediction.runs[0]["calls"] >= SMALL_SAMPLE
    assert fake_twilio.requests == []


@pytest.mark.django_db(transaction=True)
def test_the_simulators_stand_in_only_inside_a_transaction():
    with pytest.raises(RuntimeError), planner._simulators_only():
        pass


@pytest.mark.django_db(transaction=True)
def test_an_opt_out_on_the_site_does_not_wait_for_a_planning_run(pilot):
    """A planning run is one transaction of minutes. A resident of it who opts out must not hold the
    registry's lock until its end: every opt-out and contact import of the site, and the runs beside
    it, would wait for it (the runs then went one after the other)."""
    opted_out_in_run, run_may_end = threading.Event(), threading.Event()
    failures = []

    def planning_run():
        try:
            with planner.planning_transaction():
                copy = planner._campaign_copy(pilot, seed=1, fraction=1)
                synthetic_contacts_add(campaign=copy, count=1, seed=1)
                contact_opt_out(contact=copy.contacts.get(), source=ConsentChannel.CALL)
                opted_out_in_run.set()
                run_may_end.wait(30)
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    run = threading.Thread(target=planning_run)
    run.start()
    try:
        assert opted_out_in_run.wait(30), failures
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        assert opt_out_register(raw_number="0401234567", source=ConsentChannel.WEB) is True
    finally:
        run_may_end.set()
        run.join(30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert failures == []
    # The run's opt-out was rolled back with the rest of it; the site's stays.
    assert DoNotCall.objects.count() == 1
    assert not Campaign.objects.filter(slug__startswith="ennuste-").exists()


@pytest.mark.django_db(transaction=True)
def test_after_a_planning_run_opt_outs_take_the_registry_lock_again_and_its_writes_are_gone(pilot):
    def registry_locked() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
            return cursor.fetchone()[0] > 0

    with planner.planning_transaction():
        opt_out_register(raw_number="0401234567", source=ConsentChannel.WEB)
        assert not registry_locked()
    with pytest.raises(ZeroDivisionError), registry_writes_rolled_back():
        opt_out_register(raw_number="0401234568", source=ConsentChannel.WEB)
        1 / 0  # noqa: B018 - a run that breaks
    assert not DoNotCall.objects.exists()

    with transaction.atomic():
        opt_out_register(raw_number="0401234569", source=ConsentChannel.WEB)
        assert registry_locked()
    assert DoNotCall.objects.count() == 1


def test_the_page_knows_when_the_settings_changed_since(pilot, rq_queues):
    prediction = prediction_request(campaign=pilot, by=pilot.created_by)
    assert not settings_changed(prediction)

    Campaign.objects.filter(pk=pilot.pk).update(max_attempts=5)
    prediction.refresh_from_db()
    assert settings_changed(prediction)
    Campaign.objects.filter(pk=pilot.pk).update(max_attempts=3)
    pilot.contacts.first().delete()
    prediction.refresh_from_db()
    assert settings_changed(prediction)


def test_the_campaigns_names_are_no_setting_of_the_prediction(pilot, rq_queues):
    """A name is not simulated: renaming the campaign in Swedish or English made its prediction read as
    out of date, and so did every prediction stored before the names had translations."""
    prediction = prediction_request(campaign=pilot, by=pilot.created_by)

    Campaign.objects.filter(pk=pilot.pk).update(name="Uusi nimi", name_sv="Nytt namn", name_en="New name")
    prediction.refresh_from_db()

    assert not settings_changed(prediction)
    assert not {"name", "name_sv", "name_en"} & set(prediction.campaign_settings)


def test_the_emails_owed_to_staff_are_no_setting_of_the_prediction(pilot, rq_queues):
    """Whether the carrier problem's email or the one to communications is still to be sent is not
    simulated: asking communications to fix their part must not make the prediction read as out of date."""
    prediction = prediction_request(campaign=pilot, by=pilot.created_by)

    Campaign.objects.filter(pk=pilot.pk).update(
        carrier_problem_mail_owed=True, communications_asked_by=pilot.created_by, communications_asked_at=timezone.now()
    )
    prediction.refresh_from_db()

    assert not settings_changed(prediction)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_prediction_is_near_a_real_simulation_of_the_same_campaign(pilot, rq_queues):
    before = row_counts()

    # Outside a test's transaction: each run is a transaction of its own, rolled back.
    prediction = predicted(pilot, seeds=(1, 2, 3))

    assert prediction.status == PredictionStatus.DONE, prediction.failure_reason
    assert row_counts() == before
    # Only the prediction's own job (run above by the test itself) reached Redis.
    assert redis_jobs() == dict.fromkeys(settings.WORKER_QUEUES, 0) | {planner.PREDICTION_QUEUE: 1}
    figures = prediction_figures(
        numbers=prediction.numbers, sample_size=prediction.sample_size, fixed_cost=Decimal(0), runs=prediction.runs
    )
    Campaign.objects.filter(pk=pilot.pk).update(status=CampaignStatus.RUNNING)
    pilot.refresh_from_db()

    real = simulate(pilot, seed=1)

    # Other residents (fresh pseudonyms) with the same facts: as near as chance allows, three standard errors.
    share = real.complete / real.numbers
    tolerance = 3 * math.sqrt(real.numbers * share * (1 - share))
    assert abs(figures.completes.mean - real.complete) <= tolerance
    assert figures.calls.mean == pytest.approx(real.calls, rel=0.25)
    assert mean(run["complete"] for run in prediction.runs) == figures.completes.mean


def _run(*, seed, complete, calls, groups, cost, deff) -> dict:
    return {
        "seed": seed,
        "numbers": 100 if complete else 10,
        "calls": calls,
        "answered": calls // 2,
        "complete": complete,
        "complete_by_age_group": groups,
        "complete_by_mode": {"phone": complete - complete // 5, "web": complete // 5},
        "sms_sent": complete,
        "call_cost": cost,
        "sms_cost": "0",
        "design_effect": deff,
    }


@pytest.mark.slow
def test_quotas_young_first_and_the_sms_follow_up_are_simulated_as_configured(pilot, rq_queues):
    plus = Campaign.objects.get(slug="pilotti-plus")
    assert plus.quotas_enabled and plus.young_first and plus.sms_follow_up

    prediction = predicted(plus, seeds=(1,))

    assert prediction.status == PredictionStatus.DONE, prediction.failure_reason
    (run,) = prediction.runs
    assert run["sms_sent"] > 0
    assert Decimal(run["sms_cost"]) > 0
    assert sum(run["complete_by_mode"].values()) == run["complete"]
    assert not SmsMessage.objects.exists()
    # The whole list, its nine days enough to call every number; the completes wanted as set.
    assert (run["numbers"], run["never_called"], run["target_completes"]) == (LISTED, 0, PILOT_PLUS_COMPLETES)
    # What the page says: the text messages beside the calls, and no count of numbers past the quotas' total.
    panel = prediction_panel(plus, completes_wanted=PILOT_PLUS_COMPLETES + 1)
    labels = [label for label, _values in panel.table.rows]
    assert "Lähetetyt tekstiviestit" in labels
    assert ("joista verkossa" in labels) == (run["complete_by_mode"]["web"] > 0)
    assert (panel.completes_cap, panel.numbers_needed) == (PILOT_PLUS_COMPLETES, None)
    wanted = 10
    needed = math.ceil(wanted * LISTED / run["complete"])
    assert prediction_panel(plus, completes_wanted=wanted).numbers_needed == (needed, needed)


def test_a_run_plans_its_queries_with_statistics_of_its_own_rows(short_pilot, rq_queues, monkeypatch):
    """A run's rows exist only in its transaction: on a new site the statistics say the calls table is
    empty, and the dialer's queries, planned for an empty table, took seconds a tick once it was not."""
    refresh, seen = simulation._statistics_refresh, []

    def refresh_and_look():
        refresh()
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'surveys_callattempt'")
            seen.append((cursor.fetchone()[0], CallAttempt.objects.count()))

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_callattempt")  # empty, as on a new site
    monkeypatch.setattr(simulation, "_statistics_refresh", refresh_and_look)
    # The short campaign has fewer ticks than a refresh takes at the pilot's scale.
    monkeypatch.setattr(simulation, "STATISTICS_EVERY_TICKS", 5)

    prediction = predicted(short_pilot, seeds=(1,))

    assert prediction.status == PredictionStatus.DONE, prediction.failure_reason
    # Inside the run the statistics count the run's own calls, as they are at each refresh.
    counted, calls = seen[-1]
    assert calls > 0
    assert counted == calls
    assert all(counted == calls for counted, calls in seen)
    assert not CallAttempt.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_run_does_not_wait_for_the_statistics_lock_another_prediction_holds(pilot):
    """ANALYZE's lock in a run lasts to the run's end: a run of another campaign's prediction, on
    another worker, goes on with the statistics it has instead of waiting minutes for it."""
    holding, done = threading.Event(), threading.Event()

    def other_prediction_run():
        try:
            with planner.planning_transaction():
                simulation._statistics_refresh()
                holding.set()
                done.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=other_prediction_run)
    other.start()
    try:
        assert holding.wait(30)
        with planner.planning_transaction(), connection.cursor() as cursor:
            started = time.monotonic()
            simulation._statistics_refresh()
            waited = time.monotonic() - started
            cursor.execute("SHOW lock_timeout")
            [lock_timeout] = cursor.fetchone()
    finally:
        done.set()
        other.join(30)
    assert waited < 5
    # The run's own waits for locks are as they were.
    assert lock_timeout == "0"


def test_each_run_is_stored_as_it_ends_for_the_page_to_say_how_far_the_prediction_is(
    short_pilot, rq_queues, monkeypatch
):
    """At the pilot's size a run takes minutes: each run's figures are stored as it ends, outside the
    run's transaction that is rolled back, so that the page can tell how many runs are done."""
    pilot = short_pilot
    simulated_run = planner._simulated_run
    seen = []

    def run_seeing_the_progress(*args, **kwargs):
        prediction = CampaignPrediction.objects.get(campaign=pilot)
        seen.append((prediction.status, [run["seed"] for run in prediction.runs]))
        return simulated_run(*args, **kwargs)

    monkeypatch.setattr(planner, "_simulated_run", run_seeing_the_progress)

    prediction = predicted(pilot, seeds=(1, 2))

    assert prediction.status == PredictionStatus.DONE, prediction.failure_reason
    assert seen == [("running", []), ("running", [1])]
    assert [run["seed"] for run in prediction.runs] == [1, 2]


def test_settings_changed_while_the_runs_go_on_are_said_to_have_changed_since(short_pilot, rq_queues, monkeypatch):
    """The prediction holds the settings its runs simulated, not those read once they have ended."""
    pilot = short_pilot
    simulated_run = planner._simulated_run

    def run_then_a_change(*args, **kwargs):
        found = simulated_run(*args, **kwargs)
        Campaign.objects.filter(pk=pilot.pk).update(max_attempts=2)
        return found

    monkeypatch.setattr(planner, "_simulated_run", run_then_a_change)

    prediction = predicted(pilot, seeds=(1,))

    assert prediction.status == PredictionStatus.DONE, prediction.failure_reason
    assert prediction.campaign_settings["max_attempts"] == 3
    assert settings_changed(prediction)


@pytest.mark.parametrize(
    ("calls_per_second", "concurrent", "numbers", "sample"),
    [
        (Decimal(4), 20, 7759, 1500),  # the pilot's pace: a fifth of the list is enough
        (Decimal(1), 10, 15000, 3000),  # a tenth would start 0.1 calls a second: below one a tick
        (Decimal("0.5"), 20, 150000, 60000),
        (Decimal(4), 2, 7759, 3880),  # one call at a time is half of two
        (Decimal(1), 10, 900, 900),
    ],
)
def test_a_sample_is_never_smaller_than_the_campaigns_pace_allows(calls_per_second, concurrent, numbers, sample):
    campaign = Campaign(calls_per_second=calls_per_second, max_concurrent_calls=concurrent)

    assert planner.sample_size_for(campaign, numbers=numbers) == sample


@pytest.mark.slow
def test_a_run_counts_the_numbers_its_calling_days_never_called(pilot, rq_queues):
    """Two minutes of calling, one call at a time, for the 56 numbers: the day runs out with
    numbers never called, which the run now stores (more numbers would not be called either)."""
    Campaign.objects.filter(pk=pilot.pk).update(
        end_date=pilot.start_date,
        weekdays=list(range(7)),
        exclude_holidays=False,
        daily_start=time_of_day(10),
        daily_end=time_of_day(10, 2),
        max_concurrent_calls=1,
    )
    pilot.refresh_from_db()

    prediction = predicted(pilot, seeds=(1,))

    assert prediction.status == PredictionStatus.DONE, prediction.failure_reason
    (run,) = prediction.runs
    assert run["numbers"] == LISTED
    # Each number never called is unfinished, and so may be some called once of three times.
    assert 0 < run["calls"] < LISTED
    # Three hours between attempts: no number is called twice in two minutes.
    assert run["never_called"] == LISTED - run["calls"]
    figures = prediction_figures(
        numbers=prediction.numbers, sample_size=prediction.sample_size, fixed_cost=Decimal(0), runs=prediction.runs
    )
    assert figures.never_called.high == run["never_called"]
    assert figures.completes_at_capacity == run["complete"]


def test_the_numbers_never_called_are_scaled_and_unknown_for_runs_stored_without_them():
    runs = [
        _run(seed=1, complete=10, calls=150, groups={"18-29": 1, "30-64": 4, "65+": 5}, cost="12.60", deff=1.2),
        _run(seed=2, complete=14, calls=160, groups={"18-29": 2, "30-64": 5, "65+": 7}, cost="13.50", deff=1.5),
    ]

    counted = [runs[0] | {"never_called": 0}, runs[1] | {"never_called": 6}]

    figures = prediction_figures(numbers=400, sample_size=100, fixed_cost=Decimal(0), runs=counted)

    assert (figures.never_called.low, figures.never_called.mean, figures.never_called.high) == (0, 12, 24)
    # Only run 2 left numbers never called: its 14 * 4 completes are all that more numbers give.
    assert figures.completes_at_capacity == 56
    stored_before = prediction_figures(numbers=400, sample_size=100, fixed_cost=Decimal(0), runs=runs)
    assert (stored_before.never_called, stored_before.completes_at_capacity) == (None, None)


@pytest.mark.slow
def test_a_sample_of_a_quota_campaign_wants_its_share_of_the_completes(pilot, rq_queues, monkeypatch):
    """The quotas are shares of the completes wanted: a run of 8 of the 56 numbers wants
    1,200 * 8 / 56 = 171.4, so 171."""
    plus = Campaign.objects.get(slug="pilotti-plus")
    Campaign.objects.filter(pk=plus.pk).update(end_date=plus.start_date)
    monkeypatch.setattr(planner, "SAMPLE_MAX", SMALL_SAMPLE)

    prediction = predicted(plus, seeds=(1,))

    assert prediction.status == PredictionStatus.DONE, prediction.failure_reason
    assert (prediction.numbers, prediction.sample_size) == (LISTED, SMALL_SAMPLE)
    assert prediction.runs[0]["target_completes"] == 171
