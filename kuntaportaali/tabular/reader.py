"""Reading a table from a CSV or XLSX file as people really hand them over, one row at a time.

CSV: the encoding is found from a byte order mark (UTF-8, UTF-16), from the pattern of zero bytes
(UTF-16 without a mark), or else by checking the whole file as UTF-8 before falling back to
Windows-1252; the delimiter (; , tab |) from the first lines. XLSX: every sheet can be read, in
read-only mode, with the unpacked size checked before anything is parsed; percent-formatted cells
come as `Percent`, error cells as `SpreadsheetError`, whole numbers as int. Rows stream: memory
does not grow with the file. Anything that makes the whole file unreadable raises TabularError.
"""

import codecs
import csv
import io
import posixpath
import re
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedElementTree

from .problems import Problem, TabularError
from .values import SpreadsheetError, is_blank, percent_from_fraction

AUTO = "auto"
UTF8, UTF16, WINDOWS_1252 = "utf-8", "utf-16", "windows-1252"
ENCODINGS = (AUTO, UTF8, UTF16, WINDOWS_1252)
DELIMITERS = (";", ",", "\t", "|")
XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary .xls
PDF_MAGIC = b"%PDF"
UTF8_BOM = codecs.BOM_UTF8
SNIFF_BYTES = 64 * 1024
SNIFF_LINES = 50
CHUNK_BYTES = 1024 * 1024
# Python's csv module refuses longer fields; a real export never has one this long.
MAX_FIELD_CHARS = 1_000_000


@dataclass(frozen=True)
class ReadOptions:
    encoding: str = AUTO
    delimiter: str = AUTO
    max_rows: int = 2_000_000
    # Excel's own limit: no spreadsheet a person saved has more. A file of separators alone would
    # otherwise be millions of columns, each of them studied for its layout.
    max_columns: int = 16_384
    max_xlsx_unpacked_bytes: int = 1_500_000_000
    # What openpyxl reads whole, all but the worksheets (the texts of the cells, the styles ...): about
    # two million short texts, some 150 MB once in memory.
    max_xlsx_read_whole_bytes: int = 60_000_000
    # openpyxl parses a worksheet's row whole before it yields it, so one row is what the sheets hold in
    # memory at once: a cell of 300 MB unpacked from 300 kB took 690 MB. A row of Excel's 16 384 columns
    # of numbers is under a megabyte.
    max_xlsx_row_bytes: int = 32 * 1024 * 1024


@dataclass(frozen=True)
class Row:
    """One row: its number as a spreadsheet or text editor shows it (1-based) and its cells."""

    number: int
    cells: tuple[Any, ...]
    sheet: str = ""
    # A CSV file's last row with no line break after it: the file ends inside it, so it may have been cut
    # off (a transfer that stopped). Any other row ended where its line did, however few cells it has.
    unterminated: bool = False

    @property
    def is_empty(self) -> bool:
        return all(is_blank(cell) for cell in self.cells)


