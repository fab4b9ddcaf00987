"""Forms of the HR administration pages: they parse input; the services decide."""

import re
from datetime import date

from django import forms
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from kuntaportaali.redaction import PERSON_NUMBER
from kuntaportaali.roles import Role
from kuntaportaali.tabular.reader import AUTO

from .errors import HrError
from .models import AbsenceType, SalaryType, Source, TeamsChannel, WorkUnit
from .models.fetching import ReportType
from .models.organisation import SupervisorRole
from .models.teams import WEBHOOK_URL_HELP, WEBHOOK_URL_LABEL
from .periods import period_parse
from .report_forms import supervisor_choice_label
from .services.sources import MAX_UPLOAD_BYTES
from .sources.base import source_kinds
from .sources.files import DEFAULT_FILES, DELIMITERS, ENCODINGS, MAX_TITLE_ROWS
from .sources.schema import FIELDS

KIND_LABELS = {
    "simulator": _("Simulator (demo data)"),
    "files": _("Export files (CSV or Excel)"),
    "http": _("Integration endpoint (HTTP/JSON)"),
}
FILE_REPORTS = [(value, label) for value, label in ReportType.choices]
HUMAN_PERIOD = re.compile(r"^(?P<month>\d{1,2})\s*/\s*(?P<year>\d{4})$")


