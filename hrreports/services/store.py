"""Storing a fetched period: resolve rows against units and code lists, reject what does not fit,
and upsert the rest by natural keys so that fetching a period again updates instead of duplicating.

Each employment is supplied by one source (Employment.source): a row about an employment another active
source supplies is rejected naming that source, as two sources over the same employments would double the
salaries and take each other's absences. A unit's name and place come from one source's units file
(WorkUnit.source): another active source's units file may not rename or move it, but the rows of any
source's employments may be in any unit (the unit tree and the payroll data may come from two sources, and
a unit from several payroll sources). A source switched off hands its units and employments to the next
source that supplies them, whose month then replaces the rows the old one stored for them; an employment
records the month its source has supplied it since (Employment.source_since).

Runs inside the caller's transaction, whose end releases the stores' lock it takes; it never commits on
its own.
"""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from kuntaportaali.tabular.problems import Problem

from ..models import (
    Absence,
    AbsenceDeletion,
    AbsenceType,
    Employee,
    Employment,
    EmploymentMonth,
    SalaryPayment,
    SalaryType,
    Source,
    WorkUnit,
)
from ..models.records import EmploymentKind, EmploymentRelationship
from ..periods import period_label, period_last_day, period_shift
from ..person_numbers import person_number_encrypter, person_number_hasher
from ..sources.base import Rejection, SourceBatch
from ..sources.schema import DELETED
from ..workdays import working_days
from .organisation import unit_paths_rebuild

BATCH_SIZE = 2000
# The stores of every source take turns on this PostgreSQL advisory lock, held until their transaction ends:
# the ownership checks read which source supplies an employment or names a unit, and two sources storing
# side by side would each miss the other's claims not yet committed.
STORE_LOCK_KEY = 0x6B70_6872_7374  # "kphrst"


class _Resolver:
    def __init__(self, batches: dict[str, SourceBatch], source: Source):
        self.batches = batches
        self.rejections: list[Rejection] = [r for batch in batches.values() for r in batch.rejected]
        self.refused_employments: dict[str, Rejection] = {}
        # Unit code / employment id -> the name of the other active source that supplies it.
        others = Source.objects.filter(active=True).exclude(pk=source.pk)
        self.units_elsewhere: dict[str, str] = dict(
            WorkUnit.objects.filter(source__in=others).values_list("code", "source__name")
        )
        ids = {row["employment_id"] for batch in batches.values() for row in batch.rows if row.get("employment_id")}
        self.employments_elsewhere: dict[str, str] = _ids_filtered(
            Employment.objects.filter(source__in=others), "employment_id", "source__name", ids
        )
        # Employment id -> its source before this store (None: none), for Employment.source_since.
        self.sources_before: dict[str, int | None] = _ids_filtered(
            Employment.objects.all(), "employment_id", "source_id", ids
        )

    def supplied_elsewhere(self, report_type: str, row: dict[str, Any], index: int) -> bool:
        """Reject `row` when its employment is supplied by another active source, naming it."""
        employment_id = str(row.get("employment_id") or "")
        if employment_id in self.employments_elsewhere:
            params = {"employment": employment_id, "source": self.employments_elsewhere[employment_id]}
            self.reject(report_type, row, index, "employment_id", Problem("employment_of_another_source", params))
            return True
        return False

    def reject(self, report_type: str, row: dict[str, Any], index: int, field: str, problem: Problem) -> None:
        """Reject `row` for `field`, whose value is shown as the source wrote it (not as it was read)."""
        self.rejections.append(
            Rejection(
                report_type,
                problem,
                row.get("_file", ""),
                row.get("_row", index),
                field,
                row["_as_written"].get(field, ""),
                employment_id=str(row.get("employment_id") or ""),
            )
        )

    def employments_refused(self, stored: Iterable[str]) -> dict[str, Rejection]:
        """The employments whose row in the month's employments file was rejected (and none stored)."""
        stored = set(stored)
        return {
            rejection.employment_id: rejection
            for rejection in self.rejections
            if rejection.report_type == "employments"
            and rejection.employment_id not in stored
            and rejection.employment_id
        }


