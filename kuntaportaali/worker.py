"""The portal's RQ worker: RQ's own, keeping its scheduler process alive (settings.RQ["WORKER_CLASS"]).

`rqworker ... --with-scheduler` forks a scheduler process (`rq.scheduler.RQScheduler`) that moves
the jobs due at a given time (`enqueue_in`: the simulator's live call steps) from their
scheduled registry to their queues. Its loop (`RQScheduler.work`) lets the first Redis error end
the process, and RQ's worker looks for a dead one only in `run_maintenance_tasks`, every ten
minutes and only between two jobs or waits: after a Redis outage, scheduled jobs waited 10-15
minutes. This worker does RQ's own restart (`acquire_locks(auto_start=True)`) at its heartbeats
instead, every few seconds; a worker whose scheduler holds no lock (another one's does) takes the
queues over when that one's locks expire, a minute after its process stopped.
"""

import time

import redis
from redis.client import Pipeline
from rq import Worker

# How often the worker checks its scheduler and, waiting for Redis or for jobs, wakes up.
SCHEDULER_CHECK_SECONDS = 5


class PortalWorker(Worker):
    # RQ doubles its wait for Redis up to a minute; the scheduler is restarted only once Redis answers.
    max_connection_wait_time = float(SCHEDULER_CHECK_SECONDS)
    _scheduler_kept = False
    _scheduler_checked_at = 0.0

    def work(self, burst: bool = False, **kwargs) -> bool:
        # A burst worker moves the jobs already due once, when it starts, and runs no scheduler.
        self._scheduler_kept = not burst
        self._scheduler_checked_at = time.monotonic()
        return super().work(burst=burst, **kwargs)

    @property
    def dequeue_timeout(self) -> int:
        # Otherwise an idle worker blocks for the worker TTL (7 minutes) between heartbeats.
        return min(super().dequeue_timeout, SCHEDULER_CHECK_SECONDS)

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None):
        super().heartbeat(timeout, pipeline)
        self.scheduler_keep_alive()

    def scheduler_keep_alive(self) -> None:
        """Start the scheduler process again if it died, or if this worker can take the locks over."""
        scheduler = self.scheduler
        # Stopping, the scheduler got the same SIGTERM (systemd and the demo signal every process).
        # The work horse running a job sends heartbeats too: it inherited the scheduler's process
        # object, but only the worker that started the process can check it (RQ's teardown skips the
        # horse alike).
        if scheduler is None or not self._scheduler_kept or self._stop_requested or self.is_horse:
            return
        if time.monotonic() - self._scheduler_checked_at < SCHEDULER_CHECK_SECONDS:
            return
        self._scheduler_checked_at = time.monotonic()
        process = scheduler._process
        if process is not None and process.is_alive():
            return
        if process is not None:
            self.log.warning(
                "Worker %s: scheduler process %s ended (exit code %s); starting it again",
                self.name,
                process.pid,
                process.exitcode,
            )
        try:
            # The same scheduler name: its own locks, if they have not expired, are refreshed.
            scheduler.acquire_locks(auto_start=True)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
            self.log.warning("Worker %s: scheduler not started, Redis unavailable: %s", self.name, error)
