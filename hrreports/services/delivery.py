"""Subscriptions and the monthly delivery of unit reports by email.

Exactly one email per (subscription, period): the Delivery row is unique per pair, and the sender
holds its row lock (SELECT ... FOR UPDATE SKIP LOCKED) while sending, so a concurrent run skips it
and a later run finds it sent. `force` sends again on purpose. A run whose worker was killed is
ended as failed by `delivery_runs_stale_fail`; the daily retry, or running the month again, sends only
what it had not.
A run that loses one of its sending processes ends at once: the emails not sent by then are recorded failed.
"""

import logging
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, connections, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kuntaportaali.pdf import PDF_CONTENT_TYPE
from kuntaportaali.redaction import phone_numbers_mask
from kuntaportaali.spreadsheets import XLSX_CONTENT_TYPE

from ..errors import WORKER_STOPPED, SubscriptionError
from ..models import Delivery, DeliveryRun, Subscription, WorkUnit
from ..models.delivery import DeliveryFormat, DeliveryStatus, ReportKind, hours_of
from ..models.fetching import RunTrigger
from ..models.records import AbsenceCategory
from ..periods import period_label, period_text
from ..reports import period_missing_reason, report_units
from ..reports.columns import columns_validate
from ..reports.documents import report_build, report_pdf, report_xlsx
from ..reports.export import report_file_name
from ..selectors import deliveries_waiting, units_visible_to
from ..supervisor_home import early_support_cases
from .teams import UnitDelivered, teams_notices_send

logger = logging.getLogger(__name__)
ATTACHMENT_FORMATS = (DeliveryFormat.XLSX, DeliveryFormat.PDF)
# Sending attempts of a failed email before it is left to HR: the month's run and three daily retries.
DELIVERY_ATTEMPTS = 4


def subscription_save(
    *,
    user,
    unit: WorkUnit,
    reports: list[str],
    format: str = DeliveryFormat.LINK,
    language: str = "fi",
    categories: list[str] | None = None,
    columns: dict[str, list[str]] | None = None,
    include_subunits: bool = True,
    active: bool = True,
    subscription: Subscription | None = None,
) -> Subscription:
    """Create or update `user`'s subscription to `unit`; refused when the unit is outside their scope.

    `columns` tailors each report's table ({report: [column keys]}, see hrreports.reports.columns);
    a report left out, or given every column, shows every column."""
    if not units_visible_to(user).filter(pk=unit.pk).exists():
        raise SubscriptionError.of("subscription_unit_not_supervised", user=user.get_username(), unit=unit)
    unknown = set(reports) - set(ReportKind.values)
    if not reports or unknown:
        raise SubscriptionError.of("subscription_no_reports")
    if set(categories or []) - set(AbsenceCategory.values):
        raise SubscriptionError.of("subscription_category_unknown")
    try:
        columns = columns_validate(columns or {})
    except ValueError as error:
        raise SubscriptionError.of("subscription_column_unknown", column=error) from None
    if subscription is None:
        subscription = Subscription.objects.filter(user=user, unit=unit).first() or Subscription(user=user, unit=unit)
    elif Subscription.objects.filter(user=user, unit=unit).exclude(pk=subscription.pk).exists():
        raise SubscriptionError.of("subscription_exists", user=user.get_username(), unit=unit)
    subscription.user, subscription.unit = user, unit
    subscription.reports, subscription.format, subscription.language = list(reports), format, language
    subscription.categories, subscription.include_subunits = list(categories or []), include_subunits
    subscription.columns = columns
    subscription.active = active
    subscription.full_clean()
    subscription.save()
    return subscription


