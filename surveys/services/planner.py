"""The planner: what a campaign will likely yield, found before its launch by simulating it as configured.

A prediction simulates the campaign a few times (one run per seed) with `surveys.simulation.simulate`,
so whatever the dialer, the IVR and the simulator do - the campaign's numbers, attempts, window,
days, pace and whatever else its settings turn on - the prediction does too. Each run happens
inside one database transaction that is rolled back at its end:

- a copy of the campaign (every setting as it is, status running, calling through the simulator)
  gets synthetic contacts with the facts of the campaign's callable contacts (birth year, postal
  code, language), each with a fresh pseudonym and a made-up number; a campaign without contacts
  gets the number the requester gave, drawn from the synthetic population;
- a list longer than SAMPLE_MAX is simulated as a random sample of SAMPLE_MAX of its contacts, its
  pace (calls per second, calls at once) and budget cap shrunk by the same factor, so that the
  sample is called over the campaign's days as the whole list would be; the counts are scaled
  back up (surveys.planner_figures) and the page says so;
- what the run found is read, then everything it wrote is rolled back: no cron, worker or page
  ever sees the copy, and its jobs, which wait for the commit (RQ's COMMIT_MODE on_db_commit and
  transaction.on_commit), never reach Redis.

Calls and messages go to the simulators whatever the site calls and sends through
(`_simulators_only`): a planning run places no call and sends no message, also in production.
"""

import json
import logging
import math
import random
from contextlib import contextmanager
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import django_rq
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError
from rq.registry import StartedJobRegistry

from kuntaportaali.queueing import enqueue_after_commit, job_ids_lost
from surveys.errors import SurveyError
from surveys.models import (
    Campaign,
    CampaignFixedCost,
    CampaignPrediction,
    CampaignResultSettings,
    CampaignStatus,
    Contact,
    PredictionStatus,
)
from surveys.selectors import callable_contacts, campaign_call_costs, campaign_sms_costs
from surveys.services.dialing import TICK_SECONDS, contact_on_registry, contacts_never_called
from surveys.services.privacy import registry_writes_rolled_back
from surveys.services.quotas import campaign_quota_plan
from surveys.services.results import campaign_results
from surveys.services.synthetic_contacts import synthetic_contacts_add, synthetic_contacts_add_like
from surveys.simulation import complete_by_age_group, simulate
from surveys.synthetic_population import ListedFacts

logger = logging.getLogger(__name__)

PREDICTION_QUEUE = "reports"
PREDICTION_JOB_TIMEOUT = 3600
# A prediction queued or running longer than this lost its job (a worker killed, Redis emptied).
PREDICTION_LOST_AFTER = timedelta(seconds=PREDICTION_JOB_TIMEOUT + 300)
# A prediction waiting or running whose job is not found (or has ended) this long after it was asked for
# will not be finished: before then, its job may not have been queued yet.
PREDICTION_JOB_GRACE = timedelta(minutes=1)
SEEDS = (1, 2, 3)
# The most numbers a run simulates: at the pilot's 7,759 a fifth of the list.
SAMPLE_MAX = 1500
# A campaign without contacts is predicted for this many numbers unless the requester says otherwise.
PILOT_NUMBERS = 7759
PREDICTABLE_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.READY)
# What a campaign is and what happened to it, not how it calls: left out of the settings a
# prediction is made for. Everything else (new settings included) is copied and compared.
NOT_SETTINGS = frozenset(
    {
        "id",
        "slug",
        "name",
        "name_sv",
        "name_en",
        "status",
        "caller_number",
        "caller_number_override_reason",
        "caller_number_override_by",
        "telephony_provider",
        "carrier_problem",
        "carrier_problem_code",
        "carrier_problem_at",
        "carrier_problem_in_messages",
        "carrier_problem_mail_owed",
        "communications_asked_by",
        "communications_asked_at",
        "number_source",
        "number_retention_days",
        "answer_retention_months",
        "information_notice_fi",
        "information_notice_sv",
        "information_notice_en",
        "announcement_channels",
        "questions_published_at",
        "questions_published_by",
        "created_by",
        "created_at",
    }
)
# The copy's own: it is a running campaign on the simulator whatever the original is.
NOT_COPIED = frozenset({"id", "slug", "status", "telephony_provider", "created_at"})
SIMULATOR_PROVIDERS = {
    "TELEPHONY_PROVIDERS": {"simulator": "surveys.telephony.simulator.SimulatorProvider"},
    "TELEPHONY_PROVIDER": "simulator",
    "SMS_PROVIDERS": {"simulator": "surveys.messaging.simulator.SimulatorSmsProvider"},
    "SMS_PROVIDER": "simulator",
    "SIMULATOR_LIVE_CALLS": False,
}
CENT = Decimal("0.01")


