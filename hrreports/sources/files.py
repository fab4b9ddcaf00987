"""File exports: CSV or XLSX files as Populus reporting (or a person with Excel) writes them, from a
folder or an upload, read through the shared tabular reader (kuntaportaali.tabular).

What is read: CSV in UTF-8, UTF-16 or Windows-1252, separated by ; , tab or | (found from the file, or
as set for the source), and Excel .xlsx workbooks. With a header row, the header is looked for below
title rows and the columns are found by the names in the source's column map; in a workbook every sheet
with that header is read (a cover sheet is skipped) and a rejected row names its sheet. Without a header
row, the columns are given by number and a set number of title rows is skipped.

Whole-file problems (no such file, not a table, wrong encoding, missing columns) raise PopulusError and
fail the run; a bad row becomes one Rejection per bad value, naming the file, row, field and reason.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kuntaportaali.tabular.headers import HEADER_SEARCH_ROWS, Header, header_key, header_locate, row_labels
from kuntaportaali.tabular.problems import Problem, TabularError
from kuntaportaali.tabular.reader import AUTO, ReadOptions, Row, merged_cells_problem, merged_over_rows, table_open

from ..errors import PopulusError, report_problem
from .base import PopulusSource, Rejection, SourceBatch, has_person_number, text_safe
from .schema import FIELD_BY_NAME, FIELDS, default_column_map

ENCODINGS = {
    AUTO: _("Automatic (UTF-8, UTF-16 or Windows-1252)"),
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "windows-1252": "Windows-1252",
}
DELIMITERS = {
    AUTO: _("Automatic"),
    ";": _("semicolon (;)"),
    ",": _("comma (,)"),
    "\t": _("tab"),
    "|": _("vertical bar (|)"),
}
DELIMITER_SHOWN = {";": "“;”", ",": "“,”", "\t": "TAB", "|": "“|”"}
MAX_TITLE_ROWS = 50
DEFAULT_FILES = {
    "units": "yksikot*",
    "employments": "palvelussuhteet_{yyyymm}*",
    "absences": "poissaolot_{yyyymm}*",
    "salaries": "palkat_{yyyymm}*",
}
EXTENSIONS = (".csv", ".txt", ".xlsx")
MAX_COLUMNS = 200
SHEET_MARK = " › "  # between a workbook's name and its sheet's: "palkat.xlsx › Taul2"
# A sheet whose best header row names this many of the report's columns holds data: it is read, or
# refused when a column is missing, never skipped as a cover sheet.
DATA_SHEET_COLUMNS = 2
_FILE_PLACEHOLDERS = re.compile(r"\{(yyyymm|yyyy|mm)\}")


@dataclass(frozen=True)
class FileOptions:
    encoding: str = AUTO
    delimiter: str = AUTO
    has_header: bool = True
    title_rows: int = 0  # files without a header row: the rows above the data
    columns: Mapping[str, Mapping[str, str | int]] | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "FileOptions":
        return cls(
            encoding=config.get("encoding", AUTO),
            delimiter=config.get("delimiter", AUTO),
            has_header=bool(config.get("has_header", True)),
            title_rows=int(config.get("title_rows") or 0),
            columns=config.get("columns") or {},
        )

    def column_map(self, report_type: str) -> dict[str, str | int]:
        configured = (self.columns or {}).get(report_type)
        return dict(configured) if configured else default_column_map(report_type, has_header=self.has_header)

    @property
    def read_options(self) -> ReadOptions:
        return ReadOptions(encoding=self.encoding, delimiter=self.delimiter)


def column_position(reference: str | int) -> int | None:
    """A column map entry is a 1-based position (3 or "3") or a header name."""
    if isinstance(reference, int):
        return reference
    text = str(reference).strip()
    return int(text) if text.isdigit() else None


@dataclass(frozen=True)
class _Layout:
    """Where a table's fields are: 0-based column per field, and the header's width (0 without one)."""

    positions: dict[str, int]
    header_width: int = 0
    named_width: int = 0  # up to the header's last named column (spreadsheets add empty ones after it)


def file_parse(*, data: bytes | Path, filename: str, report_type: str, options: FileOptions) -> SourceBatch:
    """Read one exported file into a batch: each data row is either a validated row or rejected."""
    batch = SourceBatch(report_type=report_type, files=[filename])
    _file_read(data=data, filename=filename, report_type=report_type, options=options, batch=batch)
    return batch


def file_check(*, data: bytes | Path, filename: str, report_type: str, options: FileOptions) -> None:
    """Raise the PopulusError that file_parse would for a file a fetch cannot read at all (not a table, the
    report's columns missing, no data rows ...), reading every row but validating none: a month's 400 000
    salary rows are read in seconds, not validated and kept in memory (some 15 s and 800 MB)."""
    _file_read(data=data, filename=filename, report_type=report_type, options=options, batch=None)


def _file_read(
    *, data: bytes | Path, filename: str, report_type: str, options: FileOptions, batch: SourceBatch | None
) -> None:
    try:
        with table_open(data, options=options.read_options) as table:
            if options.has_header:
                tables = _tables_with_header(table, filename=filename, report_type=report_type, options=options)
            else:
                layout = _layout_by_number(report_type, options.column_map(report_type))
                _merged_cells_check(table, table.sheets[0], label=filename, below_row=options.title_rows, layout=layout)
                rows = table.rows(table.sheets[0])
                tables = [(filename, layout, _after_title_rows(rows, options.title_rows))]
            data_rows = 0
            for label, layout, rows in tables:
                data_rows += _rows_read(
                    rows, layout=layout, label=label, report_type=report_type, batch=batch, xlsx=table.format == "xlsx"
                )
    except TabularError as error:
        raise PopulusError.of("file_unreadable", file=filename, reason=error.problem) from None
    if not data_rows:
        # Storing an empty report would erase the month's rows fetched earlier.
        raise PopulusError.of("file_unreadable", file=filename, reason=Problem("file_no_data_rows"))


def _tables_with_header(
    table, *, filename: str, report_type: str, options: FileOptions
) -> list[tuple[str, _Layout, Iterator[Row]]]:
    """(label, layout, data rows) of every sheet whose header names the report's required columns.

    A sheet without such a header is skipped when it names fewer than DATA_SHEET_COLUMNS of them (a cover
    sheet, notes); otherwise its missing columns fail the file, as does a file where no sheet qualifies."""
    column_map = options.column_map(report_type)
    wanted = {name: header_key(str(ref)) for name, ref in column_map.items() if column_position(ref) is None and ref}
    required = [spec.name for spec in FIELDS[report_type] if spec.required]
    unmapped = [name for name in required if not column_map.get(name)]
    if unmapped:
        raise PopulusError.of(
            "file_column_map_incomplete",
            report=report_problem(report_type),
            field=FIELD_BY_NAME[report_type][unmapped[0]].problem,
        )

    def score(labels: Sequence[str]) -> int:
        keys = {header_key(label) for label in labels}
        return sum(1 for key in wanted.values() if key in keys)

    found: list[tuple[str, _Layout, Iterator[Row]]] = []
    refused: list[tuple[int, PopulusError]] = []
    for sheet in table.sheets:
        label = f"{filename}{SHEET_MARK}{sheet}" if table.format == "xlsx" else filename
        rows = table.rows(sheet)
        header, rest = header_locate(rows, score=score)
        if header is None:
            if table.format != "xlsx":
                raise _no_header_error(filename, rest, report_type=report_type, column_map=column_map, options=options)
            continue
        layout, missing, twice = _layout_by_header(column_map, header, required=required, label=label)
        if missing:
            refused.append((score(header.labels), _columns_missing_error(label, missing, header)))
        elif twice is not None:
            raise twice
        elif sheet in table.hidden_sheets:
            # Rows someone hid (set aside, an old version): whether they belong to the report, the file
            # does not say.
            raise PopulusError.of("file_sheet_hidden", file=label)
        else:
            _merged_cells_check(table, sheet, label=label, below_row=header.rows[-1], layout=layout)
            found.append((label, layout, rest))
    data_like = [error for points, error in refused if points >= DATA_SHEET_COLUMNS]
    if data_like:
        raise data_like[0]
    if not found:
        if refused:
            raise max(refused, key=lambda item: item[0])[1]
        expected = ", ".join(f"“{ref}”" for name, ref in column_map.items() if name in required)
        raise PopulusError.of("file_no_sheet_with_header", file=filename, expected=expected)
    return found


def _merged_cells_check(table, sheet: str, *, label: str, below_row: int, layout: _Layout) -> None:
    """Fail the file when cells are merged over several of its data rows in a column that is read: a merged
    cell shows its value on every row it covers but holds it on the first only, so the rows below would read
    as not giving it."""
    merged = merged_over_rows(table, sheet, below_row=below_row, columns=set(layout.positions.values()))
    if merged:
        reason = merged_cells_problem(merged)
        raise PopulusError.of("file_unreadable", file=label, reason=reason)


def _layout_by_header(
    column_map: Mapping[str, str | int], header: Header, *, required: Sequence[str], label: str
) -> tuple[_Layout, list[str], PopulusError | None]:
    """The fields' columns in `header`, the column map's names (or numbers) the header lacks, and the error
    of a name two columns have, which fails the file if the sheet is read: which one is meant, the file does
    not say (a report may have the unit's "Nimi" before the employee's), and the column map can give the
    column's number instead. A sheet that is not read (a list of units) may have such names."""
    keys: dict[str, list[int]] = {}
    for index, name in enumerate(header.labels):
        keys.setdefault(header_key(name), []).append(index)
    positions: dict[str, int] = {}
    missing: list[str] = []
    twice: PopulusError | None = None
    for name, reference in column_map.items():
        if reference in ("", None):
            continue
        position = column_position(reference)
        found = keys.get(header_key(str(reference)), []) if position is None else [position - 1]
        if len(found) > 1 and twice is None:
            twice = PopulusError.of(
                "file_column_twice",
                file=label,
                column=text_safe(str(reference).strip()),
                columns=", ".join(str(index + 1) for index in found),
            )
        index = found[0] if found else None
        if index is not None and 0 <= index < len(header.labels):
            positions[name] = index
        elif name in required:
            missing.append(f"“{str(reference).strip()}”")
    named_width = max((index + 1 for index, label in enumerate(header.labels) if label), default=0)
    return _Layout(positions, header_width=len(header.labels), named_width=named_width), missing, twice


def _layout_by_number(report_type: str, column_map: Mapping[str, str | int]) -> _Layout:
    positions: dict[str, int] = {}
    for name, reference in column_map.items():
        position = column_position(reference)
        if position is None or not 1 <= position <= MAX_COLUMNS:
            raise PopulusError.of(
                "file_columns_by_name_without_header",
                report=report_problem(report_type),
                field=FIELD_BY_NAME[report_type][name].problem,
            )
        positions[name] = position - 1
    return _Layout(positions)


def _after_title_rows(rows: Iterator[Row], count: int) -> Iterator[Row]:
    for row in rows:
        if row.number > count:
            yield row


def _no_header_error(
    filename: str, rows: Iterator[Row], *, report_type: str, column_map: Mapping[str, str | int], options: FileOptions
) -> PopulusError:
    """Why a CSV file has no header row: its first row is data, the delimiter is not the file's, or the
    header's names are not the column map's (quoting the widest of the first rows, the likeliest header,
    not a title row above it)."""
    first_rows = list(islice((row for row in rows if not row.is_empty), HEADER_SEARCH_ROWS))
    if first_rows and has_person_number(" ".join(row_labels(first_rows[0]))):
        # A data row taken for the header: never quote it (it holds a person number).
        return PopulusError.of("file_first_row_is_data", file=filename)
    widest = max(first_rows, key=lambda row: sum(1 for label in row_labels(row) if label), default=None)
    labels = row_labels(widest) if widest is not None else []
    shown = ", ".join(label for label in labels if label)[:300]
    if has_person_number(shown):
        # A data row taken for the header: never quote it (it holds a person number).
        return PopulusError.of("file_first_row_is_data", file=filename)
    if options.delimiter != AUTO and len(labels) == 1:
        others = [mark for mark in (";", ",", "\t", "|") if mark != options.delimiter and mark in labels[0]]
        if others:
            return PopulusError.of(
                "file_wrong_delimiter",
                file=filename,
                found=DELIMITER_SHOWN[others[0]],
                expected=DELIMITER_SHOWN[options.delimiter],
            )
    required = {spec.name for spec in FIELDS[report_type] if spec.required}
    missing = ", ".join(f"“{ref}”" for name, ref in column_map.items() if name in required)
    return PopulusError.of("file_columns_missing", file=filename, missing=missing, found=text_safe(shown))


def _columns_missing_error(label: str, missing: list[str], header: Header) -> PopulusError:
    shown = ", ".join(name for name in header.labels if name)[:300]
    if has_person_number(shown):
        return PopulusError.of("file_first_row_is_data", file=label)
    return PopulusError.of("file_columns_missing", file=label, missing=", ".join(missing), found=text_safe(shown))


def _rows_read(
    rows: Iterator[Row], *, layout: _Layout, label: str, report_type: str, batch: SourceBatch | None, xlsx: bool
) -> int:
    """Validate the data rows into `batch` (none: only count them); returns how many non-empty rows there were."""
    # A CSV row must reach its required columns. The file's last row, when the file ends inside it (no line
    # break after it), must reach every column: it was cut off, maybe after the required columns, where its
    # last value may have lost digits. A row followed by others is whole however short: Excel leaves out the
    # separators of empty cells at a row's end.
    required = [layout.positions[f.name] for f in FIELDS[report_type] if f.required and f.name in layout.positions]
    needed = max(required, default=0)
    needed_last = layout.named_width - 1 if layout.named_width else max(layout.positions.values(), default=0)
    unread_change = "change" in FIELD_BY_NAME[report_type] and "change" not in layout.positions
    marks = _UnreadChangeMarks(layout) if unread_change else None
    count = 0
    for row in rows:
        if row.is_empty:
            continue
        count += 1
        cells = row.cells
        if marks is not None:
            marks.look(cells)
        if batch is None:
            continue
        if (
            layout.header_width
            and len(cells) > layout.header_width
            and any(str(cell).strip() for cell in cells[layout.header_width :])
        ):
            problem = Problem("row_more_columns_than_header", {"found": len(cells), "header": layout.header_width})
            batch.rejected.append(Rejection(report_type, problem, label, row.number))
            continue
        # A workbook leaves out the empty cells at the end of a row; a CSV row that is short was cut off.
        reach = needed_last if row.unterminated else needed
        if not xlsx and len(cells) <= reach:
            problem = Problem("row_too_few_columns", {"found": len(cells), "needed": reach + 1})
            batch.rejected.append(Rejection(report_type, problem, label, row.number))
            continue
        raw = {name: cells[index] if index < len(cells) else None for name, index in layout.positions.items()}
        batch.row_add(raw, file=label, row=row.number)
    if marks is not None and (column := marks.column()) is not None:
        raise PopulusError.of("file_change_column_unread", file=label, column=column)
    return count


class _UnreadChangeMarks:
    """Looks for a column the layout does not read that holds only Populus' record kinds, "U" (added) and
    "P" (deleted), both: read without it, a deleted record would be stored as an absence. Only both letters
    tell it, as a column of "P" alone may be every employment permanent."""

    MARKS = frozenset({"P", "U"})

    def __init__(self, layout: _Layout):
        self.read = set(layout.positions.values())
        self.seen: dict[int, set[str]] = {}
        self.ruled_out: set[int] = set()

    def look(self, cells: Sequence[Any]) -> None:
        for index, cell in enumerate(cells):
            if index in self.read or index in self.ruled_out:
                continue
            value = str(cell).strip().upper() if cell is not None else ""
            if not value:
                continue
            if value in self.MARKS:
                self.seen.setdefault(index, set()).add(value)
            else:
                self.ruled_out.add(index)
                self.seen.pop(index, None)

    def column(self) -> int | None:
        """The first such column (1-based), None when there is none."""
        return next((index + 1 for index, letters in sorted(self.seen.items()) if letters == self.MARKS), None)


def file_root() -> Path:
    return Path(settings.POPULUS_FILE_ROOT).resolve()


def folder_resolve(folder: str) -> Path:
    """The source's folder, which must lie inside POPULUS_FILE_ROOT."""
    root = file_root()
    path = (root / (folder or "")).resolve()
    if not path.is_relative_to(root):
        raise PopulusError.of("folder_outside_root", folder=folder, root=str(root))
    return path


def file_pattern(pattern: str, period: date) -> str:
    values = {
        "yyyymm": f"{period.year:04d}{period.month:02d}",
        "yyyy": f"{period.year:04d}",
        "mm": f"{period.month:02d}",
    }
    return _FILE_PLACEHOLDERS.sub(lambda match: values[match.group(1)], pattern)


class FileSource(PopulusSource):
    """Reads the month's export files from a folder under POPULUS_FILE_ROOT."""

    kind = "files"

    @classmethod
    def config_defaults(cls) -> dict[str, Any]:
        return {
            "folder": "",
            "encoding": AUTO,
            "delimiter": AUTO,
            "has_header": True,
            "title_rows": 0,
            "files": dict(DEFAULT_FILES),
            "columns": {},
        }

    @property
    def options(self) -> FileOptions:
        return FileOptions.from_config(self.config)

    def files_for(self, report_type: str, period: date) -> tuple[Path, str, list[Path]]:
        folder = folder_resolve(self.config.get("folder", ""))
        pattern = file_pattern((self.config.get("files") or DEFAULT_FILES).get(report_type, ""), period)
        if not pattern:
            return folder, pattern, []
        if not folder.is_dir():
            raise PopulusError.of("folder_missing", folder=str(folder))
        matches = sorted(path for path in folder.glob(pattern) if path.suffix.lower() in EXTENSIONS and path.is_file())
        root = file_root()
        for path in matches:
            # A link dropped into the folder (over SFTP, say) would have a fetch read any file the portal may.
            if not path.resolve().is_relative_to(root):
                raise PopulusError.of("file_outside_root", file=path.name, root=str(root))
        return folder, pattern, matches

    def provides(self, report_type: str) -> bool:
        return bool((self.config.get("files") or DEFAULT_FILES).get(report_type))

    def fetch(self, report_type: str, period: date) -> SourceBatch:
        folder, pattern, paths = self.files_for(report_type, period)
        if not paths:
            if report_type == "units":
                return SourceBatch(report_type=report_type)
            raise PopulusError.of(
                "file_missing",
                report=report_problem(report_type),
                month=f"{period:%Y-%m}",
                folder=str(folder),
                pattern=pattern,
            )
        batch = SourceBatch(report_type=report_type)
        for path in paths:
            try:
                part = file_parse(data=path, filename=path.name, report_type=report_type, options=self.options)
            except OSError as error:
                raise PopulusError.of(
                    "file_os_error", file=path.name, error=error.strerror or type(error).__name__
                ) from None
            batch.rows.extend(part.rows)
            batch.rejected.extend(part.rejected)
            batch.files.extend(part.files)
        return batch