def batches_store(
    *, source: Source, period: date, batches: dict[str, SourceBatch]
) -> tuple[dict[str, int], list[Rejection]]:
    """Store the batches of one period from `source`; returns (rows stored per report, all rejections)."""
    stores_lock()
    resolver = _Resolver(batches, source)
    counts: dict[str, int] = {}
    if "units" in batches:
        counts["units"] = _units_store(source, batches["units"], resolver)
    units = dict(WorkUnit.objects.values_list("code", "pk"))
    people = _employees_store(batches, resolver)
    employments, stored = _employments_store(source, period, batches, units, people, resolver)
    _employments_claim(source, employments, resolver)
    _employments_since(source, period, employments, resolver)
    if "employments" in batches:
        counts["employments"] = stored
    if "absences" in batches:
        counts["absences"] = _absences_store(source, period, batches["absences"], units, employments, resolver)
    if "salaries" in batches:
        counts["salaries"] = _salaries_store(source, period, batches["salaries"], units, employments, resolver)
    return counts, resolver.rejections


def stores_lock() -> None:
    """Hold the stores' lock until the current transaction ends (SQLite serialises writers itself): every
    store takes it, and so does the HR data purge, which must not delete what a store is giving rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STORE_LOCK_KEY])


def _rows(batch: SourceBatch) -> Iterable[tuple[int, dict[str, Any]]]:
    return enumerate(batch.rows, start=1)


def _units_store(source: Source, batch: SourceBatch, resolver: _Resolver) -> int:
    seen: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for index, row in _rows(batch):
        if row["code"] in seen:
            resolver.reject("units", row, index, "code", Problem("unit_duplicate"))
            continue
        if row["code"] in resolver.units_elsewhere:
            params = {"unit": row["code"], "source": resolver.units_elsewhere[row["code"]]}
            resolver.reject("units", row, index, "code", Problem("unit_of_another_source", params))
            continue
        seen[row["code"]] = index
        rows.append(row)
    # A unit is taken in when its parent exists already or is taken in from this batch.
    existing = set(WorkUnit.objects.values_list("code", flat=True))
    kept: list[dict[str, Any]] = []
    kept_codes: set[str] = set()
    pending = rows
    progress = True
    while pending and progress:
        progress, waiting = False, []
        for row in pending:
            parent = row.get("parent_code") or ""
            if not parent or (parent != row["code"] and (parent in existing or parent in kept_codes)):
                kept.append(row)
                kept_codes.add(row["code"])
                progress = True
            else:
                waiting.append(row)
        pending = waiting
    for row in pending:
        resolver.reject("units", row, 0, "parent_code", Problem("unit_parent_unknown"))
    WorkUnit.objects.bulk_create(
        [
            WorkUnit(
                code=row["code"],
                name=row["name"],
                active=row["active"] is not False,
                path=f"/{row['code']}/",
                source=source,
            )
            for row in kept
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "active", "source"],
        batch_size=BATCH_SIZE,
    )
    ids = dict(WorkUnit.objects.values_list("code", "pk"))
    parents = {row["code"]: (row.get("parent_code") or "") for row in kept}
    changed = list(WorkUnit.objects.filter(code__in=parents))
    for unit in changed:
        unit.parent_id = ids[parents[unit.code]] if parents[unit.code] else None
    WorkUnit.objects.bulk_update(changed, ["parent"], batch_size=BATCH_SIZE)
    unit_paths_rebuild()
    return len(kept)


def _employees_store(batches: dict[str, SourceBatch], resolver: _Resolver) -> dict[str, int]:
    """Upsert the batches' employees, matched by the keyed hash of their identity code (stored encrypted);
    returns identity code -> employee pk. Rows another source supplies do not rename anybody."""
    names: dict[str, str] = {}
    for report_type in ("employments", "absences", "salaries"):
        for row in batches.get(report_type, SourceBatch(report_type)).rows:
            if row["employment_id"] in resolver.employments_elsewhere:
                names.setdefault(row["person_number"], "")
            elif not names.get(row["person_number"]):
                names[row["person_number"]] = row.get("employee_name") or ""
    if not names:
        return {}
    hasher, encrypter = person_number_hasher(), person_number_encrypter()
    hashes = {number: hasher(number) for number in names}

    def employee(number: str, name: str) -> Employee:
        return Employee(person_number_hash=hashes[number], person_number_encrypted=encrypter(number), name=name)

    named = [employee(number, name) for number, name in names.items() if name]
    nameless = [employee(number, "") for number, name in names.items() if not name]
    Employee.objects.bulk_create(
        named,
        update_conflicts=True,
        unique_fields=["person_number_hash"],
        update_fields=["name"],
        batch_size=BATCH_SIZE,
    )
    Employee.objects.bulk_create(nameless, ignore_conflicts=True, batch_size=BATCH_SIZE)
    pks = _ids(Employee, "person_number_hash", hashes.values())
    return {number: pks[digest] for number, digest in hashes.items()}


def _ids(model, field: str, keys: Iterable[str]) -> dict[str, int]:
    return _ids_filtered(model.objects.all(), field, "pk", keys)


def _ids_filtered(queryset, field: str, value: str, keys: Iterable[str]) -> dict[str, Any]:
    """`field` -> `value` of the rows of `queryset` whose `field` is one of `keys` (in chunks)."""
    result: dict[str, Any] = {}
    for chunk in _chunks(list(keys)):
        result.update(queryset.filter(**{f"{field}__in": chunk}).values_list(field, value))
    return result


def _employments_store(
    source: Source,
    period: date,
    batches: dict[str, SourceBatch],
    units: dict[str, int],
    people: dict[str, int],
    resolver: _Resolver,
) -> tuple[dict[str, tuple[int, str]], int]:
    """Upsert employments from the employments report; create a minimal one for any other row that
    names an employment not known yet. Returns (employment id -> (pk, person number), rows stored
    from the employments report)."""
    full: dict[str, Employment] = {}
    owner: dict[str, str] = {}
    first_row: dict[str, int] = {}
    batch = batches.get("employments")
    if batch is not None:
        for index, row in _rows(batch):
            employment_id = row["employment_id"]
            if employment_id in full:
                resolver.reject(
                    "employments",
                    row,
                    index,
                    "employment_id",
                    Problem("employment_duplicate", {"employment": employment_id, "row": first_row[employment_id]}),
                )
                continue
            unit = units.get(row["unit_code"])
            if unit is None:
                resolver.reject("employments", row, index, "unit_code", Problem("unit_unknown"))
                continue
            if resolver.supplied_elsewhere("employments", row, index):
                continue
            first_row[employment_id] = row.get("_row") or index
            owner[employment_id] = row["person_number"]
            full[employment_id] = Employment(
                employment_id=employment_id,
                employee_id=people[row["person_number"]],
                unit_id=unit,
                title=row.get("title") or "",
                kind=row["kind"].kind if row.get("kind") else EmploymentKind.NOT_STATED,
                relationship=row["kind"].relationship if row.get("kind") else EmploymentRelationship.NOT_STATED,
                start=row["start"],
                end=row.get("end"),
                working_time_percent=row.get("working_time_percent"),
                source=source,
            )
    Employment.objects.bulk_create(
        list(full.values()),
        update_conflicts=True,
        unique_fields=["employment_id"],
        update_fields=[
            "employee",
            "unit",
            "title",
            "kind",
            "relationship",
            "start",
            "end",
            "working_time_percent",
            "source",
        ],
        batch_size=BATCH_SIZE,
    )
    # An employment whose own row was rejected gets no minimal stand-in (working time 100 %, no start):
    # the month's other rows about it are rejected naming that row (_employment_for).
    resolver.refused_employments = resolver.employments_refused(full)
    minimal: dict[str, Employment] = {}
    for report_type in ("absences", "salaries"):
        for row in batches.get(report_type, SourceBatch(report_type)).rows:
            employment_id = row["employment_id"]
            if (
                employment_id in full
                or employment_id in minimal
                or employment_id in resolver.refused_employments
                or row["unit_code"] not in units
                or employment_id in resolver.employments_elsewhere
            ):
                continue
            minimal[employment_id] = Employment(
                employment_id=employment_id,
                employee_id=people[row["person_number"]],
                unit_id=units[row["unit_code"]],
                source=source,
            )
    Employment.objects.bulk_create(list(minimal.values()), ignore_conflicts=True, batch_size=BATCH_SIZE)
    wanted = set(full) | set(minimal)
    for report_type in ("absences", "salaries"):
        wanted.update(row["employment_id"] for row in batches.get(report_type, SourceBatch(report_type)).rows)
    ordered = sorted(wanted)
    # The identity codes are stored encrypted: an employment's owner is named by the code of this batch's
    # employee it belongs to (None when it belongs to nobody in the batch, so to another person).
    person_of = {pk: number for number, pk in people.items()}
    result: dict[str, tuple[int, str | None]] = {}
    for chunk in _chunks(ordered):
        for employment_id, pk, employee in Employment.objects.filter(employment_id__in=chunk).values_list(
            "employment_id", "pk", "employee_id"
        ):
            result[employment_id] = (pk, person_of.get(employee))
    if batch is not None:
        _employment_months_store(source, period, full, result)
    return result, len(full)


def _employment_months_store(
    source: Source, period: date, full: dict[str, Employment], ids: dict[str, tuple[int, str | None]]
) -> None:
    """Keep the month's employments file as the month's staff (EmploymentMonth), replacing what the source
    gave for the month before: Employment holds only the newest values, which a month fetched earlier must
    not take on (its sick-leave rate counts the units and working times of its own file)."""
    EmploymentMonth.objects.filter(Q(source=source) | Q(employment__source=source), period=period).delete()
    EmploymentMonth.objects.bulk_create(
        [
            EmploymentMonth(
                employment_id=ids[employment_id][0],
                period=period,
                unit_id=employment.unit_id,
                start=employment.start,
                end=employment.end,
                working_time_percent=employment.working_time_percent,
                source=source,
            )
            for employment_id, employment in full.items()
        ],
        batch_size=BATCH_SIZE,
    )
    # The month's part of absences that later months' files gave before this file was fetched counts in the
    # unit of the month (`_units_in_earlier_months`).
    unit_then = EmploymentMonth.objects.filter(employment=OuterRef("employment"), period=period)
    Absence.objects.filter(Exists(unit_then), period=period, reported_in__gt=period, employment__source=source).update(
        unit=Subquery(unit_then.values("unit")[:1])
    )


def _employment_for(report_type: str, row: dict, index: int, employments: dict, resolver: _Resolver) -> int | None:
    found = employments.get(row["employment_id"])
    refused = resolver.refused_employments.get(row["employment_id"])
    if found is None and refused is not None:
        problem = Problem("employment_row_rejected", {"row": refused.row or "", "file": refused.file})
        resolver.reject(report_type, row, index, "employment_id", problem)
        return None
    if found is None:
        resolver.reject(report_type, row, index, "employment_id", Problem("employment_unknown"))
        return None
    pk, person = found
    if person != row["person_number"]:
        resolver.reject(
            report_type,
            row,
            index,
            "employment_id",
            Problem("employment_of_another_person"),
        )
        return None
    return pk


def _references(
    report_type: str,
    row: dict,
    index: int,
    resolver: _Resolver,
    *,
    units: dict,
    employments: dict,
    code_field: str,
    codes: dict,
    unknown_code: str,
) -> tuple[int, Any, int] | None:
    """What an absence or payment row refers to - (unit pk, its code-list entry, employment pk) - or None
    when the row is rejected for naming an unknown unit, code or employment (the first one found)."""
    unit = units.get(row["unit_code"])
    if unit is None:
        resolver.reject(report_type, row, index, "unit_code", Problem("unit_unknown"))
        return None
    if resolver.supplied_elsewhere(report_type, row, index):
        return None
    entry = codes.get(row[code_field])
    if entry is None:
        resolver.reject(report_type, row, index, code_field, Problem(unknown_code))
        return None
    employment = _employment_for(report_type, row, index, employments, resolver)
    if employment is None:
        return None
    return unit, entry, employment


def _is_duplicate(
    report_type: str,
    row: dict,
    index: int,
    resolver: _Resolver,
    *,
    key: tuple,
    first_rows: dict[tuple, tuple[int, str]],
    field: str,
    problem: Callable[[int, str], Problem],
) -> bool:
    """Reject `row` when an earlier row had the same `key` (`problem(row, file)` names that row); otherwise
    remember this row as the key's first."""
    first = first_rows.get(key)
    if first is not None:
        resolver.reject(report_type, row, index, field, problem(*first))
        return True
    first_rows[key] = (row.get("_row") or index, row.get("_file", ""))
    return False


