"""My reports: the supervisor's home (the month at a glance, open early-support cases, the units), and
each unit's three monthly reports as tables, charts and downloads. Every unit is looked up through the
scope selector; anything else is 404 and logged."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tables2 import RequestConfig

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.downloads import attachment

from .. import charts
from ..models.access import AccessKind
from ..periods import period_label, period_last_full
from ..report_forms import SUBUNITS_INCLUDED, SUBUNITS_LEFT_OUT, AcknowledgeForm, ReportOptionsForm
from ..report_tables import REPORT_TABLES, SalaryTypeTotalTable, UnitReportLinksTable
from ..reports.columns import column_keys, columns_chosen
from ..selectors import (
    report_periods,
    report_type_choices,
    report_type_languages,
    subscription_of,
    unit_report_absence_trend,
    unit_report_page,
    unit_visible_or_none,
    units_visible_to,
)
from ..services.access import report_access_record
from ..services.unit_reports import EXPORTS, unit_report_download
from ..supervisor_home import early_support_cases, month_at_glance

VIEW_REPORTS = "hrreports.view_unit_reports"
PER_PAGE = 25
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
    return supervisor_home(request)


def supervisor_home(request, *, refused: AcknowledgeForm | None = None):
    """The home; with `refused`, a case's "discussed" form that did not validate, shown in its case as it was
    filled in, opening with the summary of its errors (status 400)."""
    today = timezone.localdate()
    glance = month_at_glance(request.user, today=today)
    cases = early_support_cases(request.user, today=today)
    if cases.open or cases.earlier:
        report_access_record(user=request.user, kind=AccessKind.VIEW, what="alerts")
    here = request.get_full_path() if refused is None else reverse("hrreports:reports")
    open_cases = [
        (
            case,
            refused
            if refused is not None and refused.prefix == f"alert-{case.next_step.pk}"
            else AcknowledgeForm(prefix=f"alert-{case.next_step.pk}", initial={"action_date": today, "next": here}),
        )
        for case in cases.open
    ]
    period = glance.period if glance else period_last_full(today)
    context = {
        "glance": glance,
        "chart": charts.sick_rate_chart(glance.trend, chart_id="chart-home-sick-rate") if glance else None,
        "open_cases": open_cases,
        "earlier_cases": cases.earlier,
        "units_table": UnitReportLinksTable(
            units_visible_to(request.user).order_by("path")[:500],
            period=period,
            kinds=list(REPORT_KINDS.items()),
            caption=_("Your units – reports of %(month)s") % {"month": date_format(period, "YEAR_MONTH_FORMAT")},
        ),
    }
    return render(request, "hrreports/reports.html", context, status=400 if refused is not None else 200)


def _tailoring_defaults(data, *, user, unit, kind: str) -> None:
    """A page opened without its own choice shows the columns (and absence categories) of the user's
    subscription to the unit, if any: the same tailoring as the emailed report. Sub-units are
    included as a subscription includes them, by default."""
    subscription = subscription_of(user=user, unit=unit)
    if "subunits" not in data:
        included = subscription.include_subunits if subscription else True
        data["subunits"] = SUBUNITS_INCLUDED if included else SUBUNITS_LEFT_OUT
    if "columns" not in data:
        chosen = subscription.columns.get(kind) if subscription else None
        data.setlist("columns", chosen or column_keys(kind))
    if kind == "absences" and "categories" not in data and subscription and subscription.categories:
        data.setlist("categories", subscription.categories)


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
        types=report_type_choices(kind),
        type_languages=report_type_languages(kind),
        has_subunits=unit.children.exists(),
    )
    if not form.is_valid():
        raise Http404(_("No such month in the reports."))
    options = form.cleaned_data
    page = unit_report_page(
        unit=unit,
        kind=kind,
        period=options["period"],
        include_subunits=form.include_subunits,
        columns=options["columns"],
        categories=options.get("categories") or [],
        employee=options["employee"].strip(),
        type_code=options["type"],
    )
    export = request.GET.get("export")
    if export in EXPORTS:
        download = unit_report_download(user=request.user, page=page, export=export)
        return attachment(download.body, content_type=download.content_type, filename=download.filename)
    shown = {column.key for column in columns_chosen(kind, page.columns)}
    table = REPORT_TABLES[kind](
        page.rows, caption=TABLE_CAPTIONS[kind], exclude=[key for key in column_keys(kind) if key not in shown]
    )
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    report_access_record(user=request.user, kind=AccessKind.VIEW, what=kind, unit=unit, period=page.period)
    query = data.copy()
    query.pop("page", None)
    downloads = {}
    for export_format in EXPORTS:
        query["export"] = export_format
        downloads[export_format] = "?" + query.urlencode()
    context = {
        "alert_units": page.alert_units,
        "unit": unit,
        "kind": kind,
        "kind_label": REPORT_KINDS[kind],
        "form": form,
        "period": page.period,
        "report": page.report,
        "missing_reason": page.missing_reason,
        "table": table,
        "kinds": list(REPORT_KINDS.items()),
        "downloads": downloads,
    }
    if kind == "absences":
        context["charts"] = charts.absence_charts(unit_report_absence_trend(page))
    if kind == "salaries":
        context["totals_table"] = SalaryTypeTotalTable(
            page.report, caption=_("Paid salaries per type, compared with the previous month")
        )
    return render(request, "hrreports/unit_report.html", context)
