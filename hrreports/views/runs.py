from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.downloads import attachment, file_name
from kuntaportaali.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

from ..forms import FetchForm
from ..jobs import fetch_run_enqueue
from ..models import FetchRun
from ..models.fetching import ReportType, RunStatus
from ..periods import period_last_full
from ..reports.export import rejected_rows_sheet
from ..selectors import fetch_runs_recent
from ..tables import FetchRunTable, RejectedRowTable, StoredRowCountTable
from .home import MANAGE_HR


@staff_permission_required(MANAGE_HR)
def runs(request):
    table = FetchRunTable(fetch_runs_recent(limit=200), caption=_("Fetch runs, newest first"))
    table.paginate(page=request.GET.get("page", 1), per_page=25)
    form = FetchForm(initial={"period": period_last_full(timezone.localdate())})
    return render(request, "hrreports/runs.html", {"table": table, "form": form})


@staff_permission_required(MANAGE_HR)
@require_http_methods(["POST"])
def run_create(request):
    form = FetchForm(request.POST)
    if not form.is_valid():
        table = FetchRunTable(fetch_runs_recent(limit=200), caption=_("Fetch runs, newest first"))
        table.paginate(page=1, per_page=25)
        return render(request, "hrreports/runs.html", {"table": table, "form": form}, status=400)
    run = fetch_run_enqueue(source=form.cleaned_data["source"], period=form.cleaned_data["period"], by=request.user)
    run.refresh_from_db(fields=["status", "error", "error_code", "error_params"])
    if run.status == RunStatus.FAILED:
        messages.error(request, run.error_message)
    else:
        messages.success(request, _("The fetch was started. This page follows its progress."))
    return redirect("hrreports:run-detail", pk=run.pk)


def stage_label(stage: str) -> str:
    """The run's current stage ("starting", "fetching <report>", "storing") in the reader's language."""
    if stage.startswith("fetching "):
        report = stage.removeprefix("fetching ")
        label = ReportType(report).label if report in ReportType.values else report
        return _("Fetching: %(report)s") % {"report": label}
    return {"starting": _("Starting"), "storing": _("Storing the rows")}.get(stage, stage)


@staff_permission_required(MANAGE_HR)
def run_detail(request, pk: int):
    run = get_object_or_404(FetchRun.objects.select_related("source", "created_by"), pk=pk)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        sheet = rejected_rows_sheet(run)
        body, content_type = (sheet.xlsx(), XLSX_CONTENT_TYPE) if export == "xlsx" else (sheet.csv(), CSV_CONTENT_TYPE)
        name = file_name(pgettext("file name", "rejected-rows"), pgettext("file name", "run"), run.pk, extension=export)
        return attachment(body, content_type=content_type, filename=name)
    table = RejectedRowTable(run.rejected_rows.all(), caption=_("Rejected rows"))
    table.paginate(page=request.GET.get("page", 1), per_page=50)
    counts = [(label, run.counts[value]) for value, label in ReportType.choices if value in run.counts]
    context = {
        "run": run,
        "table": table,
        "counts": StoredRowCountTable(counts, caption=_("Rows stored per report")),
        "stage": stage_label(run.stage),
        "error": run.error_message,
    }
    return render(request, "hrreports/run_detail.html", context)


@never_cache
@staff_permission_required(MANAGE_HR)
def run_status(request, pk: int):
    run = get_object_or_404(FetchRun, pk=pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "stage": stage_label(run.stage),
            "finished": run.is_finished,
        }
    )
