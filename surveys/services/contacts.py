"""Contact lists: a data broker's file becomes deduplicated contacts of one campaign, each with its
phone numbers encrypted.

An upload from the pages is checked at once (is it a table, which columns hold the numbers) and
kept encrypted until a worker on the `imports` queue has imported it; the command line imports at
once. Either way an import is all or nothing, in one transaction: every data row is imported,
counted as a duplicate or as on the do-not-call registry, or left out as invalid with its reason,
so that rows_read == imported + duplicates + invalid + opted_out.
"""

import logging
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import django_rq
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import FailedJobRegistry, StartedJobRegistry

from kuntaportaali.personal_data import personal_data_decrypt, personal_data_encrypt
from kuntaportaali.queueing import enqueue_after_commit, job_ids_lost
from kuntaportaali.redaction import phone_numbers_mask
from kuntaportaali.tabular.problems import Problem, TabularError
from kuntaportaali.tabular.reader import ReadOptions, table_open
from surveys.contact_files import (
    ContactFileLayout,
    ContactFileRejected,
    contact_file_layout,
)
from surveys.errors import SurveyError
from surveys.models import (
    Campaign,
    ContactImport,
    ContactImportChunk,
    ContactImportStatus,
)

from .contact_store import IMPORTABLE_STATUSES, Progress, contacts_store

logger = logging.getLogger(__name__)

IMPORTS_QUEUE = "imports"
UPLOAD_CHUNK_BYTES = 1024 * 1024
# An upload waiting for its phone columns to be chosen is deleted after this long.
UPLOAD_KEPT_FOR = timedelta(days=1)
JOB_TIMEOUT_SECONDS = 60 * 60
# An upload waiting for a worker, or being imported, whose job is not found (or has ended) this long after
# it was handed over will not be imported by that job: before then, its job may not have been queued yet.
CONTACT_IMPORT_JOB_GRACE = timedelta(minutes=1)
PROGRESS_KEPT_SECONDS = 60 * 60


def _no_progress(rows_done: int, rows_total: int | None) -> None:
    """An import nobody follows."""


def read_options() -> ReadOptions:
    return ReadOptions(max_rows=settings.CONTACT_FILE_MAX_ROWS)


def contacts_import(
    *,
    campaign: Campaign,
    file: bytes | Path | IO[bytes],
    filename: str,
    by: AbstractBaseUser | None = None,
    phone_columns: Sequence[int] | None = None,
    progress: Progress = _no_progress,
) -> ContactImport:
    """Import a contact file now (the command line) and return its report.

    Raises SurveyError (ContactFileRejected for the file), with nothing written, when the campaign
    takes no contacts or the file cannot be imported as a whole - also when it does not say plainly
    which columns hold the phone numbers and `phone_columns` (0-based) does not say it either.
    """
    _check_campaign_takes_contacts(campaign)
    with _table(file) as table:
        layout = contact_file_layout(table, phone_columns=phone_columns)
        if layout.needs_choice:
            raise ContactFileRejected(_choice_problem(layout))
        report = ContactImport(
            campaign=campaign,
            filename=filename[:255],
            imported_by=by,
            status=ContactImportStatus.RUNNING,
            started_at=timezone.now(),
            layout=layout.as_json(),
        )
        return contacts_store(report, table, layout, progress=progress)


def contact_import_upload(
    *, campaign: Campaign, file: IO[bytes], filename: str, by: AbstractBaseUser | None
) -> ContactImport:
    """Check an uploaded file and keep it, encrypted, for a worker to import (once its phone columns are
    chosen, when the file does not say which they are). Raises SurveyError, with nothing kept, for a
    file that cannot be imported at all."""
    _check_campaign_takes_contacts(campaign)
    size = file.seek(0, 2)
    if size > settings.CONTACT_FILE_MAX_BYTES:
        raise ContactFileRejected(Problem("file_too_large", {"size": size, "limit": settings.CONTACT_FILE_MAX_BYTES}))
    with _table(file) as table:
        layout = contact_file_layout(table)
    file.seek(0)
    with transaction.atomic():
        report = ContactImport.objects.create(
            campaign=campaign,
            filename=filename[:255],
            imported_by=by,
            status=ContactImportStatus.CHOOSING if layout.needs_choice else ContactImportStatus.PENDING,
            layout=layout.as_json(),
            file_size=size,
        )
        position = 0
        while chunk := file.read(UPLOAD_CHUNK_BYTES):
            ContactImportChunk.objects.create(
                contact_import=report,
                position=position,
                data=personal_data_encrypt(chunk, purpose="keep uploaded contact files"),
            )
            position += 1
        if not layout.needs_choice:
            _enqueue(report)
    return report


