"""Storing a contact file's rows in one transaction: read, deduplicated, hashed and encrypted a batch
at a time in a background thread while the previous batch is written, so that the database and
Python work at once (a million rows in under a minute). Memory stays bounded: batches stream
through, and the numbers already met are kept as integers.
"""

import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from kuntaportaali.tabular.problems import Problem
from kuntaportaali.tabular.reader import Row, Table
from surveys.contact_files import ContactFileLayout, ContactFileRejected, contact_rows
from surveys.contact_values import ContactValues, RowRefused, contact_values
from surveys.models import (
    Campaign,
    CampaignStatus,
    Contact,
    ContactImport,
    ContactImportStatus,
    ContactNumber,
    ContactStatus,
    DoNotCall,
)
from surveys.phone_numbers import phone_encrypter, phone_hasher

from .privacy import do_not_call_lock

IMPORTABLE_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.READY, CampaignStatus.PAUSED)
# The report keeps the first problems; the counts keep counting past them.
MAX_PROBLEMS_KEPT = 1_000
MAX_PROBLEM_VALUE_CHARS = 100
ROWS_PER_BATCH = 5_000
HASH_LOOKUP_CHUNK = 5_000
# Batches read ahead of the one being written.
READ_AHEAD = 2
# Imports of one campaign take turns on this PostgreSQL advisory lock (with the campaign's id).
IMPORT_LOCK_KEY = 0x6B70_696D  # "kpim"

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class NewContact:
    """A contact to store: its values, and its numbers as (encrypted, keyed hash) in calling order."""

    values: ContactValues
    numbers: tuple[tuple[bytes, str], ...]


# A contact with what its writer will send of it.
Prepared = list[tuple[NewContact, object]]


@dataclass
class Counts:
    rows_read: int = 0
    imported: int = 0
    numbers: int = 0
    duplicates: int = 0
    invalid: int = 0
    opted_out: int = 0
    languages_defaulted: int = 0
    problems: list[dict] = field(default_factory=list)


def contacts_store(
    report: ContactImport, table: Table, layout: ContactFileLayout, *, progress: Progress
) -> ContactImport:
    """Store the file's contacts in one transaction; the report is saved with them, or nothing is."""
    total = table.rows_estimate(layout.sheet)
    with transaction.atomic():
        _imports_lock(report.campaign)
        if report.pk is None:
            report.save()
        counts = Counts()
        reader = _BatchReader(layout, counts)
        writer = _writer(campaign_id=report.campaign_id, import_id=report.pk)
        check_campaign = ContactNumber.objects.filter(campaign_id=report.campaign_id).exists()
        in_campaign = 0
        batches = (writer.prepare(reader.read(rows)) for rows in _batches(contact_rows(table, layout), ROWS_PER_BATCH))
        # The contacts called in the default language, kept to count the ones the registry leaves out.
        defaulted: set[int] = set()
        for batch in _read_ahead(batches):
            kept = _not_in_campaign(batch, report.campaign_id) if check_campaign else batch
            in_campaign += len(batch) - len(kept)
            ids = writer.send([payload for _contact, payload in kept])
            defaulted.update(
                pk for pk, (contact, _payload) in zip(ids, kept, strict=True) if contact.values.language_defaulted
            )
            counts.imported += len(kept)
            counts.numbers += sum(len(contact.numbers) for contact, _payload in kept)
            progress(counts.rows_read, total)
        counts.duplicates += in_campaign
        counts.languages_defaulted = len(defaulted - _registry_apply(report, counts))
        campaign = Campaign.objects.select_for_update().get(pk=report.campaign_id)
        if campaign.status not in IMPORTABLE_STATUSES:
            raise ContactFileRejected(Problem("contacts_campaign_closed"))
        report.status = ContactImportStatus.DONE
        report.finished_at = timezone.now()
        report.layout = layout.without_examples().as_json()
        for name in (
            "rows_read",
            "imported",
            "numbers",
            "duplicates",
            "invalid",
            "opted_out",
            "languages_defaulted",
            "problems",
        ):
            setattr(report, name, getattr(counts, name))
        report.save()
    return report


