"""Recurring jobs, loaded by RQ's own cron scheduler: `manage.py rqcron kuntaportaali.cron`.

Cron strings are read in the scheduler's local time, which Django sets to TIME_ZONE
(Europe/Helsinki). Later features register their monthly and daily jobs here.
"""

from django.conf import settings
from rq import cron

from hrreports.jobs import (
    hr_data_purge_daily,
    hr_runs_sweep,
    populus_fetch_monthly,
    unit_reports_failed_retry,
    unit_reports_monthly,
)
from surveys.jobs import (
    dial_tick,
    fetch_call_prices,
    mails_recover,
    opt_outs_complete,
    purge_expired,
    sms_links_recover,
)
from surveys.services.dialing import TICK_SECONDS

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

# The monthly HR data fetch of the last full month, on POPULUS_FETCH_DAY at POPULUS_FETCH_HOUR. RQ's cron
# runs a job at its minute only, never later: the job runs daily and fetches each source's month once,
# from that day on, so a day whose job was lost (this process restarting at that minute) is made up.
cron.register(
    populus_fetch_monthly,
    queue_name="populus",
    cron=f"0 {settings.POPULUS_FETCH_HOUR} * * *",
    name="populus-fetch-monthly",
    job_timeout=settings.HR_RUN_JOB_TIMEOUT,
)

# The monthly unit reports to subscribed supervisors, on UNIT_REPORTS_DAY at UNIT_REPORTS_HOUR; the job
# sends nothing unless that month's fetch has succeeded. Daily, as the fetch: the month goes out once, from
# that day on.
cron.register(
    unit_reports_monthly,
    queue_name="email",
    cron=f"0 {settings.UNIT_REPORTS_HOUR} * * *",
    name="hrreports-unit-reports-monthly",
    job_timeout=settings.HR_RUN_JOB_TIMEOUT,
)

# Daily, half an hour after the monthly reports' hour: the last full month's emails that failed (a mail
# server down, an address missing) are sent again, a few times at most.
cron.register(
    unit_reports_failed_retry,
    queue_name="email",
    cron=f"30 {settings.UNIT_REPORTS_HOUR} * * *",
    name="hrreports-unit-reports-retry",
    job_timeout=settings.HR_RUN_JOB_TIMEOUT,
)

# Hourly, end as failed the HR fetch and delivery runs whose worker was killed (they would show
# "running" for ever).
cron.register(hr_runs_sweep, queue_name="populus", cron="40 * * * *", name="hrreports-runs-sweep")

# The daily retention purge of phone numbers, at night when no calls are made.
cron.register(purge_expired, queue_name="reports", cron="15 3 * * *", name="surveys-purge-expired")

# The daily retention purge of HR data (HR_DATA_RETENTION_MONTHS) and of the report access log, at night
# when nobody reads reports and no fetch is running.
cron.register(hr_data_purge_daily, queue_name="populus", cron="45 3 * * *", name="hrreports-purge-hr-data")

# The dialer: every few seconds, queue the calls each running campaign may start now. The tick's
# interval is the dialer's own: its rate limit counts the calls started within one tick.
cron.register(
    dial_tick,
    queue_name="dialer",
    interval=TICK_SECONDS,
    name="surveys-dial-tick",
    result_ttl=TICK_SECONDS * 2,
    job_timeout=60,
)

# What the carrier billed for each call, stated some seconds to minutes after it ended. Not on the
# dialer queue: its requests to the carrier must not hold up the calls.
cron.register(fetch_call_prices, queue_name="reports", interval=60, name="surveys-call-prices", job_timeout=300)

# The survey links' text messages owed whose job Redis lost (restarted without its data, or out of reach
# as the job was queued) are queued again, each some minutes after it was due.
cron.register(sms_links_recover, queue_name="dialer", interval=60, name="surveys-sms-links-recover", job_timeout=60)

# The emails to staff still owed whose job Redis lost or that failed (the mail server out): the carrier
# problem's to a paused campaign's managers and the launch gate's to communications, queued again some
# minutes after they were due.
cron.register(mails_recover, queue_name="email", interval=300, name="surveys-mails-recover", job_timeout=60)

# The opt-outs of the residents' form whose job Redis lost, or that the form could not queue (Redis out of
# reach): their contacts still to be called are marked opted out, with their consent events.
cron.register(opt_outs_complete, queue_name="dialer", interval=300, name="surveys-opt-outs-complete", job_timeout=120)
