"""A unit report downloaded from its page: rendered as XLSX, CSV or PDF, and recorded in the access log."""

from dataclasses import dataclass

from kuntaportaali.pdf import PDF_CONTENT_TYPE
from kuntaportaali.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

from ..models.access import AccessKind
from ..reports.documents import report_pdf
from ..reports.export import report_file_name, report_sheet
from ..selectors import UnitReportPage
from ..supervisor_home import early_support_cases
from .access import report_access_record

EXPORTS = ("xlsx", "csv", "pdf")


@dataclass(frozen=True)
class ReportDownload:
    body: bytes
    content_type: str
    filename: str


def unit_report_download(*, user, page: UnitReportPage, export: str) -> ReportDownload:
    """The page's report as an `export` file in its chosen columns; the absence report's PDF also has
    `user`'s early-support cases of the report's units."""
    report = page.report
    report_access_record(
        user=user, kind=AccessKind.DOWNLOAD, what=f"{page.kind}.{export}", unit=page.unit, period=report.period
    )
    if export == "pdf":
        cases = early_support_cases(user, units=page.alert_units) if page.kind == "absences" else None
        body = report_pdf(
            page.kind, report, rows=page.rows, columns=page.columns, categories=page.categories, cases=cases
        )
        content_type = PDF_CONTENT_TYPE
    else:
        sheet = report_sheet(page.kind, report, page.rows, page.columns)
        body, content_type = (sheet.xlsx(), XLSX_CONTENT_TYPE) if export == "xlsx" else (sheet.csv(), CSV_CONTENT_TYPE)
    return ReportDownload(body, content_type, report_file_name(page.kind, page.unit, report.period, export))