def _imports_lock(campaign: Campaign) -> None:
    """One import at a time per campaign, so two uploads of one file cannot both pass the dedupe.
    (The campaign's row is locked only at the end: editing it must not wait for an import.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_KEY, campaign.pk])


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


_DONE = object()


def _read_ahead(batches: Iterator[Prepared]) -> Iterator[Prepared]:
    """`batches` produced by a background thread, READ_AHEAD ahead of the consumer; an error in the thread
    is raised here. The thread reads the file and does Python's work; what it asks of the database goes
    through a connection of its own, outside the import's transaction, closed when it ends."""
    handoff: queue.Queue = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not hand_over(batch):
                    return
            hand_over(_DONE)
        except BaseException as error:  # handed to the consumer, which raises it in its transaction
            hand_over(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=produce, name="contact-import-reader", daemon=True)
    thread.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


class _BatchReader:
    """Reads rows into new contacts: values read or the row refused, repeats of numbers met earlier in
    the file left out, numbers hashed and encrypted. Pure Python work, no database; the background
    thread alone updates `counts` (but for what the writer adds after the last batch)."""

    def __init__(self, layout: ContactFileLayout, counts: Counts):
        self.layout = layout
        self.counts = counts
        self.this_year = timezone.localdate().year
        self.region = settings.PHONE_REGION
        # Numbers met in this file, as integers (E.164 digits): a set of a million of them stays small.
        self.seen: set[int] = set()
        self.encrypt, self.hash = phone_encrypter(), phone_hasher()

    def read(self, rows: list[Row]) -> list[NewContact]:
        """The contacts of `rows` new to the file; the counts of the rest go to `counts`."""
        contacts: list[NewContact] = []
        for row in rows:
            try:
                values = contact_values(row, self.layout, this_year=self.this_year, region=self.region)
            except RowRefused as refusal:
                self._invalid(row.number, refusal)
                continue
            keys = [int(number[1:]) for number in values.numbers]
            if any(key in self.seen for key in keys):
                self.counts.duplicates += 1
                continue
            self.seen.update(keys)
            numbers = tuple((self.encrypt(number), self.hash(number)) for number in values.numbers)
            contacts.append(NewContact(values, numbers))
        self.counts.rows_read += len(rows)
        return contacts

    def _invalid(self, row: int, refusal: RowRefused) -> None:
        self.counts.invalid += 1
        if len(self.counts.problems) < MAX_PROBLEMS_KEPT:
            self.counts.problems.append(
                {
                    "row": row,
                    "column": refusal.column,
                    "value": refusal.value[:MAX_PROBLEM_VALUE_CHARS],
                    "code": refusal.problem.code,
                    "params": dict(refusal.problem.params),
                }
            )


def _not_in_campaign(batch: Prepared, campaign_id: int) -> Prepared:
    """The contacts none of whose numbers the campaign has already."""
    wanted = [digest for contact, _payload in batch for _token, digest in contact.numbers]
    taken: set[str] = set()
    numbers = ContactNumber.objects.filter(campaign_id=campaign_id)
    for start in range(0, len(wanted), HASH_LOOKUP_CHUNK):
        chunk = wanted[start : start + HASH_LOOKUP_CHUNK]
        taken.update(numbers.filter(phone_hash__in=chunk).values_list("phone_hash", flat=True))
    return [(contact, payload) for contact, payload in batch if not any(d in taken for _t, d in contact.numbers)]


def _registry_apply(report: ContactImport, counts: Counts) -> set[int]:
    """Leave out the contacts with a number on the do-not-call registry, and return their ids. Checked
    last, under the registry's lock, so that an opt-out committed at any time during the import is honoured."""
    do_not_call_lock()
    ids = list(
        ContactNumber.objects.filter(
            campaign_id=report.campaign_id,
            phone_hash__in=DoNotCall.objects.values("phone_hash"),
            contact__source_import=report,
        )
        .values_list("contact_id", flat=True)
        .distinct()
    )
    if ids:
        counts.numbers -= ContactNumber.objects.filter(contact_id__in=ids).count()
        Contact.objects.filter(pk__in=ids).delete()
    counts.opted_out = len(ids)
    counts.imported -= len(ids)
    return set(ids)


def _writer(*, campaign_id: int, import_id: int):
    writer = _CopyWriter if connection.vendor == "postgresql" else _OrmWriter
    return writer(campaign_id=campaign_id, import_id=import_id)


