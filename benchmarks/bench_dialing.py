"""The dialer and the IVR webhooks: one dial tick of a 100,000-contact running campaign, and one
signed IVR answer step (answer stored + next TwiML) against a bare view returning static TwiML.
Then both requests again over HTTP to gunicorn on 127.0.0.1: 50 clients sending back to back
(saturation, p50/p99), and paced, open-loop arrivals at 5, 10 and 15 requests a second (p50, p95,
p99 of each view). Figures go to docs/benchmarks.md. Nothing is dialled: the tick's jobs on the
`dialer` queue are removed after every run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_dialing
    python -m benchmarks.bench_dialing --part paced --conn-max-age 60   # only the paced runs

`--conn-max-age` sets DATABASE_CONN_MAX_AGE for gunicorn (0, the default, opens a database
connection per request; production can keep them).
"""

import argparse
import math
import os
import random
import statistics
import time
from contextlib import contextmanager
from datetime import timedelta
from itertools import count

from benchmarks.harness import benchmark_database, describe_machine, measure, setup_django

CONTACTS = 100_000
MOBILE_PREFIXES = ("40", "41", "44", "45", "50")
STATIC_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/bare/" input="dtmf speech" '
    'timeout="6"><Say language="fi-FI">Kiitos.</Say></Gather></Response>'
)


def finnish_numbers(how_many: int, *, seed: int = 2026) -> list[str]:
    """Distinct valid Finnish mobile numbers in E.164."""
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    numbers: set[str] = set()
    while len(numbers) < how_many:
        numbers.add(f"+358{rng.choice(MOBILE_PREFIXES)}{rng.randrange(1_000_000, 9_999_999)}")
    return sorted(numbers)


def _summary(label: str, seconds: list[float], unit: str = "ms") -> dict:
    values = [s * 1000 for s in seconds]
    result = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    print(f"  {label:<46} median {result['median']:8.1f} {unit} (min {result['min']:.1f}, max {result['max']:.1f})")
    return result


def answering_calls(campaign, how_many: int, *, seed: int) -> list:
    """In-progress calls whose respondents consented at the introduction (their `Response` exists)."""
    from django.utils import timezone

    from surveys.models import CallAttempt, CallStatus, Contact, ContactNumber, ContactStatus, Response
    from surveys.phone_numbers import phone_encrypt, phone_hash

    numbers = finnish_numbers(how_many, seed=seed)
    contacts = Contact.objects.bulk_create(
        Contact(campaign=campaign, status=ContactStatus.IN_PROGRESS) for _number in numbers
    )
    phones = ContactNumber.objects.bulk_create(
        ContactNumber(
            contact=contact,
            campaign=campaign,
            position=1,
            phone_encrypted=phone_encrypt(number),
            phone_hash=phone_hash(number),
        )
        for contact, number in zip(contacts, numbers, strict=True)
    )
    now = timezone.now()
    attempts = CallAttempt.objects.bulk_create(
        CallAttempt(
            contact=contact,
            number=1,
            phone=phone,
            status=CallStatus.IN_PROGRESS,
            provider="simulator",
            provider_call_id=f"SIMBENCH{contact.pk}",
            scheduled_for=now,
            placed_at=now,
            answered_at=now,
            current_step="q1",
        )
        for contact, phone in zip(contacts, phones, strict=True)
    )
    Response.objects.bulk_create(
        Response(pseudonym=contact.pseudonym, campaign=campaign, survey_version=campaign.survey_version)
        for contact in contacts
    )
    return attempts


def bare_twiml(request):
    """The bare view: a fixed TwiML string, no database, no signature check."""
    from django.http import HttpResponse

    return HttpResponse(STATIC_TWIML, content_type="text/xml; charset=utf-8")


def bench_urlconf():
    """The portal's URL patterns plus the bare view under /bench/bare-twiml/ (same middleware)."""
    from importlib import import_module
    from types import ModuleType

    from django.conf import settings
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt
    from django.views.decorators.http import require_POST

    root = settings.ROOT_URLCONF
    root = import_module(root) if isinstance(root, str) else root
    urlconf = ModuleType("bench_dialing_urls")
    urlconf.urlpatterns = [path("bench/bare-twiml/", csrf_exempt(require_POST(bare_twiml))), *root.urlpatterns]
    return urlconf


def gunicorn_app():
    """The WSGI application gunicorn serves (`benchmarks.bench_dialing:gunicorn_app()`)."""
    setup_django()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    settings.ROOT_URLCONF = bench_urlconf()
    return get_wsgi_application()


