from django.shortcuts import render

from kuntaportaali.decorators import staff_permission_required


@staff_permission_required("hrreports.manage_hr")
def admin(request):
    return render(request, "hrreports/admin.html")


@staff_permission_required("hrreports.view_unit_reports")
def reports(request):
    return render(request, "hrreports/reports.html")
