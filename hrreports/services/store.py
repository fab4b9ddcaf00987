"""Storing a fetched period: resolve rows against units and code lists, reject what does not fit,
and upsert the rest by natural keys so that fetching a period again updates instead of duplicating.

Runs inside the caller's transaction; it never commits on its own.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Model, QuerySet

from kuntaportaali.tabular.problems import Problem

from ..models import Absence, AbsenceType, Employee, Employment, SalaryPayment, SalaryType, Source, WorkUnit
from ..models.records import EmploymentKind, EmploymentRelationship
from ..periods import period_last_day
from ..sources.base import Rejection, SourceBatch
from ..workdays import working_days
from .organisation import unit_paths_rebuild

BATCH_SIZE = 2000


class _Resolver:
    def __init__(self, batches: dict[str, SourceBatch]):
        self.batches = batches
        self.rejections: list[Rejection] = [r for batch in batches.values() for r in batch.rejected]

    def reject(
        self, report_type: str, row: dict[str, Any], index: int, field: str, value: Any, problem: Problem
    ) -> None:
        self.rejections.append(
            Rejection(report_type, problem, row.get("_file", ""), row.get("_row", index), field, str(value)[:200])
        )


def batches_store(
    *, source: Source, period: date, batches: dict[str, SourceBatch]
) -> tuple[dict[str, int], list[Rejection]]:
    """Store the batches of one period from `source`; returns (rows stored per report, all rejections)."""
    resolver = _Resolver(batches)
    counts: dict[str, int] = {}
    if "units" in batches:
        counts["units"] = _units_store(batches["units"], resolver)
    units = dict(WorkUnit.objects.values_list("code", "pk"))
    people = _employees_store(batches)
    employments, stored = _employments_store(source, batches, units, people, resolver)
    if "employments" in batches:
        counts["employments"] = stored
    if "absences" in batches:
        counts["absences"] = _absences_store(source, period, batches["absences"], units, employments, resolver)
    if "salaries" in batches:
        counts["salaries"] = _salaries_store(source, period, batches["salaries"], units, employments, resolver)
    return counts, resolver.rejections


def _rows(batch: SourceBatch) -> Iterable[tuple[int, dict[str, Any]]]:
    return enumerate(batch.rows, start=1)


def _units_store(batch: SourceBatch, resolver: _Resolver) -> int:
    seen: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for index, row in _rows(batch):
        if row["code"] in seen:
            resolver.reject("units", row, index, "code", row["code"], Problem("unit_duplicate"))
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
        resolver.reject("units", row, 0, "parent_code", row["parent_code"], Problem("unit_parent_unknown"))
    WorkUnit.objects.bulk_create(
        [
            WorkUnit(code=row["code"], name=row["name"], active=row["active"] is not False, path=f"/{row['code']}/")
            for row in kept
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "active"],
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


def _employees_store(batches: dict[str, SourceBatch]) -> dict[str, int]:
    names: dict[str, str] = {}
    for report_type in ("employments", "absences", "salaries"):
        for row in batches.get(report_type, SourceBatch(report_type)).rows:
            if not names.get(row["person_number"]):
                names[row["person_number"]] = row.get("employee_name") or ""
    named = [Employee(person_number=number, name=name) for number, name in names.items() if name]
    nameless = [Employee(person_number=number, name="") for number, name in names.items() if not name]
    Employee.objects.bulk_create(
        named, update_conflicts=True, unique_fields=["person_number"], update_fields=["name"], batch_size=BATCH_SIZE
    )
    Employee.objects.bulk_create(nameless, ignore_conflicts=True, batch_size=BATCH_SIZE)
    return _ids(Employee, "person_number", names)


def _ids(model, field: str, keys: Iterable[str]) -> dict[str, int]:
    keys = list(keys)
    result: dict[str, int] = {}
    for start in range(0, len(keys), 5000):
        chunk = keys[start : start + 5000]
        result.update(model.objects.filter(**{f"{field}__in": chunk}).values_list(field, "pk"))
    return result


def _employments_store(
    source: Source,
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
                    employment_id,
                    Problem("employment_duplicate", {"employment": employment_id, "row": first_row[employment_id]}),
                )
                continue
            unit = units.get(row["unit_code"])
            if unit is None:
                resolver.reject("employments", row, index, "unit_code", row["unit_code"], Problem("unit_unknown"))
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
                working_time_percent=row.get("working_time_percent") or 100,
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
    minimal: dict[str, Employment] = {}
    for report_type in ("absences", "salaries"):
        for row in batches.get(report_type, SourceBatch(report_type)).rows:
            employment_id = row["employment_id"]
            if employment_id in full or employment_id in minimal or row["unit_code"] not in units:
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
    result: dict[str, tuple[int, str]] = {}
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        for employment_id, pk, person in Employment.objects.filter(employment_id__in=chunk).values_list(
            "employment_id", "pk", "employee__person_number"
        ):
            result[employment_id] = (pk, person)
    return result, len(full)


def _employment_for(report_type: str, row: dict, index: int, employments: dict, resolver: _Resolver) -> int | None:
    found = employments.get(row["employment_id"])
    if found is None:
        resolver.reject(report_type, row, index, "employment_id", row["employment_id"], Problem("employment_unknown"))
        return None
    pk, person = found
    if person != row["person_number"]:
        resolver.reject(
            report_type,
            row,
            index,
            "employment_id",
            row["employment_id"],
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
        resolver.reject(report_type, row, index, "unit_code", row["unit_code"], Problem("unit_unknown"))
        return None
    entry = codes.get(row[code_field])
    if entry is None:
        resolver.reject(report_type, row, index, code_field, row[code_field], Problem(unknown_code))
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
    first_rows: dict[tuple, int],
    field: str,
    value: Any,
    code: str,
) -> bool:
    """Reject `row` when an earlier row had the same natural `key` (the reason `code` names that row);
    otherwise remember this row as the key's first."""
    if key in first_rows:
        resolver.reject(report_type, row, index, field, value, Problem(code, {"row": first_rows[key]}))
        return True
    first_rows[key] = row.get("_row") or index
    return False


