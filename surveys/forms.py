from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kuntaportaali.numbers import price_trimmed
from surveys.languages import LANGUAGE_NAMES
from surveys.models import (
    SCALE_ANSWERS,
    Announcement,
    AnnouncementChannel,
    Campaign,
    LaunchChecklist,
    Question,
    QuestionKind,
    QuestionOption,
    Survey,
    SurveyVersion,
)
from surveys.services.surveys import ORGANISER_TRANSLATIONS, VERSION_FIELDS, OptionText
from surveys.telephony import provider_label

TEXTAREA = forms.Textarea(attrs={"rows": 3})
MOST_PLAUSIBLE_PRICE_PER_MINUTE = Decimal("5")


class EurosField(forms.DecimalField):
    """Accepts euros as people write them in the page's language: 2 100,50 (spaces, also non-breaking,
    between thousands) and, in English, 2,100.50."""

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split())
            if get_format("DECIMAL_SEPARATOR") == ".":
                value = value.replace(get_format("THOUSAND_SEPARATOR"), "")
        return super().to_python(value)


class SurveyForm(forms.Form):
    """A survey and the texts of its editable version."""

    SERVICE_ERROR_FIELDS = {"survey_slug_empty": "slug"}

    def __init__(self, *args, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        organiser_fields = ["organiser", *ORGANISER_TRANSLATIONS]
        survey_fields = fields_for_model(Survey, fields=["slug", *organiser_fields] if creating else organiser_fields)
        version_fields = fields_for_model(
            SurveyVersion,
            fields=list(VERSION_FIELDS),
            widgets={name: TEXTAREA for name in ("purpose_fi", "purpose_sv", "purpose_en")},
        )
        self.fields.update(survey_fields | version_fields)
        if creating:
            self._slug_made_from_title()

    def _slug_made_from_title(self):
        """The short name sits under the title it is made from; left empty, the service makes it."""
        slug = self.fields.pop("slug")
        slug.required = False
        slug.help_text = _(
            "Used in the survey's addresses. Left empty, it is made from the Finnish title "
            "(with a number added if another survey has it)."
        )
        slug.widget.attrs["data-slug-from"] = "id_title_fi"
        names = list(self.fields)
        names.insert(names.index("title_fi") + 1, "slug")
        self.fields = {name: slug if name == "slug" else self.fields[name] for name in names}

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug and Survey.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                _("Another survey already has the short name %(slug)s. Choose another one.") % {"slug": slug}
            )
        return slug

    def clean(self):
        data = super().clean()
        for language in ("sv", "en"):
            if data.get(f"offers_{language}"):
                texts_needed(self, data, language, ("organiser", "title", "purpose"))
        return data


def texts_needed(form: forms.Form, data: dict, language: str, fields: tuple[str, ...]) -> None:
    """An error on each `<field>_<language>` left empty: the survey is offered in `language`."""
    for field in fields:
        if not (data.get(f"{field}_{language}") or "").strip():
            form.add_error(
                f"{field}_{language}",
                _("The survey is offered in %(language)s, so this text is needed.")
                % {"language": LANGUAGE_NAMES[language]},
            )


@dataclass(frozen=True)
class KindPanel:
    """The part of the question form that belongs to one kind of question: its fields, or a note."""

    kind: str
    legend: str
    note: str
    fields: list


