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
