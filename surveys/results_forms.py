"""Forms of the result settings pages: population targets, a campaign's fixed costs and settings."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.forms import EurosField
from surveys.models import TargetDimension
from surveys.services.result_settings import TargetRow, WeightingDimensions, demographic_questions
from surveys.services.weighting import DEFAULT_TRIM_CAP


class TargetForm(forms.Form):
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    share = forms.DecimalField(
        label=_("Share"),
        max_digits=5,
        decimal_places=4,
        min_value=Decimal(0),
        max_value=Decimal(1),
        required=False,
        localize=True,
    )
    postal_codes = forms.CharField(
        label=_("Postal codes"),
        required=False,
        help_text=_("Districts only: the district's postal codes, separated by commas or spaces."),
    )

    def clean_postal_codes(self) -> tuple[str, ...]:
        return tuple(code for code in self.cleaned_data["postal_codes"].replace(",", " ").split() if code)

    def clean(self):
        data = super().clean()
        category, share = (data.get("category") or "").strip(), data.get("share")
        if category and share is None and "share" not in self.errors:
            self.add_error("share", _("Give the share of %(category)s.") % {"category": category})
        if share is not None and not category:
            self.add_error("category", _("Name the category of this share."))
        return data


class BaseTargetFormSet(forms.BaseFormSet):
    def rows(self) -> list[TargetRow]:
        """The filled rows, in their order; rows marked for removal and empty rows left out."""
        return [
            TargetRow(
                category=form.cleaned_data["category"].strip(),
                share=form.cleaned_data["share"],
                postal_codes=form.cleaned_data.get("postal_codes") or (),
            )
            for form in self.forms
            if form.cleaned_data.get("category") and not form.cleaned_data.get("DELETE")
        ]


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=2, can_delete=True)


class TargetQuestionForm(forms.Form):
    """Which survey's answer options the categories must match."""

    question = forms.ModelChoiceField(queryset=None, label=_("Match the answer options of"), required=True)

    def __init__(self, *args, dimension: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["question"]
        field.queryset = demographic_questions(dimension)
        field.label_from_instance = lambda question: (
            _("%(survey)s, question %(position)s: %(text)s")
            % {
                "survey": question.version.survey.slug,
                "position": question.position,
                "text": question.text_fi,
            }
        )
        field.required = field.queryset.exists()


class ResultSettingsForm(forms.Form):
    eligibility_e = forms.FloatField(
        label=_("Eligible share of numbers with unknown eligibility (e)"),
        min_value=0.0,
        max_value=1.0,
        required=False,
        localize=True,
        help_text=_(
            "Used by RR3, RR4, REF2 and CON2. Leave empty to estimate it from the numbers whose eligibility is known."
        ),
    )
    weighting_dimensions = forms.MultipleChoiceField(
        label=_("Weight by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trim_cap = forms.FloatField(
        label=_("Largest weight (times the mean)"),
        min_value=1.0,
        initial=DEFAULT_TRIM_CAP,
        localize=True,
        help_text=_("Larger weights are cut to this and the rest re-weighted. 5 is a common choice."),
    )

    def __init__(self, *args, dimensions: WeightingDimensions, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["weighting_dimensions"]
        labels = dict(TargetDimension.choices)
        field.choices = [(value, labels[value]) for value in dimensions.usable]
        field.help_text = " ".join(
            [
                str(
                    _(
                        "Offered: what the survey asks and what population shares are set for. "
                        "None checked: unweighted results."
                    )
                ),
                *[
                    str(_("%(dimension)s: the survey does not ask it.") % {"dimension": labels[value]})
                    for value in dimensions.not_asked
                ],
                *[
                    str(
                        _("%(dimension)s: no population shares are set (an administrator sets them).")
                        % {"dimension": labels[value]}
                    )
                    for value in dimensions.without_targets
                ],
            ]
        )


class FixedCostForm(forms.Form):
    description = forms.CharField(
        label=_("Description"), max_length=200, help_text=_("For example the number list or project work.")
    )
    amount = EurosField(label=_("Amount (EUR)"), max_digits=10, decimal_places=2, min_value=Decimal(0), localize=True)