@contextmanager
def gunicorn_server(*, conn_max_age: int = 0):
    """gunicorn serving `gunicorn_app()` on 127.0.0.1 with 2 x CPUs + 1 sync workers; yields its base URL."""
    import subprocess
    import sys

    import requests
    from django.db import connection

    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    port = 8765
    env = os.environ | {
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": str(conn_max_age),
        "DJANGO_SETTINGS_MODULE": "kuntaportaali.settings.test",
    }
    workers = 2 * (os.cpu_count() or 1) + 1
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    app = "benchmarks.bench_dialing:gunicorn_app()"
    server = subprocess.Popen([*command, "--log-level", "warning", app], env=env)  # noqa: S603 (our own command)
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except requests.RequestException:  # not listening yet, or still starting
                time.sleep(0.2)
        print(
            f"gunicorn {workers} sync workers on 127.0.0.1:{port}, DATABASE_CONN_MAX_AGE={conn_max_age}, "
            f"load average before {os.getloadavg()[0]:.1f}"
        )
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


ANSWER_PARAMS = {"Digits": "2", "SpeechResult": "", "Confidence": "", "CallSid": "SIMBENCH"}


def signed(paths: list[str]) -> list[tuple[str, str]]:
    """Each path with its X-Twilio-Signature, computed before any clock starts."""
    from django.conf import settings

    from surveys.telephony.simulator import SimulatorProvider

    provider = SimulatorProvider()
    return [(path_, provider.sign(settings.PUBLIC_BASE_URL + path_, ANSWER_PARAMS)) for path_ in paths]


def _percentile(sorted_values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of all values at or below it."""
    rank = math.ceil(round(share * len(sorted_values), 6))
    return sorted_values[max(rank, 1) - 1]


def bench_gunicorn(campaign, *, clients: int = 50, requests_each: int = 20, conn_max_age: int = 0) -> None:
    """The same two requests over HTTP to gunicorn on 127.0.0.1, `clients` of them at once."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    total = clients * requests_each
    attempts = iter(answering_calls(campaign, total + clients, seed=11))
    with gunicorn_server(conn_max_age=conn_max_age) as base_url:

        def client_run(requests_: list[tuple[str, str]]) -> list[float]:
            latencies = []
            with requests.Session() as session:
                for path_, signature in requests_:
                    start = time.perf_counter()
                    response = session.post(
                        base_url + path_, data=ANSWER_PARAMS, headers={"X-Twilio-Signature": signature}, timeout=30
                    )
                    latencies.append(time.perf_counter() - start)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path_}: HTTP {response.status_code}")
            return latencies

        def run(label: str, make_path) -> dict:
            batches = [signed([make_path() for _ in range(requests_each)]) for _ in range(clients)]
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=clients) as pool:
                latencies = sorted(x * 1000 for batch in pool.map(client_run, batches) for x in batch)
            wall = time.perf_counter() - start
            p50, p99 = _percentile(latencies, 0.50), _percentile(latencies, 0.99)
            print(
                f"{label:<48} p50 {p50:6.1f} ms, p99 {p99:6.1f} ms, max {latencies[-1]:.1f} ms "
                f"({total} requests, {clients} clients, {total / wall:,.0f} requests/s)"
            )
            return {"p50": p50, "p99": p99}

        print(f"saturation: {clients} concurrent clients sending back to back")
        run("warm-up (bare view)", lambda: "/bench/bare-twiml/")
        bare = run("bare view, static TwiML", lambda: "/bench/bare-twiml/")
        ivr = run("IVR answer step (signed, answer stored)", lambda: f"/telephony/ivr/{next(attempts).pk}/q/1/")
        print(f"  ratio IVR / bare: p50 {ivr['p50'] / bare['p50']:.1f}x, p99 {ivr['p99'] / bare['p99']:.1f}x")


PACED_RATES = (5, 10, 15)
PACED_SECONDS = 20