@dataclass
class SendSummary:
    period: date
    minutes_per_report: int
    reports: int = 0
    emails: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: int = 0
    notices_sent: int = 0
    notices_failed: int = 0
    notice_errors: list[dict] = field(default_factory=list)
    run: DeliveryRun | None = None

    def line(self) -> str:
        """The last line of `send_unit_reports`: a contract, other tools read it."""
        return f"period={period_label(self.period)} reports={self.reports} emails={self.emails} failed={self.failed}"

    def time_saved_line(self) -> str:
        minutes = self.reports * self.minutes_per_report
        return (
            f"time saved: {self.reports} reports x {self.minutes_per_report} min = {minutes} min "
            f"= {hours_of(minutes)} h"
        )

    def notices_line(self) -> str:
        return f"teams notices: sent={self.notices_sent} failed={self.notices_failed}"


def subscription_delete(*, subscription: Subscription) -> None:
    """End a subscription: the next monthly delivery sends its subscriber nothing for it."""
    subscription.delete()


def _portal_link(subscription: Subscription, kind: str, period: date) -> str:
    query = {"period": period_label(period)}
    if subscription.include_subunits:
        query["subunits"] = "on"
    path = reverse("hrreports:unit-report", args=[subscription.unit_id, kind])
    return f"{settings.PUBLIC_BASE_URL}{path}?{urlencode(query)}"


def _message(subscription: Subscription, period: date) -> tuple[EmailMultiAlternatives, int]:
    """The email of one subscription and month, in the subscriber's language. Salary figures appear
    only inside an attachment (XLSX or PDF), and only when the subscriber chose one; the attachments
    show the subscriber's columns, and the absence PDF the subscriber's early-support cases one per person."""
    unit, sub = subscription.unit, subscription.include_subunits
    categories = set(subscription.categories) or None
    cases = early_support_cases(subscription.user, units=report_units(unit, include_subunits=sub))
    sections, attachments = [], []
    for kind in [value for value in ReportKind.values if value in subscription.reports]:
        section = {"kind": kind, "label": ReportKind(kind).label, "link": _portal_link(subscription, kind, period)}
        report = report_build(kind, unit, period, include_subunits=sub, categories=categories)
        if kind == ReportKind.ABSENCES:
            section["absences"] = report.current
        elif kind == ReportKind.EMPLOYMENTS:
            section["started"], section["ended"] = len(report.started), len(report.ended)
            section["moved_in"], section["moved_out"] = len(report.moved_in), len(report.moved_out)
        columns = subscription.columns.get(kind)
        if subscription.format == DeliveryFormat.XLSX:
            attachments.append(
                (
                    report_file_name(kind, unit, period, "xlsx"),
                    report_xlsx(kind, report, columns=columns),
                    XLSX_CONTENT_TYPE,
                )
            )
        elif subscription.format == DeliveryFormat.PDF:
            pdf = report_pdf(
                kind,
                report,
                columns=columns,
                categories=subscription.categories,
                cases=cases if kind == ReportKind.ABSENCES else None,
            )
            attachments.append((report_file_name(kind, unit, period, "pdf"), pdf, PDF_CONTENT_TYPE))
        sections.append(section)
    context = {
        "subscription": subscription,
        "unit": unit,
        "period": period_text(period),
        "sections": sections,
        "attached": subscription.format in ATTACHMENT_FORMATS,
        # The cases the home lists as open, as many as the supervisor has to act on: a person whose sick leave
        # met several rules is one case (one discussion, one "discussed"), as on the home and in the PDF.
        "open_cases": len(cases.open),
        # The supervisor's home: the month at a glance over all their units and the open early-support cases.
        "home_link": f"{settings.PUBLIC_BASE_URL}{reverse('hrreports:reports')}",
        "cases_link": f"{settings.PUBLIC_BASE_URL}{reverse('hrreports:reports')}#cases-heading",
    }
    subject = _("Unit reports %(period)s: %(unit)s") % {"period": period_text(period), "unit": unit}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("hrreports/email/unit_reports.txt", context),
        to=[subscription.user.email],
    )
    message.attach_alternative(render_to_string("hrreports/email/unit_reports.html", context), "text/html")
    for name, content, mime in attachments:
        message.attach(name, content, mime)
    return message, len(sections)


