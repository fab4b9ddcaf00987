"""Configuring Populus sources: their settings, column maps and export files."""

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction

from ..errors import PopulusError
from ..models import Source
from ..sources.base import source_class
from ..sources.endpoints import endpoint_check
from ..sources.files import (
    DEFAULT_FILES,
    DELIMITERS,
    ENCODINGS,
    EXTENSIONS,
    MAX_TITLE_ROWS,
    column_position,
    file_pattern,
    folder_resolve,
)
from ..sources.schema import FIELDS

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _clean_settings(kind: str, settings: dict[str, Any]) -> dict[str, Any]:
    if kind == "files":
        folder_resolve(settings.get("folder", ""))
        if settings.get("encoding") not in ENCODINGS:
            raise PopulusError("The encoding must be automatic, UTF-8, UTF-16 or Windows-1252.")
        if settings.get("delimiter") not in DELIMITERS:
            raise PopulusError("The delimiter must be automatic, a semicolon, a comma, a tab or a vertical bar.")
        if not 0 <= int(settings.get("title_rows") or 0) <= MAX_TITLE_ROWS:
            raise PopulusError(f"The number of title rows must be between 0 and {MAX_TITLE_ROWS}.")
        for report, pattern in (settings.get("files") or {}).items():
            if "/" in pattern or "\\" in pattern or ".." in pattern:
                raise PopulusError(f"The file name of {report} must be a plain name inside the folder.")
            if not pattern and report != "units":
                raise PopulusError(f"The file name of {report} is required.")
    elif kind == "http":
        url = urlsplit(str(settings.get("base_url", "")))
        if url.scheme not in ("http", "https") or not url.netloc:
            raise PopulusError(
                "The endpoint address must start with https:// (or http:// inside the network).", field="base_url"
            )
        endpoint_check(str(settings["base_url"]))
        if float(settings.get("timeout", 0)) <= 0 or int(settings.get("retries", -1)) < 0:
            raise PopulusError("The timeout must be positive and the number of retries zero or more.")
    elif kind == "simulator" and not 1 <= int(settings.get("employees", 0)) <= 10_000:
        raise PopulusError("The simulated organisation must have 1 to 10,000 employees.")
    return settings


@transaction.atomic
def source_save(*, source: Source | None, name: str, kind: str, active: bool, settings: dict[str, Any]) -> Source:
    """Create or change a source. Settings not given keep their current (or default) value;
    an empty token keeps the stored one."""
    plugin = source_class(kind)
    if source is None:
        source = Source(kind=kind, config=plugin.config_defaults())
    elif source.kind != kind:
        source.kind, source.config = kind, plugin.config_defaults() | {"columns": source.config.get("columns", {})}
    config = plugin.config_defaults() | dict(source.config)
    given = {key: value for key, value in settings.items() if key in config and value is not None}
    if kind == "http" and not given.get("token"):
        given.pop("token", None)
    config.update(given)
    source.name, source.active, source.config = name, active, _clean_settings(kind, config)
    if Source.objects.exclude(pk=source.pk).filter(name=name).exists():
        raise PopulusError(f"Another source is already named {name!r}.")
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
                raise PopulusError(f"The column of {spec.label} is required.")
            continue
        position = column_position(reference)
        if position is None and not has_header:
            raise PopulusError(f"The files have no header row: give {spec.label} as a column number.")
        cleaned[spec.name] = position if position is not None else reference
    source.config = {**source.config, "columns": {**source.config.get("columns", {}), report_type: cleaned}}
    source.save(update_fields=["config"])
    return source


def source_file_store(*, source: Source, report_type: str, period: date, filename: str, data: bytes) -> Path:
    """Save an uploaded export where the source looks for `report_type` of `period`; replaces an earlier one."""
    if source.kind != "files":
        raise PopulusError("Files can be uploaded only to a file source.")
    extension = Path(filename).suffix.lower()
    if extension not in EXTENSIONS:
        raise PopulusError("Upload a .csv, .txt or .xlsx file.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise PopulusError.of("upload_too_large")
    folder = folder_resolve(source.config.get("folder", ""))
    pattern = file_pattern((source.config.get("files") or DEFAULT_FILES).get(report_type, ""), period)
    stem = pattern.replace("*", "").replace("?", "")
    if not stem or "/" in stem:
        raise PopulusError(f"The source has no file name pattern for {report_type}.")
    folder.mkdir(parents=True, exist_ok=True)
    for earlier in folder.glob(pattern):
        if earlier.suffix.lower() in EXTENSIONS and earlier.is_file():
            earlier.unlink()
    target = folder / f"{stem}{extension}"
    target.write_bytes(data)
    return target