def contact_import_choose_columns(*, contact_import: ContactImport, phone_columns: Sequence[int]) -> ContactImport:
    """Use `phone_columns` (0-based, in calling order) for an upload that waits for them, and start it."""
    with transaction.atomic():
        report = ContactImport.objects.select_for_update().get(pk=contact_import.pk)
        if report.status != ContactImportStatus.CHOOSING:
            raise SurveyError.of("contacts_phone_columns_chosen_already")
        if not phone_columns:
            raise SurveyError.of("contacts_phone_columns_none_chosen")
        chosen = ContactFileLayout.from_json(report.layout).with_phone_columns(phone_columns)
        report.layout = chosen.as_json()
        report.status = ContactImportStatus.PENDING
        report.save(update_fields=["layout", "status"])
        _enqueue(report)
    return report


def contact_import_job_id(import_id: int) -> str:
    return f"contact-import-{import_id}"


def _enqueue(report: ContactImport) -> None:
    def unqueued(error) -> None:
        with transaction.atomic():
            ContactImportChunk.objects.filter(contact_import=report).delete()
            _failed(report, Problem("contacts_import_not_queued", {"error": str(error)}))

    enqueue_after_commit(
        IMPORTS_QUEUE,
        "surveys.jobs.import_contacts",
        report.pk,
        job_id=contact_import_job_id(report.pk),
        job_timeout=JOB_TIMEOUT_SECONDS,
        on_unqueued=unqueued,
    )


def contact_imports_lost_recover(*, imports: QuerySet[ContactImport], now: datetime | None = None) -> None:
    """Look after those of `imports` whose job no worker will run: gone from Redis (restarted without its
    data) or ended without finishing the import. One still waiting for a worker gets its job again (its
    upload is kept); one a worker was importing ends as failed - the import is one transaction, so nothing
    of it was stored - and its upload is deleted, as the nightly purge would a day later."""
    now = now or timezone.now()
    handed_over = Q(status=ContactImportStatus.PENDING, imported_at__lt=now - CONTACT_IMPORT_JOB_GRACE) | Q(
        status=ContactImportStatus.RUNNING, started_at__lt=now - CONTACT_IMPORT_JOB_GRACE
    )
    unfinished = list(imports.filter(handed_over).values_list("pk", flat=True))
    if not unfinished:
        return
    queue = django_rq.get_queue(IMPORTS_QUEUE)
    try:
        # RQ fails the job of a killed worker once its heartbeat has expired, when the registry is cleaned.
        StartedJobRegistry(queue=queue).cleanup()
        lost_job_ids = job_ids_lost([contact_import_job_id(pk) for pk in unfinished], connection=queue.connection)
    except RedisError as error:
        logger.warning("Contact imports %s not looked up in Redis: %s", unfinished, error)
        return
    lost = [pk for pk in unfinished if contact_import_job_id(pk) in lost_job_ids]
    with transaction.atomic():
        # A worker claiming one of them right now holds its row: it is left to that worker.
        for report in ContactImport.objects.select_for_update(skip_locked=True).filter(handed_over, pk__in=lost):
            if report.status == ContactImportStatus.RUNNING:
                ContactImportChunk.objects.filter(contact_import=report).delete()
                _failed(report, Problem("contacts_import_failed"), finished_at=now)
                logger.warning("Contact import %s failed: its worker stopped.", report.pk)
                continue
            job_id = contact_import_job_id(report.pk)
            FailedJobRegistry(queue=queue).remove(job_id)
            # Straight to Redis (django-rq would hold it until this transaction commits): should Redis refuse,
            # the import waits as it was for the next look.
            queue.enqueue_many(
                [
                    Queue.prepare_data(
                        "surveys.jobs.import_contacts", (report.pk,), job_id=job_id, timeout=JOB_TIMEOUT_SECONDS
                    )
                ]
            )
            logger.warning("The job of contact import %s was lost; queued again.", report.pk)


def contact_import_run(*, import_id: int, progress: Progress | None = None) -> ContactImport:
    """Carry out a pending upload (the worker's job). An import that is not pending is left as it is."""
    with transaction.atomic():
        report = ContactImport.objects.select_for_update(skip_locked=True).filter(pk=import_id).first()
        if report is None or report.status != ContactImportStatus.PENDING:
            return report or ContactImport.objects.get(pk=import_id)
        report.status = ContactImportStatus.RUNNING
        report.started_at = timezone.now()
        report.save(update_fields=["status", "started_at"])
    progress = progress or _progress_to_cache(report.pk)
    progress(0, None)
    try:
        with _uploaded_file(report) as path, _table(path) as table:
            return contacts_store(report, table, ContactFileLayout.from_json(report.layout), progress=progress)
    except ContactFileRejected as error:
        return _failed(report, error.problem)
    except Exception:
        logger.exception("Contact import %s stopped on an unexpected error.", report.pk)
        return _failed(report, Problem("contacts_import_failed"))
    finally:
        ContactImportChunk.objects.filter(contact_import_id=report.pk).delete()


