"""Subscriptions and the monthly delivery of unit reports by email.

Exactly one email per (subscription, period): the Delivery row is unique per pair, and the sender
holds its row lock (SELECT ... FOR UPDATE SKIP LOCKED) while sending, so a concurrent run skips it
and a later run finds it sent. `force` sends again on purpose.
"""

import logging
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..errors import PopulusError
from ..models import Delivery, Subscription, WorkUnit
from ..models.delivery import DeliveryFormat, DeliveryStatus, ReportKind
from ..models.records import AbsenceCategory
from ..periods import period_label
from ..reports import absence_report, employment_report, period_fetched, report_units, salary_report
from ..reports.export import absence_sheet, employment_sheet, salary_sheet
from ..selectors import alerts_visible_to, units_visible_to

logger = logging.getLogger(__name__)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def subscription_save(
    *,
    user,
    unit: WorkUnit,
    reports: list[str],
    format: str = DeliveryFormat.LINK,
    language: str = "fi",
    categories: list[str] | None = None,
    include_subunits: bool = True,
    active: bool = True,
    subscription: Subscription | None = None,
) -> Subscription:
    """Create or update `user`'s subscription to `unit`; refused when the unit is outside their scope."""
    if not units_visible_to(user).filter(pk=unit.pk).exists():
        raise PopulusError(
            _("%(user)s is not a supervisor of %(unit)s, so cannot subscribe to its reports.")
            % {"user": user.get_username(), "unit": unit}
        )
    unknown = set(reports) - set(ReportKind.values)
    if not reports or unknown:
        raise PopulusError(_("Choose at least one of the reports: absences, salaries, employments."))
    if set(categories or []) - set(AbsenceCategory.values):
        raise PopulusError(_("Unknown absence category."))
    if subscription is None:
        subscription = Subscription.objects.filter(user=user, unit=unit).first() or Subscription(user=user, unit=unit)
    elif Subscription.objects.filter(user=user, unit=unit).exclude(pk=subscription.pk).exists():
        raise PopulusError(_("%(user)s already subscribes to %(unit)s.") % {"user": user.get_username(), "unit": unit})
    subscription.user, subscription.unit = user, unit
    subscription.reports, subscription.format, subscription.language = list(reports), format, language
    subscription.categories, subscription.include_subunits = list(categories or []), include_subunits
    subscription.active = active
    subscription.full_clean()
    subscription.save()
    return subscription


@dataclass
class SendSummary:
    period: date
    reports: int = 0
    emails: int = 0
    failed: int = 0
    skipped: int = 0

    def line(self) -> str:
        return f"period={period_label(self.period)} reports={self.reports} emails={self.emails} failed={self.failed}"


def _portal_link(subscription: Subscription, kind: str, period: date) -> str:
    query = {"period": period_label(period)}
    if subscription.include_subunits:
        query["subunits"] = "on"
    path = reverse("hrreports:unit-report", args=[subscription.unit_id, kind])
    return f"{settings.PUBLIC_BASE_URL}{path}?{urlencode(query)}"


def _message(subscription: Subscription, period: date) -> tuple[EmailMultiAlternatives, int]:
    """The email of one subscription and month, in the subscriber's language. Salary figures appear
    only inside the XLSX attachment, and only when the subscriber chose attachments."""
    unit, sub = subscription.unit, subscription.include_subunits
    categories = set(subscription.categories) or None
    sections, attachments = [], []
    for kind in [value for value in ReportKind.values if value in subscription.reports]:
        section = {"kind": kind, "label": ReportKind(kind).label, "link": _portal_link(subscription, kind, period)}
        if kind == ReportKind.ABSENCES:
            report = absence_report(unit, period, include_subunits=sub, categories=categories)
            section["absences"] = report.current
            sheet = absence_sheet(report)
        elif kind == ReportKind.SALARIES:
            sheet = salary_sheet(salary_report(unit, period, include_subunits=sub))
        else:
            report = employment_report(unit, period, include_subunits=sub)
            section["started"], section["ended"] = len(report.started), len(report.ended)
            sheet = employment_sheet(report)
        if subscription.format == DeliveryFormat.XLSX:
            attachments.append((f"{kind}-{unit.code}-{period_label(period)}.xlsx", sheet.xlsx(), XLSX_MIME))
        sections.append(section)
    open_alerts = alerts_visible_to(
        subscription.user, open_only=True, units=report_units(unit, include_subunits=sub)
    ).count()
    context = {
        "subscription": subscription,
        "unit": unit,
        "period": period_label(period),
        "sections": sections,
        "attached": subscription.format == DeliveryFormat.XLSX,
        "open_alerts": open_alerts,
        "alerts_link": f"{settings.PUBLIC_BASE_URL}{reverse('hrreports:reports')}",
    }
    subject = _("Unit reports %(period)s: %(unit)s") % {"period": period_label(period), "unit": unit}
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
    """Send one delivery under its row lock: 'sent', 'failed', or 'skipped' (sent already, or another
    run holds it)."""
    with transaction.atomic():
        locked = (
            Delivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription__user", "subscription__unit")
            .filter(pk=delivery.pk)
            .first()
        )
        if locked is None or (locked.status == DeliveryStatus.SENT and not force):
            return "skipped"
        subscription = locked.subscription
        locked.attempts += 1
        reason = ""
        if not subscription.user.email:
            reason = _("The subscriber has no email address.")
        elif not units_visible_to(subscription.user).filter(pk=subscription.unit_id).exists():
            reason = _("The unit is no longer in the subscriber's scope.")
        elif not period_fetched(locked.period):
            reason = _("No data has been fetched for this month; nothing was sent.")
        if not reason:
            try:
                with translation.override(subscription.language):
                    message, report_count = _message(subscription, locked.period)
                    message.send()
            except Exception as error:  # SMTP and rendering failures are logged on the row and retried
                logger.exception("Unit report delivery %s failed", locked.pk)
                reason = f"{type(error).__name__}: {error}"
            else:
                locked.reports = report_count
        locked.status = DeliveryStatus.FAILED if reason else DeliveryStatus.SENT
        locked.reason = reason
        locked.sent_at = None if reason else timezone.now()
        locked.save(update_fields=["attempts", "status", "reason", "reports", "sent_at", "updated_at"])
        return "failed" if reason else "sent"


def unit_reports_send(
    *, period: date, unit_code: str | None = None, dry_run: bool = False, force: bool = False
) -> SendSummary:
    """Email every active subscription its reports of `period` (optionally only `unit_code`'s)."""
    summary = SendSummary(period=period)
    subscriptions = Subscription.objects.filter(active=True).select_related("unit", "user").order_by("pk")
    if unit_code:
        if not WorkUnit.objects.filter(code=unit_code).exists():
            raise PopulusError(_("No work unit has the code %(code)s.") % {"code": unit_code})
        subscriptions = subscriptions.filter(unit__code=unit_code)
    for subscription in subscriptions:
        if dry_run:
            sent = Delivery.objects.filter(subscription=subscription, period=period, status=DeliveryStatus.SENT)
            if force or not sent.exists():
                summary.reports += len(subscription.reports)
                summary.emails += 1
            continue
        delivery, _created = Delivery.objects.get_or_create(subscription=subscription, period=period)
        outcome = _deliver(delivery, force=force)
        if outcome == "sent":
            summary.emails += 1
            summary.reports += Delivery.objects.get(pk=delivery.pk).reports
        elif outcome == "failed":
            summary.failed += 1
        else:
            summary.skipped += 1
    return summary
