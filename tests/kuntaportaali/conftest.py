import pytest
from rq.scheduler import RQScheduler


@pytest.fixture
def live_scheduler(rq_queues):
    """An RQ scheduler holding every queue's lock with a fresh heartbeat, as a worker's would."""
    queues = list(rq_queues.values())
    scheduler = RQScheduler(queues, connection=queues[0].connection)
    assert scheduler.acquire_locks() == set(rq_queues), "another scheduler holds a queue of this Redis database"
    scheduler.register_birth()
    yield scheduler
    scheduler.release_locks()
    scheduler.register_death()
