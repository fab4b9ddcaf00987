"""Contact lists for survey managers: upload a data broker's file, read what became of its rows."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.spreadsheets import CSV_CONTENT_TYPE, Column, csv_bytes
from surveys.contact_forms import ContactFileForm
from surveys.errors import SurveyError
from surveys.models import Campaign, ContactImport
from surveys.services.contacts import IMPORTABLE_STATUSES, contacts_import
from surveys.tables import ContactImportProblemTable, ContactImportTable

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
            report = contacts_import(
                campaign=campaign,
                data=upload.read(settings.CONTACT_FILE_MAX_BYTES + 1),
                filename=upload.name,
                by=request.user,
            )
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
        },
    )


@manage_surveys
def contact_import(request, slug: str, pk: int):
    report = get_object_or_404(
        ContactImport.objects.select_related("campaign", "imported_by"), campaign__slug=slug, pk=pk
    )
    problems = ContactImportProblemTable(report.problems, caption=_("Rows left out as invalid"))
    RequestConfig(request, paginate={"per_page": PROBLEMS_PER_PAGE}).configure(problems)
    return render(
        request,
        "surveys/contacts/import_report.html",
        {"report": report, "campaign": report.campaign, "problems": problems},
    )


@manage_surveys
def contact_import_problems_csv(request, slug: str, pk: int):
    report = get_object_or_404(ContactImport, campaign__slug=slug, pk=pk)
    columns = [Column(_("Row")), Column(_("Value")), Column(_("Reason"))]
    rows = ([problem["row"], problem["value"], problem["reason"]] for problem in report.problems)
    response = HttpResponse(csv_bytes(columns=columns, rows=rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="contact-import-{report.pk}-invalid-rows.csv"'
    return response
