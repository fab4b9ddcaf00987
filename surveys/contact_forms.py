"""Forms of the personal-data pages: the contact file upload and the residents' opt-out."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from surveys.phone_numbers import InvalidPhoneNumber, phone_normalise


class ContactFileForm(forms.Form):
    file = forms.FileField(
        label=_("Contact file"),
        help_text=_(
            "CSV (UTF-8 or Windows-1252, fields separated by ; or ,) or Excel .xlsx. The first row names the "
            "columns: a phone number column is required; birth year or age, postal code and language are optional."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.CONTACT_FILE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large: files of at most %(limit)s MB are accepted. Split it into smaller files.")
                % {"limit": settings.CONTACT_FILE_MAX_BYTES // (1024 * 1024) or 1}
            )
        return upload


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
