"""Opening tables as people hand them over: any encoding, delimiter, title rows, two-level headers,
any sheet of a workbook - and a clear refusal, never a crash, for a file that is no table."""

import codecs
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from kuntaportaali.tabular.headers import header_key, header_locate
from kuntaportaali.tabular.problems import TabularError
from kuntaportaali.tabular.reader import ReadOptions, Row, table_open
from kuntaportaali.tabular.values import Percent, SpreadsheetError

pytestmark = pytest.mark.usefixtures("english")

ROWS = [["Nimi", "Kunta", "Summa"], ["Äijälä Örjan", "Närpiö", "1 234,50"], ["Åsa Öberg", "Pietarsaari", "12,00"]]


def csv_text(rows, delimiter=";") -> str:
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


def read(data, **options) -> list[list]:
    with table_open(data, options=ReadOptions(**options)) as table:
        return [list(row.cells) for row in table.rows()]


def xlsx(*sheets: list[list], formats: dict | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, rows in enumerate(sheets):
        sheet = workbook.create_sheet(f"Taul{index + 1}")
        for row in rows:
            sheet.append(row)
        for coordinate, number_format in (formats or {}).get(index, {}).items():
            sheet[coordinate].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (csv_text(ROWS).encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + csv_text(ROWS).encode("utf-8"), "utf-8"),
        (csv_text(ROWS).encode("cp1252"), "windows-1252"),
        (csv_text(ROWS, "\t").encode("utf-16"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + csv_text(ROWS, "\t").encode("utf-16-be"), "utf-16-be"),
        (csv_text(ROWS, "\t").encode("utf-16-le"), "utf-16-le"),
        (csv_text(ROWS, "\t").encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_every_encoding_exports_use_reads_the_same_letters(encoded, encoding):
    with table_open(encoded) as table:
        assert table.encoding == encoding
        assert [list(row.cells) for row in table.rows()] == ROWS


def test_a_utf8_file_whose_first_megabytes_are_plain_ascii_is_still_read_as_utf8():
    data = ("a;b\r\n" * 400_000 + "Äijälä;Öberg\r\n").encode("utf-8")
    assert read(data)[-1] == ["Äijälä", "Öberg"]


def test_a_windows_1252_file_with_its_first_letter_far_down_is_read_as_windows_1252():
    data = ("a;b\r\n" * 400_000 + "Äijälä;Öberg\r\n").encode("cp1252")
    assert read(data)[-1] == ["Äijälä", "Öberg"]


def test_a_windows_1252_file_with_a_letter_that_looks_like_utf8_is_still_read_as_windows_1252():
    data = ("Äijälä;Öberg\r\n" * 50 + "Ä\xa0;x\r\n").encode("cp1252")
    assert read(data)[-1] == ["Ä\xa0", "x"]


def test_the_chosen_encoding_is_kept_and_a_mismatch_is_explained():
    with pytest.raises(TabularError) as error:
        read(csv_text(ROWS).encode("cp1252"), encoding="utf-8")
    assert str(error.value) == (
        "The file is not valid UTF-8 (byte 19 cannot be read). If it was saved as Windows-1252 (ANSI), "
        "choose that encoding or automatic detection."
    )
    with pytest.raises(TabularError) as error:
        read(csv_text(ROWS).encode("utf-8"), encoding="windows-1252")
    assert error.value.problem.code == "file_utf8_read_as_windows1252"


def test_line_breaks_estimate_the_rows_in_every_encoding():
    for encoding in ("utf-8", "utf-16", "utf-16-le", "cp1252"):
        with table_open(csv_text(ROWS).encode(encoding)) as table:
            assert table.rows_estimate() == 3


def test_a_byte_order_mark_says_the_encoding_whatever_was_chosen():
    assert read(csv_text(ROWS, "\t").encode("utf-16"), encoding="windows-1252") == ROWS


def test_bytes_no_encoding_defines_are_refused():
    with pytest.raises(TabularError) as error:
        read(b"a;b\r\nx\x81y;z\r\n")
    assert error.value.problem.code == "file_unknown_encoding"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a;b;c\n1,5;2,5;3\n4,5;5;6\n", ";"),
        ("a;b\n1,5;2,5\n", ";"),
        ("a,b,c\n1,2,3\n", ","),
        ('a,b\n"1,5","2,5"\n', ","),
        ("a\tb\n1,5\t2\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ("Poissaolot 3/2026\n\nnimi;alku;loppu\nA;1.3.2026;2.3.2026\nB;3.3.2026;4.3.2026\n", ";"),
    ],
)
def test_the_delimiter_is_found_from_the_first_lines(text, delimiter):
    with table_open(text.encode()) as table:
        assert table.delimiter == delimiter


def test_a_nul_byte_in_a_cell_reaches_the_cell_for_its_row_to_be_refused():
    assert read(b"a;b\r\nx\x00y;z\r\n") == [["a", "b"], ["x\x00y", "z"]]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        # A quote opened and never closed: the next row's opening quote closed it, and the two rows
        # read as one row with the header's number of cells, the second row's dates in the first's.
        (
            "nimi;alkaa;loppuu;syy\r\n"
            'Šimkus Ona;11.11.2026;13.11.2026;"Sairauspoissaolo (lääkärintodistus\r\n'
            'Lindström Eva;2.11.2026;3.11.2026;"Vuosiloma"\r\n'.encode("cp1252"),
            2,
        ),
        # Text after a closing quote: the quotes would be dropped from the value.
        (b'nimi;yksikko\r\n"Aurinko" paivakoti;9300\r\n', 2),
        # A quote opened on the last row and never closed.
        (b'nimi;yksikko\r\n"Kallio;9300\r\n', 2),
    ],
)
def test_a_quote_that_does_not_close_where_the_cell_ends_refuses_the_file_with_its_line(data, line):
    """Read leniently, a stray quote joined rows or dropped characters and the rows still looked whole:
    values stored different from what the file says. The file is refused, with where to look."""
    with pytest.raises(TabularError) as refused:
        read(data)

    assert refused.value.code == "file_csv_quote_broken"
    assert refused.value.params["line"] == line
    assert str(refused.value) == (
        f"The row that begins on line {line} of the file has a value in quotation marks that does not end where "
        "its cell does: a quotation mark is missing or extra in it. Correct the file and try again."
    )


