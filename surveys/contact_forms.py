"""Forms of the personal-data pages: the contact file upload, its phone columns and the residents' opt-out."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from surveys.contact_files import ContactFileLayout
from surveys.phone_numbers import InvalidPhoneNumber, phone_normalise


class ContactFileForm(forms.Form):
    file = forms.FileField(
        label=_("Contact file"),
        help_text=_(
            "CSV (UTF-8, UTF-16 or Windows-1252; fields separated by ;, comma, tab or |) or Excel .xlsx. A header row "
            "names the columns (title rows above it are fine): one or more phone number columns; birth year or "
            "age, postal code and language are optional. A second phone column is a second number of the same "
            "person."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.CONTACT_FILE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large: files of at most %(limit)s MB are accepted. Split it into smaller files.")
                % {"limit": settings.CONTACT_FILE_MAX_BYTES // (1024 * 1024) or 1}
            )
        return upload


class PhoneColumnsForm(forms.Form):
    """Which of a file's columns hold phone numbers, when the file does not say it plainly."""

    columns = forms.TypedMultipleChoiceField(
        label=_("Columns that hold the phone numbers"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick every column that holds a phone number of the person on the row: the numbers are called in "
            "the order of the columns. The examples hide most digits."
        ),
    )

    def __init__(self, *args, layout: ContactFileLayout, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = [
            (column.index, _column_choice_label(column)) for column in (layout.phone_candidates or layout.columns)
        ]
        self.initial.setdefault("columns", list(layout.phone_columns))

    def chosen(self) -> list[int]:
        return self.cleaned_data["columns"]


def _column_choice_label(column) -> str:
    examples = ", ".join(column.examples)
    return f"{column.index + 1}. {column.name}" + (f" ({examples})" if examples else "")


class OptOutForm(forms.Form):
    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=40,
        help_text=_("For example 040 123 4567 or +358 40 123 4567."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self):
        # The error says only what is wrong with the text, never anything about any list.
        try:
            phone_normalise(self.cleaned_data["phone"])
        except InvalidPhoneNumber as error:
            raise forms.ValidationError(
                _("%(reason)s Check the number and try again.") % {"reason": error}, code="invalid"
            ) from None
        return self.cleaned_data["phone"]
