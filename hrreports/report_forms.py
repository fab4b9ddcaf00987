"""The options of a unit report page: month, sub-units, and the table's filters."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Rule, RuleKind
from .models.delivery import DeliveryFormat, ReportKind
from .models.records import AbsenceCategory
from .periods import period_label, period_parse, period_text
from .reports.columns import REPORT_COLUMNS, column_choices

SUBUNITS_INCLUDED, SUBUNITS_LEFT_OUT = "on", "off"


class OptionsInLanguages(forms.Select):
    """A select whose options are texts of their own language (`languages`: value -> language), each in
    another language than the page's marked so (WCAG 3.1.2): a code's Finnish name on an English page."""

    def __init__(self, *args, languages: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        language = self.languages.get(str(value), "")
        if language and language != (get_language() or "").split("-")[0]:
            option["attrs"]["lang"] = language
        return option


class ReportOptionsForm(forms.Form):
    """The month and filters of a report page, and the tailoring a subscription sets by default: the
    columns shown and (absence report) the absence categories included.

    Sub-units are a choice of two values rather than a checkbox, because an unchecked checkbox sends
    nothing and could not be told apart from a page opened without a choice (which includes them).
    A unit without sub-units has no such choice."""

    period = forms.ChoiceField(label=_("Month"))
    subunits = forms.ChoiceField(
        label=_("Sub-units"),
        choices=[(SUBUNITS_INCLUDED, _("With its sub-units")), (SUBUNITS_LEFT_OUT, _("This unit only"))],
    )
    employee = forms.CharField(label=_("Employee name contains"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Type"), required=False)
    columns = forms.MultipleChoiceField(label=_("Columns shown"), required=False, widget=forms.CheckboxSelectMultiple)
    categories = forms.MultipleChoiceField(
        label=_("Absence categories included"),
        choices=AbsenceCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every category."),
    )

    def __init__(self, *args, kind, periods, types, type_languages=None, has_subunits: bool = True, **kwargs):
        """`types` are the type filter's (value, name) and `type_languages` the language of each name by value,
        where the names are the code lists' rather than the page's."""
        super().__init__(*args, **kwargs)
        if not has_subunits:
            del self.fields["subunits"]
        self.fields["period"].choices = [(period_label(period), period_text(period)) for period in periods]
        self.fields["type"].widget = OptionsInLanguages(languages=type_languages)
        self.fields["type"].choices = [("", _("All types")), *types]
        self.fields["columns"].choices = column_choices(kind)
        if kind != ReportKind.ABSENCES:
            del self.fields["categories"]

    @property
    def tailoring_fields(self):
        return [self[name] for name in ("columns", "categories") if name in self.fields]

    @property
    def filter_fields(self):
        return [self[name] for name in ("period", "subunits", "employee", "type") if name in self.fields]

    def clean_period(self):
        return period_parse(self.cleaned_data["period"])

    @property
    def include_subunits(self) -> bool:
        return self.cleaned_data.get("subunits") == SUBUNITS_INCLUDED


class AcknowledgeForm(forms.Form):
    SERVICE_ERROR_FIELDS = {"alert_action_missing": "note", "alert_action_in_future": "action_date"}

    action_date = forms.DateField(
        label=_("Date of the action"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Action taken"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class RuleForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("Absence categories counted"), choices=AbsenceCategory.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Rule
        fields = [
            "name",
            "name_sv",
            "name_en",
            "kind",
            "months",
            "spells_at_least",
            "days_at_least",
            "categories",
            "guidance_fi",
            "guidance_sv",
            "guidance_en",
            "active",
            "order",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("guidance_fi", "guidance_sv", "guidance_en")}

    def clean(self):
        data = super().clean()
        if data.get("spells_at_least") is None and data.get("days_at_least") is None:
            raise forms.ValidationError(_("Give a threshold of spells, of days, or both."))
        if data.get("kind") == RuleKind.CHECKPOINT and data.get("days_at_least") is None:
            self.add_error("days_at_least", _("A checkpoint rule needs the number of days."))
        return data


def supervisor_choice_label(user) -> str:
    """A person to choose as the lists show them, by name, with the username that tells namesakes apart."""
    return f"{user.get_full_name() or user.username} ({user.username})"


class SubscriptionForm(forms.Form):
    """A subscription's choices; `user` only for HR administration, who subscribe supervisors."""

    SERVICE_ERROR_FIELDS = {
        "subscription_unit_not_supervised": "unit",
        "subscription_exists": "unit",
        "subscription_no_reports": "reports",
        "subscription_category_unknown": "categories",
    }

    user = forms.ModelChoiceField(label=_("Supervisor"), queryset=None)
    unit = forms.ModelChoiceField(label=_("Work unit"), queryset=None)
    reports = forms.MultipleChoiceField(
        label=_("Reports"), choices=ReportKind.choices, widget=forms.CheckboxSelectMultiple
    )
    format = forms.ChoiceField(label=_("Delivery"), choices=DeliveryFormat.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    categories = forms.MultipleChoiceField(
        label=_("Absence categories in the absence report"),
        choices=AbsenceCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None chosen: every category."),
    )
    include_subunits = forms.BooleanField(label=_("Include sub-units"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False)

    COLUMN_LABELS = {
        ReportKind.ABSENCES: _("Columns of the absence report"),
        ReportKind.SALARIES: _("Columns of the salary report"),
        ReportKind.EMPLOYMENTS: _("Columns of the employments report"),
    }

    def __init__(self, *args, units, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if users is None:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = users
            self.fields["user"].label_from_instance = supervisor_choice_label
        for kind in REPORT_COLUMNS:
            self.fields[f"columns_{kind}"] = forms.MultipleChoiceField(
                label=self.COLUMN_LABELS[kind],
                choices=column_choices(kind),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=_("Shown in the emailed attachment and first on the report page. None chosen: every column."),
            )

    @staticmethod
    def initial_columns(columns: dict[str, list[str]]) -> dict[str, list[str]]:
        """The form's initial column fields of a subscription's choice (every column where it has none)."""
        return {
            f"columns_{kind}": columns.get(kind) or [key for key, _label in column_choices(kind)]
            for kind in REPORT_COLUMNS
        }

    def columns(self) -> dict[str, list[str]]:
        return {kind: self.cleaned_data[f"columns_{kind}"] for kind in REPORT_COLUMNS}
