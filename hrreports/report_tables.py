"""django-tables2 tables of the unit reports: sortable, paged, over the reports' dataclass rows."""

from datetime import date as Date

import django_tables2 as tables
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kuntaportaali.language_parts import in_language
from kuntaportaali.tables import EMPTY_CELL, NUMERIC, CaptionedTable

from .models import Subscription, WorkUnit
from .models.delivery import ReportKind
from .models.organisation import POPULUS_TEXT_LANGUAGE
from .tables import DaysColumn, EurosColumn, RemoveColumn, YesNoColumn, euros, person_name


class ReportTable(CaptionedTable):
    class Meta(CaptionedTable.Meta):
        orderable = True
        empty_text = _("No rows for this month.")
        default = EMPTY_CELL  # as the summaries and the PDF write an empty figure


class AbsenceTable(ReportTable):
    employee_name = tables.Column(verbose_name=_("Employee"))
    unit_code = tables.Column(verbose_name=_("Unit"))
    type_code = tables.Column(verbose_name=_("Code"))
    type_name = tables.Column(verbose_name=_("Absence type"))
    spells = tables.Column(verbose_name=_("Spells"), attrs=NUMERIC)
    calendar_days = DaysColumn(verbose_name=_("Calendar days"))
    working_days = DaysColumn(verbose_name=_("Working days"))

    def render_type_name(self, value: str, record) -> str:
        return in_language(value, record.type_name_language)

    class Meta(ReportTable.Meta):
        pass


class SalaryTable(ReportTable):
    employee_name = tables.Column(verbose_name=_("Employee"))
    unit_code = tables.Column(verbose_name=_("Unit"))
    type_code = tables.Column(verbose_name=_("Code"))
    type_name = tables.Column(verbose_name=_("Salary type"))
    amount = EurosColumn(verbose_name=_("Amount (EUR)"))

    def render_type_name(self, value: str, record) -> str:
        return in_language(value, record.type_name_language)

    class Meta(ReportTable.Meta):
        pass


class EmploymentTable(ReportTable):
    event = tables.Column(verbose_name=_("Event"))
    employee_name = tables.Column(verbose_name=_("Employee"))
    employment_id = tables.Column(verbose_name=_("Employment id"))
    unit_code = tables.Column(verbose_name=_("Unit"))
    title = tables.Column(verbose_name=_("Title"))
    kind_label = tables.Column(verbose_name=_("Kind"))
    start = tables.DateColumn(verbose_name=_("Start"))
    end = tables.DateColumn(verbose_name=_("End"))

    def render_title(self, value: str) -> str:
        return in_language(value, POPULUS_TEXT_LANGUAGE)

    class Meta(ReportTable.Meta):
        pass


class SalaryTypeTotalTable(CaptionedTable):
    """The salary report's totals per salary type against the previous month, the unit's total below."""

    row_header = "salary_type"
    salary_type = tables.Column(verbose_name=_("Salary type"), accessor="type_code", footer=_("Unit total"))
    amount = EurosColumn(verbose_name=_("This month (EUR)"), footer=lambda table: euros(table.report.total))
    # A previous month not fetched has no amounts: its cells and the change are a dash, not zero.
    previous_amount = EurosColumn(
        verbose_name=_("Previous month (EUR)"),
        footer=lambda table: _euros_or_empty(table.report.previous_total),
        default=EMPTY_CELL,
    )
    change = EurosColumn(verbose_name=_("Change (EUR)"), footer=lambda table: table.change_total(), default=EMPTY_CELL)

    def __init__(self, report, **kwargs):
        super().__init__(report.type_totals, **kwargs)
        self.report = report

    def change_total(self) -> str:
        if self.report.change is None:
            return EMPTY_CELL
        change = euros(self.report.change)
        percent = self.report.change_percent
        return change if percent is None else f"{change} ({localize(percent)} %)"

    def render_salary_type(self, record) -> str:
        if not record.type_name_language:  # a code missing from the code list: the code alone
            return record.type_code
        return format_html("{} {}", record.type_code, in_language(record.type_name, record.type_name_language))

    class Meta(CaptionedTable.Meta):
        pass


def _euros_or_empty(value) -> str:
    return EMPTY_CELL if value is None else euros(value)