class _OrmWriter:
    """Stores new contacts with the ORM (SQLite, the demo's database), all in the import's thread."""

    def __init__(self, *, campaign_id: int, import_id: int):
        self.campaign_id, self.import_id = campaign_id, import_id

    def prepare(self, contacts: list[NewContact]) -> Prepared:
        return [(contact, contact) for contact in contacts]

    def send(self, contacts: list[NewContact]) -> list[int]:
        """Store the contacts; their ids, in order."""
        stored = Contact.objects.bulk_create(
            Contact(
                campaign_id=self.campaign_id,
                source_import_id=self.import_id,
                birth_year=contact.values.birth_year,
                postal_code=contact.values.postal_code,
                language=contact.values.language,
            )
            for contact in contacts
        )
        ContactNumber.objects.bulk_create(
            ContactNumber(
                contact=row,
                campaign_id=self.campaign_id,
                position=position,
                phone_encrypted=token,
                phone_hash=digest,
            )
            for row, contact in zip(stored, contacts, strict=True)
            for position, (token, digest) in enumerate(contact.numbers, start=1)
        )
        return [row.pk for row in stored]


class _CopyWriter:
    """Stores new contacts with PostgreSQL's COPY: a million rows would spend most of a minute in the ORM
    building INSERT statements. The reading thread prepares each contact's rows as COPY text lines, with
    an id taken from the contacts' sequence (on its own connection: a sequence is outside transactions),
    so that the import's thread only streams them and PostgreSQL always has rows to store. Every value is
    one the import made itself (numbers, codes, hexadecimal), so none needs escaping."""

    CONTACT_FIELDS = (
        "id",
        "campaign",
        "pseudonym",
        "source_import",
        "birth_year",
        "postal_code",
        "language",
        "status",
        "imported_at",
    )
    NUMBER_FIELDS = ("contact", "campaign", "position", "phone_encrypted", "phone_hash", "carrier_refused")

    def __init__(self, *, campaign_id: int, import_id: int):
        self.campaign_id, self.import_id = campaign_id, import_id
        self.now = timezone.now().isoformat()
        self.contact_copy = self._statement(Contact, self.CONTACT_FIELDS)
        self.number_copy = self._statement(ContactNumber, self.NUMBER_FIELDS)

    @staticmethod
    def _statement(model, fields: Sequence[str]) -> str:
        columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in fields)
        return f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"

    def prepare(self, contacts: list[NewContact]) -> Prepared:
        if not contacts:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Contact._meta.db_table, len(contacts)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        campaign, source, now, pending = self.campaign_id, self.import_id, self.now, ContactStatus.PENDING.value
        prepared = []
        for contact_id, pseudonym, contact in zip(ids, _pseudonyms(len(contacts)), contacts, strict=True):
            values = contact.values
            birth_year = values.birth_year if values.birth_year is not None else NULL
            contact_line = (
                f"{contact_id}\t{campaign}\t{pseudonym}\t{source}\t{birth_year}\t"
                f"{values.postal_code}\t{values.language}\t{pending}\t{now}\n"
            )
            number_lines = "".join(
                f"{contact_id}\t{campaign}\t{position}\t\\\\x{token.hex()}\t{digest}\tf\n"
                for position, (token, digest) in enumerate(contact.numbers, start=1)
            )
            prepared.append((contact, (contact_id, contact_line, number_lines)))
        return prepared

    def send(self, lines: list[tuple[int, str, str]]) -> list[int]:
        """Store the prepared lines; the contacts' ids, in order."""
        if lines:
            with connection.cursor() as cursor:
                with cursor.cursor.copy(self.contact_copy) as copy:
                    copy.write("".join(contact_line for _id, contact_line, _numbers in lines))
                with cursor.cursor.copy(self.number_copy) as copy:
                    copy.write("".join(number_lines for _id, _contact, number_lines in lines))
        return [contact_id for contact_id, _contact, _numbers in lines]


NULL = "\\N"


def _pseudonyms(count: int) -> Iterator[str]:
    """Random (version 4) UUIDs in hexadecimal, drawn in one go: uuid.uuid4() a million times takes seconds."""
    data = bytearray(os.urandom(16 * count))
    for start in range(0, len(data), 16):
        data[start + 6] = data[start + 6] & 0x0F | 0x40
        data[start + 8] = data[start + 8] & 0x3F | 0x80
        yield data[start : start + 16].hex()
