"""The pieces every results layout is made of: a table of formatted cells, and a chart with its table."""

from dataclasses import dataclass

from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Table:
    """A table of formatted cells: `rows` are (row header, cells); every cell after the header is a figure."""

    caption: str
    row_header: str
    headers: list[str]
    rows: list[tuple[str, list[str]]]
    text_columns: tuple[int, ...] = ()  # columns of words, not figures (aligned left)
    note: str = ""  # why some of its figures are hidden
    # The language of the row headers when they are the survey's words (its answers) rather than the page's.
    row_language: str = ""
    # Or each row header's own, when they differ ("" for the page's language): one answer translated, one not.
    row_languages: tuple[str, ...] = ()
    # Each column header's language, where the columns are the survey's words (its groups); "" for the page's.
    header_languages: tuple[str, ...] = ()

    @property
    def headers_in_language(self) -> list[tuple[str, str]]:
        """Each column header with its language, or ""."""
        languages = self.header_languages or ("",) * len(self.headers)
        return list(zip(self.headers, languages, strict=True))

    @property
    def rows_in_language(self) -> list[tuple[str, list[str], str]]:
        """Each row as (header, cells, the header's language or "")."""
        languages = self.row_languages or (self.row_language,) * len(self.rows)
        return [(label, cells, language) for (label, cells), language in zip(self.rows, languages, strict=True)]


@dataclass(frozen=True)
class Figure:
    chart: SafeString
    table: Table
