"""A small streaming .xlsx writer: fast enough for a 100,000-project finance workbook, and nothing but values.

Why our own: xlsxwriter costs about 3 microseconds a cell even called directly, so the finance workbook of a
100,000-project portfolio (about 3.4 million cells) took over 15 CPU-seconds to write. Here a column's cells
are built as XML text in one list comprehension per block of rows (numbers formatted once per value, text
looked up once per distinct value), which is about ten times faster, and rows are streamed into the zip
block by block, so memory stays flat however long the sheet is.

What it can write, and all it can write: numbers (with a number format), booleans and text. There is no
formula, hyperlink, rich text or comment anywhere in this module, so no cell can ever become a formula
whatever its text says; text is XML-escaped, characters XML 1.0 forbids are written as Excel's own
`_xHHHH_` escapes (Excel reads them back as the character; a literal `_x0041_` typed by a user is escaped
too, so it survives as typed), and lone surrogates become U+FFFD. Neutralising text that *looks* like a
formula (OWASP) is the caller's job: dashboard/export_files.py does it before text reaches this module.

An .xlsx file is a zip of XML parts: [Content_Types].xml, _rels/.rels, docProps/core.xml and app.xml,
xl/workbook.xml (+ its _rels), xl/styles.xml (fonts, fills, borders and the few number formats used),
xl/sharedStrings.xml (each distinct text once) and one xl/worksheets/sheetN.xml per sheet with a frozen
header pane, column widths, the rows and an autofilter. Layout and defaults follow what xlsxwriter writes.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
ROWS_PER_BLOCK = 2048

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_PREFIX = "application/vnd.openxmlformats-officedocument.spreadsheetml."

# Excel's built-in number formats: written by id, not declared (as Excel and xlsxwriter do)
BUILTIN_NUMBER_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
FIRST_CUSTOM_FORMAT_ID = 164

# characters XML 1.0 does not allow, plus CR (an XML parser turns a literal CR into LF) and text that
# already looks like an escape, which Excel would otherwise decode
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NEEDS_WORK = re.compile("[&<>\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def escape_text(text: str) -> str:
    """Text as XML element content that Excel reads back as exactly `text` (bar lone surrogates)."""
    if not _NEEDS_WORK.search(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SURROGATE.sub("\ufffd", text)
    return _XML_FORBIDDEN.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def escape_attribute(text: str) -> str:
    return escape_text(text).replace('"', "&quot;")


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def excel_width(characters: float) -> float:
    """A width in characters as the stored column width (Calibri 11: 7-pixel digits, 5 pixels padding)."""
    if characters <= 0:
        return 0.0
    if characters < 1:
        pixels = int(characters * 12 + 0.5)
        return int(pixels / 7 * 256) / 256
    return int((int(characters * 7 + 0.5) + 5) / 7 * 256) / 256


# --- what a sheet is made of -------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """A cell style: a number format (None for General), bold with a top rule (totals), or the header style."""

    num_format: str | None = None
    bold: bool = False
    header: bool = False
    wrap: bool = False  # wrap long text within the column (the header row always wraps)


HEADER = Style(header=True)


@dataclass
class Column:
    """One column of a sheet.

    kind:
      "number"  values is a float64 array; NaN and infinities are blank cells.
      "integer" values is a float64 array of whole numbers (written without a decimal point); NaN blank.
      "text"    values is a sequence of str or None; None and "" are blank cells. Written exactly as given.
      "bool"    values is a sequence of bool or None.
      "cells"   values is a sequence of already-typed cells: (kind, value, style) with kind one of
                "number", "text", "bool", or None for a blank cell (for small mixed columns).
    """

    heading: str
    kind: str
    values: Any
    style: Style = Style()
    width: float = 8.43


@dataclass
class WorksheetData:
    name: str
    columns: Sequence[Column]
    totals: Sequence[tuple[str, Any, Style] | None] | None = None  # one entry per column, like "cells"
    freeze_header: bool = True  # also printed at the top of every page
    autofilter: bool = True
    landscape: bool = True  # printed A4 landscape, every column on one page's width, as many pages down as needed


# --- printing ----------------------------------------------------------------------------------------
# A sheet prints on A4 landscape scaled so every column fits the page's width, with its header row repeated
# on each page, the sheet's name at the top and "Page 1 of 3" at the bottom. The header row is given its
# height: LibreOffice does not grow a row to fit wrapped text it reads from a file, so a two-line heading
# used to spill over the first row of figures.

A4 = 9  # paper size code
LINE_HEIGHT_POINTS = 15.0  # Calibri 11, as defaultRowHeight
BOLD_WIDTH = 1.1  # bold characters are about a tenth wider than the digits a column width counts


def wrapped_lines(text: str, width: float) -> int:
    """How many lines text takes when wrapped at word breaks in a column `width` characters wide."""
    room = max((width - 1) / BOLD_WIDTH, 1.0)  # a character's padding on either side
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            size = float(len(word))
            if used and used + 1 + size > room:
                lines += 1
                used = 0.0
            while size > room:  # a word longer than the column breaks where it must
                lines += 1
                size -= room
            used = size if not used else used + 1 + size
    return max(lines, 1)


def header_height(columns: Sequence[Column]) -> float:
    """The header row's height in points: enough lines for the longest wrapped heading, plus a little air."""
    lines = max((wrapped_lines(c.heading, c.width) for c in columns), default=1)
    return LINE_HEIGHT_POINTS * lines + 3.0


