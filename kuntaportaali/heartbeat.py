"""Worker heartbeats: proof that each queue has a live worker and that the cron scheduler runs."""

import socket
from datetime import datetime, timedelta

import django_rq
from django.conf import settings
from django.utils import timezone

from .models import WorkerHeartbeat


def heartbeat_record(*, queue: str) -> WorkerHeartbeat:
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        queue=queue, defaults={"beat_at": timezone.now(), "worker_host": socket.gethostname()}
    )
    return beat


def heartbeat_ages(*, now: datetime | None = None) -> dict[str, timedelta | None]:
    """Age of the last heartbeat per worker queue; None for a queue that never had one."""
    now = now or timezone.now()
    beats = dict(WorkerHeartbeat.objects.values_list("queue", "beat_at"))
    return {queue: (now - beats[queue]) if queue in beats else None for queue in settings.WORKER_QUEUES}


def heartbeats_request() -> None:
    """Ask every queue's worker for a heartbeat now (enqueued when the transaction commits)."""
    from .jobs import heartbeat

    for queue in settings.WORKER_QUEUES:
        django_rq.get_queue(queue).enqueue(heartbeat, queue)
