"""A small harness for the benchmarks: a throw-away test database and median-of-runs timing.

Run a benchmark as a module from the project root, e.g. `python -m benchmarks.bench_pages`.
It uses DATABASE_URL and REDIS_URL like the tests (PostgreSQL and Redis).
"""

import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntaportaali.settings.test")
    import django

    django.setup()


@contextmanager
def benchmark_database():
    """Create the test database (kept between runs) and remove its rows afterwards."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, keepdb=True)
    try:
        yield
    finally:
        call_command("flush", "--noinput", verbosity=0)
        call_command("sync_roles", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=True)
        teardown_test_environment()


def runs_in_fresh_databases(count: int, run: Callable[[], dict]) -> Iterator[dict]:
    """`run` `count` times, each in the benchmark database emptied after it; the machine described first."""
    for number in range(1, count + 1):
        with benchmark_database():
            if number == 1:
                print(describe_machine())
            yield run()


def demo_surveys_seed() -> None:
    """The demo's surveys and campaigns as `seed_demo` makes them, with the two users who made them,
    on empty worker queues."""
    import django_rq
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from surveys.demo import survey_demo_seed

    for queue in settings.WORKER_QUEUES:
        django_rq.get_queue(queue).empty()
    for username in ("kyselyvastaava", "viestinta"):
        get_user_model().objects.create_user(username)
    survey_demo_seed()


def measure(label: str, action: Callable[[], object], *, repeat: int, runs: int = 5) -> dict:
    """Time `repeat` calls of `action`, `runs` times; report the median run per call."""
    action()  # warm caches and connections
    per_call = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(repeat):
            action()
        per_call.append((time.perf_counter() - start) / repeat)
    result = {
        "label": label,
        "median_ms": statistics.median(per_call) * 1000,
        "min_ms": min(per_call) * 1000,
        "max_ms": max(per_call) * 1000,
        "runs": runs,
        "repeat": repeat,
    }
    print(
        f"{label:<48} median {result['median_ms']:7.2f} ms/call "
        f"(min {result['min_ms']:.2f}, max {result['max_ms']:.2f}; {runs} runs x {repeat})"
    )
    return result


def describe_machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = cursor.fetchone()[0].split(" on ")[0]
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {database}"
