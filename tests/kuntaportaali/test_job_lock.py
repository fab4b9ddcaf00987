"""kuntaportaali.job_lock: one run at a time of a periodic job."""

import os
import signal
import time
import uuid

import django_rq
import pytest
from rq import SimpleWorker, Worker

from kuntaportaali.job_lock import job_lock


def lock_name() -> str:
    return f"kuntaportaali:test:{uuid.uuid4()}"


def test_a_run_holds_the_lock_and_frees_it_when_done():
    name = lock_name()
    with job_lock(name, seconds=60, queue="populus") as held:
        assert held
        assert django_rq.get_connection("populus").exists(name)
    assert not django_rq.get_connection("populus").exists(name)


def test_a_second_run_is_told_the_lock_is_taken_without_waiting():
    name = lock_name()
    with job_lock(name, seconds=60, queue="populus") as first, job_lock(name, seconds=60, queue="populus") as second:
        assert (first, second) == (True, False)


def test_a_run_that_outlasted_its_lock_leaves_the_next_runs_lock_alone(caplog):
    name = lock_name()
    connection = django_rq.get_connection("populus")
    with job_lock(name, seconds=60, queue="populus") as held:
        assert held
        connection.delete(name)  # expired
        connection.set(name, "the next run's token")
    assert connection.get(name) == b"the next run's token"
    assert "expired before its run ended" in caplog.text
    connection.delete(name)


def test_a_run_that_fails_frees_the_lock_for_the_next_run():
    name = lock_name()
    with pytest.raises(RuntimeError), job_lock(name, seconds=60, queue="populus"):
        raise RuntimeError("the run failed")

    with job_lock(name, seconds=60, queue="populus") as held:
        assert held


def test_the_lock_of_a_killed_worker_expires_and_a_later_run_takes_it():
    name = lock_name()
    connection = django_rq.get_connection("populus")
    # A worker killed mid-run never releases its lock: only its expiry frees it.
    connection.lock(name, timeout=1, blocking=False).acquire()
    with job_lock(name, seconds=60, queue="populus") as while_alive:
        assert not while_alive

    time.sleep(1.1)

    with job_lock(name, seconds=60, queue="populus") as after_expiry:
        assert after_expiry


def hold_the_lock_and_die(name: str) -> None:
    """A run killed mid-way (the kernel's out-of-memory killer ends the work horse, the largest process):
    it never releases its lock."""
    with job_lock(name, seconds=6 * 3600, queue="populus") as held:
        assert held
        os.kill(os.getpid(), signal.SIGKILL)


def test_the_lock_of_a_run_whose_worker_was_killed_is_taken_by_the_next_run(rq_queues):
    """The monthly HR email run holds its lock for six hours: killed mid-way, the daily retry half an hour
    later found the lock taken and skipped, and the emails the run had not sent went out a day late."""
    name = lock_name()
    queue = rq_queues["populus"]
    queue.enqueue(hold_the_lock_and_die, name)
    Worker([queue], connection=queue.connection).work(burst=True)
    assert django_rq.get_connection("populus").exists(name)

    with job_lock(name, seconds=60, queue="populus") as held:
        assert held
    assert not django_rq.get_connection("populus").exists(name)


def hold_the_lock_and_ask_again(name: str) -> bool:
    with job_lock(name, seconds=60, queue="populus") as first:
        assert first
        with job_lock(name, seconds=60, queue="populus") as second:
            return second


def test_the_lock_of_a_run_still_going_is_not_taken(rq_queues):
    name = lock_name()
    queue = rq_queues["populus"]
    job = queue.enqueue(hold_the_lock_and_ask_again, name)

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert job.return_value() is False
