"""Absences as the months' files give them, and the spells they make.

Each month's absences file is the truth about that month: an absence is stored once per fetched month
it was reported in (Absence.period), with the dates and days that file gave - the whole absence, or
only its part in the month. A month's file speaks for the earlier months of an absence it gives too: one
continuing from the month before, or registered in Populus after its month was fetched and so in a later
month's file with the earlier dates. It is stored for each of those months, as reported by that later file
(Absence.reported_in), and of two files' word on the same absence (employment, type and start) of a month the
later one counts (`absences_counted`): an absence counts the same whichever file brought it. So a month's
figures come only from that month's rows: a row's days are clipped to its month, its stored calendar days
shared by calendar days and its stored working days by the calendar's working days (Monday to Friday without
public holidays), so that a half day counts as half and a part-timer's working days keep their number.

A spell is what HR counts by hand: one continuous absence of a person in one category, however many rows
Populus gives it - a sick leave on the employee's own notice extended by doctor's certificates (each a
row, often of another code), its part in each month's file, the same days recorded on each of the
person's concurrent employments. Rows of a person and category that overlap or follow each other without
a working day between are one spell: Populus often records sick leave in working days, so one illness over
a weekend or Easter comes as Monday-Friday and Monday-Friday (or Thursday and Tuesday), and HR, like the
employer's own count of a continuing incapacity, sees one spell. Only whole days off between join rows
(Saturdays, Sundays and the public holidays of the `holidays` package's Finnish calendar, as in
hrreports.workdays): a working day between is a return to work. A municipality whose units work weekends
may count every day between as a break (settings.HR_SPELLS_JOIN_OVER_DAYS_OFF = False). The absence report
keeps the days the rows reported; the early-support rules count the days off within a spell as days it lasted
(`person_days`), as they are of one sick leave recorded Monday to Sunday.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import Exists, F, OuterRef, QuerySet

from .models import Absence, AbsenceDeletion
from .periods import period_last_day
from .workdays import working_days

DAY_PLACES = Decimal("0.01")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, eq=False)  # compared by identity: two rows may give equal pieces
class Piece:
    """The part of a stored absence row that falls in the month it was fetched for."""

    employee_id: int
    employment_id: int
    absence_type_id: int
    category: str
    start: date
    end: date
    calendar_days: Decimal
    working_days: Decimal

    @property
    def spell_key(self) -> tuple[int, str]:
        return self.employee_id, self.category


# The fields of an Absence that make its piece, in the order piece_of takes them.
PIECE_FIELDS = (
    "employment__employee_id",
    "employment_id",
    "absence_type_id",
    "absence_type__category",
    "period",
    "start",
    "end",
    "calendar_days",
    "working_days",
)


def absences_counted(absences: QuerySet[Absence]) -> QuerySet[Absence]:
    """`absences` without the rows a later month's file has given again for the same month (a changed end, a
    late certificate's days) or deleted (its "P" record, AbsenceDeletion): of every file's word on an absence
    in a month, the latest - the one registered later in Populus, whichever file was fetched last."""
    later = {
        "employment": OuterRef("employment"),
        "absence_type": OuterRef("absence_type"),
        "start": OuterRef("start"),
        "reported_in__gt": OuterRef("reported_in"),
    }
    said_again = Absence.objects.filter(period=OuterRef("period"), **later)
    deleted_later = AbsenceDeletion.objects.filter(end=OuterRef("end"), **later)
    return absences.filter(~Exists(said_again), ~Exists(deleted_later))


def months_reported_late(absences: QuerySet[Absence]) -> dict[date, int]:
    """Per month, the rows of `absences` counted in it that a later month's file gave and that tell the month
    something no earlier file did: an absence new to it, or a month's part that the latest earlier file gave
    differently. A later file repeating what an earlier one said (an absence continuing over the turn of the
    month is in both months' files) changes nothing in the month's figures and is not late."""
    counted_late = set(absences_counted(absences).filter(reported_in__gt=F("period")).values_list("pk", flat=True))
    if not counted_late:
        return {}
    words: dict[tuple, list[tuple]] = defaultdict(list)
    for pk, reported_in, *values in absences.values_list("pk", "reported_in", *PIECE_FIELDS):
        piece = piece_of(*values)
        part = None if piece is None else (piece.start, piece.end, piece.calendar_days, piece.working_days)
        _employee, employment, absence_type, _category, period, start, *_days = values
        words[(employment, absence_type, start, period)].append((reported_in, pk, part))
    late: dict[date, int] = defaultdict(int)
    for (*_absence, period), said in words.items():
        said.sort()
        for index, (_reported_in, pk, part) in enumerate(said):
            if pk in counted_late and (index == 0 or said[index - 1][2] != part):
                late[period] += 1
    return dict(late)


def months_deleted_late(absences: QuerySet[Absence]) -> dict[date, int]:
    """Per month, the absences (employment, type and start) of `absences` that a later month's file deleted (its
    "P" record, AbsenceDeletion): given for the month by some file, and now counted from none
    (`absences_counted`)."""
    key = ("employment_id", "absence_type_id", "start", "period")
    given = set(absences.values_list(*key))
    if not given:
        return {}
    deleted: dict[date, int] = defaultdict(int)
    for *_absence, period in given - set(absences_counted(absences).values_list(*key)):
        deleted[period] += 1
    return dict(deleted)


def piece_of(
    employee_id: int,
    employment_id: int,
    absence_type_id: int,
    category: str,
    period: date,
    start: date,
    end: date,
    calendar_days: Decimal,
    working_days_stored: Decimal,
) -> Piece | None:
    """The month's piece of an absence row fetched for `period`; None when the row has no day in it."""
    first, last = max(start, period), min(end, period_last_day(period))
    if first > last:
        return None
    length, clipped_length = (end - start).days + 1, (last - first).days + 1
    calendar = _share(calendar_days, clipped_length, length)
    workdays = working_days(start, end)
    # An absence only on weekends or public holidays (a shift worker's) is shared by calendar days.
    work = (
        _share(working_days_stored, working_days(first, last), workdays)
        if workdays
        else _share(working_days_stored, clipped_length, length)
    )
    return Piece(employee_id, employment_id, absence_type_id, category, first, last, calendar, work)


