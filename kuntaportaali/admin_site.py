from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _

from .forms import PortalAdminAuthenticationForm
from .roles import user_is_portal_admin


class PortalAdminSite(AdminSite):
    """Django admin (and the RQ dashboard inside it) is for the administrator role only."""

    site_header = _("Kuntaportaali administration")
    site_title = _("Kuntaportaali administration")
    index_title = _("Users, roles and data")
    login_form = PortalAdminAuthenticationForm

    def has_permission(self, request):
        return super().has_permission(request) and user_is_portal_admin(request.user)