def bench_gunicorn_paced(campaign, *, conn_max_age: int = 0, rates=PACED_RATES, seconds: int = PACED_SECONDS):
    """Open-loop load: request i is sent at start + i / rate whether or not the earlier ones have been
    answered, as calls in progress post their webhooks. Latency runs from the scheduled moment to
    the full response, so a late sender counts against the server, not in its favour."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    warm_up = 50
    attempts = iter(answering_calls(campaign, sum(rates) * seconds + warm_up, seed=13))

    def paced_run(base_url: str, requests_: list[tuple[str, str]], rate: float) -> list[float]:
        begin = time.perf_counter() + 0.5

        def send(index: int) -> float:
            path_, signature = requests_[index]
            scheduled = begin + index / rate
            time.sleep(max(0.0, scheduled - time.perf_counter()))
            response = requests.post(
                base_url + path_, data=ANSWER_PARAMS, headers={"X-Twilio-Signature": signature}, timeout=30
            )
            if response.status_code != 200:
                raise RuntimeError(f"{path_}: HTTP {response.status_code}")
            return time.perf_counter() - scheduled

        # Enough senders that none is late for its moment unless responses take seconds.
        with ThreadPoolExecutor(max_workers=64) as pool:
            return sorted(x * 1000 for x in pool.map(send, range(len(requests_))))

    with gunicorn_server(conn_max_age=conn_max_age) as base_url:
        # Warm-up: every worker has served both views (imports, URL patterns, the cached script).
        paced_run(base_url, signed(["/bench/bare-twiml/"] * warm_up), 25)
        paced_run(base_url, signed([f"/telephony/ivr/{next(attempts).pk}/q/1/" for _ in range(warm_up)]), 25)
        print(f"paced, open loop, {seconds} s per rate and view (latency from the scheduled send)")
        print(f"{'':<40} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  ms")
        results = {}
        for rate in rates:
            n = rate * seconds
            for label, paths in (
                ("bare view", ["/bench/bare-twiml/"] * n),
                ("IVR answer step", [f"/telephony/ivr/{next(attempts).pk}/q/1/" for _ in range(n)]),
            ):
                latencies = paced_run(base_url, signed(paths), rate)
                p50, p95, p99 = (_percentile(latencies, share) for share in (0.5, 0.95, 0.99))
                results[(rate, label)] = (p50, p95, p99)
                print(
                    f"{rate:>3}/s {label + f' ({n} requests)':<34} {p50:7.1f} {p95:7.1f} {p99:7.1f} "
                    f"{latencies[-1]:7.1f}"
                )
            bare, ivr = results[(rate, "bare view")], results[(rate, "IVR answer step")]
            print(
                f"{rate:>3}/s {'ratio IVR / bare':<34} {ivr[0] / bare[0]:6.1f}x {ivr[1] / bare[1]:6.1f}x "
                f"{ivr[2] / bare[2]:6.1f}x"
            )
    return results


def bench_dial_tick(user, version) -> None:
    import django_rq
    from django.utils import timezone

    from surveys.models import CallAttempt, CallStatus, Campaign, CampaignStatus, Contact, ContactNumber
    from surveys.phone_numbers import phone_encrypt, phone_hash
    from surveys.services.dialing import DIALER_QUEUE, dial_tick

    started = time.perf_counter()
    numbers = finnish_numbers(CONTACTS)
    encrypted = [(phone_encrypt(number), phone_hash(number)) for number in numbers]
    print(f"{CONTACTS:,} numbers generated and encrypted once in {time.perf_counter() - started:.1f} s")
    queue = django_rq.get_queue(DIALER_QUEUE)
    queue.empty()
    today = timezone.localdate()

    for calls_per_second in (999.99, 100):
        per_tick = int(-(-calls_per_second * 5 // 1))
        campaign = Campaign.objects.create(
            slug=f"bench-dial-{int(calls_per_second)}",
            name="Bench",
            survey_version=version,
            caller_number="+35893101691",
            start_date=today - timedelta(days=1),
            end_date=today + timedelta(days=30),
            weekdays=list(range(7)),
            exclude_holidays=False,
            is_demo_window=True,
            max_concurrent_calls=10_000_000,
            calls_per_second=calls_per_second,
            number_source="bench",
            information_notice_fi="x",
            created_by=user,
            status=CampaignStatus.RUNNING,
        )
        started = time.perf_counter()
        contacts = Contact.objects.bulk_create(
            (Contact(campaign=campaign, language="fi") for _number in encrypted), batch_size=5_000
        )
        ContactNumber.objects.bulk_create(
            (
                ContactNumber(contact=contact, campaign=campaign, position=1, phone_encrypted=token, phone_hash=hashed)
                for contact, (token, hashed) in zip(contacts, encrypted, strict=True)
            ),
            batch_size=5_000,
        )
        print(
            f"campaign with {CONTACTS:,} contacts (calls_per_second={calls_per_second}, {per_tick} slots a tick) "
            f"stored in {time.perf_counter() - started:.1f} s"
        )
        tick_seconds: list[float] = []
        queued: list[int] = []

        def tick(campaign=campaign, tick_seconds=tick_seconds, queued=queued):
            start = time.perf_counter()
            queued.append(dial_tick(campaign=campaign, now=timezone.now()))
            tick_seconds.append(time.perf_counter() - start)
            queue.empty()  # nothing is dialled
            # The workers' part, done at once: the calls end, so they no longer count against the
            # rate or the concurrency cap of the next tick.
            CallAttempt.objects.filter(contact__campaign=campaign, status=CallStatus.QUEUED).update(
                status=CallStatus.NO_ANSWER
            )

        measure(f"dial_tick, {per_tick} slots, {CONTACTS:,} contacts (+ clean-up)", tick, repeat=1)
        # The runs after the warm-up one, without emptying the queue.
        runs, dispatched = tick_seconds[1:], queued[1:]
        _summary("tick alone", runs)
        rates = sorted(n / s for n, s in zip(dispatched, runs, strict=True))
        print(
            f"  attempts queued a tick {dispatched}; calls dispatched/s median {statistics.median(rates):,.0f} "
            f"(min {rates[0]:,.0f}, max {rates[-1]:,.0f})"
        )
        attempts = CallAttempt.objects.filter(contact__campaign=campaign).count()
        print(f"  attempts in the campaign after the runs: {attempts:,}; dialer queue length {queue.count}")
    queue.empty()


def bench_ivr_step(campaign_factory, *, conn_max_age: int) -> None:
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from surveys.models import Answer
    from surveys.telephony.simulator import SimulatorProvider

    repeat, runs = 100, 5
    campaign = campaign_factory()
    attempts = answering_calls(campaign, (runs + 1) * repeat + 10, seed=7)
    provider = SimulatorProvider()
    client = Client(HTTP_HOST=urlsplit(settings.PUBLIC_BASE_URL).netloc)
    secure = settings.PUBLIC_BASE_URL.startswith("https")
    fresh = iter(attempts)
    params = {"Digits": "2", "SpeechResult": "", "Confidence": "", "CallSid": "SIMBENCH"}

    def signed_post(path_: str):
        signature = provider.sign(settings.PUBLIC_BASE_URL + path_, params)
        return client.post(path_, params, secure=secure, headers={"X-Twilio-Signature": signature})

    def answer_step():
        # Question 1 answered by a new caller each time: an answer row is inserted every request.
        response = signed_post(f"/telephony/ivr/{next(fresh).pk}/q/1/")
        if response.status_code != 200 or b"<Gather" not in response.content:
            raise RuntimeError(f"unexpected IVR answer: {response.status_code} {response.content[:200]!r}")

    urlconf = bench_urlconf()

    def bare_step():
        response = signed_post("/bench/bare-twiml/")  # signed too, though the bare view checks nothing
        if response.status_code != 200:
            raise RuntimeError(f"unexpected bare view answer: {response.status_code}")

    ivr = measure("POST /telephony/ivr/<id>/q/1/ (signed, answer stored)", answer_step, repeat=repeat, runs=runs)
    print(f"  answers stored: {Answer.objects.count():,}")
    with override_settings(ROOT_URLCONF=urlconf):
        bare = measure("POST bare view, static TwiML (same client, middleware)", bare_step, repeat=repeat, runs=runs)
    print(f"  ratio IVR step / bare view (medians): {ivr['median_ms'] / bare['median_ms']:.1f}x")
    bench_gunicorn(campaign, conn_max_age=conn_max_age)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "tick", "ivr", "paced"], default="all")
    parser.add_argument("--conn-max-age", type=int, default=0, help="DATABASE_CONN_MAX_AGE of gunicorn")
    options = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from surveys.models import Campaign, CampaignStatus, Survey, SurveyVersion
    from surveys.services.surveys import version_freeze
    from tests.surveys.calls import add_questions

    with benchmark_database():
        user = get_user_model().objects.create_user("bench-manager")
        survey = Survey.objects.create(slug="bench", organiser="Kunta", created_by=user)
        version = SurveyVersion.objects.create(survey=survey, number=1, title_fi="Kysely", purpose_fi="Tarkoitus")
        slugs = count()

        def ivr_campaign():
            campaign = Campaign.objects.create(
                slug=f"bench-ivr-{next(slugs)}",
                name="Bench IVR",
                survey_version=SurveyVersion.objects.create(
                    survey=Survey.objects.create(slug=f"bench-ivr-{next(slugs)}", organiser="Kunta", created_by=user),
                    number=1,
                    title_fi="Kysely",
                    purpose_fi="Tarkoitus",
                ),
                caller_number="+35893101691",
                start_date=timezone.localdate(),
                end_date=timezone.localdate() + timedelta(days=30),
                number_source="bench",
                information_notice_fi="x",
                created_by=user,
                status=CampaignStatus.RUNNING,
            )
            add_questions(campaign)
            version_freeze(version=campaign.survey_version)  # as the start of every real campaign does
            return campaign

        print(describe_machine())
        if options.part in ("all", "tick"):
            bench_dial_tick(user, version)
        if options.part in ("all", "ivr"):
            bench_ivr_step(ivr_campaign, conn_max_age=options.conn_max_age)
        if options.part in ("all", "paced"):
            bench_gunicorn_paced(ivr_campaign(), conn_max_age=options.conn_max_age)


if __name__ == "__main__":
    main()