def _print_setup(sheet: WorksheetData) -> str:
    if not sheet.landscape:
        return '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    return (
        '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="{A4}" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        "<headerFooter><oddHeader>&amp;L&amp;A</oddHeader><oddFooter>&amp;CPage &amp;P of &amp;N</oddFooter>"
        "</headerFooter>"
    )


# --- shared parts ------------------------------------------------------------------------------------


class _Styles:
    """Registers the cell styles used and writes xl/styles.xml."""

    def __init__(self) -> None:
        self._index: dict[Style, int] = {Style(): 1}  # 0 is Excel's default style; 1 the plain top-aligned cell
        self._formats: dict[str, int] = {}

    def xf(self, style: Style) -> int:
        if style not in self._index:
            self._index[style] = len(self._index) + 1
            if style.num_format:
                self._format_id(style.num_format)
        return self._index[style]

    def _format_id(self, code: str) -> int:
        if code in BUILTIN_NUMBER_FORMATS:
            return BUILTIN_NUMBER_FORMATS[code]
        if code not in self._formats:
            self._formats[code] = FIRST_CUSTOM_FORMAT_ID + len(self._formats)
        return self._formats[code]

    def xml(self) -> str:
        num_fmts = "".join(
            f'<numFmt numFmtId="{i}" formatCode="{escape_attribute(code)}"/>' for code, i in self._formats.items()
        )
        xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        for style in self._index:
            fmt_id = self._format_id(style.num_format) if style.num_format else 0
            font = 1 if (style.bold or style.header) else 0
            fill = 2 if style.header else 0
            border = 1 if style.header else (2 if style.bold else 0)
            wrap = ' wrapText="1"' if style.header or style.wrap else ""
            applied = "".join(
                f' apply{what}="1"'
                for what, used in (("NumberFormat", fmt_id), ("Font", font), ("Fill", fill), ("Border", border))
                if used
            )
            xfs.append(
                f'<xf numFmtId="{fmt_id}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"{applied}'
                f' applyAlignment="1"><alignment vertical="top"{wrap}/></xf>'
            )
        font = '<sz val="11"/><color rgb="FF000000"/><name val="Calibri"/><family val="2"/>'
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
            + (f'<numFmts count="{len(self._formats)}">{num_fmts}</numFmts>' if self._formats else "")
            + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="3"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill>'
            '<fill><patternFill patternType="solid"><fgColor rgb="FFF3F2F1"/><bgColor indexed="64"/></patternFill>'
            "</fill></fills>"
            '<borders count="3"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
            '<border><left/><right/><top style="thin"><color auto="1"/></top><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
            'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
        )


