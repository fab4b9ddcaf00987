"""File exports: CSV or XLSX files as Populus reporting writes them, from a folder or an upload.

Whole-file problems (empty, wrong encoding, not CSV/XLSX, missing columns) raise PopulusError and
fail the run; a bad row becomes a Rejection naming the file, row, field and reason.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings

from kuntaportaali.tabular.problems import Problem

from ..errors import PopulusError
from .base import PopulusSource, Rejection, SourceBatch, has_person_number, person_numbers_hidden, row_validate
from .schema import FIELDS, default_column_map

ENCODINGS = {"utf-8": "UTF-8", "windows-1252": "Windows-1252"}
DELIMITERS = {";": "semicolon (;)", ",": "comma (,)"}
DEFAULT_FILES = {
    "units": "yksikot*",
    "employments": "palvelussuhteet_{yyyymm}*",
    "absences": "poissaolot_{yyyymm}*",
    "salaries": "palkat_{yyyymm}*",
}
EXTENSIONS = (".csv", ".txt", ".xlsx")
MAX_COLUMNS = 200
_FILE_PLACEHOLDERS = re.compile(r"\{(yyyymm|yyyy|mm)\}")


@dataclass(frozen=True)
class FileOptions:
    encoding: str = "utf-8"
    delimiter: str = ";"
    has_header: bool = True
    columns: Mapping[str, Mapping[str, str | int]] | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "FileOptions":
        return cls(
            encoding=config.get("encoding", "utf-8"),
            delimiter=config.get("delimiter", ";"),
            has_header=bool(config.get("has_header", True)),
            columns=config.get("columns") or {},
        )

    def column_map(self, report_type: str) -> dict[str, str | int]:
        configured = (self.columns or {}).get(report_type)
        return dict(configured) if configured else default_column_map(report_type, has_header=self.has_header)


def column_position(reference: str | int) -> int | None:
    """A column map entry is a 1-based position (3 or "3") or a header name."""
    if isinstance(reference, int):
        return reference
    text = str(reference).strip()
    return int(text) if text.isdigit() else None


def _decode(data: bytes, *, filename: str, encoding: str) -> str:
    if encoding == "utf-8":
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise PopulusError(
                f"The file {filename} is not valid UTF-8 (byte {error.start + 1} cannot be read). "
                "If Populus wrote it in Windows-1252, set the source's encoding to Windows-1252."
            ) from None
    if encoding == "windows-1252":
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise PopulusError(
                    f"The file {filename} is UTF-8, but the source reads Windows-1252: "
                    "letters like ä and ö would be garbled. Set the source's encoding to UTF-8."
                )
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise PopulusError(
                f"The file {filename} is not valid Windows-1252 (byte {error.start + 1} cannot be read)."
            ) from None
    raise PopulusError(f"Unknown encoding {encoding!r}; use UTF-8 or Windows-1252.")


def _csv_records(data: bytes, *, filename: str, options: FileOptions) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(data, filename=filename, encoding=options.encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=options.delimiter)
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                yield reader.line_num, record
    except csv.Error as error:
        raise PopulusError(f"The file {filename} cannot be read as CSV near line {reader.line_num}: {error}.") from None


def _xlsx_records(data: bytes, *, filename: str) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise PopulusError(
            f"The file {filename} is not a readable Excel workbook (damaged or truncated?): {error}."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            record = ["" if cell is None else cell for cell in cells]
            if any(str(cell).strip() for cell in record):
                yield number, record
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as error:
        raise PopulusError(f"The file {filename} is damaged or truncated: {error}.") from None
    finally:
        workbook.close()


def _is_xlsx(data: bytes, filename: str) -> bool:
    return filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"


def file_parse(*, data: bytes, filename: str, report_type: str, options: FileOptions) -> SourceBatch:
    """Read one exported file into a batch: each data row is either a validated row or a rejection."""
    if not data.strip():
        raise PopulusError(f"The file {filename} is empty.")
    xlsx = _is_xlsx(data, filename)
    records = _xlsx_records(data, filename=filename) if xlsx else _csv_records(data, filename=filename, options=options)
    batch = SourceBatch(report_type=report_type, files=[filename])
    column_map = options.column_map(report_type)
    positions: dict[str, int] = {}
    header_width = 0
    if options.has_header:
        first = next(records, None)
        if first is None:
            raise PopulusError(f"The file {filename} is empty.")
        header = [str(cell).strip().lstrip("\ufeff").casefold() for cell in first[1]]
        header_width = len(header)
        if not xlsx and header_width == 1:
            other = "," if options.delimiter == ";" else ";"
            if other in first[1][0]:
                raise PopulusError(
                    f"The file {filename} seems to be separated by {other!r}, "
                    f"but the source expects {options.delimiter!r}. Change the source's delimiter."
                )
        positions, missing = _header_positions(report_type, column_map, header)
        if missing:
            found = ", ".join(cell for cell in (str(c).strip() for c in first[1]) if cell)[:300]
            if has_person_number(found):
                # A data row taken for the header: never quote it (it holds a person number).
                raise PopulusError(
                    f"The file {filename} has no header row: its first row is data. "
                    "Untick “The files have a header row” in the source's settings and give the columns by number."
                )
            raise PopulusError(
                f"The file {filename} has no column {', '.join(missing)}. "
                f"Its header row has: {person_numbers_hidden(found)}. Fix the source's column map or the export."
            )
    else:
        for name, reference in column_map.items():
            position = column_position(reference)
            if position is None or not 1 <= position <= MAX_COLUMNS:
                raise PopulusError(
                    f"The {report_type} column map names {name} by header ({reference!r}), "
                    "but the source's files have no header row: give column numbers instead."
                )
            positions[name] = position - 1
    needed = max((positions[f.name] for f in FIELDS[report_type] if f.required and f.name in positions), default=0)
    data_rows = 0
    for number, record in records:
        data_rows += 1
        if header_width and len(record) > header_width and any(str(c).strip() for c in record[header_width:]):
            batch.rejected.append(
                Rejection(
                    report_type,
                    Problem("row_more_columns_than_header", {"found": len(record), "header": header_width}),
                    filename,
                    number,
                )
            )
            continue
        if len(record) <= needed:
            batch.rejected.append(
                Rejection(
                    report_type,
                    Problem("row_too_few_columns", {"found": len(record), "needed": needed + 1}),
                    filename,
                    number,
                )
            )
            continue
        raw = {name: record[index] if index < len(record) else None for name, index in positions.items()}
        values, rejections = row_validate(report_type, raw, file=filename, row=number)
        if values is None:
            batch.rejected.extend(rejections)
        else:
            batch.rows.append(values)
    if not data_rows:
        # Storing an empty report would erase the month's rows fetched earlier.
        raise PopulusError(f"The file {filename} has a header row but no data rows (was the export interrupted?).")
    return batch


def _header_positions(
    report_type: str, column_map: Mapping[str, str | int], header: list[str]
) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    missing: list[str] = []
    required = {f.name for f in FIELDS[report_type] if f.required}
    for name, reference in column_map.items():
        if reference in ("", None):
            continue
        position = column_position(reference)
        if position is not None:
            if 1 <= position <= len(header):
                positions[name] = position - 1
            elif name in required:
                missing.append(f"number {position}")
            continue
        wanted = str(reference).strip().casefold()
        if wanted in header:
            positions[name] = header.index(wanted)
        elif name in required:
            missing.append(f"“{str(reference).strip()}”")
    for name in required - positions.keys() - {n for n, ref in column_map.items() if ref not in ("", None)}:
        missing.append(f"for {name} (not in the column map)")
    return positions, missing


def file_root() -> Path:
    return Path(settings.POPULUS_FILE_ROOT).resolve()


def folder_resolve(folder: str) -> Path:
    """The source's folder, which must lie inside POPULUS_FILE_ROOT."""
    root = file_root()
    path = (root / (folder or "")).resolve()
    if not path.is_relative_to(root):
        raise PopulusError(f"The folder {folder!r} is outside the permitted file root {root}.")
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
            "encoding": "utf-8",
            "delimiter": ";",
            "has_header": True,
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
            raise PopulusError(f"The folder {folder} does not exist or cannot be read.")
        matches = sorted(path for path in folder.glob(pattern) if path.suffix.lower() in EXTENSIONS and path.is_file())
        return folder, pattern, matches

    def provides(self, report_type: str) -> bool:
        return bool((self.config.get("files") or DEFAULT_FILES).get(report_type))

    def fetch(self, report_type: str, period: date) -> SourceBatch:
        folder, pattern, paths = self.files_for(report_type, period)
        if not paths:
            if report_type == "units":
                return SourceBatch(report_type=report_type)
            raise PopulusError(
                f"No {report_type} file for {period:%Y-%m} in {folder}: expected a file named {pattern}."
            )
        batch = SourceBatch(report_type=report_type)
        for path in paths:
            try:
                data = path.read_bytes()
            except OSError as error:
                raise PopulusError(f"The file {path.name} cannot be read: {error.strerror}.") from None
            part = file_parse(data=data, filename=path.name, report_type=report_type, options=self.options)
            batch.rows.extend(part.rows)
            batch.rejected.extend(part.rejected)
            batch.files.extend(part.files)
        return batch