def _deliver(delivery: Delivery, *, force: bool) -> str:
    """Send one delivery under its row lock: 'sent', 'failed', 'waiting' (for the month's data of its
    units), or 'skipped' (sent already, or another run holds it)."""
    with transaction.atomic():
        # Only the delivery's row: locking the joined user and unit rows too (FOR UPDATE locks every
        # table of the join) made a process sending a supervisor's next unit skip it while another
        # process was sending their previous one, or while a login was updating their row.
        locked = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription__user", "subscription__unit")
            .filter(pk=delivery.pk)
            .first()
        )
        if locked is None or (locked.status == DeliveryStatus.SENT and not force):
            return "skipped"
        subscription = locked.subscription
        reason = ""
        if not subscription.user.email:
            reason = _("The subscriber has no email address.")
        elif not units_visible_to(subscription.user).filter(pk=subscription.unit_id).exists():
            reason = _("The unit is no longer in the subscriber's scope.")
        if not reason and (waiting := period_missing_reason(locked.period, units=_subscription_units(subscription))):
            # Not a failure: the month's data of the unit has not arrived; its fetch sends the email.
            locked.status, locked.reason = DeliveryStatus.PENDING, waiting
            locked.save(update_fields=["status", "reason", "updated_at"])
            return "waiting"
        locked.attempts += 1  # holding an email back for its data is no attempt to send it
        if not reason:
            try:
                with translation.override(subscription.language):
                    message, report_count = _message(subscription, locked.period)
                    message.send()
            except Exception as error:  # SMTP and rendering failures are logged on the row and retried
                logger.exception("Unit report delivery %s failed", locked.pk)
                # A mail server's refusal may quote what it was given.
                reason = phone_numbers_mask(f"{type(error).__name__}: {error}")
            else:
                locked.reports = report_count
        locked.status = DeliveryStatus.FAILED if reason else DeliveryStatus.SENT
        locked.reason = reason
        if not reason:
            # Kept when an email sent again on purpose fails: the supervisor has the one sent then.
            locked.sent_at = timezone.now()
        locked.save(update_fields=["attempts", "status", "reason", "reports", "sent_at", "updated_at"])
        return "failed" if reason else "sent"


def _deliver_in_process(delivery_id: int, force: bool) -> str:
    try:
        return _deliver(Delivery(pk=delivery_id), force=force)
    finally:
        connections.close_all()


def _sending_process_start() -> None:
    # When one process dies the pool stops the others with SIGTERM; a handler inherited from the
    # parent (an RQ worker's, where a SimpleWorker runs the job itself) could keep one going, and the
    # run waiting for it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _delivery_stopped(delivery: Delivery, *, force: bool, since: datetime) -> str:
    """The outcome of a delivery whose process died (or was stopped as another died) before reporting one.
    Unless it was sent, or held back for its month's data, it is recorded failed: it is listed with the
    failed ones and running the month again sends it. Waits for the row's lock: PostgreSQL ends a dead
    process's transaction as soon as it notices the connection is gone."""
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status == DeliveryStatus.SENT and locked.sent_at >= since:
            return "sent"  # its process committed, then was stopped before it could say so
        if locked.status == DeliveryStatus.PENDING and locked.reason and locked.updated_at >= since:
            return "waiting"  # its process held it back for the data; the data's arrival sends it
        if locked.status == DeliveryStatus.SENT and not force:
            return "skipped"
        logger.error("Unit report delivery %s failed: a sending process of the run stopped.", locked.pk)
        locked.status = DeliveryStatus.FAILED
        locked.reason = _(
            "Sending was cut short: a sending process of the run stopped (killed, perhaps for lack of memory). "
            "Running the month again sends this email."
        )
        locked.save(update_fields=["status", "reason", "updated_at"])
        return "failed"


