"""Testing an export file before it is fetched: what a fetch of a month would store from it and what it
would reject, and why - found by running the fetch's own reading and storing code, with the month's
other files of the source that the fetch reads first, in a transaction that is rolled back. So the answer
is the fetch's answer (units, code lists, employments and month checks included) and nothing is stored."""

import logging
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction

from kuntaportaali.tabular.problems import Problem

from ..errors import PopulusError
from ..models import Source
from ..sources.base import Rejection, SourceBatch, rejected_row_count, rejections_sorted, source_for
from ..sources.files import FileOptions, file_parse
from ..sources.schema import FIELDS, field_display
from .sources import MAX_UPLOAD_BYTES
from .store import batches_store

logger = logging.getLogger(__name__)

ROWS_SHOWN = 10
REJECTIONS_SHOWN = 500


@dataclass
class Preview:
    """What a fetch of `period` would do with a file: how its columns map, the first rows it would store
    and the rows it would reject (`rejected`, at most REJECTIONS_SHOWN of them, with field labels in the
    active language), with the counts of all; `companion_files` are the month's other files of the
    source that the fetch would read first (units, employments) and the file was checked with."""

    report_type: str
    period: date
    columns: list[tuple[Any, str]]  # (field label, column reference)
    fields: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    total: int = 0
    stored: int = 0
    rejected_rows: int = 0
    threshold_percent: str = ""
    too_many_rejected: bool = False
    companion_files: list[str] = field(default_factory=list)
    error: Problem | None = None


# The reports a fetch stores before each one, that its rows refer to (units, employments).
READ_FIRST = {
    "units": (),
    "employments": ("units",),
    "absences": ("units", "employments"),
    "salaries": ("units", "employments"),
}


def _month_files_read_first(source: Source, report_type: str, period: date) -> dict[str, SourceBatch]:
    """The source's files of `period` that a fetch reads before `report_type`'s, those that are there
    and can be read: the preview checks the file against them as the fetch would."""
    plugin = source_for(source)
    batches = {}
    for other in READ_FIRST[report_type]:
        if not plugin.provides(other):
            continue
        try:
            batches[other] = plugin.fetch(other, period)
        except PopulusError:
            continue  # not there yet, or unreadable: the file is checked against what is stored
    return batches


def source_file_preview(*, source: Source, report_type: str, period: date, filename: str, data: bytes) -> Preview:
    """Read `data` with the source's settings and store it as a fetch of `period` would, then roll back."""
    options = FileOptions.from_config(source.config)
    column_map = options.column_map(report_type)
    specs = [spec for spec in FIELDS[report_type] if spec.name in column_map]
    threshold = settings.POPULUS_REJECT_THRESHOLD
    preview = Preview(
        report_type=report_type,
        period=period,
        columns=[(spec.label, str(column_map[spec.name])) for spec in specs],
        fields=[spec.name for spec in specs],
        threshold_percent=f"{threshold * 100:g}",
    )
    if len(data) > MAX_UPLOAD_BYTES:
        preview.error = Problem("upload_too_large")
        return preview
    try:
        batch = file_parse(data=data, filename=filename, report_type=report_type, options=options)
    except PopulusError as error:
        preview.error = error.problem
        return preview
    batches = _month_files_read_first(source, report_type, period)
    preview.companion_files = [name for companion in batches.values() for name in companion.files]
    batches[report_type] = batch
    try:
        with transaction.atomic():
            # Takes the stores' lock as a fetch does: one at a time with the fetches, which store the same rows.
            counts, rejections = batches_store(source=source, period=period, batches=batches)
            transaction.set_rollback(True)
    except DatabaseError as error:
        # A fetch would end failed on this (fetch_run_execute); the page says so instead of failing.
        logger.exception("Testing a %s file of source %s failed", report_type, source.pk)
        preview.error = Problem("preview_database_error", {"error": type(error).__name__})
        return preview
    rejections = [rejection for rejection in rejections if rejection.report_type == report_type]
    rejected_at = {(rejection.file, rejection.row) for rejection in rejections}
    preview.total = batch.total
    preview.stored = counts.get(report_type, 0)
    preview.rejected_rows = rejected_row_count(rejections)
    preview.too_many_rejected = preview.rejected_rows > threshold * preview.total
    stored_rows = (row for row in batch.rows if (row["_file"], row["_row"]) not in rejected_at)
    preview.rows = [[row.get(name) for name in preview.fields] for row in islice(stored_rows, ROWS_SHOWN)]
    preview.rejected = [
        replace(rejection, field=field_display(report_type, rejection.field))
        for rejection in rejections_sorted(rejections)[:REJECTIONS_SHOWN]
    ]
    return preview