def _paid_in_month(row: dict, index: int, resolver: _Resolver, *, period: date) -> bool:
    """Whether the payment belongs to the fetched month's file: paid in the month. One paid in another month
    is rejected."""
    if period <= row["payment_date"] <= period_last_day(period):
        return True
    params = {"payment_date": row["payment_date"], "month": period_label(period)}
    resolver.reject("salaries", row, index, "payment_date", Problem("salary_paid_outside_month", params))
    return False


def _absence_months(row: dict, index: int, resolver: _Resolver, *, period: date) -> list[date]:
    """The months whose figures an absence of the fetched month's file counts in: the months of its days up to
    the fetched month, from settings.HR_ABSENCE_CORRECTION_MONTHS months back. An absence begun in an earlier
    month is the file's word on that month too, whether it is the same as that month's own file said (an
    absence continuing over the turn of the month) or news to it (registered in Populus after the month was
    fetched, as a doctor's certificate that arrives late): so an absence counts the same in every month
    whichever file brought it (hrreports.spells: `absences_counted`). An absence after the month, or ended
    before those months, is rejected naming them (none: the row is not stored)."""
    last = period_last_day(period)
    params = {"start": row["start"], "end": row["end"], "month": period_label(period)}
    if row["start"] > last:
        resolver.reject("absences", row, index, "start", Problem("absence_outside_month", params))
        return []
    earliest = period_shift(period, -settings.HR_ABSENCE_CORRECTION_MONTHS)
    if row["end"] < earliest:
        problem = Problem("absence_before_months_corrected", params | {"first_month": period_label(earliest)})
        resolver.reject("absences", row, index, "start", problem)
        return []
    month, months = max(row["start"].replace(day=1), earliest), []
    while month <= min(row["end"], last):
        months.append(month)
        month = period_shift(month, 1)
    return months