# The table of each report; its column names are the report's column keys (hrreports.reports.columns).
REPORT_TABLES = {"absences": AbsenceTable, "salaries": SalaryTable, "employments": EmploymentTable}


# What an access log entry's `what` names, besides a report kind ("salaries") or its download ("salaries.csv").
ACCESS_SUBJECTS = {"alerts": _("Early-support alerts"), "alert": _("Early-support alert")}


def access_subject_label(what: str) -> str:
    """The readable name of what was opened: "Paid salaries (CSV)" for "salaries.csv"; an unknown code as is."""
    kind, _dot, export = what.partition(".")
    if kind in ReportKind.values:
        label = ReportKind(kind).label
        return gettext("%(report)s (%(format)s)") % {"report": label, "format": export.upper()} if export else label
    return ACCESS_SUBJECTS.get(what, what)


class ReportAccessTable(CaptionedTable):
    created_at = tables.DateTimeColumn(verbose_name=_("When"))
    user = tables.Column(verbose_name=_("User"))
    kind = tables.Column(verbose_name=_("Access"))
    what = tables.Column(verbose_name=_("What"))
    unit_ref = tables.Column(verbose_name=_("Unit"))
    period = tables.DateColumn(format="YEAR_MONTH_FORMAT", verbose_name=_("Period"))

    def render_what(self, value: str) -> str:
        return access_subject_label(value)

    class Meta(CaptionedTable.Meta):
        empty_text = _("No views or downloads yet.")


class SubscriptionTable(CaptionedTable):
    """Report subscriptions, with the deliveries of each prefetched (the newest is shown)."""

    row_header = "unit"
    unit = tables.Column(verbose_name=_("Work unit"), linkify=("hrreports:subscription-edit", [tables.A("pk")]))
    user = tables.Column(verbose_name=_("Supervisor"))
    reports = tables.Column(verbose_name=_("Reports"))
    format = tables.Column(verbose_name=_("Delivery"))
    active = YesNoColumn(verbose_name=_("Active"))
    latest_delivery = tables.Column(verbose_name=_("Latest delivery"), accessor="deliveries", empty_values=())
    remove = RemoveColumn("hrreports:subscription-delete", name_of=lambda subscription: subscription.unit)

    def render_unit(self, value: WorkUnit) -> str:
        return in_language(str(value), value.NAME_LANGUAGE)

    def render_user(self, value) -> str:
        return person_name(value)

    def render_reports(self, value: list[str]) -> str:
        return ", ".join(str(ReportKind(kind).label) for kind in value if kind in ReportKind.values)

    def render_latest_delivery(self, value) -> str:
        latest = max(value.all(), key=lambda delivery: delivery.period, default=None)
        if latest is None:
            return EMPTY_CELL
        text = f"{date(latest.period, 'YEAR_MONTH_FORMAT')}: {latest.get_status_display()}"
        return f"{text} \u2013 {latest.reason}" if latest.reason else text

    class Meta(CaptionedTable.Meta):
        model = Subscription
        fields = ("unit", "user", "reports", "format", "active", "latest_delivery", "remove")
        default = ""


class UnitReportLinksTable(CaptionedTable):
    """A supervisor's units, each with links to its monthly reports (`kinds`: value, label) of `period`."""

    row_header = "unit"
    unit = tables.Column(verbose_name=_("Work unit"), accessor="code")
    reports = tables.Column(verbose_name=_("Reports"), empty_values=())

    def __init__(self, *args, period: Date, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period
        self.kinds = kinds

    def render_unit(self, record: WorkUnit) -> str:
        return in_language(str(record), record.NAME_LANGUAGE)

    def render_reports(self, record: WorkUnit) -> str:
        links = format_html_join(
            "",
            '<li><a href="{}?period={}">{}<span class="visually-hidden"> \u2013 {}</span></a></li>',
            (
                (reverse("hrreports:unit-report", args=[record.pk, kind]), f"{self.period:%Y-%m}", label, record.code)
                for kind, label in self.kinds
            ),
        )
        return format_html('<ul class="inline-list">{}</ul>', links)

    class Meta(CaptionedTable.Meta):
        pass
