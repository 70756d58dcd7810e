"""The full list of a report's activities as an Excel workbook, written beside the report.

The report's appendix lists at most a few hundred activities so that it stays readable;
``activities.xlsx`` holds all of them, with the columns the appendix shows.

The sheets are written here, column-wise with Arrow's string kernels, as the Office Open XML
that Excel itself reads (inline strings, one style per kind of cell), not cell by cell in
Python: XlsxWriter in its constant-memory mode took about 100 s of CPU for a million
activities (12 million cells, some 9 µs each) and openpyxl about 195 s; this takes a few
seconds (bench/workbook.py). A list longer than one sheet holds (1,048,576 rows, the header
included) continues on further sheets, "Hoạt động (2)" and on, each with the header and the
running number STT: the file stays whole and opens in Excel and LibreOffice as it is, which a
CSV of more rows than a sheet holds would not.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

from .tables import CHANNELS

__all__ = ["SHEET_ROWS", "write_activities"]

#: Activities on one sheet: Excel's 1,048,576 rows less the header.
SHEET_ROWS = 1_048_575
SHEET = "Hoạt động"
#: Rows turned into XML at a time: bounds the memory a million activities take.
CHUNK_ROWS = 100_000

#: Header, width in characters and kind of each column, as the appendix shows them.
COLUMNS = (
    ("STT", 6, "number"),
    ("Mã hoạt động", 12, "text"),
    ("Ngày", 11, "date"),
    ("Đơn vị", 40, "text"),
    ("Địa bàn", 20, "text"),
    ("Hình thức", 30, "text"),
    ("Số lượng", 9, "number"),
    ("Lượt người", 11, "number"),
    ("Kinh phí (đồng)", 15, "money"),
    ("Dòng dự trù", 11, "text"),
    ("Minh chứng", 30, "text"),
    ("Ghi chú", 30, "text"),
)
#: The cell style (index into styles.xml's cellXfs) of each kind; 1 is the header's.
STYLE = {"text": 0, "number": 0, "header": 1, "date": 2, "money": 3}
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel counts days from here
_NOT_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]"  # XML 1.0 cannot hold these (RE2 syntax)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Times New Roman"/></font>'
    '<font><b/><sz val="11"/><name val="Times New Roman"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _listed(activities: pd.DataFrame, units: pd.DataFrame):
    """The columns of :data:`COLUMNS` as an Arrow table, sorted by date; nulls are empty cells."""
    import pyarrow as pa

    names = units.set_index("unit_id")
    listed = activities.sort_values(["date", "activity_id"], kind="stable")
    unit = listed["unit_id"]
    days = (listed["date"].dt.normalize() - _EXCEL_EPOCH).dt.days
    columns = [
        pd.RangeIndex(1, len(listed) + 1).to_numpy(),
        listed["activity_id"],
        days,
        unit.map(names["name"]),
        unit.map(names["district"]),
        listed["channel"].map(CHANNELS),
        listed["quantity"],
        listed["reach"],
        listed["cost_vnd"],
        listed["budget_line_id"],
        listed["evidence"],
        listed["note"],
    ]
    arrays = []
    for (_, _, kind), values in zip(COLUMNS, columns, strict=True):
        series = pd.Series(values).reset_index(drop=True)
        if kind == "text":
            arrays.append(pa.array(series.astype("str"), type=pa.string(), from_pandas=True))
        else:
            arrays.append(pa.array(pd.to_numeric(series), from_pandas=True))
    return pa.table(arrays, names=[title for title, _, _ in COLUMNS])


def _cells(column, kind: str):
    """Each value of ``column`` as the XML of its cell; an empty value is an empty cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == "text":
        text = column
        if pc.any(pc.match_substring_regex(column, _NOT_XML)).as_py():
            text = pc.replace_substring_regex(text, _NOT_XML, "")
        for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            if pc.any(pc.match_substring(text, char)).as_py():  # a scan is cheaper than a copy
                text = pc.replace_substring(text, char, entity)
        cell = pc.binary_join_element_wise('<c t="inlineStr"><is><t>', text, "</t></is></c>", "")
        empty = pc.or_kleene(pc.is_null(column), pc.equal(column, ""))
    else:
        style = STYLE[kind]
        cell = pc.binary_join_element_wise(
            f'<c s="{style}"><v>' if style else "<c><v>",
            pc.cast(column, pa.string()),
            "</v></c>",
            "",
        )
        empty = pc.is_null(column)
    return pc.if_else(pc.fill_null(empty, True), pa.scalar("<c/>", pa.string()), cell)