def _absences_store(
    source: Source, period: date, batch: SourceBatch, units: dict, employments: dict, resolver: _Resolver
) -> int:
    """Store the absences of the month's file as the rows it reports from `source` (with the dates and days
    the file gave), replacing those its fetch stored before: an absence is stored for each of its months the
    file speaks for (`_absence_months`: the fetched month and, for days before it, the earlier months) and
    counted in each month from that month's rows only (hrreports.spells). Beside what an earlier month's own
    file said, a later file's word on the same absence (employment, type and start) is the one counted;
    fetching the earlier month again leaves it, and fetching the later file again without it takes it back.
    Returns how many rows of the file were stored."""
    types = {t.code: t for t in AbsenceType.objects.all()}
    units_then = _units_in_earlier_months(period, batch, employments)
    keep: dict[tuple, list[Absence]] = {}
    first_rows: dict[tuple, tuple[int, str]] = {}
    # The row that added each absence (index, row), and the absences whose rows gave them otherwise.
    added: dict[tuple, tuple[int, dict]] = {}
    conflicting: set[tuple] = set()
    deleted: list[tuple] = []
    for index, row in _rows(batch):
        if row.get("change") == DELETED:
            deleted += _deleted_record_apply(row, keep, first_rows, added, types=types, employments=employments)
            continue
        months = _absence_months(row, index, resolver, period=period)
        if not months:
            continue
        found = _references(
            "absences",
            row,
            index,
            resolver,
            units=units,
            employments=employments,
            code_field="absence_code",
            codes=types,
            unknown_code="absence_code_unknown",
        )
        if found is None:
            continue
        row_unit, absence_type, employment = found
        key = (employment, absence_type.pk, row["start"])
        if _is_conflicting(row, index, resolver, key=key, added=added, conflicting=conflicting, keep=keep):
            continue
        if _is_duplicate(
            "absences",
            row,
            index,
            resolver,
            key=key,
            first_rows=first_rows,
            field="start",
            problem=lambda first, _file: Problem("absence_duplicate", {"row": first}),
        ):
            continue
        added[key] = (index, row)
        keep[key] = [
            Absence(
                employment_id=employment,
                unit_id=row_unit if month == period else units_then.get((employment, month), row_unit),
                absence_type=absence_type,
                period=month,
                reported_in=period,
                start=row["start"],
                end=row["end"],
                calendar_days=row["calendar_days"]
                if row.get("calendar_days") is not None
                else (row["end"] - row["start"]).days + 1,
                working_days=row["working_days"]
                if row.get("working_days") is not None
                else working_days(row["start"], row["end"]),
                paid=row["paid"] if row.get("paid") is not None else absence_type.paid_by_default,
                source=source,
            )
            for month in months
        ]
    rows = [absence for absences in keep.values() for absence in absences]
    # The absences of the source's employments that the file no longer reports were cancelled in Populus
    # (or were stored by a source switched off since, whose employments this one supplies now).
    Absence.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["employment", "absence_type", "start", "period", "reported_in"],
        update_fields=["unit", "end", "calendar_days", "working_days", "paid", "source"],
        batch_size=BATCH_SIZE,
    )
    kept = {(a.employment_id, a.absence_type.pk, a.start, a.period) for a in rows}
    current = month_rows(source=source, period=period, report_type="absences")
    stale = [
        pk
        for pk, *key in current.values_list("pk", "employment_id", "absence_type_id", "start", "period")
        if tuple(key) not in kept
    ]
    Absence.objects.filter(pk__in=stale).delete()
    month_rows(source=source, period=period, report_type="absence_deletions").delete()
    AbsenceDeletion.objects.bulk_create(
        [
            AbsenceDeletion(
                employment_id=employment,
                absence_type_id=absence_type,
                start=start,
                end=end,
                reported_in=period,
                source=source,
            )
            for employment, absence_type, start, end in set(deleted)
        ],
        batch_size=BATCH_SIZE,
    )
    return len(keep)


