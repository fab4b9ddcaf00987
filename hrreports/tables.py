"""django-tables2 tables of the HR administration pages."""

import datetime
from collections.abc import Callable
from typing import Any

import django_tables2 as tables
from django.template.defaultfilters import date, floatformat, yesno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import localize
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from kuntaportaali.language_parts import in_language
from kuntaportaali.tables import EMPTY_CELL, NUMERIC, CaptionedTable
from kuntaportaali.templatetags.portal_format import number

from .forms import KIND_LABELS
from .models import (
    Absence,
    AbsenceType,
    Delivery,
    DeliveryRun,
    Employee,
    Employment,
    FetchRun,
    RejectedRow,
    Rule,
    SalaryPayment,
    SalaryType,
    Source,
    SupervisorAssignment,
    WorkUnit,
)
from .models.organisation import POPULUS_TEXT_LANGUAGE
from .sources.schema import field_display
from .templatetags.hr_days import days

# Columns and helpers shared by the tables.


def percent_label(message: str):
    """The text of a template's label with a percent sign ("Working time %"): its msgid doubles the sign."""
    return lazy(lambda: gettext(message).replace("%%", "%"), str)()


def euros(value) -> str:
    """Euros as in the PDF: two decimals, grouped thousands ("4 106,96" in Finnish)."""
    return floatformat(value, "2g")


class EurosColumn(tables.Column):
    """Euros right-aligned, written as `euros` writes them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, attrs=NUMERIC, **kwargs)

    def render(self, value) -> str:
        return euros(value)


class DaysColumn(tables.Column):
    """Days as counted, a half day too ("4,5" in Finnish), right-aligned."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, attrs=NUMERIC, **kwargs)

    def render(self, value) -> str:
        return days(value)


class CountColumn(tables.Column):
    """A count right-aligned and grouped as the reader's language groups it ("9 199" in Finnish)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, attrs=NUMERIC, **kwargs)

    def render(self, value) -> str:
        return number(value)


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


class YesNoColumn(tables.Column):
    """A flag worded as the pages word it: "yes" or "no" in the reader's language."""

    def render(self, value: bool) -> str:
        return yesno(value, gettext("yes,no"))


class RemoveColumn(tables.TemplateColumn):
    """A button that removes the row's record by a POST to the URL named `delete_url`; `name_of(record)`
    tells a screen reader which record the button removes."""

    def __init__(self, delete_url: str, *, name_of: Callable[[Any], object] = str, **kwargs):
        self.name_of = name_of
        super().__init__(
            template_name="hrreports/includes/remove_button.html",
            extra_context={"delete_url": delete_url},
            verbose_name=_("Remove"),
            empty_values=(),
            **kwargs,
        )

    def render(self, record, **kwargs) -> str:
        return super().render(record=record, **kwargs | {"value": self.name_of(record)})


# Sources and fetch runs.


class SourceTable(CaptionedTable):
    """Over `sources_with_latest_run`'s pairs: a source and its newest fetch run, or None."""

    row_header = "name"
    name = tables.Column(
        verbose_name=_("Name"),
        accessor="0__name",
        linkify=lambda record: reverse("hrreports:source-edit", args=[record[0].pk]),
    )
    kind = tables.Column(verbose_name=_("Kind"), accessor="0__kind")
    active = YesNoColumn(verbose_name=_("Active"), accessor="0__active")
    latest_run = tables.Column(verbose_name=_("Latest run"), accessor="1", empty_values=())

    def render_kind(self, value: str) -> str:
        return KIND_LABELS.get(value, value)

    def render_latest_run(self, value: FetchRun | None) -> str:
        if value is None:
            return gettext("never fetched")
        return format_html(
            '<a href="{}">{}: {}</a>',
            reverse("hrreports:run-detail", args=[value.pk]),
            date(value.period, "YEAR_MONTH_FORMAT"),
            value.get_status_display(),
        )

    class Meta(CaptionedTable.Meta):
        pass


