from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.forms import service_error_add

from ..errors import PopulusError
from ..forms import ColumnMapForm, ExportFileForm, SourceForm
from ..models import Source
from ..models.fetching import ReportType
from ..periods import period_last_full
from ..selectors import sources_with_latest_run
from ..services.preview import Preview, source_file_preview
from ..services.sources import source_columns_set, source_file_store, source_save
from ..sources.files import FileOptions
from ..tables import ColumnMapTable, PreviewRejectionTable, PreviewRowTable, SourceTable
from .home import MANAGE_HR


@staff_permission_required(MANAGE_HR)
def sources(request):
    table = SourceTable(sources_with_latest_run(), caption=_("Configured sources"))
    return render(request, "hrreports/sources.html", {"table": table})


@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def source_edit(request, pk: int | None = None):
    source = get_object_or_404(Source, pk=pk) if pk else None
    form = SourceForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = source_save(
                source=source, name=data["name"], kind=data["kind"], active=data["active"], settings=form.settings()
            )
        except PopulusError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The source %(name)s was saved.") % {"name": saved.name})
            return redirect("hrreports:source-edit", pk=saved.pk)
    if form.errors and form.data.get("token"):
        # The token field comes back empty; saved so, the source would have no token (or keep the old one).
        form.add_error("token", _("Type the access token again: a token is never sent back to the browser."))
    context = {"form": form, "source": source, "report_types": ReportType.choices}
    if source is not None and source.kind == "files":
        options = FileOptions.from_config(source.config)
        context["column_maps"] = [
            ColumnMapTable(options.column_map(value), source=source, report_type=value, label=label)
            for value, label in ReportType.choices
        ]
    return render(request, "hrreports/source_form.html", context)


@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def source_columns(request, pk: int, report_type: str):
    source = get_object_or_404(Source, pk=pk, kind="files")
    if report_type not in ReportType.values:
        return redirect("hrreports:source-edit", pk=source.pk)
    current = FileOptions.from_config(source.config).column_map(report_type)
    form = ColumnMapForm(request.POST or None, report_type=report_type, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            source_columns_set(source=source, report_type=report_type, columns=form.cleaned_data)
        except PopulusError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The column map was saved."))
            return redirect("hrreports:source-edit", pk=source.pk)
    report_label = ReportType(report_type).label
    return render(
        request, "hrreports/source_columns.html", {"form": form, "source": source, "report_label": report_label}
    )


@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def source_preview(request, pk: int):
    source = get_object_or_404(Source, pk=pk, kind="files")
    initial = {"period": period_last_full(timezone.localdate())}
    form = ExportFileForm(request.POST or None, request.FILES or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = source_file_preview(
            source=source,
            report_type=form.cleaned_data["report_type"],
            period=form.cleaned_data["period"],
            filename=upload.name,
            data=upload.read(),
        )
    context = {"form": form, "source": source, "preview": preview}
    if preview is not None and preview.error is None:
        context |= _preview_tables(preview)
    return render(request, "hrreports/source_preview.html", context)


def _preview_tables(preview: Preview) -> dict:
    shown = len(preview.rejected)
    if shown < preview.rejected_rows:
        rejected_caption = _("Rows that would be rejected (the first %(shown)s reasons)") % {"shown": shown}
    else:
        rejected_caption = _("Rows that would be rejected")
    return {
        "rows_table": PreviewRowTable(
            preview.rows,
            columns=preview.columns,
            caption=_("How the first rows that would be stored map"),
            caption_attrs={"id": "preview-caption"},
        ),
        "rejected_table": PreviewRejectionTable(
            preview.rejected, caption=rejected_caption, caption_attrs={"id": "rejected-caption"}
        ),
    }


@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def source_upload(request, pk: int):
    source = get_object_or_404(Source, pk=pk, kind="files")
    form = ExportFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            path = source_file_store(
                source=source,
                report_type=form.cleaned_data["report_type"],
                period=form.cleaned_data["period"],
                filename=upload.name,
                data=upload.read(),
            )
        except PopulusError as error:
            service_error_add(form, error)
        else:
            messages.success(
                request, _("The file was saved as %(name)s. Start a fetch to read it.") % {"name": path.name}
            )
            return redirect("hrreports:source-edit", pk=source.pk)
    return render(request, "hrreports/source_upload.html", {"form": form, "source": source})