ABSENCE_RECORD_FIELDS = ("end", "calendar_days", "working_days", "paid", "unit_code")


def _is_conflicting(
    row: dict,
    index: int,
    resolver: _Resolver,
    *,
    key: tuple,
    added: dict[tuple, tuple[int, dict]],
    conflicting: set[tuple],
    keep: dict[tuple, list[Absence]],
) -> bool:
    """Reject `row` and the row that added the same absence (employment, type and start) before it in the file
    when the two give it otherwise (another end, other days, paid or unit), with no deleted record ("P")
    between: which one holds the file does not say, and keeping the first would make the month's figures
    follow the file's order. A further row of such an absence is rejected too. A row repeated exactly is no
    conflict (`_is_duplicate`)."""
    if key not in added:
        return False
    first_index, first_row = added[key]
    first_number = first_row.get("_row") or first_index
    if key in conflicting:
        resolver.reject("absences", row, index, "end", Problem("absence_conflicting", {"row": first_number}))
        return True
    if all(row.get(name) == first_row.get(name) for name in ABSENCE_RECORD_FIELDS):
        return False
    resolver.reject("absences", row, index, "end", Problem("absence_conflicting", {"row": first_number}))
    problem = Problem("absence_conflicting", {"row": row.get("_row") or index})
    resolver.reject("absences", first_row, first_index, "end", problem)
    del keep[key]
    conflicting.add(key)
    return True