def test_quotes_inside_a_cell_and_doubled_quotes_are_read_as_the_text_they_are():
    data = b'nimi;kuvaus\r\nHotelli "Aurora";"Sanoi ""hei"" ja lahti"\r\n'
    assert read(data) == [["nimi", "kuvaus"], ['Hotelli "Aurora"', 'Sanoi "hei" ja lahti']]


def test_rows_are_numbered_as_a_text_editor_shows_them_also_after_a_cell_with_a_line_break():
    data = b'a;b\r\n"two\r\nlines";x\r\n\r\nlast;y\r\n'
    with table_open(data) as table:
        assert [(row.number, row.cells) for row in table.rows()] == [
            (1, ("a", "b")),
            (2, ("two\r\nlines", "x")),
            (4, ()),
            (5, ("last", "y")),
        ]


def test_xlsx_cells_come_typed_as_the_workbook_shows_them():
    data = xlsx(
        [
            ["Työaika-%", "Summa", "Alkupvm", "Loppupvm", "Numero"],
            [0.8, 3912.4, datetime(2026, 4, 2), datetime(2026, 4, 2, 12, 30), 401234575.0],
        ],
        formats={0: {"A2": "0%"}},
    )
    rows = read(data)
    assert rows[1] == [Percent(Decimal("80.0")), 3912.4, date(2026, 4, 2), datetime(2026, 4, 2, 12, 30), 401234575]


