"""Each report as one sheet of the chosen columns: the XLSX and CSV downloads and email attachments
render from here (kuntaportaali.spreadsheets does the typing, formats, frozen header and autofilter)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

from kuntaportaali.downloads import file_name
from kuntaportaali.spreadsheets import Column, csv_bytes, xlsx_bytes

from ..periods import period_label
from ..sources.schema import field_display
from .columns import columns_chosen

FILE_NAME_WORDS = {
    "absences": pgettext_lazy("file name", "absences"),
    "salaries": pgettext_lazy("file name", "salaries"),
    "employments": pgettext_lazy("file name", "employments"),
}


def report_file_name(kind: str, unit, period, extension: str) -> str:
    """A report's download or attachment name in the reader's language: "poissaolot-1010-2026-11.xlsx"."""
    return file_name(FILE_NAME_WORDS[kind], unit.code, period_label(period), extension=extension)


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: list[Column]
    rows: list[list]

    def xlsx(self) -> bytes:
        return xlsx_bytes(title=self.title, columns=self.columns, rows=self.rows)

    def csv(self) -> bytes:
        """In the active language's Excel dialect: "4106,96" between semicolons in Finnish and Swedish."""
        return csv_bytes(columns=self.columns, rows=self.rows, language=get_language())


def report_sheet(kind: str, report, rows: list, columns: Iterable[str] | None = None) -> Sheet:
    """`rows` (the report's table lines, see report_rows) in the chosen `columns` (none: every column)."""
    chosen = columns_chosen(kind, columns)
    titles = {
        "absences": _("Absences %(period)s"),
        "salaries": _("Salaries %(period)s"),
        "employments": _("Employments %(period)s"),
    }
    return Sheet(
        titles[kind] % {"period": period_label(report.period)},
        [Column(str(column.label), column.width, column.number_format) for column in chosen],
        [[column.value(row) for column in chosen] for row in rows],
    )


def rejected_rows_sheet(run) -> Sheet:
    """A fetch run's rejected rows, their fields and reasons in the active language: for correcting the
    export and fetching again."""
    columns = [
        Column(_("Report"), 14),
        Column(_("File"), 30),
        Column(_("Row"), 8, "0"),
        Column(_("Field"), 20),
        Column(_("Value"), 24),
        Column(_("Reason"), 80),
    ]
    rows = [
        [
            rejected.get_report_type_display(),
            rejected.file,
            rejected.row,
            field_display(rejected.report_type, rejected.field),
            rejected.value,
            rejected.reason,
        ]
        for rejected in run.rejected_rows.all()
    ]
    return Sheet(_("Rejected rows %(period)s") % {"period": period_label(run.period)}, columns, rows)