def _upsert_replacing(
    model: type[Model],
    keep: dict[tuple, Model],
    *,
    unique_fields: list[str],
    update_fields: list[str],
    current: QuerySet,
) -> None:
    """Upsert the `keep` rows by their natural key (`unique_fields`, in the order of the keys of `keep`),
    then delete the rows of `current` (the period's rows from this source) whose key is not among them."""
    model.objects.bulk_create(
        list(keep.values()),
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=update_fields,
        batch_size=BATCH_SIZE,
    )
    key_columns = [model._meta.get_field(name).attname for name in unique_fields]
    stale = [pk for pk, *key in current.values_list("pk", *key_columns) if tuple(key) not in keep]
    model.objects.filter(pk__in=stale).delete()


def _absences_store(
    source: Source, period: date, batch: SourceBatch, units: dict, employments: dict, resolver: _Resolver
) -> int:
    types = {t.code: t for t in AbsenceType.objects.all()}
    keep: dict[tuple, Absence] = {}
    first_rows: dict[tuple, int] = {}
    for index, row in _rows(batch):
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
        unit, absence_type, employment = found
        key = (employment, absence_type.pk, row["start"])
        if _is_duplicate(
            "absences",
            row,
            index,
            resolver,
            key=key,
            first_rows=first_rows,
            field="start",
            value=row["start"].isoformat(),
            code="absence_duplicate",
        ):
            continue
        keep[key] = Absence(
            employment_id=employment,
            unit_id=unit,
            absence_type=absence_type,
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
    # Absences of this period that the source no longer reports were cancelled in Populus.
    _upsert_replacing(
        Absence,
        keep,
        unique_fields=["employment", "absence_type", "start"],
        update_fields=["unit", "end", "calendar_days", "working_days", "paid", "source"],
        current=Absence.objects.filter(source=source, start__gte=period, start__lte=period_last_day(period)),
    )
    return len(keep)


def _salaries_store(
    source: Source, period: date, batch: SourceBatch, units: dict, employments: dict, resolver: _Resolver
) -> int:
    types = dict(SalaryType.objects.values_list("code", "pk"))
    keep: dict[tuple, SalaryPayment] = {}
    first_rows: dict[tuple, int] = {}
    for index, row in _rows(batch):
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
        key = (employment, row["pay_period"], row["payment_date"], salary_type)
        if _is_duplicate(
            "salaries",
            row,
            index,
            resolver,
            key=key,
            first_rows=first_rows,
            field="salary_type_code",
            value=row["salary_type_code"],
            code="salary_duplicate",
        ):
            continue
        keep[key] = SalaryPayment(
            employment_id=employment,
            unit_id=unit,
            pay_period=row["pay_period"],
            payment_date=row["payment_date"],
            salary_type_id=salary_type,
            amount=row["amount"],
            source=source,
        )
    # Payments of this period that the source no longer reports were corrected away in Populus.
    _upsert_replacing(
        SalaryPayment,
        keep,
        unique_fields=["employment", "pay_period", "payment_date", "salary_type"],
        update_fields=["unit", "amount", "source"],
        current=SalaryPayment.objects.filter(source=source, pay_period=period),
    )
    return len(keep)