def _rows_xml(table) -> memoryview:
    """The ``<row>`` elements of ``table``'s rows, as one UTF-8 buffer."""
    import pyarrow.compute as pc

    cells = [_cells(table.column(i).combine_chunks(), kind) for i, (_, _, kind) in enumerate(COLUMNS)]
    rows = pc.binary_join_element_wise("<row>", *cells, "</row>", "")
    # A string array's data buffer is its values end to end: the rows joined, without a copy.
    import numpy as np

    if rows.null_count:
        raise AssertionError("a row of the activity list became null")  # every cell has XML
    _, offsets, data = rows.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int32)[rows.offset : rows.offset + len(rows) + 1]
    start, stop = (int(offsets[0]), int(offsets[-1])) if len(rows) else (0, 0)
    return memoryview(data.slice(start, stop - start)) if len(rows) else memoryview(b"")


def _sheet_head() -> str:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"{_col_style(kind)}/>'
        for i, (_, width, kind) in enumerate(COLUMNS, start=1)
    )
    header = "".join(
        f'<c s="{STYLE["header"]}" t="inlineStr"><is><t>{escape(title)}</t></is></c>'
        for title, _, _ in COLUMNS
    )
    # the header row stays in view while the list scrolls
    pane = (
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    )
    return (
        f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f"<sheetData><row>{header}</row>"
    )


def _col_style(kind: str) -> str:
    return f' style="{STYLE[kind]}"' if STYLE[kind] else ""


def write_activities(
    activities: pd.DataFrame, units: pd.DataFrame, path: Path, *, sheet_rows: int = SHEET_ROWS
) -> Path:
    """Write ``activities`` (checked, possibly scoped) to ``path`` with Vietnamese headers.

    ``sheet_rows`` activities go on each sheet (Excel's limit; smaller in tests).
    """
    table = _listed(activities, units)
    total = table.num_rows
    firsts = range(0, max(total, 1), sheet_rows)
    names = [SHEET if n == 0 else f"{SHEET} ({n + 1})" for n in range(len(firsts))]
    # zlib's fastest level: the sheets are mostly markup, and it still packs them about 8 to 1.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", _content_types(len(names)))
        package.writestr(
            "_rels/.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        package.writestr("xl/workbook.xml", _workbook(names))
        package.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(names)))
        package.writestr("xl/styles.xml", _STYLES)
        for number, first in enumerate(firsts, start=1):
            with package.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as sheet:
                sheet.write(_sheet_head().encode())
                stop = min(first + sheet_rows, total)
                chunks = (
                    table.slice(start, min(CHUNK_ROWS, stop - start))
                    for start in range(first, stop, CHUNK_ROWS)
                )
                for xml in _one_ahead(_rows_xml, chunks):
                    sheet.write(xml)
                sheet.write(b"</sheetData></worksheet>")
    return path


def _one_ahead(function, items):
    """``function(item)`` for each item, the next one made on a thread while the caller uses
    this one: the rows' XML is made by Arrow and compressed by zlib, and both let go of the
    GIL, so the two overlap; two chunks at most are held at once."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        coming = None
        for item in items:
            made = pool.submit(function, item)
            if coming is not None:
                yield coming.result()
            coming = made
        if coming is not None:
            yield coming.result()


def _content_types(sheets: int) -> str:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{kind}.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/>{overrides}</Types>'
    )


def _workbook(names: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(names, start=1)
    )
    return f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'


def _workbook_rels(sheets: int) -> str:
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    styles = f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    return f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{links}{styles}</Relationships>'
