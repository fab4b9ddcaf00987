from django.shortcuts import render
from django.utils.translation import gettext as _

from kuntaportaali.decorators import staff_permission_required

from ..models import DeliveryRun, Employee, FetchRun, Source, WorkUnit
from ..tables import LatestFetchRunTable

MANAGE_HR = "hrreports.manage_hr"


@staff_permission_required(MANAGE_HR)
def admin(request):
    context = {
        "source_count": Source.objects.count(),
        "unit_count": WorkUnit.objects.count(),
        "employee_count": Employee.objects.count(),
        "last_runs": LatestFetchRunTable(
            FetchRun.objects.select_related("source").order_by("-created_at", "-pk")[:5],
            caption=_("Latest fetch runs"),
        ),
        "last_delivery": DeliveryRun.objects.order_by("-started_at", "-pk").first(),
    }
    return render(request, "hrreports/admin.html", context)
