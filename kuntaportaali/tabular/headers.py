"""Finding the header of a table: below title rows, and over two rows when a merged cell
("Puhelin" over "Koti" and "Matka") names a group of columns."""

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

from .problems import ValueProblem
from .reader import Row
from .values import text_clean

HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class Header:
    """The column names, and the numbers of the rows they were read from (two for a two-level header)."""

    labels: tuple[str, ...]
    rows: tuple[int, ...]


def header_key(text: str) -> str:
    """'Puhelin-numero (koti)' -> 'puhelinnumerokoti', 'Födelseår' -> 'fodelsear': how names are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]", "", "".join(char for char in decomposed if not unicodedata.combining(char)))


def header_locate(
    rows: Iterator[Row],
    *,
    score: Callable[[Sequence[str]], int],
    search_rows: int = HEADER_SEARCH_ROWS,
    separator: str = " ",
) -> tuple[Header | None, Iterator[Row]]:
    """The best-scoring header among the first `search_rows` non-empty rows (one row, or a row and the
    label row under it, their names joined by `separator`), and the rows after it. `score(labels)` says
    how many expected columns the labels name; a header must name at least one. Without one, (None, all
    rows)."""
    buffered: list[Row] = []
    candidates: list[int] = []  # the indexes of the non-empty rows in `buffered`
    for row in rows:
        buffered.append(row)
        if not row.is_empty:
            candidates.append(len(buffered) - 1)
            if len(candidates) >= search_rows:
                break
    best: tuple[int, Header, int] | None = None  # (score, header, index of the first data row)
    for position, index in enumerate(candidates):
        labels = row_labels(buffered[index])
        options = [(labels, (buffered[index].number,), index + 1)]
        following = candidates[position + 1] if position + 1 < len(candidates) else None
        if following is not None and _is_label_row(buffered[following]):
            merged = _merged(labels, row_labels(buffered[following]), separator)
            options.append((merged, (buffered[index].number, buffered[following].number), following + 1))
        for option_labels, numbers, first_data in options:
            points = score(option_labels)
            if points > 0 and (best is None or points > best[0]):
                best = (points, Header(tuple(option_labels), numbers), first_data)
    if best is None:
        return None, chain(buffered, rows)
    _points, header, first_data = best
    return header, chain(buffered[first_data:], rows)


def row_labels(row: Row) -> list[str]:
    labels = []
    for cell in row.cells:
        try:
            labels.append(text_clean(cell))
        except ValueProblem:
            labels.append("")
    return labels


def _is_label_row(row: Row) -> bool:
    """A row of names, not data: every filled cell is text with letters and at most two digits."""
    filled = [cell for cell in row.cells if isinstance(cell, str) and cell.strip()]
    if len(filled) != sum(1 for cell in row.cells if cell not in ("", None)):
        return False
    return bool(filled) and all(
        any(char.isalpha() for char in cell) and sum(char.isdigit() for char in cell) <= 2 for cell in filled
    )


def _merged(upper: Sequence[str], lower: Sequence[str], separator: str) -> list[str]:
    """Two header rows as one: a name over empty cells (a merged cell) names each column under it."""
    labels = []
    carried = ""
    for index in range(max(len(upper), len(lower))):
        top = upper[index] if index < len(upper) else ""
        bottom = lower[index] if index < len(lower) else ""
        if top:
            carried = top
        elif not bottom:
            carried = ""
        parent = top or (carried if bottom else "")
        labels.append(separator.join(part for part in (parent, bottom) if part))
    return labels