class ColumnMapTable(CaptionedTable):
    """A file source's column map of one report (field: the file's column), captioned with the report's
    name and a link to the map's form."""

    row_header = "field"
    field = tables.Column(verbose_name=_("Field"), accessor="0")
    column = tables.Column(verbose_name=_("Column"), accessor="1")

    def __init__(self, column_map: dict[str, str | int], *, source: Source, report_type: str, label: str):
        edit_url = reverse("hrreports:source-columns", args=[source.pk, report_type])
        edit = gettext("Edit the column map of %(report)s") % {"report": label}
        caption = format_html('{} – <a href="{}">{}</a>', label, edit_url, edit)
        super().__init__(list(column_map.items()), caption=caption)

    class Meta(CaptionedTable.Meta):
        pass


class PreviewValueColumn(tables.Column):
    """A value as read from a file, written as the page's language writes it: a date as the files write it
    (2.3.2026), a yes or no in words, a decimal with the language's comma."""

    def render(self, value) -> str:
        if isinstance(value, bool):
            return yesno(value, gettext("yes,no"))
        if isinstance(value, datetime.date):
            return date(value, "SHORT_DATE_FORMAT")
        return localize(value)


class PreviewRowTable(CaptionedTable):
    """The first rows a test of a file would store: a column per field of the report (`columns`: the
    field's label and the file's column it is read from), each row a list of values in that order."""

    def __init__(self, rows: list[list], *, columns: list[tuple[str, str]], **kwargs):
        fields = [
            (
                f"field_{index}",
                PreviewValueColumn(
                    verbose_name=format_html(
                        '{}<span class="hint">{}</span>', label, gettext("column: %(column)s") % {"column": column}
                    ),
                    accessor=tables.A(str(index)),
                ),
            )
            for index, (label, column) in enumerate(columns)
        ]
        super().__init__(rows, extra_columns=fields, **kwargs)

    class Meta(CaptionedTable.Meta):
        default = ""
        empty_text = _("No row would be stored.")


class PreviewRejectionTable(CaptionedTable):
    """Over the `Rejection`s a test of a file found."""

    file = tables.Column(verbose_name=_("File"))
    row = tables.Column(verbose_name=_("Row"))
    field = tables.Column(verbose_name=_("Field"))
    value = tables.Column(verbose_name=_("Value"))
    problem = tables.Column(verbose_name=_("Reason"))

    class Meta(CaptionedTable.Meta):
        default = ""


class FetchRunTable(CaptionedTable):
    id = tables.LinkColumn("hrreports:run-detail", args=[tables.A("pk")], verbose_name=_("Run"))
    period = tables.DateColumn(format="YEAR_MONTH_FORMAT", verbose_name=_("Period"))
    source = tables.Column(verbose_name=_("Source"))
    status = tables.Column(verbose_name=_("Status"))
    trigger = tables.Column(verbose_name=_("Started by"))
    created_at = tables.DateTimeColumn(verbose_name=_("Created"))
    rows_read = CountColumn(verbose_name=_("Rows read"))
    rejected_count = CountColumn(verbose_name=_("Rejected rows"))

    class Meta(CaptionedTable.Meta):
        model = FetchRun
        fields = ("id", "period", "source", "status", "trigger", "created_at", "rows_read", "rejected_count")


class LatestFetchRunTable(CaptionedTable):
    """The few newest fetch runs on the HR administration's front page."""

    row_header = "source"
    source = tables.Column(
        verbose_name=_("Source"), accessor="source__name", linkify=("hrreports:run-detail", [tables.A("pk")])
    )
    period = tables.DateColumn(format="YEAR_MONTH_FORMAT", verbose_name=_("Period"))
    status = tables.Column(verbose_name=_("Status"))
    created_at = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT", verbose_name=_("Created"))

    def render_status(self, record: FetchRun) -> str:
        return format_html(
            '<span class="run-status run-status--{}">{}</span>', record.status, record.get_status_display()
        )

    class Meta(CaptionedTable.Meta):
        pass


