"""The three monthly reports of a work unit: absences, paid salaries, employments started and ended.

Pure reads: each takes (unit, period, include_subunits) and returns plain dataclasses, so pages,
spreadsheets and emails render the same figures. Scoping (who may ask for which unit) is the
caller's job, through `hrreports.selectors.units_visible_to`.
"""

from .absences import (
    TREND_MONTHS,
    AbsenceReport,
    AbsenceRow,
    AbsenceSummary,
    absence_report,
    absence_summaries,
    absence_summary,
    absence_trend,
)
from .common import period_fetched, period_missing_reason, report_units
from .employments import (
    EmploymentEvent,
    EmploymentReport,
    EmploymentRow,
    employment_events,
    employment_report,
    employments_started_ended,
)
from .salaries import SalaryReport, SalaryRow, SalaryTypeTotal, salary_report, salary_total

__all__ = [
    "TREND_MONTHS",
    "AbsenceReport",
    "AbsenceRow",
    "AbsenceSummary",
    "EmploymentEvent",
    "EmploymentReport",
    "EmploymentRow",
    "SalaryReport",
    "SalaryRow",
    "SalaryTypeTotal",
    "absence_report",
    "absence_summaries",
    "absence_summary",
    "absence_trend",
    "employment_events",
    "employment_report",
    "employments_started_ended",
    "period_fetched",
    "period_missing_reason",
    "report_units",
    "salary_report",
    "salary_total",
]
