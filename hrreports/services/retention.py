"""Retention of the HR data copied from Populus: personal data - sick leave is health data - is kept
only as long as the reports and early-support rules use it (HR_DATA_RETENTION_MONTHS), and the
access log for HR_ACCESS_LOG_RETENTION_MONTHS. Populus stays the system of record."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ..models import (
    Absence,
    AbsenceDeletion,
    Alert,
    Employee,
    Employment,
    EmploymentMonth,
    RejectedRow,
    ReportAccess,
    SalaryPayment,
)
from ..periods import period_shift
from .store import stores_lock

# The order of the counts in the summary line.
PURGED_KINDS = (
    "absences",
    "salaries",
    "employments",
    "employees",
    "alerts",
    "rejected_rows",
    "access_log",
    "employment_months",
    "absence_deletions",
)


@dataclass
class HrPurgeReport:
    """What one purge removed, per kind of record, and the first days kept."""

    cutoff: date
    access_log_cutoff: date
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PURGED_KINDS, 0))

    def summary_line(self) -> str:
        return "hr_purged " + " ".join(f"{kind}={self.removed[kind]}" for kind in PURGED_KINDS)

    def lines(self) -> list[str]:
        """What `manage.py purge_hr_data` prints: the first days kept, then the summary line."""
        return [f"kept: HR records from {self.cutoff}, access log from {self.access_log_cutoff}", self.summary_line()]


def retention_cutoff(*, today: date, months: int) -> date:
    """The first day kept: the first day of the month `months` months before `today`'s month."""
    return period_shift(today.replace(day=1), -months)


def _delete(queryset: QuerySet) -> int:
    """Delete the rows and return how many of the queryset's own model went (not cascaded ones)."""
    _total, per_model = queryset.delete()
    return per_model.get(queryset.model._meta.label, 0)


def hr_data_purge(*, today: date) -> HrPurgeReport:
    """Delete, in one transaction, the HR records that ended before the retention cutoff and the
    access-log entries older than theirs. Running it again removes nothing more.

    A record whose period or end falls in the cutoff month or later is kept, and so is what it hangs
    on: an employment with an absence or payment still kept, an employee with an employment or alert.
    """
    report = HrPurgeReport(
        cutoff=retention_cutoff(today=today, months=settings.HR_DATA_RETENTION_MONTHS),
        access_log_cutoff=retention_cutoff(today=today, months=settings.HR_ACCESS_LOG_RETENTION_MONTHS),
    )
    cutoff, removed = report.cutoff, report.removed
    with transaction.atomic():
        # Waiting for the stores' lock keeps the purge from deleting an employee or employment that a
        # fetch is giving new rows at the same moment.
        stores_lock()
        # The supervisor's action note is a field of the alert, so it goes with it.
        removed["alerts"] = _delete(Alert.objects.filter(period__lt=cutoff))
        removed["absences"] = _delete(Absence.objects.filter(end__lt=cutoff))
        removed["absence_deletions"] = _delete(AbsenceDeletion.objects.filter(end__lt=cutoff))
        removed["salaries"] = _delete(SalaryPayment.objects.filter(pay_period__lt=cutoff))
        removed["employment_months"] = _delete(EmploymentMonth.objects.filter(period__lt=cutoff))
        # Deleting an employment would cascade to its absences and payments: only those left empty go.
        removed["employments"] = _delete(
            Employment.objects.filter(end__lt=cutoff)
            .exclude(Exists(Absence.objects.filter(employment=OuterRef("pk"))))
            .exclude(Exists(AbsenceDeletion.objects.filter(employment=OuterRef("pk"))))
            .exclude(Exists(SalaryPayment.objects.filter(employment=OuterRef("pk"))))
        )
        removed["employees"] = _delete(
            Employee.objects.exclude(Exists(Employment.objects.filter(employee=OuterRef("pk")))).exclude(
                Exists(Alert.objects.filter(employee=OuterRef("pk")))
            )
        )
        # The rejected rows quote cell values (names, dates of absence); the run and its counts stay.
        removed["rejected_rows"] = _delete(RejectedRow.objects.filter(run__period__lt=cutoff))
        log_cutoff = timezone.make_aware(datetime.combine(report.access_log_cutoff, time.min))
        removed["access_log"] = _delete(ReportAccess.objects.filter(created_at__lt=log_cutoff))
    return report