class Table(ABC):
    """An opened file: `sheets` names its sheets (one unnamed sheet for CSV), `rows(sheet)` streams one."""

    format: str
    encoding: str = ""
    delimiter: str = ""
    sheets: tuple[str, ...] = ("",)
    # A workbook's sheets hidden from whoever opens it in a spreadsheet.
    hidden_sheets: frozenset[str] = frozenset()
    owned_file: IO[bytes] | None = None

    @abstractmethod
    def rows(self, sheet: str = "") -> Iterator[Row]:
        """The rows of `sheet` (the first sheet by default), empty ones included, in order."""

    def close(self) -> None:
        """Release the file; a table is also a context manager."""
        if self.owned_file is not None:
            self.owned_file.close()

    def merged_ranges(self, sheet: str = "") -> list[str]:
        """The cell ranges of `sheet` merged over more than one row ("B3:B5"), in the workbook's order: a
        merged cell shows its value on every row it covers, but the file holds it on the first only."""
        return []

    @abstractmethod
    def rows_estimate(self, sheet: str = "") -> int | None:
        """About how many rows `sheet` has (for a progress bar), without reading it; None when unknown."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def table_open(source: bytes | Path | IO[bytes], *, options: ReadOptions = ReadOptions()) -> Table:
    """Open `source` (bytes, a path or a seekable binary file) as a CSV or XLSX table. Closing the table
    closes a file it opened itself (from a path), never a file object it was given."""
    stream = _binary_stream(source)
    try:
        stream.seek(0)
        head = stream.read(SNIFF_BYTES)
        stream.seek(0)
        if not head.strip():
            raise TabularError("file_empty")
        if head.startswith(XLSX_MAGIC):
            table: Table = _XlsxTable(stream, options)
        elif head.startswith(OLE2_MAGIC):
            raise TabularError("file_old_excel")
        elif head.startswith(PDF_MAGIC):
            raise TabularError("file_pdf")
        else:
            table = _CsvTable(stream, head, options)
    except BaseException:
        if isinstance(source, Path):
            stream.close()
        raise
    table.owned_file = stream if isinstance(source, Path) else None
    return table


def _width_check(width: int, *, row: int, options: ReadOptions) -> None:
    if width > options.max_columns:
        raise TabularError("file_too_many_columns", row=row, limit=_spaced(options.max_columns))


def _binary_stream(source: bytes | Path | IO[bytes]) -> IO[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(source)
    if isinstance(source, Path):
        return source.open("rb")
    return source


# --- CSV ----------------------------------------------------------------------------------------


class _CsvTable(Table):
    format = "csv"

    def __init__(self, stream: IO[bytes], head: bytes, options: ReadOptions):
        self._stream = stream
        self._options = options
        self.encoding, self._skip = _encoding_detect(stream, head, options.encoding)
        text_head = _decoded_head(head, self.encoding, self._skip)
        self.delimiter = options.delimiter if options.delimiter != AUTO else _delimiter_sniff(text_head)

    def rows(self, sheet: str = "") -> Iterator[Row]:
        unterminated = not self._ends_with_line_break()
        self._stream.seek(self._skip)
        text = io.TextIOWrapper(self._stream, encoding=self.encoding, newline="", errors="strict")
        csv.field_size_limit(MAX_FIELD_CHARS)
        # Strict: a quote that does not close where its cell ends (a stray or missing one) would
        # otherwise join rows or drop characters, and the rows would still look whole.
        reader = csv.reader(text, delimiter=self.delimiter, strict=True)
        line = 0
        count = 0
        previous: Row | None = None  # held back until it is known whether it is the last
        try:
            for record in reader:
                number = line + 1
                line = reader.line_num
                count += 1
                if count > self._options.max_rows:
                    raise TabularError("file_too_many_rows", limit=self._options.max_rows)
                _width_check(len(record), row=number, options=self._options)
                if previous is not None:
                    yield previous
                previous = Row(number, tuple(record))
            if previous is not None:
                yield Row(previous.number, previous.cells, unterminated=unterminated)
        except csv.Error as error:
            if _quote_broken(error):
                # The line where the row began (the reader notices only where the quote ends, or at the file's end).
                raise TabularError("file_csv_quote_broken", line=line + 1) from None
            raise TabularError("file_csv_broken", line=reader.line_num, detail=str(error)) from None
        except UnicodeDecodeError:
            # Checked before reading for UTF-8 and Windows-1252; UTF-16 can still end in half a character.
            raise TabularError("file_not_a_table") from None
        finally:
            text.detach()

    def _ends_with_line_break(self) -> bool:
        newline = "\n".encode(self.encoding)
        self._stream.seek(0, io.SEEK_END)
        size = self._stream.tell()
        self._stream.seek(max(self._skip, size - len(newline)))
        last = self._stream.read()
        self._stream.seek(self._skip)
        return last in (newline, "\r".encode(self.encoding))

    def rows_estimate(self, sheet: str = "") -> int | None:
        """The line breaks in the file (a cell with a line break makes it a little too many)."""
        self._stream.seek(self._skip)
        newline = "\n".encode(self.encoding)
        lines = 0
        last = b""
        while chunk := self._stream.read(CHUNK_BYTES):
            lines += chunk.count(newline)
            last = chunk
        self._stream.seek(0)
        return lines + (1 if last and not last.endswith(newline) else 0)


def _quote_broken(error: csv.Error) -> bool:
    """The csv module's strict errors: text after a closing quote, or the file ending inside quotes."""
    detail = str(error)
    return "expected after" in detail or detail == "unexpected end of data"