def test_a_format_that_only_writes_a_percent_sign_keeps_the_number():
    data = xlsx(
        [["Työaika-%", "Työaika-%", "Työaika-%"], [0.8, 80, 80]],
        formats={0: {"A2": "0.0 %", "B2": '0" %"', "C2": "0\\%"}},
    )

    assert read(data)[1] == [Percent(Decimal(80)), 80, 80]


def test_an_xlsx_error_cell_is_marked_as_an_error():
    workbook = Workbook()
    workbook.active.append(["a", "b"])
    workbook.active["A2"] = "#N/A"
    workbook.active["A2"].data_type = "e"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read(buffer.getvalue())[1][0] == SpreadsheetError("#N/A")


@pytest.mark.parametrize("recalculate", [False, True], ids=["as-excel-saves-it", "asking-to-calculate-again"])
def test_formulas_whose_results_a_spreadsheet_stored_are_read_as_those_results(recalculate):
    """What Excel or LibreOffice saves: each formula with its result (some workbooks keep asking to be
    calculated on opening as well)."""
    data = xlsx([["Summa", "Yhteensä", "Erotus"], [3912.4, "=A2*2", "=A2-A2"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item).replace(b"<v />", b"<v>7824.8</v>", 1).replace(b"<v />", b"<v>0</v>")
            if not recalculate:
                content = content.replace(b' fullCalcOnLoad="1"', b"")
            target.writestr(item, content)

    assert read(buffer.getvalue())[1] == [3912.4, 7824.8, 0]


def test_a_formula_whose_stored_result_is_an_empty_text_is_read_as_empty():
    """=IF(...;"";...) as Excel and LibreOffice save its result: the cell typed text (t="str") with an empty
    value. A calculated workbook that keeps asking to be calculated on opening is read, not refused."""
    data = xlsx([["Summa", "Yhteensä", "Huomautus"], [3912.4, "=A2*2", '=IF(A2>0,"","tarkista")']])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item).replace(b"<f>A2*2</f><v />", b"<f>A2*2</f><v>7824.8</v>")
            content = content.replace(
                b'<c r="C2"><f>IF(A2&gt;0,"","tarkista")</f><v />',
                b'<c r="C2" t="str"><f>IF(A2&gt;0,"","tarkista")</f><v></v>',
            )
            target.writestr(item, content)
    assert b'fullCalcOnLoad="1"' in zipfile.ZipFile(buffer).read("xl/workbook.xml")
    assert b't="str"><f>IF' in zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml")

    assert read(buffer.getvalue())[1] == [3912.4, 7824.8]


def test_a_chartsheet_declared_a_worksheet_counts_whole_as_openpyxl_reads_it_whole():
    """openpyxl streams a sheet that the workbook links as a worksheet, but reads a chartsheet whole, whatever
    content type [Content_Types].xml gives it: declared a worksheet, a chartsheet of any size escaped the limit
    on what is read whole."""
    workbook = Workbook()
    workbook.active.append(["Puhelin"])
    workbook.active.append(["040 123 4567"])
    chart = BarChart()
    chart.add_data(Reference(workbook.active, min_col=1, min_row=1, max_row=2))
    workbook.create_chartsheet("Kaavio").add_chart(chart)
    source = io.BytesIO()
    workbook.save(source)
    output = io.BytesIO()
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name in archive.namelist():
            data = archive.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.chartsheet+xml", b"spreadsheetml.worksheet+xml")
            elif name == "xl/chartsheets/sheet1.xml":
                data = b"<!--" + b" " * 200_000 + b"-->" + data
            target.writestr(name, data)

    with pytest.raises(TabularError) as error:
        read(output.getvalue(), max_xlsx_read_whole_bytes=100_000)
    assert error.value.problem.code == "file_xlsx_too_large"
    assert read(output.getvalue(), max_xlsx_read_whole_bytes=300_000) == [["Puhelin"], ["040 123 4567"]]


def test_every_sheet_of_a_workbook_can_be_read():
    data = xlsx([["Raportin tiedot"], ["Ajettu 1.4.2026"]], [["Nimi", "Summa"], ["A", 1]])
    with table_open(data) as table:
        assert table.sheets == ("Taul1", "Taul2")
        assert [list(row.cells) for row in table.rows("Taul2")] == [["Nimi", "Summa"], ["A", 1]]
        assert all(row.sheet == "Taul2" for row in table.rows("Taul2"))


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_parsed():
    data = xlsx([["x" * 1000] for _ in range(200)])
    with pytest.raises(TabularError) as error:
        read(data, max_xlsx_unpacked_bytes=50_000)
    assert error.value.problem.code == "file_xlsx_too_large"


def test_a_workbook_whose_texts_would_not_fit_in_memory_is_refused_before_it_is_parsed():
    # Excel keeps a workbook's texts in xl/sharedStrings.xml, which openpyxl reads whole.
    buffer = io.BytesIO(xlsx([["Puhelin"], ["040 123 4567"]]))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", "<si><t>040 1234567</t></si>" * 1000)

    with pytest.raises(TabularError) as error:
        read(buffer.getvalue(), max_xlsx_read_whole_bytes=30_000)
    assert error.value.problem.code == "file_xlsx_too_large"
    # With the styles, theme and properties openpyxl writes (some 16 kB), also read whole.
    assert read(buffer.getvalue(), max_xlsx_read_whole_bytes=50_000) == [["Puhelin"], ["040 123 4567"]]


SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def xlsx_with_shared_strings(part: str, texts: list[str]) -> bytes:
    """A workbook whose cells A1, A2 ... are `texts` kept in a shared strings part named `part` (the
    workbook's content types and relationships name it, as any program may)."""
    buffer = io.BytesIO(xlsx([["x"]]))
    rows = range(1, len(texts) + 1)
    cells = "".join(f'<row r="{row}"><c r="A{row}" t="s"><v>{row - 1}</v></c></row>' for row in rows)
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{cells}</sheetData></worksheet>"
    )
    strings = (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(texts)}" '
        f'uniqueCount="{len(texts)}">' + "".join(f"<si><t>{text}</t></si>" for text in texts) + "</sst>"
    )
    relationship = (
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        f'Target="/{part}" Id="rId9" /></Relationships>'
    )
    output = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name).decode()
            if name == "xl/worksheets/sheet1.xml":
                data = sheet
            elif name == "[Content_Types].xml":
                override = f'<Override PartName="/{part}" ContentType="{SHARED_STRINGS_TYPE}" />'
                data = data.replace("</Types>", override + "</Types>")
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace("</Relationships>", relationship)
            archive.writestr(name, data)
        archive.writestr(part, strings)
    return output.getvalue()


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/texts.xml", "xl/strings/sst1.bin"])
def test_a_workbooks_texts_are_measured_under_whatever_name_its_content_types_give_them(part):
    # openpyxl reads whole the part that [Content_Types].xml declares as shared strings, whatever its
    # name: a file must not escape the limit by calling it something else than sharedStrings.xml.
    texts = ["Puhelin", *(f"040 {number:07d}" for number in range(2000))]
    data = xlsx_with_shared_strings(part, texts)

    with pytest.raises(TabularError) as error:
        read(data, max_xlsx_read_whole_bytes=20_000)
    assert error.value.problem.code == "file_xlsx_too_large"
    assert read(data, max_xlsx_read_whole_bytes=200_000)[:3] == [["Puhelin"], ["040 0000000"], ["040 0000001"]]


