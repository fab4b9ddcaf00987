"""Recurring jobs, loaded by RQ's own cron scheduler: `manage.py rqcron kuntaportaali.cron`.

Cron strings are read in the scheduler's local time, which Django sets to TIME_ZONE
(Europe/Helsinki). Later features register their monthly and daily jobs here.
"""

from django.conf import settings
from rq import cron

from hrreports.jobs import populus_fetch_monthly
from surveys.jobs import purge_expired

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

# The monthly HR data fetch of the last full month, on POPULUS_FETCH_DAY at POPULUS_FETCH_HOUR.
cron.register(
    populus_fetch_monthly,
    queue_name="populus",
    cron=f"0 {settings.POPULUS_FETCH_HOUR} {settings.POPULUS_FETCH_DAY} * *",
    name="populus-fetch-monthly",
    job_timeout=3 * 3600,
)

# The daily retention purge of phone numbers, at night when no calls are made.
cron.register(purge_expired, queue_name="reports", cron="15 3 * * *", name="surveys-purge-expired")