class _SharedStrings:
    """Each distinct text once (xl/sharedStrings.xml); cells refer to it by index."""

    def __init__(self) -> None:
        self._index: dict[str, int] = {}
        self.references = 0

    def indices(self, values: Sequence[Any]) -> np.ndarray:
        """Index of each value in the table (-1 for None or ""), adding new texts; one lookup per distinct value."""
        codes, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        table = self._index
        mapped = np.empty(len(distinct) + 1, dtype=np.int64)
        mapped[-1] = -1  # code -1: missing
        for code, value in enumerate(distinct.tolist()):
            mapped[code] = table.setdefault(str(value), len(table)) if value != "" else -1
        out = mapped[codes]
        self.references += int((out >= 0).sum())
        return out

    def xml_chunks(self):
        yield (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" '
            f'count="{self.references}" uniqueCount="{len(self._index)}">'
        )
        batch = []
        for text in self._index:
            space = ' xml:space="preserve"' if text != text.strip() or "\n" in text or "\t" in text else ""
            batch.append(f"<si><t{space}>{escape_text(text)}</t></si>")
            if len(batch) >= 10_000:
                yield "".join(batch)
                batch = []
        yield "".join(batch) + "</sst>"


# --- cells -------------------------------------------------------------------------------------------


def _number_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _column_block(column: Column, values, letter: str, rows: list[str], styles, strings) -> list[str]:
    """The XML of one column's cells for a block of rows (one string per row, "" for a blank cell).

    values: the column's values for these rows (for text: indices into the shared strings, -1 for blank).
    """
    s = styles.xf(column.style)
    kind = column.kind
    if kind in ("number", "integer"):
        finite = np.isfinite(values)
        if kind == "integer":
            texts = np.where(finite, values, 0).astype(np.int64).tolist()
        else:
            texts = values.tolist()
        head, mid = f'<c r="{letter}', f'" s="{s}"><v>'
        if finite.all():
            return [f"{head}{r}{mid}{t}</v></c>" for r, t in zip(rows, texts, strict=True)]
        return [
            f"{head}{r}{mid}{t}</v></c>" if ok else "" for r, t, ok in zip(rows, texts, finite.tolist(), strict=True)
        ]
    if kind == "text":
        codes = values.tolist()
        head, mid = f'<c r="{letter}', f'" s="{s}" t="s"><v>'
        return [f"{head}{r}{mid}{i}</v></c>" if i >= 0 else "" for r, i in zip(rows, codes, strict=True)]
    if kind == "bool":
        head, mid = f'<c r="{letter}', f'" s="{s}" t="b"><v>'
        return [
            "" if v is None or v != v else f"{head}{r}{mid}{int(bool(v))}</v></c>"
            for r, v in zip(rows, values, strict=True)
        ]
    if kind == "cells":
        return [_typed_cell(f"{letter}{r}", cell, styles, strings) for r, cell in zip(rows, values, strict=True)]
    raise ValueError(f"unknown column kind {kind!r}")


def _typed_cell(ref: str, cell: tuple[str, Any, Style] | None, styles: _Styles, strings: _SharedStrings) -> str:
    if cell is None or cell[0] is None:
        return ""
    kind, value, style = cell
    s = styles.xf(style)
    if kind == "number":
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            return ""
        return f'<c r="{ref}" s="{s}"><v>{_number_text(number)}</v></c>'
    if kind == "bool":
        return f'<c r="{ref}" s="{s}" t="b"><v>{int(bool(value))}</v></c>'
    if kind == "text":
        index = int(strings.indices([value])[0])
        return "" if index < 0 else f'<c r="{ref}" s="{s}" t="s"><v>{index}</v></c>'
    raise ValueError(f"unknown cell kind {kind!r}")


# --- long sheets: rows built by DuckDB -----------------------------------------------------------------
# A million-row sheet is 24 million cells; building their XML in Python took most of the workbook's time.
# From SQL_ROWS_FROM rows on, DuckDB builds each row's XML (every core, vectorised) from the same column values,
# to the same bytes as _column_block (tests/test_export_files.py holds the two paths equal), and the rows go
# from Arrow's buffers into the zip. Sheets with mixed "cells" columns (a few rows, like About) stay in Python.

SQL_ROWS_FROM = 20_000


