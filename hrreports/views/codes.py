from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kuntaportaali.decorators import staff_permission_required

from ..forms import AbsenceTypeForm, SalaryTypeForm
from ..models import AbsenceType, SalaryType
from ..tables import AbsenceTypeTable, SalaryTypeTable
from .home import MANAGE_HR


@staff_permission_required(MANAGE_HR)
def codes(request):
    context = {
        "absence_types": AbsenceTypeTable(AbsenceType.objects.all(), caption=_("Absence types")),
        "salary_types": SalaryTypeTable(SalaryType.objects.all(), caption=_("Salary types")),
    }
    return render(request, "hrreports/codes.html", context)


def _code_edit(request, *, model, form_class, pk, title):
    instance = get_object_or_404(model, pk=pk) if pk else model()
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("The code %(code)s was saved.") % {"code": saved.code})
        return redirect("hrreports:codes")
    return render(request, "hrreports/code_form.html", {"form": form, "title": title})


@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def absence_type_edit(request, pk: int | None = None):
    title = _("Edit absence type") if pk else _("New absence type")
    return _code_edit(request, model=AbsenceType, form_class=AbsenceTypeForm, pk=pk, title=title)


@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def salary_type_edit(request, pk: int | None = None):
    title = _("Edit salary type") if pk else _("New salary type")
    return _code_edit(request, model=SalaryType, form_class=SalaryTypeForm, pk=pk, title=title)
