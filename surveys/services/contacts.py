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
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kuntaportaali.tabular.problems import Problem, TabularError
from kuntaportaali.tabular.reader import ReadOptions, Table, table_open
from surveys.contact_files import (
    ContactFileLayout,
    ContactFileRejected,
    ContactValues,
    RowRefused,
    contact_file_layout,
    contact_rows,
    contact_values,
)
from surveys.errors import SurveyError
from surveys.models import (
    Campaign,
    CampaignStatus,
    Contact,
    ContactImport,
    ContactImportChunk,
    ContactImportStatus,
    ContactNumber,
    DoNotCall,
)
from surveys.phone_numbers import personal_data_decrypt, personal_data_encrypt, phone_encrypt, phone_hash

from .privacy import do_not_call_lock

logger = logging.getLogger(__name__)

IMPORTS_QUEUE = "imports"
IMPORTABLE_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.READY, CampaignStatus.PAUSED)
# The report keeps the first problems; the counts keep counting past them.
MAX_PROBLEMS_KEPT = 1_000
MAX_PROBLEM_VALUE_CHARS = 100
ROWS_PER_BATCH = 5_000
HASH_LOOKUP_CHUNK = 5_000
UPLOAD_CHUNK_BYTES = 1024 * 1024
# An upload waiting for its phone columns to be chosen is deleted after this long.
UPLOAD_KEPT_FOR = timedelta(days=1)
JOB_TIMEOUT_SECONDS = 60 * 60
PROGRESS_KEPT_SECONDS = 60 * 60
# Imports of one campaign take turns on this PostgreSQL advisory lock (with the campaign's id).
IMPORT_LOCK_KEY = 0x6B70_696D  # "kpim"

Progress = Callable[[int, int | None], None]


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
        return _import(report, table, layout, progress=progress)


def contact_import_upload(
    *, campaign: Campaign, file: IO[bytes], filename: str, by: AbstractBaseUser | None
) -> ContactImport:
    """Check an uploaded file and keep it, encrypted, for a worker to import (once its phone columns are
    chosen, when the file does not say which they are). Raises SurveyError, with nothing kept, for a
    file that cannot be imported at all."""
    _check_campaign_takes_contacts(campaign)
    with _table(file) as table:
        layout = contact_file_layout(table)
    file.seek(0, 2)
    size = file.tell()
    if size > settings.CONTACT_FILE_MAX_BYTES:
        raise ContactFileRejected(Problem("file_too_large", {"size": size, "limit": settings.CONTACT_FILE_MAX_BYTES}))
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
                contact_import=report, position=position, data=personal_data_encrypt(chunk)
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
            raise SurveyError(_("The phone columns of this file have been chosen already."))
        if not phone_columns:
            raise SurveyError(_("Choose at least one column that holds phone numbers."))
        layout = ContactFileLayout.from_json(report.layout)
        for index in phone_columns:
            if not 0 <= index < len(layout.columns):
                raise ContactFileRejected(Problem("contacts_phone_column_unknown", {"column": index + 1}))
        chosen = ContactFileLayout(
            sheet=layout.sheet,
            header_rows=layout.header_rows,
            columns=layout.columns,
            phone_columns=tuple(sorted(set(phone_columns))),
            fields={name: index for name, index in layout.fields.items() if index not in phone_columns},
        )
        report.layout = chosen.as_json()
        report.status = ContactImportStatus.PENDING
        report.save(update_fields=["layout", "status"])
        _enqueue(report)
    return report


def contact_import_job_id(import_id: int) -> str:
    return f"contact-import-{import_id}"


def _enqueue(report: ContactImport) -> None:
    import django_rq

    from surveys.jobs import import_contacts

    # django-rq holds the job until the transaction commits (RQ's COMMIT_MODE on_db_commit).
    django_rq.get_queue(IMPORTS_QUEUE).enqueue(
        import_contacts, report.pk, job_id=contact_import_job_id(report.pk), job_timeout=JOB_TIMEOUT_SECONDS
    )


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
    try:
        with _uploaded_file(report) as path, _table(path) as table:
            return _import(report, table, ContactFileLayout.from_json(report.layout), progress=progress)
    except ContactFileRejected as error:
        return _failed(report, error.problem)
    except Exception:
        logger.exception("Contact import %s stopped on an unexpected error.", report.pk)
        return _failed(report, Problem("contacts_import_failed"))
    finally:
        ContactImportChunk.objects.filter(contact_import_id=report.pk).delete()


