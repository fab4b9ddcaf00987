from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from .models import WorkerHeartbeat
from .roles import user_roles, user_sync_staff_flag


class PortalUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "roles", "is_active")

    @admin.display(description=_("roles"))
    def roles(self, user):
        return ", ".join(str(role.label) for role in user_roles(user))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_sync_staff_flag(form.instance)


admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("queue", "beat_at", "worker_host")
    readonly_fields = ("queue", "beat_at", "worker_host")