class QuestionForm(forms.ModelForm):
    """A question with only the fields its kind uses, in the languages its survey offers.

    The page shows every kind's panel (a script hides all but the chosen kind's); a posted field of
    another kind is ignored, so an options list typed before switching to a scale is not stored."""

    SERVICE_ERROR_FIELDS = {"question_options_count": "options_fi", "question_limits_reversed": "min_value"}

    KIND_FIELDS = {
        QuestionKind.CHOICE: ("options_fi", "options_sv", "options_en", "demographic"),
        QuestionKind.NUMBER: ("min_value", "max_value"),
    }
    options_fi = forms.CharField(
        label=_("Answer options in Finnish, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The first line is keypad digit 1, the second 2, and so on: 2-9 options."),
    )
    options_sv = forms.CharField(
        label=_("Answer options in Swedish"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    options_en = forms.CharField(
        label=_("Answer options in English"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    class Meta:
        model = Question
        fields = ["kind", "demographic", "text_fi", "text_sv", "text_en", "required", "min_value", "max_value"]
        widgets = {"text_fi": TEXTAREA, "text_sv": TEXTAREA, "text_en": TEXTAREA}

    def __init__(self, *args, languages: list[str], later_questions: list[Question] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for language in {"sv", "en"} - set(languages):
            del self.fields[f"text_{language}"], self.fields[f"options_{language}"]
        self.fields["kind"].widget.attrs["data-kind-select"] = ""
        question = self.instance
        if question.pk:
            options = list(question.options.all())
            for language in languages:
                self.fields[f"options_{language}"].initial = "\n".join(
                    getattr(option, f"label_{language}") for option in options
                )
            targets = [("", _("the next question"))] + [
                (str(later.position), f"{later.position}. {later.text_fi[:60]}") for later in later_questions
            ]
            for option in options:
                self.fields[f"skip_{option.digit}"] = forms.TypedChoiceField(
                    label=_("After answer %(digit)d (%(label)s), go to")
                    % {"digit": option.digit, "label": option.label_fi},
                    choices=targets,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial=str(option.skip_to.position) if option.skip_to else "",
                )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind:
            for other, names in self.KIND_FIELDS.items():
                for name in names:
                    if other != kind and name in self.fields:
                        self._errors.pop(name, None)
                        data[name] = self.fields[name].to_python("")
        if kind == QuestionKind.CHOICE:
            self._check_option_lines(data)
        return data

    def _check_option_lines(self, data: dict) -> None:
        """Each option fits its column, and no language has options the Finnish lines lack (they
        would be dropped, as line N is keypad digit N in every language)."""
        longest = QuestionOption._meta.get_field("label_fi").max_length
        finnish = len(self._option_lines(data, "fi"))
        for language in ("fi", "sv", "en"):
            name = f"options_{language}"
            if name not in self.fields:
                continue
            lines = self._option_lines(data, language)
            for digit, line in enumerate(lines, start=1):
                if len(line) > longest:
                    self.add_error(
                        name,
                        _("Answer option %(digit)d is too long: %(length)d characters, at most %(max)d.")
                        % {"digit": digit, "length": len(line), "max": longest},
                    )
            if len(lines) > finnish:
                self.add_error(
                    name,
                    _(
                        "This has %(count)d options, the Finnish %(finnish)d: each language needs as many, "
                        "in the same order."
                    )
                    % {"count": len(lines), "finnish": finnish},
                )

    @staticmethod
    def _option_lines(data: dict, language: str) -> list[str]:
        # Blank lines are skipped in every language alike, so line N is keypad digit N in each of them.
        return [line for line in (data.get(f"options_{language}") or "").splitlines() if line.strip()]

    @property
    def kind_panels(self) -> list[KindPanel]:
        return [
            KindPanel(
                QuestionKind.SCALE,
                _("Scale question"),
                _("Answered with keys 1-5: %(scale)s. The keys are set for you.") % {"scale": SCALE_ANSWERS},
                [],
            ),
            KindPanel(
                QuestionKind.CHOICE, _("Choice question: answer options"), "", self._fields_of(QuestionKind.CHOICE)
            ),
            KindPanel(
                QuestionKind.YES_NO,
                _("Yes / no question"),
                _("Answered with key 1 (yes) or 2 (no). The keys are set for you."),
                [],
            ),
            KindPanel(
                QuestionKind.NUMBER,
                _("Number question: accepted numbers"),
                _("The respondent keys in a number or says it. Leave a limit empty to accept any number."),
                self._fields_of(QuestionKind.NUMBER),
            ),
            KindPanel(
                QuestionKind.OPEN,
                _("Open question"),
                _("The respondent answers in their own words; the speech is written down."),
                [],
            ),
        ]

    def _fields_of(self, kind: str) -> list:
        return [self[name] for name in self.KIND_FIELDS[kind] if name in self.fields]

    @property
    def main_fields(self):
        kind_fields = {name for names in self.KIND_FIELDS.values() for name in names}
        return [self[name] for name in self.fields if not name.startswith("skip_") and name not in kind_fields]

    @property
    def skip_fields(self):
        return [self[name] for name in self.fields if name.startswith("skip_")]

    def option_texts(self) -> list[OptionText]:
        columns = [self._option_lines(self.cleaned_data, language) for language in ("fi", "sv", "en")]
        finnish = columns[0]
        padded = [column + [""] * (len(finnish) - len(column)) for column in columns[1:]]
        return [OptionText(fi, sv, en) for fi, sv, en in zip(finnish, padded[0], padded[1], strict=False)]

    def skips(self) -> dict[int, int | None]:
        return {
            int(name.removeprefix("skip_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("skip_")
        }


class CampaignForm(forms.ModelForm):
    SERVICE_ERROR_FIELDS = {
        "caller_number_invalid": "caller_number",
        "caller_number_not_finnish": "caller_number",
        "caller_number_override_reason_missing": "caller_number_override_reason",
        "campaign_slug_empty": "slug",
    }
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Calling days"),
        choices=[(day, name) for day, name in WEEKDAYS.items()],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    announcement_channels = forms.MultipleChoiceField(
        label=_("Pre-announced in"),
        choices=AnnouncementChannel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one channel: residents must hear of the calls in advance.")},
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "name_sv",
            "name_en",
            "survey_version",
            "caller_number",
            "caller_number_override_reason",
            "start_date",
            "end_date",
            "daily_start",
            "daily_end",
            "weekdays",
            "exclude_holidays",
            "is_demo_window",
            "max_attempts",
            "min_gap_minutes",
            "max_concurrent_calls",
            "calls_per_second",
            "price_per_minute",
            "budget_cap",
            "quotas_enabled",
            "target_completes",
            "telephony_provider",
            "leave_machine_message",
            "sms_follow_up",
            "young_first",
            "number_source",
            "number_retention_days",
            "answer_retention_months",
            "information_notice_fi",
            "information_notice_sv",
            "information_notice_en",
            "announcement_channels",
        ]
        # Decimals as people write them in the page's language: "0,09", "12 000".
        localized_fields = ["calls_per_second", "price_per_minute", "budget_cap"]
        field_classes = {"price_per_minute": EurosField, "budget_cap": EurosField}
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "daily_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "daily_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "caller_number": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
            "caller_number_override_reason": forms.Textarea(attrs={"rows": 2}),
            "information_notice_fi": forms.Textarea(attrs={"rows": 6}),
            "information_notice_sv": forms.Textarea(attrs={"rows": 6}),
            "information_notice_en": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, providers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if self.initial.get("price_per_minute") is not None:
            self.initial["price_per_minute"] = price_trimmed(Decimal(self.initial["price_per_minute"]))
        self.fields["survey_version"].queryset = SurveyVersion.objects.select_related("survey").order_by(
            "survey__slug", "-number"
        )
        self.fields["telephony_provider"] = forms.ChoiceField(
            label=self.fields["telephony_provider"].label, choices=[(name, provider_label(name)) for name in providers]
        )
        if not any(Campaign(telephony_provider=name).is_simulated for name in providers):
            # A site whose every provider calls real residents has no use for the demo's all-day window;
            # one stored before is turned off with the next save, as the launch gate asks (campaign_values).
            self.fields.pop("is_demo_window")
            self.instance.is_demo_window = False
        if self.instance.pk:
            self.fields.pop("slug")
        else:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "Used in the campaign's addresses, also on the residents' page. Left empty, it is made from "
                "the name (with a number added if another campaign has it)."
            )
            self.fields["slug"].widget.attrs["data-slug-from"] = "id_name"
        self.initial.setdefault("weekdays", self.instance.weekdays)
        self.initial.setdefault("announcement_channels", self.instance.announcement_channels)
        self.fields["announcement_channels"].help_text = ngettext(
            "Communications publishes the pre-announcement in each of these channels, in every language of the "
            "survey; calling cannot start until each is published at least %(days)d day before the first calling "
            "day. Other channels may be used as well.",
            "Communications publishes the pre-announcement in each of these channels, in every language of the "
            "survey; calling cannot start until each is published at least %(days)d days before the first calling "
            "day. Other channels may be used as well.",
            settings.ANNOUNCEMENT_LEAD_DAYS,
        ) % {"days": settings.ANNOUNCEMENT_LEAD_DAYS}

    def clean_price_per_minute(self):
        price = self.cleaned_data["price_per_minute"]
        # No carrier charges euros a minute for a call in Finland: "12.000" meant twelve thousand of something.
        if price is not None and price > MOST_PLAUSIBLE_PRICE_PER_MINUTE:
            raise forms.ValidationError(
                _("%(price)s EUR a minute is more than any carrier charges: check the decimal separator.")
                % {"price": number_format(price, use_l10n=True, force_grouping=True)}
            )
        return price

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last calling day is before the first one."))
        begins, ends = data.get("daily_start"), data.get("daily_end")
        if begins and ends and ends <= begins:
            self.add_error("daily_end", _("Calls must end later in the day than they start."))
        version = data.get("survey_version")
        for language in ("sv", "en"):
            if version and getattr(version, f"offers_{language}"):
                texts_needed(self, data, language, ("name",))
        return data

    def campaign_values(self) -> dict:
        """The settings to save: a demo window stored before on a site that offers none is turned off."""
        values = dict(self.cleaned_data)
        if "is_demo_window" not in self.fields:
            values["is_demo_window"] = False
        return values


class ChecklistForm(forms.ModelForm):
    class Meta:
        model = LaunchChecklist
        fields = list(LaunchChecklist.ITEMS)


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The text is in the announcement's language, whatever the page's (WCAG 3.1.2).
        self.fields["text"].widget.attrs["lang"] = self.instance.language


class PublishForm(forms.Form):
    published_on = forms.DateField(
        label=_("Published on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_published_on(self):
        published_on = self.cleaned_data["published_on"]
        if published_on > timezone.localdate():
            raise forms.ValidationError(
                _("The date is in the future. Record the publication on the day it has been published.")
            )
        return published_on


class PredictionForm(forms.Form):
    """How many numbers to predict for: asked only while the campaign has no contacts."""

    numbers = forms.IntegerField(
        label=_("Numbers to predict for"),
        required=False,
        min_value=1,
        max_value=settings.CONTACT_FILE_MAX_ROWS,
        help_text=_("The campaign has no contacts yet: the prediction draws this many from the synthetic population."),
    )


class NumbersNeededForm(forms.Form):
    completes = forms.IntegerField(label=_("Complete answers wanted"), min_value=1, max_value=1_000_000)
