"""RQ jobs of the surveys app. Jobs stay thin: they call a service."""

from django.utils import timezone

from kuntaportaali.job_lock import job_lock

from .services.privacy import answers_purge_expired, contacts_purge_expired

PURGE_LOCK = "kuntaportaali:surveys:purge-expired"
PURGE_LOCK_SECONDS = 30 * 60


def purge_expired() -> str:
    """The daily retention purge; a run that finds another one holding the lock does nothing."""
    from .services.contacts import contact_imports_expire

    with job_lock(PURGE_LOCK, seconds=PURGE_LOCK_SECONDS, queue="reports") as held:
        if not held:
            return "skipped: another purge is running"
        today = timezone.localdate()
        numbers = contacts_purge_expired(today=today).summary_line()
        uploads = contact_imports_expire(now=timezone.now())
        return (
            f"numbers: {numbers}; answers: {answers_purge_expired(today=today).summary_line()}; "
            f"contact uploads ended: {uploads}"
        )


DIAL_TICK_LOCK = "kuntaportaali:surveys:dial-tick"
DIAL_TICK_LOCK_SECONDS = 60


def dial_tick() -> str:
    """Every few seconds: recover attempts dead workers left behind, then queue the calls every
    running campaign may start now."""
    from .services.dialing import DIALER_QUEUE, dial_tick_all

    with job_lock(DIAL_TICK_LOCK, seconds=DIAL_TICK_LOCK_SECONDS, queue=DIALER_QUEUE) as held:
        if not held:
            return "skipped: another tick is running"
        return dial_tick_all().summary_line()


def send_survey_link(contact_id: int, phone_id: int | None = None) -> str:
    """Send a contact the SMS with their link to the web survey (queue `dialer`), to `phone_id` when
    messages reach it; outside the calling window, while the campaign is paused, or while the provider
    is out of reach, the job runs again when sending may succeed."""
    from .models import Contact
    from .services.sms import sms_link_job_schedule, sms_link_send

    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        return "skipped: the contact no longer exists"
    result = sms_link_send(contact=contact, phone_id=phone_id)
    if result.retry_at is not None:
        sms_link_job_schedule(contact_id=contact_id, phone_id=phone_id, at=result.retry_at)
    return str(result.outcome)


def sms_links_recover() -> str:
    """Every minute: queue again the survey links' jobs that Redis lost (restarted, or out of reach)."""
    from .services.sms import sms_link_requests_recover

    return f"requeued={sms_link_requests_recover()}"


def mail_carrier_problem(campaign_id: int) -> str:
    """Tell a campaign's managers that the portal paused its calling (queue `email`); a job run twice
    finds the email no longer owed and sends nothing."""
    from .services.campaigns import carrier_problem_tell

    return "sent" if carrier_problem_tell(campaign_id=campaign_id) else "nothing to tell"


def mails_recover() -> str:
    """Every few minutes: queue again the emails to staff still owed whose job Redis lost, or that failed:
    the carrier problem's to a paused campaign's managers, and the launch gate's to communications."""
    from .services.campaigns import carrier_problem_mails_recover
    from .services.launch import launch_blockers_mails_recover

    return f"carrier_problem={carrier_problem_mails_recover()} launch_blockers={launch_blockers_mails_recover()}"


def mail_launch_blockers(campaign_id: int, requested_by_id: int) -> str:
    """Tell communications what of a campaign's launch gate is theirs to fix (queue `email`); a job run
    twice finds the email no longer owed and sends nothing."""
    from .services.launch import launch_blockers_tell

    sent = launch_blockers_tell(campaign_id=campaign_id, requested_by_id=requested_by_id)
    return "sent" if sent else "nothing to tell"


CALL_PRICES_LOCK = "kuntaportaali:surveys:call-prices"
CALL_PRICES_LOCK_SECONDS = 300


def fetch_call_prices() -> str:
    """Every minute: store what the carrier billed for the calls that ended lately. A round that finds
    another one going on (a slow one, or a second scheduler's) asks the carrier nothing."""
    from .services.dialing import call_prices_fetch

    with job_lock(CALL_PRICES_LOCK, seconds=CALL_PRICES_LOCK_SECONDS, queue="reports") as held:
        if not held:
            return "skipped: another round is going on"
        return f"prices={call_prices_fetch()}"


def place_call(attempt_id: int) -> str:
    """Dial one attempt; a redelivered job finds the attempt no longer queued and does nothing."""
    from .services.dialing import attempt_place

    return attempt_place(attempt_id=attempt_id)


def simulated_call_step(call) -> str:
    """The simulator carrier's next step of a call played in real time (the demo's calls)."""
    from .telephony.simulator import live_call_step

    return live_call_step(call)


def import_contacts(import_id: int) -> str:
    """Import an uploaded contact file (queue `imports`); a redelivered job finds it no longer pending."""
    from .services.contacts import contact_import_run

    report = contact_import_run(import_id=import_id)
    return f"{report.status}: imported={report.imported} invalid={report.invalid}"


def generate_report_file(report_file_id: int) -> str:
    """Build a requested PDF or XLSX report (queue `reports`); its progress is stored on the row."""
    from .services.report_files import report_file_generate

    return report_file_generate(report_file_id=report_file_id)


def predict_campaign(prediction_id: int) -> str:
    """Simulate a campaign before its launch and store the prediction (queue `reports`); a redelivered
    job finds the prediction no longer queued and does nothing."""
    from .services.planner import prediction_run

    return str(prediction_run(prediction_id=prediction_id).status)


def opt_out_calls_stop(entry_id: int, source: str) -> str:
    """After an opt-out on the residents' form: stop the calls of the contacts with the number of the
    do-not-call registry's entry `entry_id` (queue `dialer`)."""
    from .services.privacy import opt_out_calls_stop as calls_stop

    return f"contacts opted out: {calls_stop(entry_id=entry_id, source=source)}"


def opt_outs_complete() -> str:
    """Every few minutes: do the work of the opt-out jobs Redis lost, or that the form could not queue."""
    from .services.privacy import opt_outs_complete as complete

    return f"contacts opted out: {complete()}"
