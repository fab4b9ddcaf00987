from django.contrib import admin

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
    list_display = ("unit", "user", "role", "valid_from", "valid_until")
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
    list_display = ("name", "person_number")
    search_fields = ("name", "=person_number")


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
    list_display = ("name", "kind", "active")


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