def _encoding_detect(stream: IO[bytes], head: bytes, wanted: str) -> tuple[str, int]:
    """(codec, bytes to skip): a byte order mark always wins, then the zero-byte pattern of UTF-16."""
    if head.startswith(UTF8_BOM):
        return UTF8, len(UTF8_BOM)
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", len(codecs.BOM_UTF16_LE)
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", len(codecs.BOM_UTF16_BE)
    utf16 = _utf16_without_mark(head)
    if utf16:
        return utf16, 0
    if wanted == UTF16:
        raise TabularError("file_not_a_table")
    first_bad = _first_non_utf8_byte(stream)
    if wanted == UTF8:
        if first_bad is not None:
            raise TabularError("file_not_utf8", byte=first_bad + 1)
        return UTF8, 0
    if wanted == WINDOWS_1252:
        if first_bad is None and not _is_ascii(stream):
            raise TabularError("file_utf8_read_as_windows1252")
        return _windows_1252_checked(stream), 0
    if first_bad is None:
        return UTF8, 0
    if _mostly_utf8(stream):
        # Part of the file saved in another encoding: read as Windows-1252, every ä of the rest would be "Ã¤".
        raise TabularError("file_encoding_mixed", byte=first_bad + 1)
    return _windows_1252_checked(stream), 0


def _mostly_utf8(stream: IO[bytes]) -> bool:
    """Whether more of the file's letters beyond ASCII are UTF-8 than are not: a file that is not UTF-8 as a
    whole but mostly is (Windows-1252 text makes a UTF-8 sequence only by chance, as "Ä" before a no-break
    space)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    stream.seek(0)
    valid = invalid = 0
    try:
        while chunk := stream.read(CHUNK_BYTES):
            text = decoder.decode(chunk)
            bad = text.count("\ufffd")
            invalid += bad
            valid += len(text) - len(text.encode("ascii", "ignore")) - bad
        invalid += decoder.decode(b"", final=True).count("\ufffd")
    finally:
        stream.seek(0)
    return valid > invalid


def _utf16_without_mark(head: bytes) -> str:
    """'utf-16-le' or 'utf-16-be' when every other byte of mostly-Latin text is zero, else ''."""
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 4:
        return ""
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) // 2
    # A character such as U+0100 has its zero byte on the other side: in a short file
    # one of them is a large share, so the other side is only required to have far fewer zeros.
    if odd_zeros > 0.3 * half and even_zeros * 4 < odd_zeros:
        return "utf-16-le"
    if even_zeros > 0.3 * half and odd_zeros * 4 < even_zeros:
        return "utf-16-be"
    return ""


def _first_non_utf8_byte(stream: IO[bytes]) -> int | None:
    """The offset of the first byte that is not valid UTF-8, reading the whole file in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    offset = 0
    try:
        while chunk := stream.read(CHUNK_BYTES):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return offset - pending + error.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return offset - len(error.object) + error.start
    finally:
        stream.seek(0)
    return None


def _is_ascii(stream: IO[bytes]) -> bool:
    stream.seek(0)
    try:
        while chunk := stream.read(CHUNK_BYTES):
            if not chunk.isascii():
                return False
        return True
    finally:
        stream.seek(0)


def _windows_1252_checked(stream: IO[bytes]) -> str:
    """Windows-1252 leaves five byte values undefined: a file with one of them is in no encoding we know."""
    stream.seek(0)
    offset = 0
    try:
        while chunk := stream.read(CHUNK_BYTES):
            try:
                chunk.decode("cp1252")
            except UnicodeDecodeError as error:
                raise TabularError("file_unknown_encoding", byte=offset + error.start + 1) from None
            offset += len(chunk)
    finally:
        stream.seek(0)
    return WINDOWS_1252