def predictable_contacts(campaign: Campaign):
    """The contacts a launch would call: callable, and not on the do-not-call registry."""
    return callable_contacts(campaign).filter(~contact_on_registry())


def campaign_settings(campaign: Campaign) -> dict:
    """The settings a prediction is made for, as JSON values: every field that shapes the calling.
    Read as stored (a decimal's places as the column has them), so that they compare equal."""
    campaign = Campaign.objects.get(pk=campaign.pk)
    values = {
        field.attname: field.value_from_object(campaign)
        for field in Campaign._meta.concrete_fields
        if field.name not in NOT_SETTINGS
    }
    # The weights' design effect, and so the margin of error, follow these (a run copies them).
    result_settings = CampaignResultSettings.objects.filter(campaign=campaign).first() or CampaignResultSettings()
    values["result_settings"] = {
        "weighting_dimensions": result_settings.weighting_dimensions,
        "trim_cap": result_settings.trim_cap,
    }
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def completes_cap(campaign: Campaign) -> int | None:
    """The completes the campaign stops calling at: those wanted, when its quotas are on (every
    group full closes every contact still waiting), else None."""
    quotas = campaign_quota_plan(campaign)
    return quotas.target_completes if quotas.active else None


def settings_changed(prediction: CampaignPrediction) -> bool:
    """Whether the campaign's settings, its fixed costs or its callable contacts differ from the prediction's."""
    campaign = prediction.campaign
    if campaign_settings(campaign) != prediction.campaign_settings or _fixed_cost(campaign) != prediction.fixed_cost:
        return True
    if prediction.numbers_assumed:
        # Made for numbers drawn from the synthetic population: the campaign's own list replaces them.
        return predictable_contacts(campaign).exists()
    return predictable_contacts(campaign).count() != prediction.numbers


def prediction_request(*, campaign: Campaign, by, numbers: int | None = None) -> CampaignPrediction:
    """Ask a worker for a prediction of the campaign before its launch; `numbers` is the list's
    size to predict for when it has no contacts yet (default PILOT_NUMBERS). A prediction already
    on its way is returned instead of a second one."""
    if campaign.status not in PREDICTABLE_STATUSES:
        raise SurveyError.of("prediction_after_launch")
    if not campaign.survey_version.questions.exists():
        raise SurveyError.of("prediction_no_questions")
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        on_its_way = _prediction_on_its_way(campaign)
        if on_its_way is not None:
            return on_its_way
        callable_count = predictable_contacts(campaign).count()
        if callable_count:
            numbers, assumed = callable_count, False
        else:
            numbers, assumed = numbers or PILOT_NUMBERS, True
            if not 1 <= numbers <= settings.CONTACT_FILE_MAX_ROWS:
                raise SurveyError.of("prediction_numbers_out_of_range", most=settings.CONTACT_FILE_MAX_ROWS)
        prediction = CampaignPrediction.objects.create(
            campaign=campaign,
            requested_by=by,
            numbers=numbers,
            numbers_assumed=assumed,
            sample_size=sample_size_for(campaign, numbers=numbers),
            seeds=list(SEEDS),
            campaign_settings=campaign_settings(campaign),
            fixed_cost=_fixed_cost(campaign),
        )
        enqueue_after_commit(
            PREDICTION_QUEUE,
            "surveys.jobs.predict_campaign",
            prediction.pk,
            job_id=prediction_job_id(prediction.pk),
            on_unqueued=lambda error: _prediction_unqueued(prediction.pk, error),
            job_timeout=PREDICTION_JOB_TIMEOUT,
            result_ttl=0,
        )
    return prediction


def prediction_latest(campaign: Campaign) -> CampaignPrediction | None:
    """The campaign's latest prediction, as its page and status show it: one whose worker stopped
    without finishing it is failed first, so that no page waits for it forever."""
    _prediction_on_its_way(campaign)
    return CampaignPrediction.objects.filter(campaign=campaign).select_related("requested_by").first()


def prediction_job_id(prediction_id: int) -> str:
    """One job id per prediction: whether its job still exists can be asked of Redis."""
    return f"prediction-{prediction_id}"


def _prediction_on_its_way(campaign: Campaign) -> CampaignPrediction | None:
    """The campaign's prediction waiting or running; one that lost its job is failed here."""
    now = timezone.now()
    predictions = list(
        CampaignPrediction.objects.filter(
            campaign=campaign, status__in=(PredictionStatus.QUEUED, PredictionStatus.RUNNING)
        )
    )
    without_job = _predictions_without_job([p.pk for p in predictions if now - p.requested_at > PREDICTION_JOB_GRACE])
    for prediction in predictions:
        since = prediction.started_at or prediction.requested_at
        if now - since <= PREDICTION_LOST_AFTER and prediction.pk not in without_job:
            return prediction
        _prediction_fail(prediction.pk, _("The prediction was not finished: its worker stopped. Ask for a new one."))
    return None


