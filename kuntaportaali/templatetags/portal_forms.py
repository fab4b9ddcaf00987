"""{% error_summary form %} and {% formset_error_summary formset problems %}: see kuntaportaali.form_rendering;
templates that draw a form field by field (or a table of forms) put it at the top of the form, as the shared
form template does."""

from django import template

from kuntaportaali.form_rendering import error_summary_items, formset_error_summary_items

register = template.Library()


@register.inclusion_tag("forms/error_summary.html")
def error_summary(form):
    items = error_summary_items(form) if form.is_bound else []
    return {"items": items, "heading_id": f"{form.prefix or 'form'}-error-summary-heading"}


@register.inclusion_tag("forms/error_summary.html")
def formset_error_summary(formset, problems=()):
    items = formset_error_summary_items(formset, problems=problems) if formset.is_bound else []
    return {"items": items, "heading_id": f"{formset.prefix}-error-summary-heading"}