def _units_in_earlier_months(
    period: date, batch: SourceBatch, employments: dict[str, tuple[int, str | None]]
) -> dict[tuple, int]:
    """(employment pk, month) -> the unit the employment was in that month, as the month's employments file
    gave it (EmploymentMonth), for the employments with an absence in the file begun before `period` and the
    months it may be stored for. An absence's part in an earlier month counts in the unit of that month, not in
    the cost centre the later file gives it after a move; `_employment_months_store` puts the parts stored
    before the month's own file there."""
    pks = {
        employments[row["employment_id"]][0]
        for row in batch.rows
        if row.get("start") and row["start"] < period and row.get("employment_id") in employments
    }
    first = period_shift(period, -settings.HR_ABSENCE_CORRECTION_MONTHS)
    units: dict[tuple, int] = {}
    for chunk in _chunks(sorted(pks)):
        months = EmploymentMonth.objects.filter(employment_id__in=chunk, period__gte=first, period__lt=period)
        for employment, month, unit in months.values_list("employment_id", "period", "unit_id"):
            units[(employment, month)] = unit
    return units


def _deleted_record_apply(
    row: dict,
    keep: dict[tuple, list[Absence]],
    first_rows: dict[tuple, tuple[int, str]],
    added: dict[tuple, tuple[int, dict]],
    *,
    types,
    employments,
) -> list[tuple]:
    """A deleted record ("P") is no absence: it cancels the same record added earlier in the file (added and
    deleted within the month), and otherwise stands for the old version of a change, whose new version is
    added after it. Its absence stored for the month before is not in the month's file, so it is removed.
    Returned as (employment pk, type pk, start, end), to be stored (AbsenceDeletion): the file's word that the
    absence as an earlier month's file gave it is no more, which fetching that file again does not undo."""
    found, absence_type = employments.get(row["employment_id"]), types.get(row["absence_code"])
    if found is None or absence_type is None:
        return []
    key = (found[0], absence_type.pk, row["start"])
    stored = keep.get(key)
    if stored and stored[0].end == row["end"]:
        del keep[key]
        del first_rows[key]
        del added[key]
    return [(*key, row["end"])]