def contact_import_progress(report: ContactImport) -> tuple[int, int | None]:
    """(rows done, rows in all) of a running import, as far as its worker has told."""
    done, total = cache.get(_progress_key(report.pk)) or (0, None)
    return done, total


def _progress_key(import_id: int) -> str:
    return f"surveys:contact-import-progress:{import_id}"


def _progress_to_cache(import_id: int) -> Progress:
    def tell(rows_done: int, rows_total: int | None) -> None:
        cache.set(_progress_key(import_id), (rows_done, rows_total), timeout=PROGRESS_KEPT_SECONDS)

    return tell


def _failed(report: ContactImport, problem: Problem) -> ContactImport:
    ContactImport.objects.filter(pk=report.pk).update(
        status=ContactImportStatus.FAILED,
        finished_at=timezone.now(),
        error={"code": problem.code, "params": dict(problem.params)},
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


def contact_imports_expire(*, now: datetime) -> int:
    """End the imports that will not finish by themselves, deleting their uploads: those nobody chose the
    phone columns of, or no worker took, within UPLOAD_KEPT_FOR, and those whose worker died (running
    longer than a job may run). Returns how many it ended."""
    kept_since = now - UPLOAD_KEPT_FOR
    ended = 0
    for code, queryset in (
        ("contacts_file_expired", ContactImport.objects.filter(status=ContactImportStatus.CHOOSING)),
        ("contacts_file_expired", ContactImport.objects.filter(status=ContactImportStatus.PENDING)),
        ("contacts_import_failed", ContactImport.objects.filter(status=ContactImportStatus.RUNNING)),
    ):
        since = kept_since if code == "contacts_file_expired" else now - timedelta(seconds=JOB_TIMEOUT_SECONDS * 2)
        field = "imported_at" if code == "contacts_file_expired" else "started_at"
        ids = list(queryset.filter(**{f"{field}__lt": since}).values_list("pk", flat=True))
        ContactImportChunk.objects.filter(contact_import_id__in=ids).delete()
        ended += ContactImport.objects.filter(pk__in=ids).update(
            status=ContactImportStatus.FAILED, finished_at=now, error={"code": code, "params": {}}
        )
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
            handle.write(personal_data_decrypt(data))
        handle.flush()
        yield Path(handle.name)


def _choice_problem(layout: ContactFileLayout) -> Problem:
    columns = ", ".join(f"{column.index + 1} ({column.name})" for column in layout.phone_candidates)
    return Problem("contacts_choose_phone_columns", {"columns": columns})


def _check_campaign_takes_contacts(campaign: Campaign) -> None:
    if campaign.status not in IMPORTABLE_STATUSES:
        raise SurveyError(
            _("The campaign is %(status)s: contacts can be added only to a draft, ready or paused campaign.")
            % {"status": campaign.get_status_display().lower()}
        )


def _imports_lock(campaign: Campaign) -> None:
    """One import at a time per campaign, so two uploads of one file cannot both pass the dedupe.
    (The campaign's row is locked only at the end: editing it must not wait for an import.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_KEY, campaign.pk])


def _import(report: ContactImport, table: Table, layout: ContactFileLayout, *, progress: Progress) -> ContactImport:
    """Store the file's contacts in one transaction; the report is saved with them, or nothing is."""
    total = table.rows_estimate(layout.sheet)
    with transaction.atomic():
        _imports_lock(report.campaign)
        if report.pk is None:
            report.save()
        store = _ContactStore(report, layout)
        for rows in _batches(contact_rows(table, layout), ROWS_PER_BATCH):
            store.add(rows)
            progress(store.rows_read, total)
        store.registry_apply()
        campaign = Campaign.objects.select_for_update().get(pk=report.campaign_id)
        if campaign.status not in IMPORTABLE_STATUSES:
            raise ContactFileRejected(Problem("contacts_campaign_closed"))
        report.status = ContactImportStatus.DONE
        report.finished_at = timezone.now()
        store.report_fill(report)
        report.save()
    return report


def _batches(items: Iterable, size: int) -> Iterable[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class _ContactStore:
    """Reads, deduplicates and stores the rows of one import, a batch at a time; keeps the counts."""

    def __init__(self, report: ContactImport, layout: ContactFileLayout):
        self.report = report
        self.layout = layout
        self.campaign = report.campaign
        self.this_year = timezone.localdate().year
        self.region = settings.PHONE_REGION
        # Numbers met in this file, as integers (E.164 digits): a set of a million of them stays small.
        self.seen: set[int] = set()
        self.campaign_has_numbers = ContactNumber.objects.filter(campaign=self.campaign).exists()
        self.rows_read = self.imported = self.numbers = self.duplicates = self.invalid = self.opted_out = 0
        self.problems: list[dict] = []

    def add(self, rows: Iterable) -> None:
        fresh: list[ContactValues] = []
        for row in rows:
            self.rows_read += 1
            try:
                values = contact_values(row, self.layout, this_year=self.this_year, region=self.region)
            except RowRefused as refusal:
                self._invalid(row.number, refusal)
                continue
            keys = [int(number[1:]) for number in values.numbers]
            if any(key in self.seen for key in keys):
                self.duplicates += 1
                continue
            self.seen.update(keys)
            fresh.append(values)
        hashes = {number: phone_hash(number) for values in fresh for number in values.numbers}
        taken = self._taken_in_campaign(hashes.values()) if self.campaign_has_numbers else set()
        contacts: list[tuple[Contact, tuple[str, ...]]] = []
        for values in fresh:
            if any(hashes[number] in taken for number in values.numbers):
                self.duplicates += 1
                continue
            contact = Contact(
                campaign=self.campaign,
                source_import=self.report,
                birth_year=values.birth_year,
                postal_code=values.postal_code,
                language=values.language,
            )
            contacts.append((contact, values.numbers))
        Contact.objects.bulk_create([contact for contact, _numbers in contacts])
        ContactNumber.objects.bulk_create(
            ContactNumber(
                contact=contact,
                campaign=self.campaign,
                position=position,
                phone_encrypted=phone_encrypt(number),
                phone_hash=hashes[number],
            )
            for contact, numbers in contacts
            for position, number in enumerate(numbers, start=1)
        )
        self.imported += len(contacts)
        self.numbers += sum(len(numbers) for _contact, numbers in contacts)

    def _invalid(self, row: int, refusal: RowRefused) -> None:
        self.invalid += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(
                {
                    "row": row,
                    "column": refusal.column,
                    "value": refusal.value[:MAX_PROBLEM_VALUE_CHARS],
                    "code": refusal.problem.code,
                    "params": dict(refusal.problem.params),
                }
            )

    def _taken_in_campaign(self, hashes: Iterable[str]) -> set[str]:
        wanted = list(hashes)
        found: set[str] = set()
        numbers = ContactNumber.objects.filter(campaign=self.campaign)
        for start in range(0, len(wanted), HASH_LOOKUP_CHUNK):
            chunk = wanted[start : start + HASH_LOOKUP_CHUNK]
            found.update(numbers.filter(phone_hash__in=chunk).values_list("phone_hash", flat=True))
        return found

    def registry_apply(self) -> None:
        """Leave out the contacts with a number on the do-not-call registry. Checked last, under the
        registry's lock, so that an opt-out committed at any time during the import is honoured."""
        do_not_call_lock()
        on_registry = Contact.objects.filter(
            source_import=self.report, numbers__phone_hash__in=DoNotCall.objects.values("phone_hash")
        ).values_list("pk", flat=True)
        ids = list(on_registry.distinct())
        if ids:
            self.numbers -= ContactNumber.objects.filter(contact_id__in=ids).count()
            Contact.objects.filter(pk__in=ids).delete()
        self.opted_out = len(ids)
        self.imported -= len(ids)

    def report_fill(self, report: ContactImport) -> None:
        report.rows_read = self.rows_read
        report.imported = self.imported
        report.numbers = self.numbers
        report.duplicates = self.duplicates
        report.invalid = self.invalid
        report.opted_out = self.opted_out
        report.problems = self.problems