@dataclass(frozen=True)
class ImportProgress:
    """How far an import has come: rows read, and per cent of the file when its size is known."""

    rows_done: int
    percent: int | None


def contact_import_progress(report: ContactImport) -> ImportProgress:
    """How far an import has come, as far as its worker has told (a finished one is at 100 %)."""
    if report.is_finished:
        return ImportProgress(report.rows_read, 100)
    if report.status != ContactImportStatus.RUNNING:
        return ImportProgress(0, None)
    done, total = cache.get(_progress_key(report.pk)) or (0, None)
    # 99 at most: the last rows are still to be committed when every row has been read.
    return ImportProgress(done, min(99, done * 100 // total) if total else None)


def _progress_key(import_id: int) -> str:
    return f"surveys:contact-import-progress:{import_id}"


def _progress_to_cache(import_id: int) -> Progress:
    def tell(rows_done: int, rows_total: int | None) -> None:
        cache.set(_progress_key(import_id), (rows_done, rows_total), timeout=PROGRESS_KEPT_SECONDS)

    return tell


def _failed(report: ContactImport, problem: Problem, *, finished_at: datetime | None = None) -> ContactImport:
    """End the import as failed, with nothing of it kept but the reason: no counts, no cell of the file."""
    layout = ContactFileLayout.from_json(report.layout).without_examples().as_json() if report.layout else {}
    ContactImport.objects.filter(pk=report.pk).update(
        status=ContactImportStatus.FAILED,
        finished_at=finished_at or timezone.now(),
        layout=layout,
        error={"code": problem.code, "params": _params_masked(problem.params)},
        rows_read=0,
        imported=0,
        numbers=0,
        duplicates=0,
        invalid=0,
        opted_out=0,
        problems=[],
    )
    report.refresh_from_db()
    return report


def _params_masked(params: Mapping[str, Any]) -> dict[str, Any]:
    """A reason's parameters with the text they quote from the file (a CSV error, the names of its
    columns, which may be a data row's cells) masked: the import keeps no number of it."""
    return {name: phone_numbers_mask(value) if isinstance(value, str) else value for name, value in params.items()}


def contact_imports_expire(*, now: datetime) -> int:
    """End the imports that will not finish by themselves, deleting their uploads: those nobody chose the
    phone columns of, or no worker took, within UPLOAD_KEPT_FOR, and those whose worker died (running
    longer than a job may run). An import a worker holds at the moment is left alone. Returns how many
    it ended."""
    ended = 0
    for status, code, since in (
        (ContactImportStatus.CHOOSING, "contacts_file_expired", Q(imported_at__lt=now - UPLOAD_KEPT_FOR)),
        (ContactImportStatus.PENDING, "contacts_file_expired", Q(imported_at__lt=now - UPLOAD_KEPT_FOR)),
        (
            ContactImportStatus.RUNNING,
            "contacts_import_failed",
            Q(started_at__lt=now - timedelta(seconds=JOB_TIMEOUT_SECONDS * 2)),
        ),
    ):
        with transaction.atomic():
            expired = list(ContactImport.objects.select_for_update(skip_locked=True).filter(since, status=status))
            ContactImportChunk.objects.filter(contact_import__in=expired).delete()
            for report in expired:
                _failed(report, Problem(code), finished_at=now)
            ended += len(expired)
    return ended


@contextmanager
def _table(file: bytes | Path | IO[bytes]):
    try:
        table = table_open(file, options=read_options())
    except TabularError as error:
        raise ContactFileRejected(error.problem) from None
    with table:
        yield table


@contextmanager
def _uploaded_file(report: ContactImport):
    """The upload decrypted into a temporary file of this worker (streamed, chunk by chunk), removed after."""
    with tempfile.NamedTemporaryFile(prefix="contacts-", suffix=".upload") as handle:
        chunks = ContactImportChunk.objects.filter(contact_import=report).order_by("position")
        for data in chunks.values_list("data", flat=True).iterator(chunk_size=4):
            handle.write(personal_data_decrypt(data, purpose="read uploaded contact files"))
        handle.flush()
        yield Path(handle.name)


def _choice_problem(layout: ContactFileLayout) -> Problem:
    columns = ", ".join(f"{column.index + 1} ({column.name})" for column in layout.phone_candidates)
    return Problem("contacts_choose_phone_columns", {"columns": columns})


def _check_campaign_takes_contacts(campaign: Campaign) -> None:
    if campaign.status not in IMPORTABLE_STATUSES:
        raise SurveyError.of("contacts_campaign_not_open", status=campaign.get_status_display().lower())
