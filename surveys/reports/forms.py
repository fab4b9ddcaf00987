"""Forms of the results pages: which report to generate, and the published summary's texts and charts."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from surveys.models import ReportFormat


class ReportRequestForm(forms.Form):
    """A report in one of the survey's languages: in another one its questions would stay untranslated."""

    file_format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices)
    language = forms.ChoiceField(label=_("Language of the report"))

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.fields["language"].choices = [(code, names[code]) for code in languages]


class SummaryForm(forms.Form):
    intro_fi = forms.CharField(label=_("Introduction (Finnish)"), widget=forms.Textarea(attrs={"rows": 4}))
    intro_sv = forms.CharField(
        label=_("Introduction (Swedish)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    intro_en = forms.CharField(
        label=_("Introduction (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    question_positions = forms.TypedMultipleChoiceField(
        label=_("Charts to show"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The weighted answers of each chosen question are shown as a chart with its table."),
    )

    def __init__(self, *args, questions: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_positions"].choices = [(position, f"{position}. {text}") for position, text in questions]
