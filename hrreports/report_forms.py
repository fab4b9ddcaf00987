"""The options of a unit report page: month, sub-units, and the table's filters."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Rule, RuleKind
from .models.delivery import DeliveryFormat, ReportKind
from .models.records import AbsenceCategory
from .periods import period_label, period_parse


class ReportOptionsForm(forms.Form):
    period = forms.ChoiceField(label=_("Month"))
    subunits = forms.BooleanField(label=_("Include sub-units"), required=False)
    employee = forms.CharField(label=_("Employee name contains"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Type"), required=False)

    def __init__(self, *args, periods, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(period_label(period), period_label(period)) for period in periods]
        self.fields["type"].choices = [("", _("All types")), *types]

    def clean_period(self):
        return period_parse(self.cleaned_data["period"])


class AcknowledgeForm(forms.Form):
    action_date = forms.DateField(label=_("Date of the action"), widget=forms.DateInput(attrs={"type": "date"}))
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


class SubscriptionForm(forms.Form):
    """A subscription's choices; `user` only for HR administration, who subscribe supervisors."""

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

    def __init__(self, *args, units, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if users is None:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = users