def test_a_workbooks_styles_are_measured_with_all_it_reads_whole():
    # openpyxl parses xl/styles.xml whole even in read-only mode: 60 MB of cell formats, 185 kB packed,
    # took 19 s and 700 MB, and the unpacked limit allowed 25 times that.
    buffer = io.BytesIO(xlsx([["Puhelin"], ["040 123 4567"]]))
    output = io.BytesIO()
    cell_format = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name).decode()
            if name == "xl/styles.xml":
                head, tail = data.split("<cellXfs", 1)
                opening, rest = tail.split(">", 1)
                data = f"{head}<cellXfs{opening}>{cell_format * 5000}{rest}"
            archive.writestr(name, data)
    data = output.getvalue()

    with pytest.raises(TabularError) as error:
        read(data, max_xlsx_read_whole_bytes=100_000)
    assert error.value.problem.code == "file_xlsx_too_large"
    assert read(data, max_xlsx_read_whole_bytes=1_000_000) == [["Puhelin"], ["040 123 4567"]]


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_workbook_with_a_document_type_declaration_is_refused_with_the_reason(part):
    """Entities in a DTD can expand a small upload into gigabytes: such XML is never parsed."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([["Henkilötunnus"], ["010175-901V"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                text = data.decode()
                text = text[text.index("?>") + 2 :] if "?>" in text else text
                data = (LAUGHS + text).encode()
            archive.writestr(item, data)

    with pytest.raises(TabularError) as error:
        read(buffer.getvalue())
    assert error.value.problem.code == "file_xlsx_dtd"


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_files_with_more_rows_than_the_limit_are_refused(format_):
    rows = [["n"], *[[str(number)] for number in range(30)]]
    data = csv_text(rows).encode() if format_ == "csv" else xlsx(rows)
    with pytest.raises(TabularError) as error:
        read(data, max_rows=20)
    assert str(error.value) == "The file has more than 20 rows. Split it into smaller files."


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_files_with_a_row_wider_than_the_limit_are_refused_with_the_row(format_):
    rows = [["n", "m"], ["1", "2"], ["x"] * 31]
    data = csv_text(rows).encode() if format_ == "csv" else xlsx(rows)
    assert read(data, max_columns=31)[2] == ["x"] * 31
    with pytest.raises(TabularError) as error:
        read(data, max_columns=30)
    assert str(error.value) == (
        "Row 3 of the file has more than 30 columns. Remove the empty columns at its end, or check that it is the "
        "right file."
    )


def test_a_csv_file_of_separators_alone_is_refused_by_its_columns_at_the_default_limit():
    with pytest.raises(TabularError) as error:
        read(b"puhelin" + b";" * 5_000_000 + b"\r\n040 123 4567\r\n")
    assert error.value.problem.code == "file_too_many_columns"
    assert error.value.problem.params == {"limit": "16 384", "row": 1}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        (b"  \r\n ", "file_empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "file_old_excel"),
        (b"%PDF-1.7\n...", "file_pdf"),
        (b"PK\x03\x04 truncated", "file_xlsx_damaged"),
    ],
)
def test_files_that_are_no_table_are_refused_with_a_reason(data, code):
    with pytest.raises(TabularError) as error:
        read(data)
    assert error.value.problem.code == code


def test_an_opendocument_spreadsheet_is_refused_with_the_way_out():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with pytest.raises(TabularError) as error:
        read(buffer.getvalue())
    assert "Save the file as .xlsx" in str(error.value)


def phone_score(labels) -> int:
    return sum("puhelin" in header_key(label) or header_key(label) == "nimi" for label in labels)


def test_the_header_is_found_below_title_rows():
    data = csv_text([["Yhteystiedot 12/2026"], ["Toimittaja: Välittäjä Oy"], [], ["Nimi", "Puhelin"], ["A", "040"]])
    with table_open(data.encode()) as table:
        header, rows = header_locate(table.rows(), score=phone_score)
        assert header.labels == ("Nimi", "Puhelin")
        assert header.rows == (4,)
        assert [row.cells for row in rows] == [("A", "040")]


class CountedCell:
    """Counts the cells of a workbook the reader turns into values."""

    looked_at = 0


def xlsx_with_far_empty_cells(rows: int, empty_cell: str) -> bytes:
    """A header in A1, `rows` rows that hold only an empty cell in the last column Excel has (XFD), then
    a phone number: some 40 bytes a row, a few bytes packed."""
    buffer = io.BytesIO(xlsx([["Puhelin"]]))
    output = io.BytesIO()
    far = "".join(f'<row r="{row}">{empty_cell.format(row=row)}</row>' for row in range(2, rows + 2))
    last = f'<row r="{rows + 2}"><c r="A{rows + 2}" t="inlineStr"><is><t>040 123 4567</t></is></c></row>'
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name).decode()
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace("</row></sheetData>", f"</row>{far}{last}</sheetData>")
            archive.writestr(name, data)
    return output.getvalue()


@pytest.mark.parametrize(
    "empty_cell",
    ['<c r="XFD{row}"/>', '<c r="XFD{row}" s="0"/>', '<c r="XFD{row}" t="inlineStr"><is><t></t></is></c>'],
)
def test_empty_cells_far_to_the_right_do_not_make_a_row_thousands_of_cells_wide(monkeypatch, empty_cell):
    # openpyxl fills a row with empty cells up to its last cell, valued or not: each row of 40 bytes
    # holding one empty cell in column XFD was 16 384 cells to read, so 2 000 of them (15 kB uploaded)
    # took 9 s of the upload request, and two million would have taken hours.
    from kuntaportaali.tabular import reader

    counted = reader._cell_value

    def cell_value(cell):
        CountedCell.looked_at += 1
        return counted(cell)

    monkeypatch.setattr(reader, "_cell_value", cell_value)
    data = xlsx_with_far_empty_cells(2000, empty_cell)
    CountedCell.looked_at = 0

    rows = read(data)

    assert rows[0] == ["Puhelin"]
    assert rows[-1] == ["040 123 4567"]
    assert len(rows) == 2002
    assert all(not any(row) for row in rows[1:-1])
    assert CountedCell.looked_at <= 10


class LookedAtRow(Row):
    """A row that counts how often the header search asks whether it is empty."""

    looks = 0

    @property
    def is_empty(self) -> bool:
        LookedAtRow.looks += 1
        return super().is_empty


def test_the_header_search_looks_at_each_row_a_few_times_however_many_empty_rows_follow_it():
    # It counted the non-empty rows of all it had read again after each row: blank lines after the header
    # took their number squared, 20 000 of them (a 40 kB contact file) over a minute in the upload request.
    blank = 3000
    rows = [LookedAtRow(1, ("Puhelin",)), *(LookedAtRow(number, ("",)) for number in range(2, blank + 2))]
    rows.append(LookedAtRow(blank + 2, ("040 123 4567",)))
    LookedAtRow.looks = 0

    header, rest = header_locate(iter(rows), score=phone_score)

    assert header.labels == ("Puhelin",)
    assert [row.cells for row in rest if not row.is_empty] == [("040 123 4567",)]
    assert LookedAtRow.looks <= 4 * len(rows)


def test_a_merged_cell_over_two_columns_names_both():
    data = xlsx(
        [["Nimi", "Puhelin", None, "Postinumero"], [None, "Koti", "Matka", None], ["A", "09 123", "040 1", "00100"]]
    )
    with table_open(data) as table:
        header, rows = header_locate(table.rows(), score=phone_score)
        assert header.labels == ("Nimi", "Puhelin Koti", "Puhelin Matka", "Postinumero")
        assert header.rows == (1, 2)
        assert [row.number for row in rows] == [3]


def test_a_data_row_under_the_header_is_not_taken_for_a_second_header_row():
    data = csv_text([["Nimi", "Puhelin"], ["Anna", "040 123 4567"]])
    with table_open(data.encode()) as table:
        header, rows = header_locate(table.rows(), score=phone_score)
        assert header.labels == ("Nimi", "Puhelin")
        assert [row.cells for row in rows] == [("Anna", "040 123 4567")]


def test_without_a_header_every_row_is_data():
    data = csv_text([["040 123 4567"], ["050 765 4321"]])
    with table_open(data.encode()) as table:
        header, rows = header_locate(table.rows(), score=phone_score)
        assert header is None
        assert len(list(rows)) == 2


@settings(max_examples=400)
@given(
    data=st.binary(max_size=400),
    options=st.builds(
        ReadOptions,
        encoding=st.sampled_from(["auto", "utf-8", "windows-1252", "utf-16"]),
        delimiter=st.sampled_from(["auto", ";", ","]),
    ),
)
def test_any_bytes_are_rows_or_a_reason(data, options):
    try:
        with table_open(data, options=options) as table:
            for sheet in table.sheets:
                list(table.rows(sheet))
    except TabularError as error:
        assert str(error)


@settings(max_examples=200)
@given(
    rows=st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r\n"), max_size=8),
            min_size=2,
            max_size=5,
        ),
        min_size=2,
        max_size=8,
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le"]),
    delimiter=st.sampled_from([";", "\t", "|"]),
)
# A short file whose one letter (U+0100) puts a zero byte on the other side.
@example(rows=[["", ""], ["", "\u0100"]], encoding="utf-16-le", delimiter=";")
def test_what_the_csv_module_writes_in_any_unicode_encoding_is_read_back(rows, encoding, delimiter):
    import csv

    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    # Without a byte order mark, UTF-16 is known by its zero bytes, which only Latin text has.
    assume(encoding != "utf-16-le" or all(ord(character) <= 0x24F for character in text))
    data = text.encode(encoding)
    assume(data.strip())  # only delimiters and blanks: an empty file, refused as such
    read_back = read(data, delimiter=delimiter)
    assert read_back == rows


def xlsx_with_long_text(text: str) -> bytes:
    """A header in A1 and `text` (markup allowed) as the inline text of A2, packed: a few kilobytes for
    megabytes of text."""
    buffer = io.BytesIO(xlsx([["Puhelin"]]))
    output = io.BytesIO()
    long_row = f'<row r="2"><c r="A2" t="inlineStr"><is><t>{text}</t></is></c></row>'
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name).decode()
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace("</row></sheetData>", f"</row>{long_row}</sheetData>")
            archive.writestr(name, data)
    return output.getvalue()


def test_a_row_larger_than_a_spreadsheet_writes_is_refused_before_it_is_parsed():
    # openpyxl parses a row whole before it yields it: 300 kB uploaded, one cell of 300 MB, took 690 MB
    # of memory, and the 1.5 GB the archive may unpack to would have taken some 3.5 GB.
    data = xlsx_with_long_text("x" * 3_000_000)
    assert len(data) < 10_000

    with pytest.raises(TabularError) as error:
        read(data, max_xlsx_row_bytes=2_000_000)
    assert error.value.problem.code == "file_xlsx_row_too_large"
    assert error.value.problem.params == {"limit": "2 000 000"}
    assert read(xlsx([["x" * 1000] for _ in range(3_000)]), max_xlsx_row_bytes=2_000_000)[0] == ["x" * 1000]


@pytest.mark.parametrize(
    "between", ["<![CDATA[</row>]]>", "<!-- </row> -->", "<?pi </row>?>"], ids=["cdata", "comment", "pi"]
)
def test_markup_no_spreadsheet_writes_cannot_hide_a_long_row(between):
    # Inside any of these, "</row>" is text: the row would go on unseen by the check above.
    data = xlsx_with_long_text(between.join(["x" * 1_500_000] * 2))

    with pytest.raises(TabularError) as error:
        read(data, max_xlsx_row_bytes=2_000_000)
    assert error.value.problem.code == "file_xlsx_markup_unusual"
