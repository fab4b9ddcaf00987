from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_rq.admin import QueueAdmin
from django_rq.models import Dashboard
from django_rq.queues import get_queue_by_index
from rq import Worker

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


class PortalQueueAdmin(QueueAdmin):
    """The RQ dashboard without the pages that can only fail here: its placeholder model has no table
    behind the object pages Django admin adds, and the scheduler page needs rq-scheduler, which RQ's
    own scheduler replaces. A worker that has stopped has no page (404), instead of an error."""

    def get_urls(self):
        kept = [pattern for pattern in super().get_urls() if pattern.name in self._dashboard_url_names()]
        for pattern in kept:
            if pattern.name == "django_rq_worker_details":
                pattern.callback = _worker_must_exist(pattern.callback)
        return kept

    @staticmethod
    def _dashboard_url_names() -> set[str]:
        from django_rq.urls import get_admin_urlpatterns, get_api_urlpatterns

        names = {pattern.name for pattern in get_api_urlpatterns(name_prefix="django_rq_")}
        names |= {pattern.name for pattern in get_admin_urlpatterns(name_prefix="django_rq_")}
        return (names - {"django_rq_scheduler_jobs"}) | {"django_rq_dashboard_changelist"}


def _worker_must_exist(view):
    def worker_details(request, queue_index, key, **kwargs):
        # Only the administrator learns whether a worker exists; anyone else is sent to sign in.
        worker_gone = Worker.find_by_key(key, connection=get_queue_by_index(queue_index).connection) is None
        if admin.site.has_permission(request) and worker_gone:
            raise Http404("No such worker.")
        return view(request, queue_index, key, **kwargs)

    return worker_details


admin.site.unregister(Dashboard)
admin.site.register(Dashboard, PortalQueueAdmin)
