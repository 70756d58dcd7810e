"""Read a campaign's tables (CSV or Excel) as offices save them, and check every cell.

A CSV may be separated by ``,``, ``;`` (Excel where the decimal mark is a comma, as on a
computer set to Vietnamese) or a tab, whichever splits one of its first rows into the
table's header; it may be in UTF-8, with or without a byte-order mark, or in Windows-1258.
In CSV and .xlsx alike, a title line or two may stand above the header: the header is the
first row holding the schema's column names (or their Vietnamese headers), and blank rows
are no records.

A table comes back as a DataFrame whose index is the row number Excel shows (with the
header on row 1 the first record is row 2; each title line above the header adds one) and
whose columns have their final types: text as ``str``, counts and money as ``int64``
(integer đồng, never float), dates as ``datetime64`` and flags as ``bool``. Every bad cell
is collected, so one run names all of them.

A UTF-8 CSV is read by Arrow's reader straight from its bytes, and each column is cleaned and
checked on Arrow arrays by :mod:`reportkit.cells`: a campaign with a million activities is
read and checked in half a second.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import cells, charsets
from .cells import MAX_PROBLEMS_PER_COLUMN
from .exceptions import DataError, DataProblem
from .i18n import _, ngettext
from .text import clean, clean_array, restore_array

__all__ = [
    "ACTIVITIES",
    "BUDGET",
    "CHANNELS",
    "MAX_PROBLEMS_PER_COLUMN",
    "UNITS",
    "UNIT_KINDS",
    "Column",
    "CsvText",
    "Schema",
    "find_header",
    "find_table",
    "read_csv_text",
    "read_table",
]

#: How many rows are searched for the header (title lines and blank rows may come first).
HEADER_ROWS = 10
#: The separators a CSV may use.
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, the other headers it may have, and its kind.

    ``kind`` is one of ``text``, ``count`` (whole number, 0 or more, ``1.000`` allowed),
    ``money`` (whole đồng, 0 or more, ``300.000`` allowed), ``date``, ``flag`` (true/false)
    or ``choice`` (one of ``choices``).
    """

    name: str
    kind: str = "text"
    required: bool = True  # the column must be there
    nullable: bool = False  # a cell may be empty
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schema:
    """What a table must hold; ``key`` names the column whose values must be unique."""

    name: str
    columns: tuple[Column, ...]
    key: str | None = None
    #: A row with an empty key and one of these labels in ``label`` is a pasted total row
    #: ("Tổng cộng"): it is kept out of the records, its cells in ``DataFrame.attrs["totals"]``.
    total_labels: tuple[str, ...] = ()
    label: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @cached_property
    def headers(self) -> dict[str, str]:
        """Each accepted header, normalised, and the column it names."""
        return {_normalise(header): c.name for c in self.columns for header in (c.name, *c.aliases)}

    def column_of(self, header: str) -> str | None:
        """The column a header cell names (``"Số lượng"`` → ``"quantity"``), or ``None``."""
        return self.headers.get(_normalise(header))


BUDGET = Schema(
    name="budget",
    key="line_id",
    total_labels=("tổng cộng", "tổng", "cộng"),
    label="content",
    columns=(
        Column("line_id", aliases=("STT",)),
        Column("content", aliases=("Nội dung",)),
        Column("unit", aliases=("ĐVT", "Đơn vị tính")),
        Column("quantity", "count", aliases=("Số lượng",)),
        Column("unit_price", "money", aliases=("Đơn giá",)),
        Column("amount", "money", required=False, nullable=True, aliases=("Thành tiền",)),
        Column("note", required=False, nullable=True, aliases=("Ghi chú",)),
    ),
)

#: Channels of an activity, with the words the report uses for them.
CHANNELS: dict[str, str] = {
    "banner": "Băng rôn",
    "pano": "Pa-nô",
    "poster": "Áp phích",
    "web_article": "Tin, bài trên trang thông tin điện tử",
    "radio": "Phát thanh",
    "tv": "Truyền hình",
    "loudspeaker": "Loa truyền thanh cơ sở",
    "social_media": "Mạng xã hội",
    "sms": "Tin nhắn SMS",
    "meeting": "Hội nghị, mít-tinh",
    "online_event": "Hội thảo, sự kiện trực tuyến",
    "internal_message": "Thông báo nội bộ",
    "other": "Hình thức khác",
}

