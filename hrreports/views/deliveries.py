"""The monthly delivery runs as HR administration sees them: what each run sent, the Teams notices it
posted and the staff time it saved; and the Teams channels that hear of the delivered reports."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.forms import service_error_add

from ..errors import TeamsError
from ..forms import TeamsChannelForm
from ..models import DeliveryRun, TeamsChannel
from ..models.delivery import hours_of
from ..selectors import deliveries_failed, deliveries_waiting, delivery_minutes_saved_total, delivery_runs_recent
from ..services import teams as teams_services
from ..services.teams import teams_channel_save
from ..tables import DeliveryRunTable, FailedDeliveryTable, TeamsChannelTable
from .home import MANAGE_HR


@staff_permission_required(MANAGE_HR)
def delivery_runs(request):
    minutes = delivery_minutes_saved_total()
    context = {
        "table": DeliveryRunTable(delivery_runs_recent(limit=120), caption=_("Delivery runs, newest first")),
        "minutes_total": minutes,
        "hours_total": hours_of(minutes),
    }
    return render(request, "hrreports/delivery_runs.html", context)


@staff_permission_required(MANAGE_HR)
def delivery_run(request, pk: int):
    run = get_object_or_404(DeliveryRun, pk=pk)
    context = {
        "run": run,
        "error": run.error_message,
        "failed": FailedDeliveryTable(
            deliveries_failed(period=run.period, unit_code=run.unit_code), caption=_("Failed deliveries")
        ),
        "waiting": FailedDeliveryTable(
            deliveries_waiting(period=run.period, unit_code=run.unit_code),
            caption=_("Deliveries waiting for data"),
            exclude=("attempts",),
        ),
    }
    return render(request, "hrreports/delivery_run.html", context)


@staff_permission_required(MANAGE_HR)
def teams_channels(request):
    table = TeamsChannelTable(TeamsChannel.objects.select_related("unit"), caption=_("Teams channels"))
    return render(request, "hrreports/teams_channels.html", {"table": table})


@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def teams_channel_edit(request, pk: int | None = None):
    channel = get_object_or_404(TeamsChannel, pk=pk) if pk else TeamsChannel()
    form = TeamsChannelForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            teams_channel_save(
                channel=channel, unit=data["unit"], webhook_url=data["webhook_url"], active=data["active"]
            )
        except TeamsError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The Teams channel was saved."))
            return redirect("hrreports:teams-channels")
    return render(request, "hrreports/teams_channel_form.html", {"form": form, "channel": channel if pk else None})


@staff_permission_required(MANAGE_HR)
@require_POST
def teams_channel_delete(request, pk: int):
    teams_services.teams_channel_delete(channel=get_object_or_404(TeamsChannel, pk=pk))
    messages.success(request, _("The Teams channel was removed."))
    return redirect("hrreports:teams-channels")
