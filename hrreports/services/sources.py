"""Configuring Populus sources: their settings, column maps and export files."""

import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction

from kuntaportaali.credentials import credential_encrypt
from kuntaportaali.tabular.problems import Problem

from ..errors import PopulusError, report_problem
from ..models import Source
from ..models.fetching import ReportType
from ..sources.base import source_class
from ..sources.endpoints import endpoint_check
from ..sources.files import (
    DEFAULT_FILES,
    DELIMITERS,
    ENCODINGS,
    EXTENSIONS,
    MAX_TITLE_ROWS,
    FileOptions,
    column_position,
    file_check,
    file_pattern,
    folder_resolve,
)
from ..sources.schema import FIELDS

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _refusal(field: str, code: str, **params: Any) -> PopulusError:
    """A setting refused at its form field (files_<report> for a report's file name), so that the form marks
    that field invalid and says why next to it."""
    return PopulusError(Problem(code, params), field=field)


def _clean_settings(kind: str, settings: dict[str, Any]) -> dict[str, Any]:
    if kind == "files":
        try:
            folder_resolve(settings.get("folder", ""))
        except PopulusError as error:
            raise PopulusError(error.problem, field="folder") from None
        if settings.get("encoding") not in ENCODINGS:
            raise _refusal("encoding", "source_encoding_unknown")
        if settings.get("delimiter") not in DELIMITERS:
            raise _refusal("delimiter", "source_delimiter_unknown")
        if not 0 <= int(settings.get("title_rows") or 0) <= MAX_TITLE_ROWS:
            raise _refusal("title_rows", "source_title_rows_out_of_range", limit=MAX_TITLE_ROWS)
        for report, pattern in (settings.get("files") or {}).items():
            if report not in ReportType.values:
                raise PopulusError.of("source_file_report_unknown", report=report, known=", ".join(ReportType.values))
            if "/" in pattern or "\\" in pattern or ".." in pattern:
                raise _refusal(f"files_{report}", "source_file_name_not_plain", report=report_problem(report))
            if not pattern and report != "units":
                raise _refusal(f"files_{report}", "source_file_name_missing", report=report_problem(report))
    elif kind == "http":
        url = urlsplit(str(settings.get("base_url", "")))
        if url.scheme not in ("http", "https") or not url.netloc:
            raise PopulusError(Problem("source_endpoint_address_invalid"), field="base_url")
        endpoint_check(str(settings["base_url"]))
        if float(settings.get("timeout", 0)) <= 0 or int(settings.get("retries", -1)) < 0:
            raise PopulusError.of("source_timeout_or_retries_invalid")
    elif kind == "simulator" and not 1 <= int(settings.get("employees", 0)) <= 10_000:
        raise _refusal("employees", "source_simulated_size_out_of_range")
    return settings


@transaction.atomic
def source_save(*, source: Source | None, name: str, kind: str, active: bool, settings: dict[str, Any]) -> Source:
    """Create or change a source. Settings not given keep their current (or default) value;
    an empty token keeps the stored one, a new one is stored encrypted (kuntaportaali.credentials)."""
    plugin = source_class(kind)
    if source is None:
        source = Source(kind=kind, config=plugin.config_defaults())
    elif source.kind != kind:
        source.kind, source.config = kind, plugin.config_defaults() | {"columns": source.config.get("columns", {})}
    config = plugin.config_defaults() | dict(source.config)
    given = {key: value for key, value in settings.items() if key in config and value is not None}
    if kind == "http" and settings.get("token"):
        given["token_encrypted"] = credential_encrypt(settings["token"])
    config.update(given)
    source.name, source.active, source.config = name, active, _clean_settings(kind, config)
    if Source.objects.exclude(pk=source.pk).filter(name=name).exists():
        raise PopulusError.of("source_name_taken", name=name)
    source.save()
    return source


def source_columns_set(*, source: Source, report_type: str, columns: dict[str, str]) -> Source:
    """Set which column (header name or 1-based number) holds each field of `report_type`."""
    has_header = bool(source.config.get("has_header", True))
    cleaned: dict[str, str | int] = {}
    for spec in FIELDS[report_type]:
        reference = (columns.get(spec.name) or "").strip()
        if not reference:
            if spec.required:
                raise PopulusError(Problem("source_column_missing", {"field": spec.problem}), field=spec.name)
            continue
        position = column_position(reference)
        if position is None and not has_header:
            raise PopulusError(Problem("source_column_number_needed", {"field": spec.problem}), field=spec.name)
        cleaned[spec.name] = position if position is not None else reference
    source.config = {**source.config, "columns": {**source.config.get("columns", {}), report_type: cleaned}}
    source.save(update_fields=["config"])
    return source


def source_file_store(*, source: Source, report_type: str, period: date, filename: str, data: bytes) -> Path:
    """Save an uploaded export where the source looks for `report_type` of `period`; replaces an earlier one.

    A file a fetch could not read at all (not a table, no data rows, the report's columns missing) is
    refused with the reason and the earlier file kept: it may be the month's export delivered over SFTP.
    Rows a fetch would reject do not refuse it (*Test a file* lists them)."""
    if source.kind != "files":
        raise PopulusError.of("upload_not_a_file_source")
    extension = Path(filename).suffix.lower()
    if extension not in EXTENSIONS:
        raise PopulusError.of("upload_extension_refused")
    if len(data) > MAX_UPLOAD_BYTES:
        raise PopulusError.of("upload_too_large")
    folder = folder_resolve(source.config.get("folder", ""))
    pattern = file_pattern((source.config.get("files") or DEFAULT_FILES).get(report_type, ""), period)
    stem = pattern.replace("*", "").replace("?", "")
    if not stem or "/" in stem:
        raise PopulusError.of("upload_no_file_pattern", report=report_problem(report_type))
    file_check(data=data, filename=filename, report_type=report_type, options=FileOptions.from_config(source.config))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stem}{extension}"
    # Written beside its place first, so that a failed write (a full disk) leaves the earlier file as it was.
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".upload-", suffix=extension, delete=False) as handle:
        partial = Path(handle.name)
        try:
            handle.write(data)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    for earlier in folder.glob(pattern):
        if earlier.suffix.lower() in EXTENSIONS and earlier.is_file() and earlier != target:
            earlier.unlink()
    partial.replace(target)
    return target