def _predictions_without_job(prediction_ids: list[int]) -> set[int]:
    """Those of the predictions whose job no worker will run: gone from Redis (restarted without its data),
    or ended without finishing the prediction (its worker killed). None when Redis cannot be asked."""
    if not prediction_ids:
        return set()
    queue = django_rq.get_queue(PREDICTION_QUEUE)
    job_ids = {prediction_job_id(pk): pk for pk in prediction_ids}
    try:
        # RQ fails the job of a killed worker once its heartbeat has expired, when the registry is cleaned.
        StartedJobRegistry(queue=queue).cleanup()
        lost = job_ids_lost(list(job_ids), connection=queue.connection)
    except RedisError as error:
        logger.warning("The jobs of predictions %s were not looked up in Redis: %s", prediction_ids, error)
        return set()
    return {job_ids[job_id] for job_id in lost}


def _prediction_unqueued(prediction_id: int, error: RedisError) -> None:
    _prediction_fail(prediction_id, _("The prediction could not be queued for a worker. Try again in a moment."))


def _prediction_fail(prediction_id: int, reason: str) -> None:
    CampaignPrediction.objects.filter(pk=prediction_id).exclude(status=PredictionStatus.DONE).update(
        status=PredictionStatus.FAILED, failure_reason=reason, finished_at=timezone.now()
    )


def _fixed_cost(campaign: Campaign) -> Decimal:
    return CampaignFixedCost.objects.filter(campaign=campaign).aggregate(total=Sum("amount"))["total"] or Decimal(0)


def prediction_run(*, prediction_id: int) -> CampaignPrediction:
    """Simulate the campaign once per seed and store what the runs found. A prediction no longer
    queued (done, failed, or taken by another delivery of the job) is left as it is."""
    taken = CampaignPrediction.objects.filter(pk=prediction_id, status=PredictionStatus.QUEUED).update(
        status=PredictionStatus.RUNNING, started_at=timezone.now()
    )
    prediction = CampaignPrediction.objects.select_related("campaign__survey_version").get(pk=prediction_id)
    if not taken:
        return prediction
    campaign = prediction.campaign
    # What the runs simulate: the campaign as read now, whatever changes while they run.
    simulated_settings, fixed_cost = campaign_settings(campaign), _fixed_cost(campaign)
    try:
        if campaign.status not in PREDICTABLE_STATUSES:
            raise SurveyError.of("prediction_campaign_started")
        contact_ids = [] if prediction.numbers_assumed else _predictable_contact_ids(campaign)
        if not prediction.numbers_assumed and not contact_ids:
            raise SurveyError.of("prediction_no_numbers_left")
        numbers = prediction.numbers if prediction.numbers_assumed else len(contact_ids)
        sample_size = sample_size_for(campaign, numbers=numbers)
        # One after the other: a run refreshes the statistics of the tables it fills inside its transaction
        # (surveys.simulation), holding ANALYZE's lock on them to its end; and a run's transaction holds
        # thousands of subtransactions (a savepoint a step of a call), through which the runs beside it
        # would have to read its rows (pg_subtrans).
        runs = []
        for seed in prediction.seeds:
            runs.append(
                _simulated_run(campaign, contact_ids=contact_ids, numbers=numbers, sample_size=sample_size, seed=seed)
            )
            # Stored as each run ends, outside its rolled-back transaction: the page says how far the prediction is.
            CampaignPrediction.objects.filter(pk=prediction.pk, status=PredictionStatus.RUNNING).update(runs=runs)
    except SurveyError as refusal:
        _prediction_fail(prediction.pk, str(refusal))
    except Exception as error:
        logger.exception("The prediction %s of campaign %s failed", prediction.pk, campaign.slug)
        _prediction_fail(
            prediction.pk, _("The simulation stopped with an error: %(error)s") % {"error": _error_text(error)}
        )
    else:
        prediction.numbers, prediction.sample_size, prediction.runs = numbers, sample_size, runs
        prediction.campaign_settings, prediction.fixed_cost = simulated_settings, fixed_cost
        prediction.status, prediction.finished_at = PredictionStatus.DONE, timezone.now()
        prediction.save()
    prediction.refresh_from_db()
    return prediction