def _sql_rows(columns: Sequence[Column], values: list, letters: list[str], n_rows: int, styles: _Styles):
    import duckdb
    import pyarrow as pa
    from duckdb import CaseExpression, ColumnExpression, ConstantExpression, FunctionExpression

    from dashboard.files import table_text

    def k(value):
        return ConstantExpression(value)

    varchar, bigint = duckdb.sqltype("VARCHAR"), duckdb.sqltype("BIGINT")
    arrays = {"_row": pa.array(np.arange(n_rows, dtype=np.int64))}
    cells = []
    r = ColumnExpression("r")
    for i, (column, vals) in enumerate(zip(columns, values, strict=True)):
        name, style = f"c{i}", styles.xf(column.style)
        x = ColumnExpression(name)
        if column.kind in ("number", "integer"):
            numbers = np.asarray(vals, dtype=float)
            arrays[name] = pa.array(np.where(np.isfinite(numbers), numbers, np.nan), from_pandas=True)
            text = x.cast(bigint).cast(varchar) if column.kind == "integer" else x.cast(varchar)  # repr, as Python
            mid = f'" s="{style}"><v>'
        elif column.kind == "text":
            indices = np.asarray(vals, dtype=np.int64)
            arrays[name] = pa.array(indices, mask=indices < 0)
            text, mid = x.cast(varchar), f'" s="{style}" t="s"><v>'
        elif column.kind == "bool":
            arrays[name] = pa.array([None if v is None or v != v else bool(v) for v in vals], pa.bool_())
            text, mid = CaseExpression(x, k("1")).otherwise(k("0")), f'" s="{style}" t="b"><v>'
        else:
            raise ValueError(f"unknown column kind {column.kind!r}")
        cell = FunctionExpression("concat", k(f'<c r="{letters[i]}'), r, k(mid), text, k("</v></c>"))
        cells.append(CaseExpression(x.isnull(), k("")).otherwise(cell))
    con = duckdb.connect()
    try:
        rel = con.from_arrow(pa.table(arrays))
        row = (ColumnExpression("_row") + k(2)).cast(varchar).alias("r")
        rel = rel.project(row, *[ColumnExpression(n) for n in arrays])
        line = FunctionExpression("concat", k('<row r="'), r, k('">'), *cells, k("</row>")).alias("line")
        # sorted last of all: DuckDB's Arrow scan may hand chunks back in any order
        rel = rel.project(line, ColumnExpression("_row")).sort(ColumnExpression("_row"))
        for batch in rel.to_arrow_reader(50_000):
            if batch.num_rows:
                yield table_text.string_bytes(batch.column(0))
    finally:
        con.close()


# --- worksheets --------------------------------------------------------------------------------------


def _sheet_chunks(sheet: WorksheetData, first: bool, styles: _Styles, strings: _SharedStrings):
    columns = list(sheet.columns)
    n_cols = len(columns)
    n_rows = len(columns[0].values) if columns else 0
    if any(len(c.values) != n_rows for c in columns):
        raise ValueError(f"sheet {sheet.name!r}: columns of different lengths")
    last_row = n_rows + 1 + (1 if sheet.totals else 0)
    if last_row > MAX_ROWS or n_cols > MAX_COLUMNS:
        raise ValueError(
            f"sheet {sheet.name!r} has {n_rows:,} rows and {n_cols} columns; an Excel sheet holds at most "
            f"{MAX_ROWS - 1:,} data rows and {MAX_COLUMNS:,} columns (export fewer rows or use CSV)"
        )
    letters = [column_letter(i) for i in range(n_cols)]
    last = f"{letters[-1]}{last_row}" if columns else "A1"
    selected = ' tabSelected="1"' if first else ""
    if sheet.freeze_header:
        view = (
            f'<sheetView{selected} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
        )
    else:
        view = f'<sheetView{selected} workbookViewId="0"/>'
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{excel_width(c.width)!r}" customWidth="1"/>'
        for i, c in enumerate(columns, start=1)
    )
    fit = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if sheet.landscape else ""
    yield (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f'{fit}<dimension ref="A1:{last}"/><sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>"
    )
    header_style = styles.xf(HEADER)
    header_cells = "".join(
        _typed_cell(f"{letters[i]}1", ("text", c.heading, HEADER), styles, strings) for i, c in enumerate(columns)
    )
    height = f"{header_height(columns):g}"
    yield f'<row r="1" s="{header_style}" customFormat="1" ht="{height}" customHeight="1">{header_cells}</row>'

    # text columns as indices into the shared strings, one lookup per distinct value
    values = [strings.indices(c.values) if c.kind == "text" else c.values for c in columns]
    if n_rows >= SQL_ROWS_FROM and all(c.kind != "cells" for c in columns):
        yield from _sql_rows(columns, values, letters, n_rows, styles)
        n_rows_done = n_rows
    else:
        n_rows_done = 0
    for start in range(n_rows_done, n_rows, ROWS_PER_BLOCK):
        stop = min(start + ROWS_PER_BLOCK, n_rows)
        rows = [str(r) for r in range(start + 2, stop + 2)]
        blocks = [
            _column_block(c, values[i][start:stop], letters[i], rows, styles, strings) for i, c in enumerate(columns)
        ]
        opens = [f'<row r="{r}">' for r in rows]
        yield "".join(map("".join, zip(opens, *blocks, ["</row>"] * len(rows), strict=True)))

    if sheet.totals:
        row = n_rows + 2
        cells = "".join(_typed_cell(f"{letters[i]}{row}", cell, styles, strings) for i, cell in enumerate(sheet.totals))
        yield f'<row r="{row}">{cells}</row>'
    yield "</sheetData>"
    if sheet.autofilter and columns:
        yield f'<autoFilter ref="A1:{letters[-1]}{max(n_rows + 1, 2) if n_rows else 1}"/>'
    yield _print_setup(sheet) + "</worksheet>"


