"""`{% hr_open_alerts %}`: one line on the staff home and the report pages saying how many people have an
open early-support case in the signed-in supervisor's units, linking to the supervisor's home, where
the cases are (hrreports:reports)."""

from django import template

from ..supervisor_home import open_case_count

register = template.Library()


@register.inclusion_tag("hrreports/includes/open_cases_line.html", takes_context=True)
def hr_open_alerts(context, units=None, supervisors_only=False):
    """`units` narrows the count (a report's units); `supervisors_only` leaves the line out for HR
    administration (who sees every unit), e.g. on the staff home."""
    user = context["request"].user
    if not user.has_perm("hrreports.view_unit_reports") or (
        supervisors_only and user.has_perm("hrreports.view_all_units")
    ):
        return {"count": 0}
    return {"count": open_case_count(user, units=units)}
