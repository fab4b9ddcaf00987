"""My reports: the supervisor's home (the month at a glance, open early-support cases, the units), and
each unit's three monthly reports as tables, charts and downloads. Every unit is looked up through the
scope selector; anything else is 404 and logged."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tables2 import RequestConfig

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.downloads import attachment
from kuntaportaali.pdf import PDF_CONTENT_TYPE
from kuntaportaali.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

from .. import charts
from ..models import AbsenceType, SalaryType, Subscription
from ..models.access import AccessKind
from ..models.records import EmploymentKind
from ..periods import period_label, period_last_full
from ..report_forms import SUBUNITS_INCLUDED, SUBUNITS_LEFT_OUT, AcknowledgeForm, ReportOptionsForm
from ..report_tables import REPORT_TABLES
from ..reports import absence_trend, report_units
from ..reports.columns import column_keys, columns_chosen
from ..reports.documents import report_build, report_pdf, report_rows, report_sheet
from ..reports.export import report_file_name
from ..selectors import report_periods, unit_visible_or_none, units_visible_to
from ..services.access import report_access_record
from ..supervisor_home import early_support_cases, month_at_glance

VIEW_REPORTS = "hrreports.view_unit_reports"
PER_PAGE = 25
EXPORTS = ("xlsx", "csv", "pdf")
REPORT_KINDS = {
    "absences": gettext_lazy("Absences"),
    "salaries": gettext_lazy("Paid salaries"),
    "employments": gettext_lazy("Employments started and ended"),
}
TABLE_CAPTIONS = {
    "absences": gettext_lazy("Absences per employee and type"),
    "salaries": gettext_lazy("Paid salaries per employee and salary type"),
    "employments": gettext_lazy("Employments started and ended"),
}
# The attribute each report's "type" filter compares with.
TYPE_ATTRIBUTES = {"absences": "type_code", "salaries": "type_code", "employments": "kind"}


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
    """The supervisor's home: the month at a glance over the user's units, their open early-support
    cases one per person, then each unit's reports."""
    today = timezone.localdate()
    glance = month_at_glance(request.user, today=today)
    cases = early_support_cases(request.user, today=today)
    if cases.open or cases.earlier:
        report_access_record(user=request.user, kind=AccessKind.VIEW, what="alerts")
    here = request.get_full_path()
    open_cases = [
        (case, AcknowledgeForm(prefix=f"alert-{case.next_step.pk}", initial={"action_date": today, "next": here}))
        for case in cases.open
    ]
    period = glance.period if glance else period_last_full(today)
    units = units_visible_to(request.user).order_by("path")[:500]
    context = {
        "glance": glance,
        "chart": charts.sick_rate_chart(glance.trend, chart_id="chart-home-sick-rate") if glance else None,
        "open_cases": open_cases,
        "earlier_cases": cases.earlier,
        "units": units,
        "period": period,
        "kinds": list(REPORT_KINDS.items()),
    }
    return render(request, "hrreports/reports.html", context)


def _tailoring_defaults(data, *, user, unit, kind: str) -> None:
    """A page opened without its own choice shows the columns (and absence categories) of the user's
    subscription to the unit, if any: the same tailoring as the emailed report. Sub-units are
    included as a subscription includes them, by default."""
    subscription = Subscription.objects.filter(user=user, unit=unit).first()
    if "subunits" not in data:
        included = subscription.include_subunits if subscription else True
        data["subunits"] = SUBUNITS_INCLUDED if included else SUBUNITS_LEFT_OUT
    if "columns" not in data:
        chosen = subscription.columns.get(kind) if subscription else None
        data.setlist("columns", chosen or column_keys(kind))
    if kind == "absences" and "categories" not in data and subscription and subscription.categories:
        data.setlist("categories", subscription.categories)


def _filtered(rows, *, employee: str, type_code: str, type_attr: str):
    if employee:
        rows = [row for row in rows if employee.casefold() in row.employee_name.casefold()]
    if type_code:
        rows = [row for row in rows if getattr(row, type_attr) == type_code]
    return rows


def _download(request, *, kind, export, unit, report, rows, columns, categories, include_subunits):
    report_access_record(
        user=request.user, kind=AccessKind.DOWNLOAD, what=f"{kind}.{export}", unit=unit, period=report.period
    )
    if export == "pdf":
        cases = None
        if kind == "absences":
            units = report_units(unit, include_subunits=include_subunits)
            cases = early_support_cases(request.user, units=units)
        body = report_pdf(kind, report, rows=rows, columns=columns, categories=categories, cases=cases)
        content_type = PDF_CONTENT_TYPE
    else:
        sheet = report_sheet(kind, report, rows, columns)
        body, content_type = (sheet.xlsx(), XLSX_CONTENT_TYPE) if export == "xlsx" else (sheet.csv(), CSV_CONTENT_TYPE)
    return attachment(body, content_type=content_type, filename=report_file_name(kind, unit, report.period, export))


@staff_permission_required(VIEW_REPORTS)
def unit_report(request, pk: int, kind: str):
    if kind not in REPORT_KINDS:
        raise Http404
    unit = _unit_or_404(request, pk, what=kind)
    latest = period_last_full(timezone.localdate())
    data = request.GET.copy()
    data.setdefault("period", period_label(latest))
    _tailoring_defaults(data, user=request.user, unit=unit, kind=kind)
    form = ReportOptionsForm(
        data,
        kind=kind,
        periods=report_periods(latest=latest),
        types=_type_choices(kind),
        has_subunits=unit.children.exists(),
    )
    if not form.is_valid():
        raise Http404(_("No such month in the reports."))
    options = form.cleaned_data
    period, include_subunits = options["period"], form.include_subunits
    columns, categories = options["columns"], options.get("categories") or []
    report = report_build(kind, unit, period, include_subunits=include_subunits, categories=set(categories) or None)
    rows = _filtered(
        report_rows(kind, report),
        employee=options["employee"].strip(),
        type_code=options["type"],
        type_attr=TYPE_ATTRIBUTES[kind],
    )
    export = request.GET.get("export")
    if export in EXPORTS:
        return _download(
            request,
            kind=kind,
            export=export,
            unit=unit,
            report=report,
            rows=rows,
            columns=columns,
            categories=categories,
            include_subunits=include_subunits,
        )
    shown = {column.key for column in columns_chosen(kind, columns)}
    table = REPORT_TABLES[kind](
        rows, caption=TABLE_CAPTIONS[kind], exclude=[key for key in column_keys(kind) if key not in shown]
    )
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    report_access_record(user=request.user, kind=AccessKind.VIEW, what=kind, unit=unit, period=period)
    query = data.copy()
    query.pop("page", None)
    downloads = {}
    for export_format in EXPORTS:
        query["export"] = export_format
        downloads[export_format] = "?" + query.urlencode()
    context = {
        "alert_units": report_units(unit, include_subunits=include_subunits),
        "unit": unit,
        "kind": kind,
        "kind_label": REPORT_KINDS[kind],
        "form": form,
        "period": period,
        "report": report,
        "table": table,
        "kinds": list(REPORT_KINDS.items()),
        "downloads": downloads,
    }
    if kind == "absences":
        trend = absence_trend(unit, period, include_subunits=include_subunits, categories=set(categories) or None)
        context["charts"] = charts.absence_charts(trend)
    return render(request, "hrreports/unit_report.html", context)
