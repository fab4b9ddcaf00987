from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kuntaportaali.decorators import staff_permission_required

from ..forms import EmployeeSearchForm
from ..models import Employee
from ..models.access import AccessKind
from ..selectors import employee_absences, employee_employments, employee_salaries, employees_search
from ..services.access import report_access_record
from ..tables import EmployeeAbsenceTable, EmployeeSalaryTable, EmployeeTable, EmploymentTable
from .home import MANAGE_HR


@never_cache  # a search may hold an identity code
@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def employees(request):
    if request.method == "POST":
        form = EmployeeSearchForm(request.POST)
    else:
        form = EmployeeSearchForm(request.GET or None, in_address=True)
    table = None
    if form.is_valid() and form.cleaned_data["q"]:
        table = EmployeeTable(employees_search(query=form.cleaned_data["q"]), caption=_("Employees found"))
        table.empty_text = _("No employee matches the search.")
    return render(request, "hrreports/employees.html", {"form": form, "table": table})


@never_cache  # no copy of the page, the full identity code least of all, stays in a cache
@staff_permission_required(MANAGE_HR)
@require_http_methods(["GET", "POST"])
def employee_detail(request, pk: int):
    employee = get_object_or_404(Employee, pk=pk)
    # The full identity code only when HR asks with the page's own form (a POST with the CSRF token: no
    # link from elsewhere or prefetch shows it), and every such read is in the access log.
    show_person_number = request.method == "POST"
    if show_person_number:
        report_access_record(user=request.user, kind=AccessKind.VIEW, what=f"person_number {employee.pk}")
    context = {
        "employee": employee,
        "show_person_number": show_person_number,
        "employments": EmploymentTable(employee_employments(employee), caption=_("Employments")),
        "absences": EmployeeAbsenceTable(
            employee_absences(employee)[:100], caption=_("Absences (latest 100), as each month's file reported them")
        ),
        "salaries": EmployeeSalaryTable(employee_salaries(employee)[:100], caption=_("Salary payments (latest 100)")),
    }
    return render(request, "hrreports/employee_detail.html", context)
