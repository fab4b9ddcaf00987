from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.forms import service_error_add

from ..errors import PopulusError
from ..forms import AssignmentForm, UnitForm
from ..models import SupervisorAssignment, WorkUnit
from ..selectors import unit_tree
from ..services.organisation import supervisor_assign, supervisor_assignment_end, unit_save
from ..tables import SupervisorAssignmentTable, WorkUnitTable
from .home import MANAGE_HR


@staff_permission_required(MANAGE_HR)
def units(request):
    table = WorkUnitTable(unit_tree(), caption=_("The unit tree, with the current supervisors and deputies"))
    return render(request, "hrreports/units.html", {"table": table})


@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk: int | None = None):
    unit = get_object_or_404(WorkUnit, pk=pk) if pk else WorkUnit()
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            saved = unit_save(unit=form.save(commit=False))
        except PopulusError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The work unit %(unit)s was saved.") % {"unit": saved})
            return redirect("hrreports:unit-detail", pk=saved.pk)
    return render(request, "hrreports/unit_form.html", {"form": form, "unit": unit if pk else None})


@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def unit_detail(request, pk: int):
    unit = get_object_or_404(WorkUnit.objects.select_related("parent", "source"), pk=pk)
    form = AssignmentForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            supervisor_assign(
                unit=unit,
                user=data["user"],
                role=data["role"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except PopulusError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The supervisor was assigned."))
            return redirect("hrreports:unit-detail", pk=unit.pk)
    context = {
        "unit": unit,
        "form": form,
        "assignments": SupervisorAssignmentTable(
            unit.assignments.select_related("user").order_by("-valid_from"), caption=_("Supervisors and deputies")
        ),
        "ancestors": WorkUnit.objects.filter(code__in=unit.path.strip("/").split("/")[:-1]).order_by("depth"),
        "children": unit.children.order_by("code"),
        "employment_count": unit.employments.count(),
        "today": timezone.localdate(),
    }
    return render(request, "hrreports/unit_detail.html", context)


@staff_permission_required(MANAGE_HR)
@require_POST
def assignment_end(request, pk: int):
    assignment = get_object_or_404(SupervisorAssignment.objects.select_related("user"), pk=pk)
    unit_pk = assignment.unit_id
    supervisor_assignment_end(assignment=assignment)
    name = assignment.user.get_full_name() or assignment.user.username
    messages.success(
        request, _("The assignment was ended: from now on %(name)s no longer sees the unit's reports.") % {"name": name}
    )
    return redirect("hrreports:unit-detail", pk=unit_pk)