#: Roles of the units that carry out a campaign, with the words the report uses for them.
UNIT_KINDS: dict[str, str] = {
    "department_division": "Phòng, đơn vị thuộc Sở",
    "district_culture_office": "Phòng Văn hóa và Thông tin cấp huyện",
    "district_culture_centre": "Trung tâm Văn hóa - Thể thao cấp huyện",
    "district_radio_tv": "Đài Truyền thanh - Truyền hình cấp huyện",
    "enterprise": "Doanh nghiệp bưu chính, viễn thông",
    "press": "Cơ quan báo chí",
    "other": "Đơn vị khác",
}

UNITS = Schema(
    name="units",
    key="unit_id",
    columns=(
        Column("unit_id"),
        Column("name"),
        Column("kind", "choice", choices=tuple(UNIT_KINDS)),
        Column("district", nullable=True),
        Column("target", "flag"),
        Column("reported_on", "date", nullable=True),
    ),
)

ACTIVITIES = Schema(
    name="activities",
    key="activity_id",
    columns=(
        Column("activity_id"),
        Column("unit_id"),
        Column("date", "date"),
        Column("channel", "choice", choices=tuple(CHANNELS)),
        Column("quantity", "count"),
        Column("reach", "count", nullable=True),
        Column("cost_vnd", "money", nullable=True),
        Column("budget_line_id", nullable=True),
        Column("evidence", nullable=True),
        Column("note", required=False, nullable=True),
    ),
)

SUFFIXES = (".csv", ".xlsx")


def find_table(folder: Path, stem: str) -> Path | None:
    """The file holding table ``stem`` in ``folder`` (``budget.csv`` or ``budget.xlsx``)."""
    for suffix in SUFFIXES:
        path = folder / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


def read_table(path: Path, schema: Schema) -> pd.DataFrame:
    """Read ``path`` and return its records typed by ``schema``, indexed by spreadsheet row.

    Raises
    ------
    DataError
        Listing every bad cell, each with file, row and column; or one problem saying what
        was found when the file cannot be read as a table of ``schema``.
    """
    raw, rows = _read_raw(path, schema)
    totals: dict[int, dict[str, str]] = {}
    if schema.total_labels and schema.key in raw and schema.label in raw:
        label = pc.utf8_trim(pc.utf8_lower(raw[schema.label]), " :")
        is_total = pc.and_(pc.equal(raw[schema.key], ""), pc.is_in(label, pa.array(schema.total_labels)))
        total = is_total.to_numpy(zero_copy_only=False)
        if total.any():
            totals = {
                int(rows[i]): {name: raw[name][int(i)].as_py() for name in raw} for i in np.flatnonzero(total)
            }
            raw = {name: column.filter(pc.invert(is_total)) for name, column in raw.items()}
            rows = rows[~total]
    present = [column for column in schema.columns if column.name in raw]
    with ThreadPoolExecutor(os.cpu_count()) as pool:  # each column on its own, side by side (see _read_raw)
        parsed = dict(zip(present, pool.map(lambda c: cells.parse(raw[c.name], c), present), strict=True))
    problems: list[DataProblem] = []
    columns: dict[str, pd.Series] = {}
    for column in schema.columns:
        if column not in parsed:
            columns[column.name] = _empty(column, rows)
            continue
        values, bad = parsed[column]
        problems += cells.column_problems(path, column, raw[column.name], rows, bad)
        columns[column.name] = pd.Series(values, index=rows, copy=False)
    if schema.key and schema.key in raw:
        problems += cells.duplicates(path, raw[schema.key], rows, schema.key)
    if problems:
        raise DataError(problems)
    table = pd.DataFrame(columns, index=rows, copy=False)
    table.attrs["totals"] = totals
    return table


@dataclass(frozen=True)
class CsvText:
    """A CSV file's text and the way it was saved: encoding, separator, line end.

    Cells are quoted with ``"``, as Excel, LibreOffice and Google Sheets quote them.
    """

    text: str
    encoding: str  # "utf-8-sig" (with Excel's byte-order mark), "utf-8" or "cp1258"
    delimiter: str
    line_end: str

    def rows(self, limit: int | None = None) -> list[list[str]]:
        """The first ``limit`` records (all without one), each a list of its cells."""
        # The first lines only (four per record, for cells that hold line breaks): a million
        # activities are never copied to find a header.
        text = self.text if limit is None else _head(self.text, 4 * limit)
        reader = csv.reader(io.StringIO(text), delimiter=self.delimiter)
        return list(itertools.islice(reader, limit))