def _decoded_head(head: bytes, encoding: str, skip: int) -> str:
    data = head[skip:]
    if encoding.startswith("utf-16"):
        data = data[: len(data) // 2 * 2]
    return data.decode(encoding, errors="ignore")


def _delimiter_sniff(text: str) -> str:
    """The delimiter that splits the most of the first lines into the same number (more than one) of
    fields; on a tie the earlier of ; tab , | (a decimal comma must not pass for a delimiter)."""
    lines = text.splitlines()[:SNIFF_LINES]
    if len(lines) > 1 and len(text) >= SNIFF_BYTES:
        lines = lines[:-1]  # cut off by the sample
    best, best_score = DELIMITERS[0], (0, 0)
    for delimiter in (";", "\t", ",", "|"):
        try:
            widths = [len(record) for record in csv.reader(lines, delimiter=delimiter) if any(record)]
        except csv.Error:
            continue
        wide = [width for width in widths if width > 1]
        if not wide:
            continue
        modal = max(set(wide), key=wide.count)
        score = (wide.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# --- XLSX ---------------------------------------------------------------------------------------


class _XlsxTable(Table):
    format = "xlsx"

    def __init__(self, stream: IO[bytes], options: ReadOptions):
        from openpyxl import load_workbook

        self._options = options
        _xlsx_size_check(stream, options)
        try:
            self._workbook = load_workbook(stream, read_only=True, data_only=True)
        except TabularError:
            raise
        except Exception as error:  # openpyxl raises zip, XML, key and value errors on a damaged file
            raise _xlsx_refusal(error) from None
        self.sheets = tuple(self._workbook.sheetnames)
        self.hidden_sheets = frozenset(
            name for name in self.sheets if getattr(self._workbook[name], "sheet_state", "visible") != "visible"
        )

    def rows(self, sheet: str = "") -> Iterator[Row]:
        worksheet = self._workbook[sheet or self.sheets[0]]
        if not hasattr(worksheet, "iter_rows"):  # a chart sheet
            return
        name = sheet or self.sheets[0]
        number = 0
        try:
            for written, cells in _sheet_rows(worksheet):
                if written <= number:  # a row written again, or out of order: openpyxl skips it too
                    continue
                # Rows the sheet leaves out are empty rows (the size it states may be wrong; read what is there).
                while number < written:
                    number += 1
                    if number > self._options.max_rows:
                        raise TabularError("file_too_many_rows", limit=self._options.max_rows)
                    if number < written:
                        yield Row(number, (), name)
                _width_check(len(cells), row=number, options=self._options)
                yield Row(number, tuple(_cell_value(cell) for cell in cells), name)
        except TabularError:
            raise
        except Exception as error:  # a damaged sheet fails only while its rows are read
            raise _xlsx_refusal(error) from None

    def merged_ranges(self, sheet: str = "") -> list[str]:
        worksheet = self._workbook[sheet or self.sheets[0]]
        found: dict[str, None] = {}  # in the workbook's order; a set's look-up (a sheet may have 100 000 merges)
        tail = b""
        try:
            with worksheet._get_source() as part:  # the sheet's XML: read-only worksheets do not read merges
                while chunk := part.read(CHUNK_BYTES):
                    text = tail + chunk
                    for match in _MERGED_RANGE.finditer(text):
                        first_row, last_row = int(match.group(2)), int(match.group(4))
                        reference = match.group(0).split(b'"')[1].decode()
                        if last_row > first_row:
                            found[reference] = None
                    tail = text[-200:]
        except (zipfile.BadZipFile, zlib.error, EOFError, AttributeError):
            raise TabularError("file_xlsx_damaged") from None
        return list(found)

    def close(self) -> None:
        self._workbook.close()
        super().close()

    def rows_estimate(self, sheet: str = "") -> int | None:
        """The size the workbook states for the sheet, when it states one."""
        worksheet = self._workbook[sheet or self.sheets[0]]
        return getattr(worksheet, "max_row", None)


def _sheet_rows(worksheet) -> Iterator[tuple[int, tuple]]:
    """(row number, cells) of each row the sheet writes, its cells up to the last one holding a value.

    openpyxl's iter_rows fills every row with empty cells up to its last cell, valued or not: a row of
    40 bytes holding one empty cell in the last column (XFD) became 16 384 cells to read, thousands of
    such rows packed into a few kilobytes. The same parser and cells as iter_rows, without that filling."""
    from openpyxl.cell.read_only import EMPTY_CELL, ReadOnlyCell
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = worksheet.parent
    with worksheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            worksheet._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, written in parser.parse():
            valued = [cell for cell in written if cell["value"] is not None and cell["value"] != ""]
            cells = [EMPTY_CELL] * max((cell["column"] for cell in valued), default=0)
            for cell in valued:
                cells[cell["column"] - 1] = ReadOnlyCell(worksheet, **cell)
            yield number, tuple(cells)


MERGES_SHOWN = 5
_MERGED_RANGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def merged_over_rows(table: Table, sheet: str, *, below_row: int, columns: Collection[int]) -> list[str]:
    """The ranges of `sheet` merged over several rows that begin below row `below_row` (in the data) and
    cover one of `columns` (0-based: those that are read; a merge elsewhere changes no value read)."""
    ranges = []
    for reference in table.merged_ranges(sheet):
        first, last = reference.split(":")
        first_row = int(re.sub(r"[A-Z]", "", first))
        first_column, last_column = _column_index(first), _column_index(last)
        if first_row > below_row and any(first_column <= column <= last_column for column in columns):
            ranges.append(reference)
    return ranges


def merged_cells_problem(ranges: list[str]) -> Problem:
    """Why a file with cells merged over its data rows (`merged_over_rows`) is refused, naming the first few."""
    return Problem("file_merged_data_cells", {"cells": ", ".join(ranges[:MERGES_SHOWN])})


def _column_index(cell: str) -> int:
    """The 0-based column of a cell reference ("B3": 1)."""
    index = 0
    for letter in re.sub(r"\d", "", cell):
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _xlsx_refusal(error: BaseException) -> TabularError:
    """Why openpyxl could not read the file: XML with a document type declaration (which it refuses
    through defusedxml, wrapped in its own errors), or damage."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return TabularError("file_xlsx_dtd")
        cause = cause.__cause__ or cause.__context__
    return TabularError("file_xlsx_damaged")


def _xlsx_size_check(stream: IO[bytes], options: ReadOptions) -> None:
    """The sheets stream, but openpyxl reads the rest whole into memory (the text cells' texts, the
    styles, ...): both sizes are checked against the limits, from the archive's directory, before parsing
    (or unpacking anything: the formulas are checked only then)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                raise TabularError("file_opendocument")
            unpacked = sum(info.file_size for info in archive.infolist())
            whole = _xlsx_parts_read_whole(archive, limit=options.max_xlsx_read_whole_bytes)
            read_whole = sum(info.file_size for info in archive.infolist() if info.filename in whole)
            limits = ((unpacked, options.max_xlsx_unpacked_bytes), (read_whole, options.max_xlsx_read_whole_bytes))
            for size, limit in limits:
                if size > limit:
                    raise TabularError("file_xlsx_too_large", size=_spaced(size), limit=_spaced(limit))
            _xlsx_formulas_check(archive)
            _xlsx_rows_check(archive, set(names) - whole, limit=options.max_xlsx_row_bytes)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise TabularError("file_xlsx_damaged") from None
    finally:
        stream.seek(0)


# The flag a program sets when it leaves the formulas for the spreadsheet to calculate on opening, and a
# formula's cell (its attributes: t="str" is a text result) with the formula element (<f>...</f> or
# <f t="shared" .../>, with or without a namespace prefix) and the result stored after it, if any
# (<v>...</v>; <v/> or nothing when there is none).
_RECALCULATE_ON_LOAD = re.compile(rb"<(?:[\w.-]+:)?calcPr\b[^>]*\bfullCalcOnLoad\s*=\s*[\"'](?:1|true)[\"']")
_FORMULA_AND_RESULT = re.compile(
    rb"<(?:[\w.-]+:)?c\b([^>]*)>\s*"
    rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>[^<]*</(?:[\w.-]+:)?f>)\s*"
    rb"(?:<(?:[\w.-]+:)?v\s*/>|<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>)?"
)
# A text result a spreadsheet stored: an empty one is the empty text (=IF(A2>0;"";...)), not a missing result.
_TEXT_RESULT = re.compile(rb"""\bt\s*=\s*["']str["']""")
# Bytes of a sheet kept from one chunk to the next, so that a formula cut by a chunk's end is read whole.
_FORMULA_OVERLAP = 64 * 1024


def _xlsx_formulas_check(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose formulas' results are not in it. Excel and LibreOffice store each formula's
    result, which is what is read; a program writing a workbook (or changing one) without calculating
    asks the spreadsheet to calculate every formula on opening and leaves no result (openpyxl) or 0 as
    every result (XlsxWriter): a salary of 3 912,40 would be read as nothing, or as 0,00. A workbook that
    asks so but whose formulas have results other than 0 was calculated, and is read; a text result that is
    empty (t="str", <v></v>: =IF(A2>0;"";...)) is a result, as a spreadsheet stores it."""
    books = [name for name in archive.namelist() if name == "xl/workbook.xml" or name.endswith("/workbook.xml")]
    if not any(_RECALCULATE_ON_LOAD.search(archive.read(name)) for name in books):
        return
    formulas = calculated = False
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        with archive.open(name) as part:
            buffer = b""
            while True:
                chunk = part.read(CHUNK_BYTES)
                buffer += chunk
                for match in _FORMULA_AND_RESULT.finditer(buffer):
                    if chunk and match.end() > len(buffer) - _FORMULA_OVERLAP:
                        break  # maybe cut off: read again with the next chunk
                    formulas = True
                    result = match.group(2)
                    if result is None or (not result and not _TEXT_RESULT.search(match.group(1))):
                        raise TabularError("file_xlsx_formulas_not_calculated")
                    calculated = calculated or result.strip() not in (b"0", b"")
                if not chunk:
                    break
                buffer = buffer[-_FORMULA_OVERLAP:]
    if formulas and not calculated:
        raise TabularError("file_xlsx_formulas_not_calculated")


# A row's end, with or without a namespace prefix. Neither a text nor an attribute may hold "<", so once
# comments, CDATA sections and processing instructions (inside which "</row>" would be text, and whose
# neighbouring texts the parser joins) are refused, every row end found is one.
_ROW_END = re.compile(rb"</(?:[\w.-]+:)?row\s*>")
_MARKUP_NO_SPREADSHEET_WRITES = re.compile(rb"<!--|<!\[CDATA\[|<\?")
_XML_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml\b[^>]*\?>")
_MARKUP_OVERLAP = 64


def _xlsx_rows_check(archive: zipfile.ZipFile, streamed: set[str], *, limit: int) -> None:
    """Refuse a worksheet openpyxl streams that has more than `limit` bytes without a row's end (a row, or
    what precedes the first), or markup no spreadsheet program writes, before it is parsed: a zip bomb of
    one cell unpacks to its whole size in memory. Read in chunks, unpacked once."""
    for name in sorted(streamed):
        with archive.open(name) as part:
            since_row_end, tail, first = 0, b"", True
            while chunk := part.read(CHUNK_BYTES):
                text = tail + chunk
                if first:
                    text, first = _XML_DECLARATION.sub(b"", text, count=1), False
                if _MARKUP_NO_SPREADSHEET_WRITES.search(text):
                    raise TabularError("file_xlsx_markup_unusual")
                ends = [match.end() for match in _ROW_END.finditer(text)]
                since_row_end = len(text) - ends[-1] if ends else since_row_end + len(chunk)
                if since_row_end > limit:
                    raise TabularError("file_xlsx_row_too_large", limit=_spaced(limit))
                tail = text[-_MARKUP_OVERLAP:]


CONTENT_TYPES_PART = "[Content_Types].xml"
CONTENT_TYPES_NAMESPACE = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
RELATIONSHIPS_NAMESPACE = "http://schemas.openxmlformats.org/package/2006/relationships"
# What openpyxl reads by its fixed name whatever the content types say.
FIXED_PARTS_READ_WHOLE = (
    CONTENT_TYPES_PART,
    "xl/workbook.xml",
    "xl/styles.xml",
    "xl/theme/theme1.xml",
    "docProps/core.xml",
    "docProps/custom.xml",
)


def _xlsx_parts_read_whole(archive: zipfile.ZipFile, *, limit: int) -> set[str]:
    """The parts openpyxl reads whole into memory even in read-only mode: all but the worksheets, which
    it streams. A worksheet is a part declared one in the content types (not found by a usual name such as
    xl/worksheets/sheet1.xml) that relationships name as a worksheet only: openpyxl streams a sheet the
    workbook links as a worksheet, but reads a chartsheet, a chart or anything else a relationship leads
    to whole, whatever content type it is declared. A part it reads by a fixed name (the styles, say) or a
    relationships part counts whole even when declared a worksheet. Content types or relationships past
    `limit` are not read here: then every part counts."""
    names = set(archive.namelist())
    try:
        manifest = archive.getinfo(CONTENT_TYPES_PART)
    except KeyError:
        return names  # openpyxl refuses the file as damaged
    if manifest.file_size > limit:
        return names
    try:
        root = DefusedElementTree.fromstring(archive.read(manifest))
    except Exception:  # a damaged or forbidden manifest: openpyxl refuses the file with the reason
        return names
    declared = {
        (override.get("PartName") or "").removeprefix("/"): override.get("ContentType")
        for override in root.iter(f"{{{CONTENT_TYPES_NAMESPACE}}}Override")
    }
    linked = _xlsx_relationship_targets(archive, limit=limit)
    if linked is None:
        return names
    worksheets, others = linked
    streamed = {
        name
        for name, content_type in declared.items()
        if content_type == WORKSHEET_CONTENT_TYPE
        and name in worksheets - others
        and name not in FIXED_PARTS_READ_WHOLE
        and not name.endswith(".rels")
    }
    return names - streamed


def _xlsx_relationship_targets(archive: zipfile.ZipFile, *, limit: int) -> tuple[set[str], set[str]] | None:
    """(the parts a relationship names as a worksheet, the parts any other relationship names), resolved as
    openpyxl resolves them; None when the relationships parts are past `limit` together or cannot be read."""
    parts = [info for info in archive.infolist() if info.filename.endswith(".rels")]
    if sum(info.file_size for info in parts) > limit:
        return None
    worksheets: set[str] = set()
    others: set[str] = set()
    for info in parts:
        try:
            root = DefusedElementTree.fromstring(archive.read(info))
        except Exception:  # a damaged or forbidden part: openpyxl refuses the file, or every part counts
            return None
        parent = posixpath.split(posixpath.dirname(info.filename))[0]
        for relationship in root.iter(f"{{{RELATIONSHIPS_NAMESPACE}}}Relationship"):
            target = relationship.get("Target") or ""
            if relationship.get("TargetMode") == "External" or not target:
                continue
            name = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
            kind = relationship.get("Type") or ""
            if kind.endswith("/worksheet") and "chartsheet" not in kind:
                worksheets.add(name)
            else:
                others.add(name)
    return worksheets, others


def _spaced(number: int) -> str:
    return f"{number:,}".replace(",", " ")


_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.')


def _is_percent_format(number_format: str) -> bool:
    """A number format that multiplies by 100 ('0%', '0.0 %'), not one that only writes a % sign as text
    ('0" %"', '0\\%')."""
    return "%" in _FORMAT_LITERALS.sub("", number_format)


def _cell_value(cell) -> Any:
    value = cell.value
    if value is None:
        return ""
    data_type = getattr(cell, "data_type", "n")
    if data_type == "e":
        return SpreadsheetError(str(value))
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if _is_percent_format(getattr(cell, "number_format", "") or ""):
            return percent_from_fraction(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    return value