def _salaries_store(
    source: Source, period: date, batch: SourceBatch, units: dict, employments: dict, resolver: _Resolver
) -> int:
    """Store the payments of the month's file - those paid in the month, whatever month they are for -
    replacing what `source` gave for the month before. Payments of another month, like a correction for
    this month paid in the next, belong to that month's file and are left alone."""
    types = dict(SalaryType.objects.values_list("code", "pk"))
    keep: list[SalaryPayment] = []
    first_rows: dict[tuple, tuple[int, str]] = {}
    # Per payment whatever its sign: whether the last row stored of it was a payment (+1) or a reversal (-1).
    last_sign: dict[tuple, int] = {}
    for index, row in _rows(batch):
        if not _paid_in_month(row, index, resolver, period=period):
            continue
        found = _references(
            "salaries",
            row,
            index,
            resolver,
            units=units,
            employments=employments,
            code_field="salary_type_code",
            codes=types,
            unknown_code="salary_type_unknown",
        )
        if found is None:
            continue
        unit, salary_type, employment = found
        # Corrections share the pay period, payment date and salary type and differ in the amount or the
        # unit (a transfer between cost centres); a row equal in all of them is a repeated line, not a
        # second payment, and is stored once - unless its reversal was stored after it: paid, reversed and
        # paid again (or reversed again) alternate, while a line repeated right after itself is a repeat.
        payment = (employment, unit, row["pay_period"], row["payment_date"], salary_type, abs(row["amount"]))
        sign = 1 if row["amount"] >= 0 else -1
        key = (*payment, row["amount"])
        made_again = key in first_rows and last_sign.get(payment) == -sign
        if not made_again and _is_duplicate(
            "salaries",
            row,
            index,
            resolver,
            key=key,
            first_rows=first_rows,
            field="amount",
            problem=lambda first, file: Problem("salary_repeated", {"row": first, "file": file}),
        ):
            continue
        last_sign[payment] = sign
        keep.append(
            SalaryPayment(
                employment_id=employment,
                unit_id=unit,
                pay_period=row["pay_period"],
                payment_date=row["payment_date"],
                salary_type_id=salary_type,
                amount=row["amount"],
                source=source,
            )
        )
    month_rows(source=source, period=period, report_type="salaries").delete()
    SalaryPayment.objects.bulk_create(keep, batch_size=BATCH_SIZE)
    return len(keep)