def read_csv_text(path: Path, schema: Schema) -> CsvText:
    """Decode a CSV file of ``schema`` and detect its separator from its first lines.

    UTF-8 (with or without Excel's byte-order mark) or Windows-1258: Excel on a Vietnamese
    Windows saves "CSV (Comma delimited)" in code page 1258, whose tone marks are combining
    characters, so that text is normalised to NFC (see :mod:`reportkit.charsets`).

    Raises
    ------
    DataError
        The bytes are in TCVN3 or VNI (one problem naming the encoding and how to convert it),
        or hold a byte that is no character (named by its offset, row and column).
    """
    data = path.read_bytes()
    decoded = charsets.decode(data)
    if isinstance(decoded, charsets.StrayByte):  # its column, from the header, and its cell
        readable = data.decode("utf-8", errors="replace")
        delimiter = _delimiter(readable, schema)
        rows = CsvText(readable, "utf-8", delimiter, "\n").rows(HEADER_ROWS)
        header = _scan(rows, schema)[0]
        raise DataError(
            charsets.problem(
                path, charsets.decode(data, delimiter), rows[header] if header is not None else []
            )
        )
    if isinstance(decoded, charsets.LegacyEncoding):
        raise DataError(charsets.problem(path, decoded))
    text, encoding = decoded.text, decoded.encoding
    line_end = "\r\n" if "\r\n" in text[:65536] else "\n"
    return CsvText(text, encoding, _delimiter(text, schema), line_end)


def _delimiter(text: str, schema: Schema) -> str:
    """The separator that splits the first rows into the table's header.

    The header is the best evidence there is: its cells are the schema's column names,
    which never hold a separator, so exactly one of :data:`DELIMITERS` yields them however
    many commas the records hold and whatever title lines stand above. When none does,
    the one that finds most of the columns is kept, so the message names what is missing.
    """
    head = _head(text, 4 * HEADER_ROWS)
    scores = []
    for delimiter in DELIMITERS:
        rows = list(itertools.islice(csv.reader(io.StringIO(head), delimiter=delimiter), HEADER_ROWS))
        index, found = _scan(rows, schema)
        complete = len(found) == len([c for c in schema.columns if c.required])
        scores.append((complete, len(found), -(index or 0), -DELIMITERS.index(delimiter)))
    return DELIMITERS[-max(scores)[3]]


def _head(text: str, lines: int) -> str:
    """The first ``lines`` lines of ``text``."""
    end = -1
    for _line in range(lines):
        end = text.find("\n", end + 1)
        if end < 0:
            return text
    return text[: end + 1]


def find_header(path: Path, rows: Sequence[Sequence[str]], schema: Schema) -> int:
    """The index in ``rows`` of the header: the first row holding every required column.

    Raises
    ------
    DataError
        One problem saying what the first rows hold and what to do: no header within
        :data:`HEADER_ROWS` rows, or a header that lacks some required columns.
    """
    required = [c.name for c in schema.columns if c.required]
    best, best_found = _scan(rows, schema)
    if best is not None and best_found == set(required):
        return best
    columns = ", ".join(required)
    if best is not None and len(best_found) >= 2:  # a header row, with columns missing
        missing = [name for name in required if name not in best_found]
        expected = ngettext(
            "a column {names} (the {table} table has columns {columns})",
            "the columns {names} (the {table} table has columns {columns})",
            len(missing),
        ).format(
            names=", ".join(f"'{name}'" for name in missing),
            table=schema.name,
            columns=", ".join(schema.column_names),
        )
        found_text = " | ".join(str(cell).strip() for cell in rows[best])
        raise DataError(DataProblem(path, expected, row=best + 1, found=found_text))
    expected = _(
        "a header row with the columns {columns} (or their Vietnamese headers, such as {aliases}) "
        "in the first {n} rows; found {found}. Save the table as .xlsx or as CSV separated by ',', ';' "
        "or tab, with one row of column names above its records (a title line or two above it is fine)"
    ).format(
        columns=columns,
        aliases=", ".join(c.aliases[0] for c in schema.columns if c.required and c.aliases) or "-",
        n=HEADER_ROWS,
        found=_describe(rows) or _("no rows at all"),
    )
    raise DataError(DataProblem(path, expected))