def _deliver_all(deliveries: list[Delivery], *, force: bool, processes: int) -> list[str]:
    """The outcome of each delivery, in order. Rendering a PDF is CPU-bound Python, so with several
    `processes` the deliveries are shared among forked processes, each with its own database
    connection; every delivery still takes its own row lock, so nothing is sent twice. Inside a
    transaction (the other processes could not see its rows) they run here, one by one.

    A process that dies (the kernel kills the largest one when memory runs out) breaks the pool at
    once: the deliveries whose outcome no process reported are settled by `_delivery_stopped`, and
    the run goes on to its end. (multiprocessing.Pool waited for the lost result until the job's
    timeout.) A process stopped after the mail server took its email but before its commit leaves the
    delivery failed, and running the month again sends that email a second time."""
    if processes <= 1 or len(deliveries) < 2 or connection.in_atomic_block:
        return [_deliver(delivery, force=force) for delivery in deliveries]
    connections.close_all()  # a forked process must not share the parent's connection
    started = timezone.now()
    with ProcessPoolExecutor(
        min(processes, len(deliveries)),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_sending_process_start,
    ) as executor:
        futures = [executor.submit(_deliver_in_process, delivery.pk, force) for delivery in deliveries]
    outcomes = []
    for delivery, future in zip(deliveries, futures, strict=True):
        try:
            outcomes.append(future.result())
        except BrokenProcessPool:
            outcomes.append(_delivery_stopped(delivery, force=force, since=started))
    return outcomes


def unit_reports_send(
    *,
    period: date,
    unit_code: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    trigger: str = RunTrigger.COMMAND,
    processes: int | None = None,
    waiting_only: bool = False,
    only_deliveries: list[int] | None = None,
) -> SendSummary:
    """Email every active subscription its reports of `period` (optionally only `unit_code`'s), then
    tell the Teams channels of the units delivered, and HR's. A real run is recorded as a DeliveryRun
    with its counts, its notices and the staff time it saved. `processes` (default
    HR_REPORT_PROCESSES) render and send side by side. `waiting_only` sends only the emails an earlier
    run held back for the month's data (not new subscriptions', which wait for the next month);
    `only_deliveries` only the subscriptions of these deliveries (`unit_reports_failed_retry`). A dry run
    counts the emails it would hold back apart."""
    summary = SendSummary(period=period, minutes_per_report=settings.HR_MANUAL_MINUTES_PER_REPORT)
    subscriptions = Subscription.objects.filter(active=True).select_related("unit", "user").order_by("pk")
    if unit_code:
        if not WorkUnit.objects.filter(code=unit_code).exists():
            raise SubscriptionError.of("delivery_unit_unknown", code=unit_code)
        subscriptions = subscriptions.filter(unit__code=unit_code)
    if waiting_only:
        subscriptions = subscriptions.filter(deliveries__in=deliveries_waiting(period=period))
    if only_deliveries is not None:
        subscriptions = subscriptions.filter(deliveries__in=only_deliveries)
    if dry_run:
        for subscription in subscriptions:
            sent = Delivery.objects.filter(subscription=subscription, period=period, status=DeliveryStatus.SENT)
            if force or not sent.exists():
                if period_missing_reason(period, units=_subscription_units(subscription)):
                    summary.waiting += 1
                    continue
                summary.reports += len(subscription.reports)
                summary.emails += 1
        return summary
    summary.run = DeliveryRun.objects.create(
        period=period,
        unit_code=unit_code or "",
        trigger=trigger,
        forced=force,
        minutes_per_report=summary.minutes_per_report,
    )
    deliveries = [
        Delivery.objects.get_or_create(subscription=subscription, period=period)[0] for subscription in subscriptions
    ]
    outcomes = _deliver_all(deliveries, force=force, processes=processes or settings.HR_REPORT_PROCESSES)
    reports = dict(
        Delivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries]).values_list("pk", "reports")
    )
    delivered: dict[int, UnitDelivered] = {}
    for delivery, outcome in zip(deliveries, outcomes, strict=True):
        if outcome == "sent":
            subscription = delivery.subscription
            summary.emails += 1
            summary.reports += reports[delivery.pk]
            unit = delivered.setdefault(subscription.unit_id, UnitDelivered(unit=subscription.unit))
            unit.kinds |= set(subscription.reports)
            unit.emails += 1
        elif outcome == "failed":
            summary.failed += 1
        elif outcome == "waiting":
            summary.waiting += 1
        else:
            summary.skipped += 1
    _run_finish(summary, delivered)
    return summary