def autofilter_range(sheet: WorksheetData) -> str | None:
    if not (sheet.autofilter and sheet.columns):
        return None
    n_rows = len(sheet.columns[0].values)
    return f"$A$1:${column_letter(len(sheet.columns) - 1)}${max(n_rows + 1, 2) if n_rows else 1}"


# --- compressing on every core ---------------------------------------------------------------------
# zlib deflates on one core at about 150 MB/s, and a million-project workbook is 1.3 GB of XML. zlib lets go of
# the interpreter while it works, so blocks of a part are deflated on two threads at once, each ended with a
# sync flush (byte-aligned, not final) and the last followed by an empty final block: back to back they are one
# valid deflate stream (as pigz makes), at the cost of each block starting without the previous one's history
# (a few bytes a megabyte). zipfile still works out the sizes and CRC and writes the headers.

DEFLATE_BLOCK = 4 << 20
DEFLATE_THREADS = 2


class _ParallelDeflate:
    """Stands in for the zlib compressor of one zipfile entry: compress() and flush(), as zipfile calls them."""

    def __init__(self, level: int, pool) -> None:
        self.level, self.pool = level, pool
        self.buffer = bytearray()
        self.pending: list = []

    def _submit(self, data) -> None:
        self.pending.append(self.pool.submit(_deflate_block, bytes(data), self.level))

    def _done(self, wait_for: int) -> bytes:
        out = []
        while self.pending and (len(self.pending) > wait_for or self.pending[0].done()):
            out.append(self.pending.pop(0).result())
        return b"".join(out)

    def compress(self, data) -> bytes:
        self.buffer += data
        while len(self.buffer) >= DEFLATE_BLOCK:
            self._submit(self.buffer[:DEFLATE_BLOCK])
            del self.buffer[:DEFLATE_BLOCK]
        return self._done(wait_for=2 * DEFLATE_THREADS)  # a few blocks in flight: memory stays bounded

    def flush(self) -> bytes:
        if self.buffer:
            self._submit(self.buffer)
            self.buffer = bytearray()
        return self._done(wait_for=0) + zlib.compressobj(self.level, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


def _deflate_block(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def deflate_in_parallel(handle, level: int, pool) -> None:
    """Make an entry opened with ZipFile.open(name, "w") deflate on the pool's threads (no-op if zipfile's
    internals are not as expected: it then compresses as usual, on one core)."""
    if getattr(handle, "_compressor", None) is not None and isinstance(handle._compressor, type(zlib.compressobj())):  # noqa: SLF001
        handle._compressor = _ParallelDeflate(level, pool)  # noqa: SLF001


# --- the package -------------------------------------------------------------------------------------


def _quoted_sheet_name(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _workbook_xml(sheets: Sequence[WorksheetData]) -> str:
    entries = "".join(
        f'<sheet name="{escape_attribute(s.name)}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, 1)
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape_text(_quoted_sheet_name(s.name))}!{ref}</definedName>"
        for i, s in enumerate(sheets)
        if (ref := autofilter_range(s))
    )
    names += "".join(  # the header row printed at the top of every page
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
        f"{escape_text(_quoted_sheet_name(s.name))}!$1:$1</definedName>"
        for i, s in enumerate(sheets)
        if s.freeze_header and s.columns
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<workbookPr/><bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/>'
        f"</bookViews><sheets>{entries}</sheets>"
        + (f"<definedNames>{names}</definedNames>" if names else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _content_types(n_sheets: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT_PREFIX}worksheet+xml"/>'
        for i in range(1, n_sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT_PREFIX}sheet.main+xml"/>{sheets}'
        f'<Override PartName="/xl/styles.xml" ContentType="{CT_PREFIX}styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT_PREFIX}sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'
    )


def _relationships(targets: Sequence[tuple[str, str]]) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>' for i, (kind, target) in enumerate(targets, 1)
    )
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return f'{declaration}<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'


def _core_xml(properties: Mapping[str, Any]) -> str:
    created = properties.get("created") or datetime.now(UTC)
    if isinstance(created, datetime) and created.tzinfo is not None:
        created = created.astimezone(UTC)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")

    def element(tag: str, key: str) -> str:
        value = properties.get(key)
        return f"<{tag}>{escape_text(str(value))}</{tag}>" if value else ""

    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        + element("dc:title", "title")
        + element("dc:subject", "subject")
        + element("dc:creator", "author")
        + element("cp:keywords", "keywords")
        + element("dc:description", "comments")
        + element("cp:lastModifiedBy", "author")
        + f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        + element("cp:category", "category")
        + element("cp:contentStatus", "status")
        + "</cp:coreProperties>"
    )


def _app_xml(properties: Mapping[str, Any]) -> str:
    extra = "".join(
        f"<{tag}>{escape_text(str(properties[key]))}</{tag}>"
        for tag, key in (("Manager", "manager"), ("Company", "company"))
        if properties.get(key)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties '
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>{extra}</Properties>"
    )


def write_workbook(
    target, sheets: Sequence[WorksheetData], properties: Mapping[str, Any] | None = None, *, compresslevel: int = 1
) -> None:
    """Write the workbook to target (a path or a binary file object), streaming each sheet into the zip.

    compresslevel 1 (zlib's fastest) makes files about a fifth larger than level 6 in a third of the time.
    """
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    properties = dict(properties or {})
    styles, strings = _Styles(), _SharedStrings()
    n = len(sheets)
    ws_rel = f"{REL_NS}/worksheet"
    with (
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive,
        ThreadPoolExecutor(DEFLATE_THREADS, thread_name_prefix="deflate") as pool,
    ):

        def put(name: str, text: str) -> None:
            archive.writestr(name, text.encode("utf-8"))

        def stream(name: str, chunks) -> None:
            with archive.open(name, "w") as handle:  # the archive's compression and level
                deflate_in_parallel(handle, compresslevel, pool)
                for chunk in chunks:
                    handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)

        put("[Content_Types].xml", _content_types(n))
        put(
            "_rels/.rels",
            _relationships(
                [
                    (f"{REL_NS}/officeDocument", "xl/workbook.xml"),
                    (
                        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                        "docProps/core.xml",
                    ),  # fmt: skip
                    (f"{REL_NS}/extended-properties", "docProps/app.xml"),
                ]
            ),
        )
        put("docProps/app.xml", _app_xml(properties))
        put("docProps/core.xml", _core_xml(properties))
        put("xl/workbook.xml", _workbook_xml(sheets))
        put(
            "xl/_rels/workbook.xml.rels",
            _relationships(
                [(ws_rel, f"worksheets/sheet{i}.xml") for i in range(1, n + 1)]
                + [(f"{REL_NS}/styles", "styles.xml"), (f"{REL_NS}/sharedStrings", "sharedStrings.xml")]
            ),
        )
        for i, sheet in enumerate(sheets, start=1):
            stream(f"xl/worksheets/sheet{i}.xml", _sheet_chunks(sheet, i == 1, styles, strings))
        stream("xl/sharedStrings.xml", strings.xml_chunks())
        put("xl/styles.xml", styles.xml())