def _columns(row: Sequence[str], schema: Schema) -> set[str]:
    """The required columns that the cells of ``row`` name."""
    return {schema.column_of(str(cell)) for cell in row} & {c.name for c in schema.columns if c.required}


def _scan(rows: Sequence[Sequence[str]], schema: Schema) -> tuple[int | None, set[str]]:
    """The first row of the first :data:`HEADER_ROWS` naming the most required columns (the
    header, when it names them all), and the columns it names; ``None`` if no row names one."""
    required = {c.name for c in schema.columns if c.required}
    best_index, best = None, set()
    for index, row in enumerate(rows[:HEADER_ROWS]):
        found = _columns(row, schema)
        if len(found) > len(best):
            best_index, best = index, found
        if found == required:
            break
    return best_index, best


def _describe(rows: Sequence[Sequence[str]], limit: int = 3, width: int = 60) -> str:
    """The first non-blank rows, shortened: what a person needs to see why it was misread."""
    shown = []
    for index, row in enumerate(rows[:HEADER_ROWS]):
        cells = [str(cell).strip() for cell in row]
        if any(cells):
            text = " | ".join(cells)
            text = text if len(text) <= width else text[: width - 1] + "…"
            shown.append(_("row {row}: '{cells}'").format(row=index + 1, cells=text))
        if len(shown) == limit:
            break
    return "; ".join(shown)


def _read_raw(path: Path, schema: Schema) -> tuple[dict[str, pa.Array], pd.Index]:
    """Every column of the records as an Arrow array of NFC text, empty cells as ``""``, and
    the spreadsheet row of each record.

    Columns are named by the schema (a Vietnamese header becomes its column's name; of two
    headers naming one column the first is kept). Blank lines keep their row numbers but are
    no records.
    """
    if not path.is_file():
        raise DataError(DataProblem(path, _("a file here (CSV or .xlsx)"), found=_("nothing")))
    is_csv = path.suffix.lower() != ".xlsx"
    try:
        table, header = _read_csv(path, schema) if is_csv else _read_xlsx(path, schema)
    except DataError:
        raise
    except Exception as error:  # Arrow, pandas and openpyxl raise many kinds for a malformed file
        raise DataError(
            DataProblem(
                path,
                _("a readable {kind} table").format(kind=path.suffix or "CSV"),
                found=str(error),
            )
        ) from None
    raw: dict[str, pa.Array] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        normalised = _normalise(str(name))
        # One spelling of every name before anything is compared or grouped (reportkit.text);
        # a CSV's apostrophe that keeps a cell from running as a formula is taken off.
        raw.setdefault(schema.headers.get(normalised, normalised), column)

    def cleaned(column: pa.ChunkedArray) -> pa.Array:
        column = clean_array(column.combine_chunks())
        return restore_array(column) if is_csv else column

    # Arrow's kernels let go of the GIL: the columns are cleaned side by side, in threads.
    with ThreadPoolExecutor(os.cpu_count()) as pool:
        raw = dict(zip(raw, pool.map(cleaned, raw.values()), strict=True))
    # The header is spreadsheet row header + 1, so the first record is row header + 2.
    rows = pd.RangeIndex(header + 2, header + 2 + table.num_rows, name="row")
    filled = [pc.not_equal(column, "") for column in raw.values()]
    keep = functools.reduce(pc.or_, filled) if filled else None
    if keep is not None and not pc.all(keep).as_py():
        raw = {name: column.filter(keep) for name, column in raw.items()}
        rows = rows[keep.to_numpy(zero_copy_only=False)]
    return raw, rows


def _read_xlsx(path: Path, schema: Schema) -> tuple[pa.Table, int]:
    """The records below the header of the first sheet, and the header's index (row - 1)."""
    cells = pd.read_excel(path, dtype=str, header=None, keep_default_na=False, engine="openpyxl")
    header = find_header(path, cells.head(HEADER_ROWS).values.tolist(), schema)
    return _arrow_text(cells.iloc[header + 1 :], list(cells.iloc[header])), header


def _arrow_text(frame: pd.DataFrame, names: list) -> pa.Table:
    """The cells of ``frame`` as an Arrow table of text, empty cells as ``""``."""
    columns = [frame.iloc[:, i].fillna("").astype(str) for i in range(frame.shape[1])]
    return pa.Table.from_arrays(
        [pa.array(column, pa.string()) for column in columns], names=[str(name) for name in names]
    )


