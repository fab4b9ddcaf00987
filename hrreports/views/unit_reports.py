"""My reports: a supervisor's units, and each unit's three monthly reports as tables, charts and
downloads. Every unit is looked up through the scope selector; anything else is 404 and logged."""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tables2 import RequestConfig

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

from .. import charts
from ..models import AbsenceType, SalaryType
from ..models.access import AccessKind
from ..models.records import EmploymentKind
from ..periods import period_label, period_last_full, period_shift
from ..report_forms import ReportOptionsForm
from ..report_tables import AbsenceTable, EmploymentTable, SalaryTable
from ..reports import absence_report, absence_summary, employment_report, report_units, salary_report
from ..reports.export import absence_sheet, employment_rows, employment_sheet, salary_sheet
from ..selectors import report_periods, unit_visible_or_none, units_visible_to
from ..services.access import report_access_record

VIEW_REPORTS = "hrreports.view_unit_reports"
PER_PAGE = 25
CHART_MONTHS = 12
REPORT_KINDS = {
    "absences": gettext_lazy("Absences"),
    "salaries": gettext_lazy("Paid salaries"),
    "employments": gettext_lazy("Employments started and ended"),
}


@dataclass(frozen=True)
class EmploymentEvent:
    """An employments-report row with its event (started / ended), for the table."""

    event: str
    employee_name: str
    unit_code: str
    title: str
    kind: str
    kind_label: str
    start: object
    end: object


def _type_choices(kind: str) -> list[tuple[str, str]]:
    if kind == "absences":
        return [(t.code, f"{t.code} {t.name}") for t in AbsenceType.objects.all()]
    if kind == "salaries":
        return [(t.code, f"{t.code} {t.name}") for t in SalaryType.objects.all()]
    return list(EmploymentKind.choices)


def _unit_or_404(request, pk: int, *, what: str):
    unit = unit_visible_or_none(request.user, pk)
    if unit is None:
        report_access_record(user=request.user, kind=AccessKind.DENIED, what=what, unit_ref=str(pk))
        raise Http404(_("No such work unit in your reports."))
    return unit


@staff_permission_required(VIEW_REPORTS)
def reports(request):
    """The units in the user's scope, each with links to its reports of the last full month."""
    latest = period_last_full(timezone.localdate())
    units = units_visible_to(request.user).order_by("path")[:500]
    return render(
        request,
        "hrreports/reports.html",
        {"units": units, "period": period_label(latest), "kinds": list(REPORT_KINDS.items())},
    )


def _filtered(rows, *, employee: str, type_code: str, type_attr: str):
    if employee:
        rows = [row for row in rows if employee.casefold() in row.employee_name.casefold()]
    if type_code:
        rows = [row for row in rows if getattr(row, type_attr) == type_code]
    return rows


def _absence_charts(unit, period, include_subunits):
    months = [period_shift(period, -offset) for offset in reversed(range(CHART_MONTHS))]
    summaries = [absence_summary(unit, month, include_subunits=include_subunits) for month in months]
    labels = [f"{month.month}/{month.year % 100:02d}" for month in months]
    days = charts.bar_chart(
        chart_id="chart-absence-days",
        title=_("Absence working days by month"),
        description=_("Working days of all absences in each of the last 12 months; the table below has the figures."),
        points=[(label, s.working_days) for label, s in zip(labels, summaries, strict=True)],
    )
    rate = charts.line_chart(
        chart_id="chart-sick-rate",
        title=_("Sick-leave rate by month (%)"),
        description=_("Sick-leave working days per planned working days; the table below has the figures."),
        points=[(label, s.sick_rate) for label, s in zip(labels, summaries, strict=True)],
    )
    return {"days": days, "rate": rate, "rows": list(zip(months, summaries, strict=True))}


@staff_permission_required(VIEW_REPORTS)
def unit_report(request, pk: int, kind: str):
    if kind not in REPORT_KINDS:
        raise Http404
    unit = _unit_or_404(request, pk, what=kind)
    latest = period_last_full(timezone.localdate())
    periods = report_periods(latest=latest)
    data = request.GET.copy()
    data.setdefault("period", period_label(latest))
    form = ReportOptionsForm(data, periods=periods, types=_type_choices(kind))
    if not form.is_valid():
        raise Http404(_("No such month in the reports."))
    options = form.cleaned_data
    period, include_subunits = options["period"], options["subunits"]
    employee, type_code = options["employee"].strip(), options["type"]
    context = {
        "alert_units": report_units(unit, include_subunits=include_subunits),
        "unit": unit,
        "kind": kind,
        "kind_label": REPORT_KINDS[kind],
        "form": form,
        "period": period,
    }
    if kind == "absences":
        report = absence_report(unit, period, include_subunits=include_subunits)
        rows = _filtered(report.rows, employee=employee, type_code=type_code, type_attr="type_code")
        sheet = absence_sheet(report, rows)
        table = AbsenceTable(rows, caption=_("Absences per employee and type"))
        context["charts"] = _absence_charts(unit, period, include_subunits)
    elif kind == "salaries":
        report = salary_report(unit, period, include_subunits=include_subunits)
        rows = _filtered(report.rows, employee=employee, type_code=type_code, type_attr="type_code")
        sheet = salary_sheet(report, rows)
        table = SalaryTable(rows, caption=_("Paid salaries per employee and salary type"))
    else:
        report = employment_report(unit, period, include_subunits=include_subunits)
        events = [
            (event, row)
            for event, row in employment_rows(report)
            if (not employee or employee.casefold() in row.employee_name.casefold())
            and (not type_code or row.kind == type_code)
        ]
        sheet = employment_sheet(report, events)
        rows = [
            EmploymentEvent(event, r.employee_name, r.unit_code, r.title, r.kind, r.kind_label, r.start, r.end)
            for event, r in events
        ]
        table = EmploymentTable(rows, caption=_("Employments started and ended"))
    export = request.GET.get("export")
    if export in ("xlsx", "csv"):
        report_access_record(
            user=request.user, kind=AccessKind.DOWNLOAD, what=f"{kind}.{export}", unit=unit, period=period
        )
        body, content_type = (sheet.xlsx(), XLSX_CONTENT_TYPE) if export == "xlsx" else (sheet.csv(), CSV_CONTENT_TYPE)
        response = HttpResponse(body, content_type=content_type)
        filename = f"{kind}-{unit.code}-{period_label(period)}.{export}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    report_access_record(user=request.user, kind=AccessKind.VIEW, what=kind, unit=unit, period=period)
    query = request.GET.copy()
    query.pop("page", None)
    downloads = {}
    for export_format in ("xlsx", "csv"):
        query["export"] = export_format
        downloads[export_format] = "?" + query.urlencode()
    context |= {"report": report, "table": table, "kinds": list(REPORT_KINDS.items()), "downloads": downloads}
    return render(request, "hrreports/unit_report.html", context)
