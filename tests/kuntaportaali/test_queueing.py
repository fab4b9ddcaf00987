"""kuntaportaali.queueing: telling a job that will still run from one that was lost."""

import django_rq
import pytest
from rq.job import JobStatus

from kuntaportaali.queueing import job_ids_lost


def test_queued_jobs_are_live_and_missing_or_failed_ones_lost(rq_queues):
    queue = rq_queues["populus"]
    waiting = queue.enqueue("builtins.print", job_id="kp-test-waiting")
    failed = queue.enqueue("builtins.print", job_id="kp-test-failed")
    with queue.connection.pipeline() as pipeline:
        failed.set_status(JobStatus.FAILED, pipeline=pipeline)
        pipeline.execute()

    lost = job_ids_lost([waiting.id, failed.id, "kp-test-gone"], connection=django_rq.get_connection("populus"))

    assert lost == {failed.id, "kp-test-gone"}


@pytest.mark.parametrize("ids", [[], ["kp-test-gone"]])
def test_no_job_ids_or_only_gone_ones(ids, rq_queues):
    assert job_ids_lost(ids, connection=django_rq.get_connection("populus")) == set(ids)


def test_a_job_whose_worker_was_killed_running_it_is_lost_once_its_heartbeat_has_expired(rq_queues):
    """A worker killed (SIGKILL) leaves its job `started`; RQ fails it only when a worker cleans the queue's
    registry, every ten minutes or so: until then every sweep took it for a job still running."""
    from datetime import datetime, timedelta

    import time_machine
    from rq import SimpleWorker

    queue = rq_queues["populus"]
    killed = queue.enqueue("builtins.print", job_id="kp-test-killed")
    running = queue.enqueue("builtins.print", job_id="kp-test-running")
    worker = SimpleWorker([queue], connection=queue.connection)
    started_at = datetime(2026, 1, 5, 12, 0)
    heartbeat = timedelta(seconds=worker.get_heartbeat_ttl(killed))
    # The killed worker's job was started a heartbeat ago; the other one's only just now.
    for job, moment in ((killed, started_at), (running, started_at + heartbeat)):
        with time_machine.travel(moment):
            queue.remove(job)
            worker.prepare_execution(job)
            worker.prepare_job_execution(job)
    connection = django_rq.get_connection("populus")

    with time_machine.travel(started_at + heartbeat + timedelta(seconds=1)):
        lost = job_ids_lost([killed.id, running.id], connection=connection)

    assert lost == {killed.id}
