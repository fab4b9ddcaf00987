"""Contact lists for survey managers: upload a data broker's file, choose its phone columns when the
file does not say them plainly, follow the import and read what became of its rows."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django_tables2 import RequestConfig

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.downloads import attachment, file_name
from kuntaportaali.spreadsheets import CSV_CONTENT_TYPE, Column, csv_bytes
from surveys.contact_files import ContactFileLayout
from surveys.contact_forms import ContactFileForm, PhoneColumnsForm
from surveys.errors import SurveyError
from surveys.models import Campaign, ContactImport, ContactImportStatus, ContactNumber
from surveys.services.contacts import (
    IMPORTABLE_STATUSES,
    contact_import_choose_columns,
    contact_import_progress,
    contact_import_upload,
    contact_imports_lost_recover,
)
from surveys.tables import ContactImportProblemTable, ContactImportTable, problem_reason

PROBLEMS_PER_PAGE = 100
manage_surveys = staff_permission_required("surveys.manage_surveys")


@manage_surveys
def campaign_contacts(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    posted = request.method == "POST"
    form = ContactFileForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = contact_import_upload(campaign=campaign, file=upload.file, filename=upload.name, by=request.user)
        except SurveyError as error:
            form.add_error("file", str(error))
        else:
            return redirect("surveys:contact-import", slug=campaign.slug, pk=report.pk)
    imports = ContactImportTable(
        ContactImport.objects.filter(campaign=campaign).select_related("imported_by", "campaign"),
        caption=_("Imported contact files"),
    )
    return render(
        request,
        "surveys/contacts/campaign_contacts.html",
        {
            "campaign": campaign,
            "form": form,
            "imports": imports,
            "takes_contacts": campaign.status in IMPORTABLE_STATUSES,
            "contact_count": campaign.contacts.count(),
            "number_count": ContactNumber.objects.filter(campaign=campaign).count(),
        },
    )


def _import_of(slug: str, pk: int) -> ContactImport:
    return get_object_or_404(
        ContactImport.objects.select_related("campaign", "imported_by"), campaign__slug=slug, pk=pk
    )


@manage_surveys
def contact_import(request, slug: str, pk: int):
    report = _import_of(slug, pk)
    layout = ContactFileLayout.from_json(report.layout) if report.layout else None
    columns_form = None
    if report.status == ContactImportStatus.CHOOSING and layout is not None:
        columns_form = PhoneColumnsForm(request.POST if request.method == "POST" else None, layout=layout)
        if request.method == "POST" and columns_form.is_valid():
            try:
                contact_import_choose_columns(contact_import=report, phone_columns=columns_form.chosen())
            except SurveyError as error:
                columns_form.add_error(None, str(error))
            else:
                return redirect("surveys:contact-import", slug=slug, pk=pk)
    problems = ContactImportProblemTable(report.problems, caption=_("Rows left out as invalid"))
    RequestConfig(request, paginate={"per_page": PROBLEMS_PER_PAGE}).configure(problems)
    return render(
        request,
        "surveys/contacts/import_report.html",
        {
            "report": report,
            "campaign": report.campaign,
            "problems": problems,
            "layout": layout,
            "columns_form": columns_form,
            "progress": contact_import_progress(report),
        },
    )


@manage_surveys
@never_cache
def contact_import_status(request, slug: str, pk: int):
    contact_imports_lost_recover(imports=ContactImport.objects.filter(pk=pk, campaign__slug=slug))
    report = _import_of(slug, pk)
    progress = contact_import_progress(report)
    return JsonResponse(
        {
            "status": report.status,
            "status_label": report.get_status_display(),
            "rows_done": progress.rows_done,
            "progress": progress.percent,
            "finished": report.is_finished,
        }
    )


@manage_surveys
def contact_import_problems_csv(request, slug: str, pk: int):
    report = get_object_or_404(ContactImport, campaign__slug=slug, pk=pk)
    columns = [Column(_("Row")), Column(_("Column")), Column(_("Value")), Column(_("Reason"))]
    rows = (
        [problem["row"], problem.get("column", ""), problem["value"], problem_reason(problem)]
        for problem in report.problems
    )
    name = file_name(
        pgettext("file name", "contact-list"), report.pk, pgettext("file name", "invalid-rows"), extension="csv"
    )
    return attachment(csv_bytes(columns=columns, rows=rows), content_type=CSV_CONTENT_TYPE, filename=name)