def month_rows(*, source: Source, period: date, report_type: str) -> QuerySet:
    """The rows of `report_type` ("absences", "absence_deletions" or "salaries") that storing the month from
    `source` replaces: those it stored for the month, and those of the employments it supplies now (another
    source, switched off since, stored them). Absences and deletions by the month whose file reported them,
    salaries by the month they were paid in."""
    of_source = Q(source=source) | Q(employment__source=source)
    if report_type == "absences":
        return Absence.objects.filter(of_source, reported_in=period)
    if report_type == "absence_deletions":
        return AbsenceDeletion.objects.filter(of_source, reported_in=period)
    return SalaryPayment.objects.filter(of_source, payment_date__gte=period, payment_date__lte=period_last_day(period))


def _employments_claim(source: Source, employments: dict[str, tuple[int, str | None]], resolver: _Resolver) -> None:
    """Make `source` the supplier of the employments its rows name that no active source supplies (those of
    a source switched off, or of none; the others were rejected): its months replace the old source's rows
    of them. Only those stored before with another source are written: usually a few, or none."""
    claimable = {None, *Source.objects.filter(active=False).exclude(pk=source.pk).values_list("pk", flat=True)}
    pks = [
        pk
        for employment_id, (pk, _person) in employments.items()
        if employment_id in resolver.sources_before and resolver.sources_before[employment_id] in claimable
    ]
    for chunk in _chunks(pks):
        Employment.objects.filter(pk__in=chunk).update(source=source)


def _employments_since(
    source: Source, period: date, employments: dict[str, tuple[int, str | None]], resolver: _Resolver
) -> None:
    """Record from which month `source` supplies the employments it stored. One it took over from another
    source (switched off) is its from this month, the months before the other's (previous_source); a new
    one is its from the start, so that the months before its first fetch wait for it rather than read as
    fetched with nothing in them. One of its own taken over earlier is its from the earliest month fetched."""
    taken: dict[int, list[int]] = {}
    own = []
    for employment_id, (pk, _person) in employments.items():
        before = resolver.sources_before.get(employment_id)
        if before == source.pk:
            own.append(pk)
        elif before is not None:
            taken.setdefault(before, []).append(pk)
    for previous, pks in taken.items():
        for chunk in _chunks(pks):
            Employment.objects.filter(pk__in=chunk, source=source).update(
                source_since=period, previous_source_id=previous
            )
    for chunk in _chunks(own):
        Employment.objects.filter(pk__in=chunk, source=source, source_since__gt=period).update(source_since=period)


def _chunks(items: list, size: int = 5000) -> Iterable[list]:
    """`items` in lists of `size`: PostgreSQL takes at most 65,535 parameters in a statement."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