def unit_reports_failed_retry(*, period: date) -> SendSummary | None:
    """Send again the emails of `period` that failed (a mail server down, an address missing) and have
    attempts left, those a run whose worker was killed never tried, and those held back whose data has
    arrived since, as a run of their own; None when there are none. Run daily by the cron scheduler, so
    that an outage on the monthly day does not leave the supervisors without their reports, nor a fetch
    whose job Redis refused leave an email waiting."""
    to_retry = _to_retry(period)
    if not to_retry:
        return None
    return unit_reports_send(period=period, trigger=RunTrigger.RETRY, only_deliveries=to_retry)


def _subscription_units(subscription: Subscription):
    return report_units(subscription.unit, include_subunits=subscription.include_subunits)


def _to_retry(period: date) -> list[int]:
    """The deliveries of `period` the daily retry sends: failed with attempts left, never tried, or held
    back and their data here now."""
    # A subscription switched off since is not sent (unit_reports_send): nor is it retried.
    deliveries = Delivery.objects.filter(period=period, subscription__active=True)
    failed = deliveries.filter(status=DeliveryStatus.FAILED, attempts__lt=DELIVERY_ATTEMPTS)
    # Pending without a reason: a run created it and its worker was killed before sending it (a run going
    # on meanwhile, from the command line, holds the row it sends; the one it has not reached yet is sent
    # here and skipped there).
    untried = deliveries.filter(status=DeliveryStatus.PENDING, reason="")
    missing: dict[tuple[int, bool], str] = {}  # asked once per unit however many subscribe to it
    arrived = []
    for delivery in deliveries_waiting(period=period).filter(subscription__active=True):
        subscription = delivery.subscription
        key = (subscription.unit_id, subscription.include_subunits)
        if key not in missing:
            missing[key] = period_missing_reason(period, units=_subscription_units(subscription))
        if not missing[key]:
            arrived.append(delivery.pk)
    return list(failed.values_list("pk", flat=True)) + list(untried.values_list("pk", flat=True)) + arrived


def _run_finish(summary: SendSummary, delivered: dict[int, UnitDelivered]) -> None:
    run = summary.run
    run.reports, run.emails, run.failed, run.skipped = summary.reports, summary.emails, summary.failed, summary.skipped
    run.waiting = summary.waiting
    notices = teams_notices_send(
        period=summary.period,
        delivered=delivered,
        reports=summary.reports,
        hours_saved=run.hours_saved,
        run_link=f"{settings.PUBLIC_BASE_URL}{reverse('hrreports:delivery-run', args=[run.pk])}",
    )
    summary.notices_sent, summary.notices_failed, summary.notice_errors = notices.sent, notices.failed, notices.errors
    run.notices_sent, run.notices_failed, run.notice_errors = notices.sent, notices.failed, notices.errors
    run.finished_at = timezone.now()
    run.save()


def delivery_runs_stale_fail(*, now: datetime | None = None) -> list[int]:
    """End as failed the delivery runs still unfinished HR_RUN_STALE_MINUTES after they started, and
    return their ids: RQ stops the monthly job at its timeout, so the worker was killed before the run
    could record its end. A run thought dead that finishes after all clears the error when it saves."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.HR_RUN_STALE_MINUTES)
    with transaction.atomic():
        failed = list(
            DeliveryRun.objects.select_for_update(skip_locked=True)
            .filter(finished_at__isnull=True, error="", started_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        DeliveryRun.objects.filter(pk__in=failed).update(
            error=WORKER_STOPPED, error_code="run_worker_stopped", error_params={}
        )
    if failed:
        logger.warning("Delivery runs %s failed: their worker stopped before they finished.", failed)
    return failed