class StoredRowCountTable(CaptionedTable):
    """Over a fetch run's (report label, rows stored) pairs."""

    row_header = "report"
    report = tables.Column(verbose_name=_("Report"), accessor="0")
    rows_stored = tables.Column(verbose_name=_("Rows stored"), accessor="1")

    def render_rows_stored(self, value: int) -> str:
        return number(value)

    class Meta(CaptionedTable.Meta):
        pass


class RejectedRowTable(CaptionedTable):
    reason = tables.Column(verbose_name=_("Reason"), accessor="code")

    def render_field(self, value: str, record: RejectedRow) -> str:
        return field_display(record.report_type, value)

    def render_reason(self, record: RejectedRow) -> str:
        return record.reason

    class Meta(CaptionedTable.Meta):
        model = RejectedRow
        fields = ("report_type", "file", "row", "field", "value", "reason")
        empty_text = _("No rows were rejected.")


# Work units, employees and code lists.


class WorkUnitTable(CaptionedTable):
    """The unit tree: each unit's name is indented by its depth (hr.css)."""

    row_header = "name"
    name = tables.Column(
        verbose_name=_("Unit"),
        linkify=("hrreports:unit-detail", [tables.A("pk")]),
        attrs={"td": {"class": lambda record: f"unit-tree__name unit-tree__name--{record.depth:d}"}},
    )
    depth = tables.Column(verbose_name=_("Level"))
    supervisors = tables.Column(verbose_name=_("Supervisors"), accessor="current_assignments", empty_values=())
    active = YesNoColumn(verbose_name=_("Active"))

    def render_name(self, record: WorkUnit) -> str:
        return in_language(str(record), record.NAME_LANGUAGE)

    def render_depth(self, value: int) -> int:
        """The root is level 1."""
        return value + 1

    def render_supervisors(self, value) -> str:
        names = []
        for assignment in value:
            name = person_name(assignment.user)
            deputy = gettext("deputy")
            names.append(f"{name} ({deputy})" if assignment.role == "deputy" else name)
        return ", ".join(names) or EMPTY_CELL

    class Meta(CaptionedTable.Meta):
        attrs = {"class": "table unit-tree"}


class SupervisorAssignmentTable(CaptionedTable):
    """A unit's supervisors and deputies; an assignment still valid can be ended from its row (the page
    passes `today`)."""

    row_header = "person"
    person = tables.Column(verbose_name=_("Person"), accessor="user")
    role = tables.Column(verbose_name=_("Role"))
    valid_from = tables.DateColumn(format="SHORT_DATE_FORMAT", verbose_name=_("Valid from"))
    valid_until = tables.DateColumn(format="SHORT_DATE_FORMAT", verbose_name=_("Valid until"), default=EMPTY_CELL)
    action = tables.TemplateColumn(
        template_name="hrreports/includes/assignment_action.html", verbose_name=_("Action"), empty_values=()
    )

    def render_person(self, value) -> str:
        return person_name(value)

    class Meta(CaptionedTable.Meta):
        model = SupervisorAssignment
        fields = ("person", "role", "valid_from", "valid_until", "action")
        empty_text = _("Nobody is assigned to this unit.")


class EmployeeTable(CaptionedTable):
    name = tables.LinkColumn("hrreports:employee-detail", args=[tables.A("pk")], verbose_name=_("Name"))
    person_number = tables.Column(verbose_name=_("Person number"), accessor="person_number_masked", empty_values=())

    class Meta(CaptionedTable.Meta):
        model = Employee
        fields = ("name",)
        sequence = ("name", "person_number")