def _error_text(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def _predictable_contact_ids(campaign: Campaign) -> list[int]:
    return list(predictable_contacts(campaign).order_by("pk").values_list("pk", flat=True))


def _listed_sample(contact_ids: list[int], *, size: int, seed: int) -> list[ListedFacts]:
    """What the list says of `size` of these contacts, chosen at random (all of them when they are no more)."""
    chosen = random.Random(f"planner-sample:{seed}").sample(contact_ids, size)  # noqa: S311 - a simulation
    facts = Contact.objects.filter(pk__in=chosen).order_by("pk").values_list("birth_year", "postal_code", "language")
    return [ListedFacts(*values) for values in facts]


def _simulated_run(campaign: Campaign, *, contact_ids: list[int], numbers: int, sample_size: int, seed: int) -> dict:
    """One simulation of a sample of the campaign's list, everything it wrote rolled back."""
    with planning_transaction():
        copy = _campaign_copy(campaign, seed=seed, fraction=sample_size / numbers)
        if contact_ids:
            sample = _listed_sample(contact_ids, size=sample_size, seed=seed)
            synthetic_contacts_add_like(campaign=copy, facts=sample, seed=seed)
        else:
            synthetic_contacts_add(campaign=copy, count=sample_size, seed=seed)
        result = simulate(copy, seed=seed)
        weighting = campaign_results(copy, language=settings.LANGUAGE_CODE).weighting
        run = {
            "seed": seed,
            "numbers": result.numbers,
            "calls": result.calls,
            "answered": result.answered,
            "complete": result.complete,
            "complete_by_age_group": complete_by_age_group(copy, seed=seed),
            "complete_by_mode": result.completes_by_mode,
            "sms_sent": result.sms_sent,
            "target_completes": copy.target_completes,
            # Never called when the days or the budget ran out: the dialer takes retries before fresh numbers, so
            # the run had no room for more numbers.
            "never_called": contacts_never_called(copy).count(),
            "call_cost": str(campaign_call_costs(copy).estimate),
            "sms_cost": str(campaign_sms_costs(copy).estimate),
            "design_effect": round(weighting.design_effect, 4) if weighting.respondents else None,
        }
    return run


@contextmanager
def planning_transaction():
    """A planning run's transaction: everything written in it is rolled back at its end, the
    simulators stand in for the site's providers, and it holds no lock of the site's registry."""
    with registry_writes_rolled_back(), _simulators_only():
        yield


@contextmanager
def _simulators_only():
    """Inside a planning run's transaction, the site offers only the simulators: every call and
    message of the run goes to them, and the webhook views accept only their signatures. Production
    names its real providers (kuntaportaali/settings/production.py); this is the one place where a
    production process uses the simulators, for rows that are rolled back."""
    if not connection.in_atomic_block:
        raise RuntimeError("The simulators stand in for the site's providers only in a transaction rolled back.")
    with override_settings(**SIMULATOR_PROVIDERS):
        yield


def sample_size_for(campaign: Campaign, *, numbers: int) -> int:
    """How many of `numbers` a run simulates: SAMPLE_MAX, unless the campaign's pace shrunk to that
    sample would fall below what the dialer can do (one new call a tick, one call at a time) - the
    sample would then be called faster than the list - so more, up to the whole list."""
    slowest_fraction = max(
        1 / (float(campaign.calls_per_second) * TICK_SECONDS), 1 / max(1, campaign.max_concurrent_calls)
    )
    return min(numbers, max(SAMPLE_MAX, math.ceil(numbers * slowest_fraction)))


def _campaign_copy(campaign: Campaign, *, seed: int, fraction: float) -> Campaign:
    """The campaign as configured, running on the simulator; its pace, budget and completes wanted
    (the quotas' total) shrunk by `fraction`."""
    values = {
        field.attname: field.value_from_object(campaign)
        for field in Campaign._meta.concrete_fields
        if field.name not in NOT_COPIED
    }
    copy = Campaign(
        **values,
        slug=_free_slug(f"ennuste-{campaign.pk}-{seed}"),
        status=CampaignStatus.RUNNING,
        telephony_provider="simulator",
    )
    if fraction < 1:
        copy.calls_per_second = max(CENT, (campaign.calls_per_second * Decimal(fraction)).quantize(CENT))
        copy.max_concurrent_calls = max(1, math.ceil(campaign.max_concurrent_calls * fraction))
        if campaign.budget_cap is not None:
            copy.budget_cap = (campaign.budget_cap * Decimal(fraction)).quantize(CENT, rounding=ROUND_HALF_UP)
        if campaign.target_completes is not None:
            # The quotas are the target's shares: the sample's groups fill at the same point as the list's.
            copy.target_completes = max(1, round(campaign.target_completes * fraction))
    copy.save()
    result_settings = CampaignResultSettings.objects.filter(campaign=campaign).first()
    if result_settings is not None:
        result_settings.pk, result_settings.campaign = None, copy
        result_settings.save()
    return copy


def _free_slug(slug: str) -> str:
    """`slug`, or with a number after it when a campaign has it (the copy never reaches the database's
    committed rows, but its slug must still be unique there)."""
    taken = set(Campaign.objects.filter(slug__startswith=slug).values_list("slug", flat=True))
    candidates = [slug, *(f"{slug}-{index}" for index in range(1, len(taken) + 1))]
    return next(candidate for candidate in candidates if candidate not in taken)
