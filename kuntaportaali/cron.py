"""Recurring jobs, loaded by RQ's own cron scheduler: `manage.py rqcron kuntaportaali.cron`.

Cron strings are read in the scheduler's local time, which Django sets to TIME_ZONE
(Europe/Helsinki). Later features register their monthly and daily jobs here.
"""

from django.conf import settings
from rq import cron

from .jobs import heartbeat

HEARTBEAT_INTERVAL_SECONDS = 60

for queue in settings.WORKER_QUEUES:
    cron.register(
        heartbeat,
        queue_name=queue,
        args=(queue,),
        interval=HEARTBEAT_INTERVAL_SECONDS,
        name=f"heartbeat-{queue}",
        result_ttl=HEARTBEAT_INTERVAL_SECONDS,
    )
