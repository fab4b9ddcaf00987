from django.shortcuts import render

from kuntaportaali.decorators import staff_permission_required

from ..models import DeliveryRun, Employee, FetchRun, Source, WorkUnit

MANAGE_HR = "hrreports.manage_hr"


@staff_permission_required(MANAGE_HR)
def admin(request):
    context = {
        "source_count": Source.objects.count(),
        "unit_count": WorkUnit.objects.count(),
        "employee_count": Employee.objects.count(),
        "last_runs": FetchRun.objects.select_related("source").order_by("-created_at", "-pk")[:5],
        "last_delivery": DeliveryRun.objects.order_by("-started_at", "-pk").first(),
    }
    return render(request, "hrreports/admin.html", context)
