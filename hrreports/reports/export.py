"""Each report as one sheet of columns and rows: the XLSX and CSV downloads and email attachments
render from here (kuntaportaali.spreadsheets does the typing, formats, frozen header and autofilter)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from kuntaportaali.spreadsheets import Column, csv_bytes, xlsx_bytes

from ..periods import period_label
from .absences import AbsenceReport
from .employments import EmploymentReport
from .salaries import SalaryReport

DAYS = "0"
MONEY = "#,##0.00"


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: list[Column]
    rows: list[list]

    def xlsx(self) -> bytes:
        return xlsx_bytes(title=self.title, columns=self.columns, rows=self.rows)

    def csv(self) -> bytes:
        return csv_bytes(columns=self.columns, rows=self.rows)


def absence_sheet(report: AbsenceReport, rows=None) -> Sheet:
    columns = [
        Column(_("Employee"), 28),
        Column(_("Unit"), 10),
        Column(_("Absence type code"), 10),
        Column(_("Absence type"), 32),
        Column(_("Spells"), 10, DAYS),
        Column(_("Calendar days"), 12, DAYS),
        Column(_("Working days"), 12, DAYS),
    ]
    data = [
        [r.employee_name, r.unit_code, r.type_code, r.type_name, r.spells, r.calendar_days, r.working_days]
        for r in (report.rows if rows is None else rows)
    ]
    return Sheet(_("Absences %(period)s") % {"period": period_label(report.period)}, columns, data)


def salary_sheet(report: SalaryReport, rows=None) -> Sheet:
    columns = [
        Column(_("Employee"), 28),
        Column(_("Unit"), 10),
        Column(_("Salary type code"), 10),
        Column(_("Salary type"), 32),
        Column(_("Amount (EUR)"), 14, MONEY),
    ]
    data = [
        [row.employee_name, row.unit_code, row.type_code, row.type_name, row.amount]
        for row in (report.rows if rows is None else rows)
    ]
    return Sheet(_("Salaries %(period)s") % {"period": period_label(report.period)}, columns, data)


def employment_sheet(report: EmploymentReport, rows=None) -> Sheet:
    columns = [
        Column(_("Event"), 12),
        Column(_("Employee"), 28),
        Column(_("Employment id"), 14),
        Column(_("Unit"), 10),
        Column(_("Title"), 28),
        Column(_("Kind"), 14),
        Column(_("Start"), 12),
        Column(_("End"), 12),
    ]
    if rows is None:
        rows = employment_rows(report)
    data = [
        [event, row.employee_name, row.employment_id, row.unit_code, row.title, row.kind_label, row.start, row.end]
        for event, row in rows
    ]
    return Sheet(_("Employments %(period)s") % {"period": period_label(report.period)}, columns, data)


def employment_rows(report: EmploymentReport) -> list[tuple[str, object]]:
    """(event label, row) for every started and every ended employment, started first."""
    return [(_("Started"), row) for row in report.started] + [(_("Ended"), row) for row in report.ended]