class EmploymentTable(CaptionedTable):
    row_header = "employment_id"
    employment_id = tables.Column(verbose_name=_("Employment id"))
    unit = tables.Column(verbose_name=_("Work unit"))
    title = tables.Column(verbose_name=_("Title"))
    kind = tables.Column(verbose_name=_("Kind"))
    relationship = tables.Column(verbose_name=_("Relationship"))
    start = tables.DateColumn(format="SHORT_DATE_FORMAT", verbose_name=_("Start"), default=EMPTY_CELL)
    end = tables.DateColumn(format="SHORT_DATE_FORMAT", verbose_name=_("End"), default=EMPTY_CELL)
    working_time_percent = tables.Column(
        verbose_name=percent_label(gettext_noop("Working time %%")), default=EMPTY_CELL
    )

    def render_unit(self, value: WorkUnit) -> str:
        return in_language(str(value), value.NAME_LANGUAGE)

    def render_title(self, value: str) -> str:
        return in_language(value, POPULUS_TEXT_LANGUAGE)

    def render_working_time_percent(self, value) -> str:
        return floatformat(value, "-2g")

    class Meta(CaptionedTable.Meta):
        model = Employment
        fields = ("employment_id", "unit", "title", "kind", "relationship", "start", "end", "working_time_percent")
        default = ""


class EmployeeAbsenceTable(CaptionedTable):
    row_header = "absence_type"
    absence_type = tables.Column(verbose_name=_("Absence type"))
    period = tables.DateColumn(format="YEAR_MONTH_FORMAT", verbose_name=_("Month fetched"))
    start = tables.DateColumn(format="SHORT_DATE_FORMAT", verbose_name=_("Start"))
    end = tables.DateColumn(format="SHORT_DATE_FORMAT", verbose_name=_("End"))
    calendar_days = tables.Column(verbose_name=_("Calendar days"))
    working_days = tables.Column(verbose_name=_("Working days"))
    paid = YesNoColumn(verbose_name=_("Paid"))

    def render_calendar_days(self, value) -> str:
        return days(value)

    def render_working_days(self, value) -> str:
        return days(value)

    class Meta(CaptionedTable.Meta):
        model = Absence
        fields = ("absence_type", "period", "start", "end", "calendar_days", "working_days", "paid")
        empty_text = _("No absences.")


class EmployeeSalaryTable(CaptionedTable):
    row_header = "pay_period"
    pay_period = tables.DateColumn(format="YEAR_MONTH_FORMAT", verbose_name=_("Pay period"))
    payment_date = tables.DateColumn(format="SHORT_DATE_FORMAT", verbose_name=_("Payment date"))
    salary_type = tables.Column(verbose_name=_("Salary type"))
    amount = EurosColumn(verbose_name=_("Amount (EUR)"))

    class Meta(CaptionedTable.Meta):
        model = SalaryPayment
        fields = ("pay_period", "payment_date", "salary_type", "amount")
        empty_text = _("No salary payments.")


class SalaryTypeTable(CaptionedTable):
    row_header = "code"
    code = tables.Column(verbose_name=_("Code"), linkify=("hrreports:salary-type-edit", [tables.A("pk")]))
    name_fi = tables.Column(verbose_name=_("Name in Finnish"))
    name_sv = tables.Column(verbose_name=_("Name in Swedish"))
    active = YesNoColumn(verbose_name=_("Active"))

    class Meta(CaptionedTable.Meta):
        model = SalaryType
        fields = ("code", "name_fi", "name_sv", "active")
        default = ""


class AbsenceTypeTable(SalaryTypeTable):
    code = tables.Column(verbose_name=_("Code"), linkify=("hrreports:absence-type-edit", [tables.A("pk")]))
    category = tables.Column(verbose_name=_("Category"))
    paid_by_default = YesNoColumn(verbose_name=_("Paid by default"))

    class Meta(SalaryTypeTable.Meta):
        model = AbsenceType
        fields = ("code", "name_fi", "name_sv", "category", "paid_by_default", "active")


# Early-support rules, deliveries and Teams channels.


