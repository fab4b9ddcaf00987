from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Absence,
    AbsenceType,
    Employee,
    Employment,
    FetchRun,
    RejectedRow,
    SalaryPayment,
    SalaryType,
    Source,
    SupervisorAssignment,
    WorkUnit,
)
from .person_numbers import person_number_search_hashes


class AssignmentInline(admin.TabularInline):
    model = SupervisorAssignment
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(WorkUnit)
class WorkUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "depth", "active")
    list_filter = ("active", "depth")
    search_fields = ("code", "name")
    readonly_fields = ("path", "depth")
    inlines = [AssignmentInline]

    def save_model(self, request, obj, form, change):
        from .services.organisation import unit_save

        unit_save(unit=obj)


@admin.register(SupervisorAssignment)
class SupervisorAssignmentAdmin(admin.ModelAdmin):
    list_display = ("unit", "user", "role", "valid_from", "valid_until", "ended_at")
    readonly_fields = ("ended_at",)
    list_filter = ("role",)
    search_fields = ("unit__code", "unit__name", "user__username")


@admin.register(AbsenceType)
class AbsenceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fi", "name_sv", "category", "paid_by_default", "active")
    list_filter = ("category", "active")


@admin.register(SalaryType)
class SalaryTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fi", "name_sv", "active")


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ("name", "person_number_masked")
    readonly_fields = ("person_number_masked",)
    search_fields = ("name",)

    def has_add_permission(self, request) -> bool:
        return False  # employees come from Populus, which gives the identity code they are matched by

    @admin.display(description=_("person number"))
    def person_number_masked(self, employee: Employee) -> str:
        return employee.person_number_masked

    def get_search_results(self, request, queryset, search_term):
        """Names as usual; an identity code (stored encrypted) only when the whole search term is one."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        by_code = queryset.filter(person_number_hash__in=person_number_search_hashes(search_term))
        return found | by_code, may_have_duplicates


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ("employment_id", "employee", "unit", "title", "kind", "start", "end", "working_time_percent")
    list_filter = ("kind",)
    search_fields = ("employment_id", "employee__name")
    raw_id_fields = ("employee", "unit")


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = (
        "employment",
        "absence_type",
        "period",
        "start",
        "end",
        "calendar_days",
        "working_days",
        "paid",
        "unit",
    )
    list_filter = ("absence_type",)
    date_hierarchy = "start"
    raw_id_fields = ("employment", "unit")


@admin.register(SalaryPayment)
class SalaryPaymentAdmin(admin.ModelAdmin):
    list_display = ("employment", "pay_period", "payment_date", "salary_type", "amount", "unit")
    list_filter = ("salary_type",)
    date_hierarchy = "pay_period"
    raw_id_fields = ("employment", "unit")


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """A source's settings are changed on the HR pages, through the checks of `source_save` (the allowed
    hosts, https, the file root); here they are shown, and an HTTP source's token, a credential to the
    payroll data, is not."""

    list_display = ("name", "kind", "active")
    exclude = ("config",)
    readonly_fields = ("settings_shown",)

    @admin.display(description=_("settings"))
    def settings_shown(self, source: Source) -> dict:
        config = source.config
        return {key: "********" if key == "token_encrypted" and value else value for key, value in config.items()}


class RejectedRowInline(admin.TabularInline):
    model = RejectedRow
    extra = 0
    can_delete = False
    readonly_fields = ("report_type", "file", "row", "field", "value", "reason")


@admin.register(FetchRun)
class FetchRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "source", "period", "status", "trigger", "created_at", "rows_read", "rejected_count")
    list_filter = ("status", "source")
    readonly_fields = [field.name for field in FetchRun._meta.fields]
    inlines = [RejectedRowInline]
