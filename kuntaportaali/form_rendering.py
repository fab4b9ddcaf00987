"""How every form is drawn: Django's own templates, opened by a summary of the form's errors.

A form sent back with errors starts with the list of what to correct, each item a link to its field,
and the page opens with the focus on that list (WCAG 3.3.1 and 3.3.3, the GOV.UK error summary):
without it, the page reloads with the focus at its top and the user has to hunt for the error. The
fields themselves are marked invalid and described by their errors by Django (aria-invalid,
aria-describedby)."""

from dataclasses import dataclass

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import ChoiceWidget
from django.utils.translation import gettext as _


class PortalFormRenderer(TemplatesSetting):
    """Django's templates through the project's template engine, so that a form's own template can
    use the portal's tags and translations."""

    form_template_name = "forms/div.html"


@dataclass(frozen=True)
class ErrorSummaryItem:
    text: str
    target_id: str = ""  # the field to link to; none for an error of the whole form


def error_summary_items(form: forms.BaseForm) -> list[ErrorSummaryItem]:
    """The form's errors in the order of the page: the whole form's first, then each field's, named by its label."""
    items = [ErrorSummaryItem(str(error)) for error in form.non_field_errors()]
    for bound_field in form:
        for error in bound_field.errors:
            if bound_field.is_hidden or not bound_field.auto_id:
                items.append(ErrorSummaryItem(str(error)))
            else:
                label = f"{bound_field.label}: " if bound_field.label else ""
                items.append(ErrorSummaryItem(f"{label}{error}", error_target_id(bound_field)))
    return items


def formset_error_summary_items(formset: forms.BaseFormSet, *, problems=()) -> list[ErrorSummaryItem]:
    """The errors of a table of forms: the table's own first (`problems`, found by a service, then the
    formset's), then each row's, named by its row number."""
    items = [ErrorSummaryItem(str(problem)) for problem in [*problems, *formset.non_form_errors()]]
    for row, form in enumerate(formset.forms, start=1):
        items += [
            ErrorSummaryItem(_("Row %(row)s: %(error)s") % {"row": row, "error": item.text}, item.target_id)
            for item in error_summary_items(form)
        ]
    return items


def error_target_id(bound_field: forms.BoundField) -> str:
    """The id of the element a link to the field should focus: its first choice, when it is a group of
    choices or of inputs in a fieldset; the field itself otherwise."""
    widget = bound_field.field.widget
    if isinstance(widget, ChoiceWidget):
        return widget.id_for_label(bound_field.auto_id, "0")
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label or bound_field.auto_id