class RuleTable(CaptionedTable):
    row_header = "name"
    name = tables.Column(
        verbose_name=_("Name"), accessor="localized_name", linkify=("hrreports:rule-edit", [tables.A("pk")])
    )
    kind = tables.Column(verbose_name=_("Kind"))
    months = tables.Column(verbose_name=_("Months"), attrs=NUMERIC)
    spells_at_least = tables.Column(verbose_name=_("Spells at least"), attrs=NUMERIC)
    days_at_least = tables.Column(verbose_name=_("Days at least"), attrs=NUMERIC)
    active = YesNoColumn(verbose_name=_("Active"))

    class Meta(CaptionedTable.Meta):
        model = Rule
        fields = ("name", "kind", "months", "spells_at_least", "days_at_least", "active")
        default = EMPTY_CELL


class DeliveryRunTable(CaptionedTable):
    row_header = "started_at"
    started_at = tables.Column(verbose_name=_("Run"))
    period = tables.Column(verbose_name=_("Month"))
    trigger = tables.Column(verbose_name=_("Started by"))
    reports = tables.Column(verbose_name=_("Reports delivered"), attrs=NUMERIC)
    emails = tables.Column(verbose_name=_("Emails sent"), attrs=NUMERIC)
    failed = tables.Column(verbose_name=_("Emails failed"), attrs=NUMERIC)
    notices = tables.Column(verbose_name=_("Teams notices sent / failed"), attrs=NUMERIC, empty_values=())
    time_saved = tables.Column(verbose_name=_("Time saved"), empty_values=())

    def render_started_at(self, value, record: DeliveryRun) -> str:
        link = format_html(
            '<a href="{}">{}</a>',
            reverse("hrreports:delivery-run", args=[record.pk]),
            # The date filter called from Python gets the stored UTC time: a template converts it first.
            date(localtime(value), "SHORT_DATETIME_FORMAT"),
        )
        if not record.error:
            return link
        return format_html('{} <span class="run-status run-status--failed">{}</span>', link, gettext("Failed"))

    def render_period(self, value, record: DeliveryRun) -> str:
        month = date(value, "YEAR_MONTH_FORMAT")
        return f"{month} ({record.unit_code})" if record.unit_code else month

    def render_trigger(self, record: DeliveryRun) -> str:
        started_by = record.get_trigger_display()
        return f"{started_by}, {gettext('sent again')}" if record.forced else started_by

    def render_notices(self, record: DeliveryRun) -> str:
        return f"{record.notices_sent} / {record.notices_failed}"

    def render_time_saved(self, record: DeliveryRun) -> str:
        return render_to_string("hrreports/includes/time_saved.html", {"run": record})

    class Meta(CaptionedTable.Meta):
        pass


class FailedDeliveryTable(CaptionedTable):
    row_header = "unit"
    unit = tables.Column(verbose_name=_("Work unit"), accessor="subscription__unit")
    supervisor = tables.Column(verbose_name=_("Supervisor"), accessor="subscription__user")
    attempts = tables.Column(verbose_name=_("Attempts"), attrs=NUMERIC)
    # An email sent again on purpose may fail after the supervisor got it once.
    sent_at = tables.DateTimeColumn(verbose_name=_("Last sent"), format="SHORT_DATETIME_FORMAT", default="–")
    reason = tables.Column(verbose_name=_("Reason"))

    def render_unit(self, value: WorkUnit) -> str:
        return in_language(str(value), value.NAME_LANGUAGE)

    def render_supervisor(self, value) -> str:
        return person_name(value)

    class Meta(CaptionedTable.Meta):
        model = Delivery
        fields = ("unit", "supervisor", "attempts", "sent_at", "reason")
        default = ""


class TeamsChannelTable(CaptionedTable):
    row_header = "unit"
    unit = tables.Column(
        verbose_name=_("Channel of"), empty_values=(), linkify=("hrreports:teams-channel-edit", [tables.A("pk")])
    )
    webhook_host = tables.Column(verbose_name=_("Webhook host"))
    active = YesNoColumn(verbose_name=_("Active"))
    remove = RemoveColumn("hrreports:teams-channel-delete")

    def render_unit(self, value) -> str:
        return in_language(str(value), value.NAME_LANGUAGE) if value else gettext("HR (a summary of every monthly run)")

    class Meta(CaptionedTable.Meta):
        default = ""
