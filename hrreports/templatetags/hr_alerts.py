"""`{% hr_open_alerts %}`: the open early-support alerts of the signed-in supervisor's units, with the
guidance and an acknowledgement form; shown on the staff home and the report pages."""

from django import template

from ..models.access import AccessKind
from ..report_forms import AcknowledgeForm
from ..selectors import alerts_visible_to
from ..services.access import report_access_record

register = template.Library()
LIMIT = 50


@register.inclusion_tag("hrreports/includes/alerts.html", takes_context=True)
def hr_open_alerts(context, units=None, heading_level=2, supervisors_only=False):
    """`supervisors_only` hides the list from HR administration (who sees every unit), e.g. on the home page."""
    request = context["request"]
    user = request.user
    if not user.has_perm("hrreports.view_unit_reports") or (
        supervisors_only and user.has_perm("hrreports.view_all_units")
    ):
        return {"alerts": [], "show": False}
    alerts = list(alerts_visible_to(user, open_only=True, units=units)[:LIMIT])
    if alerts:
        report_access_record(user=user, kind=AccessKind.VIEW, what="alerts")
    items = [
        (alert, AcknowledgeForm(prefix=f"alert-{alert.pk}", initial={"next": request.get_full_path()}))
        for alert in alerts
    ]
    return {"alerts": items, "show": True, "heading_level": heading_level, "csrf_token": context.get("csrf_token")}