def _read_csv(path: Path, schema: Schema) -> tuple[pa.Table, int]:
    """The records below the header of a CSV, and the header's index (row - 1).

    A file in UTF-8 is read by Arrow from its own bytes, and only its first lines are
    decoded to find the header; anything else (Windows-1258, a stray byte, a layout Arrow
    reads differently) goes the long way: the whole file decoded by
    :func:`read_csv_text`, whose messages name the offending byte.
    """
    data = path.read_bytes()
    head = _decoded_head(data, 4 * HEADER_ROWS)
    if head is not None:
        delimiter = _delimiter(head, schema)
        rows = CsvText(head, "utf-8", delimiter, "\n").rows(HEADER_ROWS)
        with contextlib.suppress(DataError):  # the long way says why, as it always has
            header = find_header(path, rows, schema)
            fast = _read_csv_arrow(data, delimiter, header)
            if fast is not None:
                return fast, header
    source = read_csv_text(path, schema)
    header = find_header(path, source.rows(HEADER_ROWS), schema)
    # Text from Windows-1258 is re-encoded for Arrow.
    fast = _read_csv_arrow(source.text.encode("utf-8"), source.delimiter, header)
    if fast is not None:
        return fast, header
    records = pd.read_csv(
        io.StringIO(source.text),
        sep=source.delimiter,
        skiprows=header,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        skipinitialspace=True,
    )
    return _arrow_text(records, list(records.columns)), header


_BOM = b"\xef\xbb\xbf"


def _decoded_head(data: bytes, lines: int) -> str | None:
    """The first ``lines`` lines of a file in UTF-8, or ``None`` when they are not UTF-8."""
    end = -1
    for _line in range(lines):
        end = data.find(b"\n", end + 1)
        if end < 0:
            end = len(data)
            break
    try:
        return data[: end + 1].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _read_csv_arrow(data: bytes, delimiter: str = ",", skip_rows: int = 0) -> pa.Table | None:
    """The same table read by Arrow's CSV reader, in C++ straight into Arrow strings (a
    million activities in a fraction of a second, against seconds for pandas' parser);
    ``None`` for a file it would read differently from pandas (blank lines, whose row
    numbers must count; a space before a quote; a repeated header; a row with fewer cells;
    bytes that are not UTF-8), which pandas then reads. ``skip_rows`` lines of titles above
    the header are skipped."""
    from pyarrow import csv

    quoted = b'"' in data  # most files quote nothing: no search for quoted line breaks
    if not data or data.isspace() or (quoted and f'{delimiter} "'.encode() in data):
        return None
    buffer = pa.py_buffer(data)  # no copy of the file, nor of it without its byte-order mark
    if data.startswith(_BOM):
        buffer = buffer.slice(len(_BOM))
    # A blank line is read as a row of one empty cell, which a table of several columns
    # refuses (pandas reads it then); in a table of one column it is a blank record.
    parse = csv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted, ignore_empty_lines=False)
    try:
        options = csv.ReadOptions(block_size=1 << 16, skip_rows=skip_rows)
        with csv.open_csv(buffer, read_options=options, parse_options=parse) as probe:
            names = probe.schema.names
        if len(set(names)) != len(names):
            return None
        return csv.read_csv(
            buffer,
            read_options=csv.ReadOptions(skip_rows=skip_rows),
            parse_options=parse,
            convert_options=csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _normalise(header: str) -> str:
    return " ".join(clean(header).lower().split())


def _empty(column: Column, index: pd.Index) -> pd.Series:
    if column.kind in ("count", "money"):
        return pd.Series(0, index=index, dtype="int64")
    if column.kind == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    return pd.Series("", index=index, dtype=object)


def problems_where(
    path: Path, mask: pd.Series, column: str, expected: str, found: Iterable | None = None
) -> list[DataProblem]:
    """Problems for the rows of ``mask`` that are true; a helper for cross-column checks."""
    rows = mask[mask].index[:MAX_PROBLEMS_PER_COLUMN]
    values: Sequence = list(found[rows]) if found is not None else [None] * len(rows)
    return [
        DataProblem(path, expected, row=int(row), column=column, found=None if v is None else str(v))
        for row, v in zip(rows, values, strict=True)
    ]
