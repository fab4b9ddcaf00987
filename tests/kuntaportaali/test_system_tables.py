import pytest

from kuntaportaali.health import QueueHeartbeat
from kuntaportaali.system_tables import WorkerHeartbeatTable
from tests.kuntaportaali.test_tables import rendered

pytestmark = pytest.mark.usefixtures("english")


def test_a_queue_whose_worker_never_beat_says_so():
    html = rendered(WorkerHeartbeatTable([QueueHeartbeat("Calls", "dialer", None)], caption="Heartbeats"))

    assert '<th scope="row" >Calls <span class="code">(dialer)</span></th><td >never</td>' in html


def test_without_queues_the_table_says_the_heartbeats_cannot_be_read():
    html = rendered(WorkerHeartbeatTable([], caption="Heartbeats"))

    assert '<td colspan="2">Heartbeats cannot be read while the database is down.</td>' in html
