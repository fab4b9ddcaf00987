"""The monthly HR run at the simulator's full size: 150 work units, 2,500 employees, one subscribed
supervisor per unit (every one with sub-units, every report; XLSX and PDF attachments alternating).
One run = fetch the month from the Populus simulator + the early-support rules + every subscribed
report built and rendered + one email per subscription to a local SMTP server (a small threaded
SMTP sink in this file, over real sockets). Goal of issue 7: <= 2 minutes. Figures go to
docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_monthly_run
    ... python -m benchmarks.bench_monthly_run --runs 1 --profile    # where the delivery's time goes

The 12 months before the run's month are fetched first (untimed): the absence report compares with
the previous month and the same month a year ago, and its charts show 12 months. Runs 2 and 3 send
again with --force, as a re-run after a failure would; the fetch of the month is then an update.
"""

import argparse
import cProfile
import multiprocessing
import pstats
import resource
import socketserver
import statistics
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date

from benchmarks.harness import benchmark_database, describe_machine, setup_django

PERIOD = date(2026, 2, 1)
HISTORY_MONTHS = 12
RUNS = 3
STAGE_LABELS = ["  build report data", "  render PDF", "  render XLSX", "  SMTP send"]


class SmtpSink(socketserver.ThreadingTCPServer):
    """Accepts SMTP on 127.0.0.1 and counts the messages; stores nothing."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpSession)
        self.messages = 0
        self.bytes = 0
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self):
        self.reply("220 bench-sink ESMTP")
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command in (b"EHLO", b"HELO"):
                self.reply("250 bench-sink")
            elif command == b"DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                size = 0
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    size += len(data)
                with self.server.lock:
                    self.server.messages += 1
                    self.server.bytes += size
                self.reply("250 OK")
            elif command == b"QUIT":
                self.reply("221 Bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply("250 OK")


class StageClock:
    """Adds up the time spent inside wrapped functions, per label, across the forked processes that
    deliver (the totals live in shared memory, so they exceed the wall time when processes overlap)."""

    def __init__(self, labels: list[str]):
        context = multiprocessing.get_context("fork")
        self.labels = labels
        self.totals = context.Array("d", len(labels))
        self.counts = context.Array("i", len(labels))

    def wrap(self, label: str, function):
        index = self.labels.index(label)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                with self.totals.get_lock():
                    self.totals[index] += time.perf_counter() - start
                with self.counts.get_lock():
                    self.counts[index] += 1

        return timed

    def seconds(self) -> dict[str, float]:
        return dict(zip(self.labels, self.totals, strict=True))

    def calls(self, label: str) -> int:
        return self.counts[self.labels.index(label)]


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished child processes (the delivery's)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def instrumented(clock: StageClock):
    """Time the parts of the delivery: building each report, rendering PDF and XLSX, SMTP."""
    from django.core.mail import EmailMessage

    from hrreports.services import delivery

    originals = {
        (delivery, "report_build"): delivery.report_build,
        (delivery, "report_pdf"): delivery.report_pdf,
        (delivery, "report_xlsx"): delivery.report_xlsx,
        (EmailMessage, "send"): EmailMessage.send,
    }
    labels = dict(zip(["report_build", "report_pdf", "report_xlsx", "send"], STAGE_LABELS, strict=True))
    for (owner, name), function in originals.items():
        setattr(owner, name, clock.wrap(labels[name], function))
    try:
        yield
    finally:
        for (owner, name), function in originals.items():
            setattr(owner, name, function)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs to time (default {RUNS})")
    parser.add_argument("--profile", action="store_true", help="profile the delivery of the first run (one process)")
    parser.add_argument("--processes", type=int, help="delivery processes (default: HR_REPORT_PROCESSES)")
    arguments = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from hrreports.models import Alert, DeliveryFormat, Source, WorkUnit
    from hrreports.models.organisation import SupervisorRole
    from hrreports.periods import period_shift
    from hrreports.services.delivery import subscription_save, unit_reports_send
    from hrreports.services.early_support import alerts_evaluate, rule_defaults_ensure
    from hrreports.services.fetch import populus_fetch
    from hrreports.services.organisation import supervisor_assign
    from hrreports.sources.simulator import SimulatorSource
    from kuntaportaali.roles import Role, user_set_roles

    sink = SmtpSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()

    with benchmark_database():
        # After the test environment's set-up, which switches email to the in-memory backend.
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        print(describe_machine())
        print(f"delivery processes: {arguments.processes or settings.HR_REPORT_PROCESSES}")
        rule_defaults_ensure()
        source = Source.objects.create(name="bench", kind="simulator", config=SimulatorSource.config_defaults())
        start = time.perf_counter()
        for offset in range(HISTORY_MONTHS, 0, -1):
            populus_fetch(source=source, period=period_shift(PERIOD, -offset))
        print(f"setup: {HISTORY_MONTHS} months of history fetched in {time.perf_counter() - start:.1f} s")
        users = get_user_model()
        for index, unit in enumerate(WorkUnit.objects.order_by("path")):
            user = users.objects.create_user(f"esihenkilo-{unit.code}", email=f"esihenkilo-{unit.code}@example.invalid")
            user_set_roles(user=user, roles=[Role.SUPERVISOR])
            supervisor_assign(unit=unit, user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2020, 1, 1))
            delivery_format = DeliveryFormat.PDF if index % 2 else DeliveryFormat.XLSX
            subscription_save(
                user=user,
                unit=unit,
                reports=["absences", "salaries", "employments"],
                format=delivery_format,
                language="fi",
            )
        print(f"setup: {WorkUnit.objects.count()} units, each with one subscribed supervisor")

        results = defaultdict(list)
        for run in range(1, arguments.runs + 1):
            clock = StageClock(STAGE_LABELS)
            stages = {}
            started = time.perf_counter()
            fetch = populus_fetch(source=source, period=PERIOD)
            if fetch.status != "done":
                raise RuntimeError(fetch.error)
            stages["fetch from the simulator"] = time.perf_counter() - started
            mark = time.perf_counter()
            alerts_evaluate(period=PERIOD)
            stages["early-support rules"] = time.perf_counter() - mark
            mark = time.perf_counter()
            cpu_before = cpu_seconds()
            messages_before = sink.messages
            profile = cProfile.Profile() if arguments.profile and run == 1 else None
            with instrumented(clock):
                if profile:
                    profile.enable()
                summary = unit_reports_send(
                    period=PERIOD, force=run > 1, processes=1 if profile else arguments.processes
                )
                if profile:
                    profile.disable()
            stages["render + email every subscription"] = time.perf_counter() - mark
            stages["  CPU time of the delivery, all processes"] = cpu_seconds() - cpu_before
            stages.update(clock.seconds())
            stages["whole run"] = time.perf_counter() - started
            if summary.failed or sink.messages - messages_before != summary.emails:
                raise RuntimeError(f"{summary.line()}, SMTP sink got {sink.messages - messages_before}")
            print(
                f"run {run}: {summary.line()}; alerts {Alert.objects.count()}; {summary.time_saved_line()}; "
                f"SMTP {sink.messages - messages_before} messages, {sink.bytes / 1e6:.0f} MB so far; "
                f"PDFs {clock.calls('  render PDF')}, XLSX {clock.calls('  render XLSX')}"
            )
            for label, seconds in stages.items():
                results[label].append(seconds)
                print(f"  {label:<40} {seconds:7.2f} s", flush=True)
            if profile:
                pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        print(f"\nmedian of {arguments.runs} runs (min-max):")
        for label, values in results.items():
            print(f"  {label:<40} {statistics.median(values):7.2f} s ({min(values):.2f}-{max(values):.2f})")
    sink.shutdown()


if __name__ == "__main__":
    main()
