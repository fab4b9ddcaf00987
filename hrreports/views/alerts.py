"""Early-support alerts: the supervisor acknowledges one, or a person's open ones together, with the
action taken; HR administration edits the rules and reads the access log."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.forms import service_error_add

from ..errors import AlertError
from ..models import Rule
from ..models.access import AccessKind
from ..report_forms import AcknowledgeForm, RuleForm
from ..report_tables import ReportAccessTable
from ..selectors import alerts_visible_to, report_accesses_recent
from ..services.access import report_access_record
from ..services.early_support import alerts_acknowledge
from ..tables import RuleTable
from .home import MANAGE_HR
from .unit_reports import VIEW_REPORTS, supervisor_home


@staff_permission_required(VIEW_REPORTS)
@require_POST
def alert_acknowledge_view(request, pk: int):
    alert = alerts_visible_to(request.user).filter(pk=pk).first()
    if alert is None:
        report_access_record(user=request.user, kind=AccessKind.DENIED, what="alert", unit_ref=f"alert {pk}")
        raise Http404(_("No such alert in your units."))
    form = AcknowledgeForm(request.POST, prefix=f"alert-{pk}")
    target = request.POST.get(f"alert-{pk}-next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    # A person's other open alerts, acknowledged with this one (the home shows one case per person).
    together = [value for value in request.POST.getlist(f"alert-{pk}-also") if value.isdigit()]
    others = alerts_visible_to(request.user, open_only=True).filter(employee_id=alert.employee_id, pk__in=together)
    if form.is_valid():
        data = form.cleaned_data
        try:
            alerts_acknowledge(
                alerts=[alert, *others.exclude(pk=alert.pk)],
                by=request.user,
                action_date=data["action_date"],
                note=data["note"],
            )
        except AlertError as error:
            if error.code not in AcknowledgeForm.SERVICE_ERROR_FIELDS:
                # Acknowledged already, by someone else: the case has left the home, and its form with it.
                messages.error(request, str(error))
                return redirect(target or "hrreports:reports")
            service_error_add(form, error)
            return supervisor_home(request, refused=form)
        else:
            messages.success(request, _("The action taken was recorded."))
    else:
        return supervisor_home(request, refused=form)
    return redirect(target or "hrreports:reports")


@staff_permission_required(MANAGE_HR)
def rules(request):
    table = RuleTable(Rule.objects.all(), caption=_("Rules"))
    return render(request, "hrreports/rules.html", {"table": table})


@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int | None = None):
    rule = get_object_or_404(Rule, pk=pk) if pk else Rule()
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The rule was saved."))
        return redirect("hrreports:rules")
    return render(request, "hrreports/rule_form.html", {"form": form, "rule": rule if pk else None})


@staff_permission_required(MANAGE_HR)
def access_log(request):
    table = ReportAccessTable(report_accesses_recent(limit=2000), caption=_("Views and downloads, newest first"))
    table.paginate(page=request.GET.get("page", 1), per_page=50)
    return render(request, "hrreports/access_log.html", {"table": table})
