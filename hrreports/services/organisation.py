"""The organisation: work units (a tree kept as materialised paths) and supervisor assignments."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..errors import PopulusError
from ..models import SupervisorAssignment, WorkUnit


def unit_paths_rebuild() -> int:
    """Recompute every unit's path and level from its parent; returns how many changed.

    Raises PopulusError if the parents form a cycle.
    """
    units = {unit.pk: unit for unit in WorkUnit.objects.only("pk", "code", "parent_id", "path", "depth")}
    paths: dict[int, str] = {}

    def path_of(pk: int, trail: tuple[int, ...] = ()) -> str:
        if pk in paths:
            return paths[pk]
        if pk in trail:
            raise PopulusError.of("unit_parent_cycle", unit=units[pk].code)
        unit = units[pk]
        prefix = path_of(unit.parent_id, (*trail, pk)) if unit.parent_id else "/"
        paths[pk] = f"{prefix}{unit.code}/"
        return paths[pk]

    changed = []
    for pk, unit in units.items():
        path = path_of(pk)
        depth = path.count("/") - 2
        if unit.path != path or unit.depth != depth:
            unit.path, unit.depth = path, depth
            changed.append(unit)
    WorkUnit.objects.bulk_update(changed, ["path", "depth"], batch_size=2000)
    return len(changed)


@transaction.atomic
def unit_save(*, unit: WorkUnit) -> WorkUnit:
    """Create or change a unit by hand; moving it under another parent moves its whole subtree."""
    if "/" in unit.code:
        raise PopulusError.of("unit_code_slash_refused")
    unit.path = unit.path or f"/{unit.code}/"
    try:
        unit.full_clean(exclude=["path"])
    except ValidationError as error:
        raise PopulusError("; ".join(error.messages)) from None
    unit.save()
    unit_paths_rebuild()
    unit.refresh_from_db()
    return unit


def supervisor_assign(
    *, unit: WorkUnit, user, role: str, valid_from: date, valid_until: date | None = None
) -> SupervisorAssignment:
    if valid_until is not None and valid_until < valid_from:
        raise PopulusError.of("assignment_ends_before_start")
    assignment = SupervisorAssignment(unit=unit, user=user, role=role, valid_from=valid_from, valid_until=valid_until)
    assignment.full_clean()
    assignment.save()
    return assignment


def supervisor_assignment_end(*, assignment: SupervisorAssignment, now: datetime | None = None) -> SupervisorAssignment:
    """End an assignment at once: from `now` (default this moment) it opens none of the unit's reports and
    brings no more of its mail, and today (Helsinki time) is its last day on record. An assignment that has
    not started is removed; one already over or ended is left as it is (two HR administrators ending it at
    once: the first end stands, read again under the row's lock)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        current = SupervisorAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
        if current is None:  # removed meanwhile
            return assignment
        if current.valid_from > today:
            current.delete()
            return current
        if current.ended_at is not None or (current.valid_until is not None and current.valid_until < today):
            return current
        current.ended_at, current.valid_until = now, today
        current.save(update_fields=["ended_at", "valid_until"])
    return current