class PeriodField(forms.CharField):
    """A month as people write it in Finland, "3/2026" (a month's date shows so); "2026-03" is read too."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Period"))
        kwargs.setdefault("help_text", _("Month and year, e.g. 3/2026."))
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return f"{value.month}/{value.year}" if isinstance(value, date) else value

    def clean(self, value):
        value = super().clean(value)
        written = HUMAN_PERIOD.match(value.strip())
        try:
            return period_parse(f"{written['year']}-{int(written['month']):02d}" if written else value)
        except HrError:
            raise forms.ValidationError(_("Give the month and year, e.g. 3/2026.")) from None


class SourceForm(forms.Form):
    name = forms.SlugField(label=_("Name"), max_length=60, help_text=_("Short name used on the command line."))
    kind = forms.ChoiceField(label=_("Kind"))
    active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("Active sources are fetched every month automatically.")
    )
    folder = forms.CharField(
        label=_("Folder"),
        required=False,
        help_text=_("Export files: folder inside the portal's Populus file folder where the exports are put."),
    )
    encoding = forms.ChoiceField(label=_("Encoding"), choices=list(ENCODINGS.items()), required=False)
    delimiter = forms.ChoiceField(label=_("Delimiter"), choices=list(DELIMITERS.items()), required=False)
    has_header = forms.BooleanField(
        label=_("The files have a header row"),
        required=False,
        help_text=_("The header may stand below title rows; in an Excel file, every sheet with it is read."),
    )
    title_rows = forms.IntegerField(
        label=_("Title rows above the data"),
        required=False,
        min_value=0,
        max_value=MAX_TITLE_ROWS,
        help_text=_("Files without a header row: how many rows at the top to skip."),
    )
    files_units = forms.CharField(
        label=_("File name of work units"),
        required=False,
        help_text=_("Optional. {yyyymm} stands for the month (e.g. 202603) and * for any text."),
    )
    files_employments = forms.CharField(label=_("File name of employments"), required=False)
    files_absences = forms.CharField(label=_("File name of absences"), required=False)
    files_salaries = forms.CharField(label=_("File name of salaries"), required=False)
    base_url = forms.URLField(label=_("Endpoint address"), required=False, assume_scheme="https")
    token = forms.CharField(
        label=_("Access token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored token."),
    )
    timeout = forms.FloatField(label=_("Timeout (seconds)"), required=False, min_value=0.1)
    retries = forms.IntegerField(label=_("Retries"), required=False, min_value=0, max_value=10)
    seed = forms.IntegerField(
        label=_("Seed"), required=False, help_text=_("Simulator: the same seed gives the same data.")
    )
    employees = forms.IntegerField(label=_("Employees"), required=False, min_value=1, max_value=10_000)

    KIND_FIELDS = {
        "files": ("folder", "encoding", "delimiter", "has_header", "title_rows"),
        # files_<report> fields are gathered into the "files" setting by settings()
        "http": ("base_url", "token", "timeout", "retries"),
        "simulator": ("seed", "employees"),
    }

    def __init__(self, *args, source: Source | None = None, **kwargs):
        if source is not None and "initial" not in kwargs:
            kwargs["initial"] = (
                {"name": source.name, "kind": source.kind, "active": source.active}
                | {key: value for key, value in source.config.items() if key != "token_encrypted"}
                | {f"files_{report}": pattern for report, pattern in (source.config.get("files") or {}).items()}
            )
        elif source is None and "initial" not in kwargs:
            kwargs["initial"] = {"active": True, "has_header": True, "encoding": AUTO, "delimiter": AUTO} | {
                f"files_{report}": pattern for report, pattern in DEFAULT_FILES.items()
            }
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, KIND_LABELS.get(kind, kind)) for kind in source_kinds()]
        hosts = ", ".join(django_settings.POPULUS_HTTP_ALLOWED_HOSTS) or _("none")
        self.fields["base_url"].help_text = _(
            "The hosts the portal may contact are set by its administrator (POPULUS_HTTP_ALLOWED_HOSTS): %(hosts)s."
        ) % {"hosts": hosts}

    def settings(self) -> dict:
        data = self.cleaned_data
        settings = {name: data.get(name) for name in self.KIND_FIELDS.get(data["kind"], ())}
        if data["kind"] == "files":
            settings["files"] = {report: (data.get(f"files_{report}") or "").strip() for report in DEFAULT_FILES}
        return settings


class ColumnMapForm(forms.Form):
    """One field per report field: the header name or the column number that holds it."""

    def __init__(self, *args, report_type: str, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in FIELDS[report_type]:
            self.fields[spec.name] = forms.CharField(
                label=spec.label,
                required=spec.required,
                initial=current.get(spec.name, ""),
                help_text=_("Header name or column number (1 = first column)."),
            )


class ExportFileForm(forms.Form):
    """An export file of a report for a month: to test (preview) or to upload where the source finds it."""

    SERVICE_ERROR_FIELDS = {
        "upload_extension_refused": "file",
        "upload_too_large": "file",
        "upload_no_file_pattern": "report_type",
    }

    report_type = forms.ChoiceField(label=_("Report"), choices=FILE_REPORTS)
    period = PeriodField(help_text=_("The month the file is for, e.g. 3/2026: rows of other months are rejected."))
    file = forms.FileField(label=_("Export file"), help_text=_("CSV or Excel (.xlsx) file as Populus wrote it."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked before the file is read into memory (the services check it again).
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload


class FetchForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.all(), empty_label=None)
    period = PeriodField()


class UnitForm(forms.ModelForm):
    SERVICE_ERROR_FIELDS = {"unit_code_slash_refused": "code", "unit_parent_cycle": "parent"}

    class Meta:
        model = WorkUnit
        fields = ["code", "name", "parent", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = WorkUnit.objects.order_by("path")
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
        self.fields["parent"].queryset = parents

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if "/" in code:
            raise forms.ValidationError(_("A unit code cannot contain a slash (/)."))
        return code


class AssignmentForm(forms.Form):
    SERVICE_ERROR_FIELDS = {"assignment_ends_before_start": "valid_until"}

    user = forms.ModelChoiceField(label=_("Supervisor"), queryset=get_user_model().objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=SupervisorRole.choices)
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty while the assignment lasts."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(groups__name=Role.SUPERVISOR.value, is_active=True)
            .order_by("last_name", "username")
        )
        self.fields["user"].label_from_instance = supervisor_choice_label

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", _("The assignment cannot end before it starts."))
        return data


class EmployeeSearchForm(forms.Form):
    """The employee lookup. The form posts: an identity code in a page's address would stay in the
    browser's history and in the access log of every proxy before the portal (ASVS 8.3.1). A search read
    from an address (`in_address`, a bookmark or a link) may look for a name or an employment id only."""

    q = forms.CharField(label=_("Name, person number or employment id"), max_length=100, required=False)

    def __init__(self, *args, in_address: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_address = in_address

    def clean_q(self) -> str:
        query = self.cleaned_data["q"]
        if self.in_address and PERSON_NUMBER.search(query):
            raise forms.ValidationError(
                _(
                    "An identity code is not searched from the page's address, where it would stay in the "
                    "browser's history and in the servers' logs: type it in the field and press Search."
                )
            )
        return query


class AbsenceTypeForm(forms.ModelForm):
    class Meta:
        model = AbsenceType
        fields = ["code", "name_fi", "name_sv", "category", "paid_by_default", "active"]


class SalaryTypeForm(forms.ModelForm):
    class Meta:
        model = SalaryType
        fields = ["code", "name_fi", "name_sv", "active"]


class TeamsChannelForm(forms.ModelForm):
    """Parses the channel's fields; the service (teams_channel_save) checks the address."""

    webhook_url = forms.URLField(
        label=WEBHOOK_URL_LABEL,
        max_length=2000,
        assume_scheme="https",
        help_text=WEBHOOK_URL_HELP,
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = TeamsChannel
        fields = ["unit", "webhook_url", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The address's path is the channel's secret: like a source's token, it is not sent back.
            self.fields["webhook_url"].required = False
            self.fields["webhook_url"].help_text = _("Leave empty to keep the stored address (host %(host)s).") % {
                "host": self.instance.webhook_host
            }
        self.fields["unit"].queryset = WorkUnit.objects.order_by("path")
        self.fields["unit"].empty_label = _("HR (a summary of every monthly run)")