def piece_month(piece: Piece) -> date:
    """The month a piece lies in (a piece never crosses the end of its month)."""
    return piece.start.replace(day=1)


def _share(days: Decimal, part: int, whole: int) -> Decimal:
    if part == whole:
        return Decimal(days)
    return (Decimal(days) * part / whole).quantize(DAY_PLACES, rounding=ROUND_HALF_UP)


def spell_starts(pieces: Iterable[Piece]) -> set[Piece]:
    """The pieces that begin a spell: those of a person and category that start after a working day on which
    no earlier one of theirs was running. The rest continue a spell (an extension, the month's part of an
    absence begun the month before, the same days on another employment, the week after a weekend)."""
    starts: set[Piece] = set()
    reach: dict[tuple[int, str], date] = {}
    for piece in sorted(pieces, key=lambda p: (p.start, p.end, p.employment_id, p.absence_type_id)):
        ended = reach.get(piece.spell_key)
        if ended is None or _back_at_work_between(ended, piece.start):
            starts.add(piece)
        reach[piece.spell_key] = piece.end if ended is None else max(ended, piece.end)
    return starts


def _back_at_work_between(ended: date, started: date) -> bool:
    """Whether there was a day to be back at work after `ended` and before `started`."""
    if started - ended <= ONE_DAY:
        return False
    if not settings.HR_SPELLS_JOIN_OVER_DAYS_OFF:
        return True
    return working_days(ended + ONE_DAY, started - ONE_DAY) > 0


def spells_count(pieces: Iterable[Piece]) -> int:
    return len(spell_starts(pieces))


def person_days(
    pieces: Iterable[Piece], *, since: date | None = None, before: Iterable[Piece] = ()
) -> list[tuple[date, Fraction]]:
    """Each day one person's absence lasted, oldest first, with the part of it they are absent: a piece's
    calendar days fall evenly on its days, and pieces covering the same day (the person's concurrent
    employments) count it once, at the largest part (a half day beside a whole day is a whole day). The days
    off between the pieces of one spell (`_days_off_within_spells`) are whole days of it: the early-support
    thresholds count the days a sick leave has lasted (30-60-90, the municipal model's sick days), the same
    whether Populus recorded it Monday to Sunday or Monday to Friday and Monday again. `before` are the person's
    pieces before `since`, the first day counted (the month before a rule's months): not counted, but a spell
    they begin counts its days off from `since` on, as a row over them would."""
    pieces = list(pieces)
    parts: dict[date, Fraction] = {}
    for piece in pieces:
        length = (piece.end - piece.start).days + 1
        part = Fraction(piece.calendar_days) / length
        for offset in range(length):
            day = piece.start + timedelta(days=offset)
            parts[day] = max(parts.get(day, Fraction(0)), part)
    for day in _days_off_within_spells([*before, *pieces]):
        if since is None or day >= since:
            parts.setdefault(day, Fraction(1))
    return sorted(parts.items())


def _days_off_within_spells(pieces: Iterable[Piece]) -> set[date]:
    """The days no piece covers between two pieces of a person and category that make one spell (only days
    off between them: `_back_at_work_between`); none when settings.HR_SPELLS_JOIN_OVER_DAYS_OFF is off."""
    if not settings.HR_SPELLS_JOIN_OVER_DAYS_OFF:
        return set()
    days: set[date] = set()
    reach: dict[tuple[int, str], date] = {}
    for piece in sorted(pieces, key=lambda p: (p.start, p.end)):
        ended = reach.get(piece.spell_key)
        if ended is not None and piece.start - ended > ONE_DAY and not _back_at_work_between(ended, piece.start):
            days.update(ended + timedelta(days=offset) for offset in range(1, (piece.start - ended).days))
        reach[piece.spell_key] = piece.end if ended is None else max(ended, piece.end)
    return days


def days_decimal(days: Fraction) -> Decimal:
    return (Decimal(days.numerator) / Decimal(days.denominator)).quantize(DAY_PLACES, rounding=ROUND_HALF_UP)


def day_count(days: Decimal) -> int | Decimal:
    """A number of days as people write it: 10 (not 10.00), 2.5."""
    return int(days) if days == days.to_integral_value() else days.normalize()
