"""Forms of the web survey: the choice after the introduction, and one question's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import Answer, Question, QuestionKind
from surveys.script import consent_choices

OPEN_ANSWER_MAX_LENGTH = 2000


class ConsentChoiceForm(forms.Form):
    """The person's choice after the introduction, by the call's keypad digit for it."""

    choice = forms.TypedChoiceField(coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = list(consent_choices().items())


class WebAnswerForm(forms.Form):
    """The answer to one question, in a field of its kind; an optional question may be left empty."""

    def __init__(self, *args, question: Question, language: str, answer: Answer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields["answer"] = self._field(question, language)
        if answer is not None:
            self.initial["answer"] = self._initial(answer)

    @staticmethod
    def _field(question: Question, language: str) -> forms.Field:
        if question.has_options:
            return forms.ChoiceField(
                required=question.required,
                choices=[(str(option.digit), option.localized("label", language)) for option in question.options.all()],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer."), "invalid_choice": _("Choose one of the answers.")},
            )
        if question.kind == QuestionKind.NUMBER:
            return forms.IntegerField(
                required=question.required,
                min_value=question.min_value,
                max_value=question.max_value,
                # A limit left empty still stops at what an answer can hold: the database would not
                # refuse a larger number but store another one in its place.
                validators=Answer._meta.get_field("number_value").validators,
                # A phone's number keypad, without the spinner of type="number" (which also
                # changes the value when the page is scrolled over it).
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                error_messages={"required": _("Enter a number."), "invalid": _("Enter a whole number in digits.")},
            )
        return forms.CharField(
            required=question.required,
            max_length=OPEN_ANSWER_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 5}),
            error_messages={"required": _("Write your answer.")},
        )

    def _initial(self, answer: Answer):
        if self.question.has_options:
            return next(
                (str(option.digit) for option in self.question.options.all() if option.pk == answer.option_id), None
            )
        if self.question.kind == QuestionKind.NUMBER:
            return answer.number_value
        return answer.transcript

    def answer_values(self) -> dict | None:
        """What the answer stores (the fields of an Answer); None when an optional question was left empty."""
        value = self.cleaned_data["answer"]
        if value in (None, ""):
            return None
        if self.question.has_options:
            option = next(option for option in self.question.options.all() if str(option.digit) == value)
            return {"digits": value, "option": option}
        if self.question.kind == QuestionKind.NUMBER:
            return {"number_value": value}
        return {"transcript": value}
