"""Report subscriptions: a supervisor manages their own, HR administration everyone's."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.forms import service_error_add
from kuntaportaali.roles import Role

from ..errors import SubscriptionError
from ..models import Subscription
from ..models.delivery import ReportKind
from ..report_forms import SubscriptionForm
from ..report_tables import SubscriptionTable
from ..selectors import ALL_UNITS_PERMISSION, units_visible_to
from ..services import delivery as delivery_services
from ..services.delivery import subscription_save
from .unit_reports import VIEW_REPORTS


def _manages_all(user) -> bool:
    return user.has_perm("hrreports.manage_hr") and user.has_perm(ALL_UNITS_PERMISSION)


def _subscriptions_of(user):
    subscriptions = Subscription.objects.select_related("user", "unit").prefetch_related("deliveries")
    return subscriptions if _manages_all(user) else subscriptions.filter(user=user)


@staff_permission_required(VIEW_REPORTS)
def subscriptions(request):
    caption = _("All subscriptions") if _manages_all(request.user) else _("Your subscriptions")
    table = SubscriptionTable(_subscriptions_of(request.user), caption=caption)
    return render(request, "hrreports/subscriptions.html", {"table": table})


@staff_permission_required(VIEW_REPORTS)
@require_http_methods(["GET", "POST"])
def subscription_edit(request, pk: int | None = None):
    subscription = get_object_or_404(_subscriptions_of(request.user), pk=pk) if pk else None
    manages_all = _manages_all(request.user)
    users = get_user_model().objects.filter(groups__name=Role.SUPERVISOR.value, is_active=True) if manages_all else None
    initial = {"reports": list(ReportKind.values), "include_subunits": True, "active": True, "language": "fi"}
    initial |= SubscriptionForm.initial_columns({})
    if subscription is not None:
        initial = {
            "user": subscription.user_id,
            "unit": subscription.unit_id,
            "reports": subscription.reports,
            "format": subscription.format,
            "language": subscription.language,
            "categories": subscription.categories,
            "include_subunits": subscription.include_subunits,
            "active": subscription.active,
        } | SubscriptionForm.initial_columns(subscription.columns)
    form = SubscriptionForm(
        request.POST or None, initial=initial, units=units_visible_to(request.user).order_by("path"), users=users
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription_save(
                user=data.get("user") or request.user,
                unit=data["unit"],
                reports=data["reports"],
                format=data["format"],
                language=data["language"],
                categories=data["categories"],
                columns=form.columns(),
                include_subunits=data["include_subunits"],
                active=data["active"],
                subscription=subscription,
            )
        except SubscriptionError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The subscription was saved."))
            return redirect("hrreports:subscriptions")
    return render(request, "hrreports/subscription_form.html", {"form": form, "subscription": subscription})


@staff_permission_required(VIEW_REPORTS)
@require_POST
def subscription_delete(request, pk: int):
    delivery_services.subscription_delete(subscription=get_object_or_404(_subscriptions_of(request.user), pk=pk))
    messages.success(request, _("The subscription was removed."))
    return redirect("hrreports:subscriptions")
