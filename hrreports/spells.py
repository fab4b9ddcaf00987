"""Absences as the months' files give them, and the spells they make.

Each month's absences file is the truth about that month: an absence is stored once per fetched month
it was reported in (Absence.period), with the dates and days that file gave - the whole absence, or
only its part in the month. So a month's figures come only from that month's rows: a row's days are
clipped to its month, its stored calendar days shared by calendar days and its stored working days by
the calendar's working days (Monday to Friday without public holidays), so that a half day counts as
half and a part-timer's working days keep their number. The parts of one absence in consecutive months
are one spell: a piece that starts a month joins the piece of the same employment and absence type that
ended the month before.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .periods import period_last_day
from .workdays import working_days

DAY_PLACES = Decimal("0.01")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, eq=False)  # compared by identity: two rows may give equal pieces
class Piece:
    """The part of a stored absence row that falls in the month it was fetched for."""

    employment_id: int
    absence_type_id: int
    start: date
    end: date
    calendar_days: Decimal
    working_days: Decimal

    @property
    def spell_key(self) -> tuple[int, int]:
        return self.employment_id, self.absence_type_id


# The fields of an Absence that make its piece, in the order piece_of takes them.
PIECE_FIELDS = ("employment_id", "absence_type_id", "period", "start", "end", "calendar_days", "working_days")


def piece_of(
    employment_id: int,
    absence_type_id: int,
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
    return Piece(employment_id, absence_type_id, first, last, calendar, work)


def piece_month(piece: Piece) -> date:
    """The month a piece lies in (a piece never crosses the end of its month)."""
    return piece.start.replace(day=1)


def _share(days: Decimal, part: int, whole: int) -> Decimal:
    if part == whole:
        return Decimal(days)
    return (Decimal(days) * part / whole).quantize(DAY_PLACES, rounding=ROUND_HALF_UP)


def spell_starts(pieces: Iterable[Piece]) -> set[Piece]:
    """The pieces that begin a spell. A piece that starts a month continues the spell of the piece of the
    same employment and absence type that ended the month before (the parts of one absence that the two
    months' files reported). Within one month, the file's rows are the absences: each begins a spell."""
    starts: set[Piece] = set()
    month_ends: dict[tuple[int, int], date] = {}
    for piece in sorted(pieces, key=lambda p: (p.start, p.end)):
        if month_ends.get(piece.spell_key) != piece.start - ONE_DAY or piece.start.day != 1:
            starts.add(piece)
        if piece.end == period_last_day(piece.end):
            month_ends[piece.spell_key] = piece.end
    return starts


def spells_count(pieces: Iterable[Piece]) -> int:
    return len(spell_starts(pieces))


def day_count(days: Decimal) -> int | Decimal:
    """A number of days as people write it: 10 (not 10.00), 2.5."""
    return int(days) if days == days.to_integral_value() else days.normalize()
