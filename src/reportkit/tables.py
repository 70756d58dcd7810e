"""Read a campaign's tables (CSV or Excel) and check every cell against a schema.

A table comes back as a DataFrame whose index is the spreadsheet row number (the header is
row 1, so the first record is row 2) and whose columns have their final types: text as
``str``, counts and money as ``int64`` (integer đồng, never float), dates as ``datetime64``
and flags as ``bool``. Every bad cell is collected, so one run names all of them.

Parsing is vectorised over whole columns: a campaign with a million activities is read in
seconds, not minutes.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .exceptions import DataError, DataProblem

__all__ = [
    "ACTIVITIES",
    "BUDGET",
    "CHANNELS",
    "UNITS",
    "UNIT_KINDS",
    "Column",
    "Schema",
    "find_table",
    "read_table",
]

#: How many bad cells of one column are listed before the rest are counted.
MAX_PROBLEMS_PER_COLUMN = 20


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


BUDGET = Schema(
    name="budget",
    key="line_id",
    total_labels=("tổng cộng", "tổng", "cộng"),
    label="content",
    columns=(
        Column("line_id", aliases=("stt",)),
        Column("content", aliases=("nội dung",)),
        Column("unit", aliases=("đvt", "đơn vị tính")),
        Column("quantity", "count", aliases=("số lượng",)),
        Column("unit_price", "money", aliases=("đơn giá",)),
        Column("amount", "money", required=False, nullable=True, aliases=("thành tiền",)),
        Column("note", required=False, nullable=True, aliases=("ghi chú",)),
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

_EXPECTED = {
    "text": "text",
    "count": "a whole number, 0 or more (like 12 or 1.000)",
    "money": "a whole amount in đồng, 0 or more (like 300.000)",
    "date": "a date like 2021-05-17 or 17/5/2021",
    "flag": "true or false (also: có/không, x/empty, 1/0)",
}
_TRUE = {"true", "1", "yes", "x", "có", "co", "y"}
_FALSE = {"false", "0", "no", "không", "khong", "n"}
_INTEGER = r"-?(?:\d{1,3}(?:\.\d{3})+|\d+)"

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
        Listing every missing column and bad cell, each with file, row and column.
    """
    raw = _read_raw(path)
    raw = _rename_columns(raw, path, schema)
    totals = pd.DataFrame()
    if schema.total_labels:
        is_total = (raw[schema.key] == "") & raw[schema.label].str.lower().str.strip(" :").isin(
            schema.total_labels
        )
        raw, totals = raw[~is_total], raw[is_total]
    problems: list[DataProblem] = []
    columns: dict[str, pd.Series] = {}
    for column in schema.columns:
        if column.name not in raw:
            columns[column.name] = _empty(column, raw.index)
            continue
        values, bad = _parse(raw[column.name], column)
        problems += _problems(path, column, raw[column.name], bad)
        columns[column.name] = values
    table = pd.DataFrame(columns, index=raw.index)
    if schema.key:
        problems += _duplicates(path, table[schema.key], schema.key)
    if problems:
        raise DataError(problems)
    table.attrs["totals"] = totals.to_dict("index")
    return table


def _read_raw(path: Path) -> pd.DataFrame:
    """Every cell as NFC text, empty cells as ``""``, indexed by spreadsheet row."""
    if not path.is_file():
        raise DataError(DataProblem(path, "a file here (CSV or .xlsx)", found="nothing"))
    try:
        if path.suffix.lower() == ".xlsx":
            raw = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            raw = _read_csv(path)
    except DataError:
        raise
    except Exception as error:  # pandas and openpyxl raise many kinds for a malformed file
        raise DataError(
            DataProblem(path, f"a readable {path.suffix or 'CSV'} table", found=str(error))
        ) from None
    raw.columns = [_normalise(str(c)) for c in raw.columns]
    raw.index = pd.RangeIndex(2, 2 + len(raw), name="row")
    raw = raw.fillna("").astype(str)
    for name in raw.columns:
        raw[name] = _nfc(raw[name].str.strip())
    return raw[(raw != "").any(axis=1)]  # blank lines keep their row numbers but are no records


def _nfc(cells: pd.Series) -> pd.Series:
    """Cells in NFC: Vietnamese typed on another keyboard may come decomposed (NFD).

    Only the distinct values that need it are normalised, so a million cells holding a few
    distinct notes cost a few calls, not a million.
    """
    changes = {
        value: unicodedata.normalize("NFC", value)
        for value in cells[~cells.str.isascii()].unique()
        if not unicodedata.is_normalized("NFC", value)
    }
    return cells.replace(changes) if changes else cells


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV in UTF-8 (with or without Excel's byte-order mark) or in Windows-1258.

    Excel on a Vietnamese Windows saves "CSV (Comma delimited)" in code page 1258, whose
    tone marks are combining characters: the text is normalised to NFC afterwards.
    """
    data = utf8 = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        try:
            text = unicodedata.normalize("NFC", data.decode("cp1258"))
            utf8 = text.encode("utf-8")
        except UnicodeDecodeError:
            raise DataError(
                DataProblem(
                    path,
                    "a CSV file in UTF-8 (in Excel: Save As → 'CSV UTF-8 (Comma delimited)') "
                    "or in Windows-1258",
                    found=f"bytes that are neither, from byte {error.start}",
                )
            ) from None
    fast = _read_csv_arrow(utf8)
    if fast is not None:
        return fast
    return pd.read_csv(
        io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False, skipinitialspace=True
    )


_BOM = b"\xef\xbb\xbf"


def _read_csv_arrow(data: bytes) -> pd.DataFrame | None:
    """The same table read by Arrow's CSV reader, in C++ straight into Arrow strings (a
    million activities in a fraction of a second, against seconds for pandas' parser and its
    conversion of Python strings); ``None`` for a file it would read differently from pandas
    (blank lines, whose row numbers must count; a space before a quote; a repeated header;
    a row with fewer cells), which pandas then reads."""
    import pyarrow as pa
    from pyarrow import csv

    if b"\n\n" in data or b"\n\r\n" in data or b', "' in data or not data or data.isspace():
        return None
    buffer = pa.py_buffer(data)  # no copy of the file, nor of it without its byte-order mark
    if data.startswith(_BOM):
        buffer = buffer.slice(len(_BOM))
    try:
        with csv.open_csv(buffer, read_options=csv.ReadOptions(block_size=1 << 16)) as probe:
            names = probe.schema.names
        if len(set(names)) != len(names):
            return None
        table = csv.read_csv(
            buffer,
            parse_options=csv.ParseOptions(newlines_in_values=True),
            convert_options=csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return table.to_pandas()


def _normalise(header: str) -> str:
    return " ".join(unicodedata.normalize("NFC", header).strip().lower().split())


def _rename_columns(raw: pd.DataFrame, path: Path, schema: Schema) -> pd.DataFrame:
    names = {}
    for column in schema.columns:
        for header in (column.name, *column.aliases):
            names[header] = column.name
    renamed = raw.rename(columns=lambda h: names.get(h, h))
    missing = [c.name for c in schema.columns if c.required and c.name not in renamed]
    if missing:
        expected = ", ".join(schema.column_names)
        raise DataError(
            [
                DataProblem(path, f"a column '{name}' (the {schema.name} table has columns {expected})")
                for name in missing
            ]
        )
    return renamed


def _empty(column: Column, index: pd.Index) -> pd.Series:
    if column.kind in ("count", "money"):
        return pd.Series(0, index=index, dtype="int64")
    if column.kind == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    return pd.Series("", index=index, dtype=object)


def _parse(cells: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of the cells that are not what the column expects."""
    empty = cells == ""
    bad = empty & (not column.nullable)
    if column.kind in ("count", "money"):
        # Excel may give a whole number as "300000.0"; "300.000" is Vietnamese grouping.
        text = cells.where(~cells.str.fullmatch(r"\d+\.0"), cells.str.slice(0, -2))
        well_formed = text.str.fullmatch(_INTEGER)
        digits = text.where(well_formed & ~empty, "0").str.replace(".", "", regex=False)
        values = digits.astype("int64")
        bad |= (~well_formed & ~empty) | (values < 0)
        return values, bad
    if column.kind == "date":
        values = _parse_dates(cells)
        bad |= values.isna() & ~empty
        return values, bad
    if column.kind == "flag":
        lowered = cells.str.lower()
        bad |= ~lowered.isin(_TRUE | _FALSE) & ~empty
        return lowered.isin(_TRUE), bad
    if column.kind == "choice":
        bad |= ~cells.isin(column.choices) & ~empty
    return cells, bad


def _parse_dates(cells: pd.Series) -> pd.Series:
    # ISO (and Excel's "2021-05-17 00:00:00") or the Vietnamese day/month/year.
    iso = pd.to_datetime(cells.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    dmy = pd.to_datetime(cells, format="%d/%m/%Y", errors="coerce")
    iso_shaped = cells.str.fullmatch(r"\d{4}-\d{2}-\d{2}( 00:00:00)?")
    return iso.where(iso_shaped, dmy).astype("datetime64[ns]")


def _expected(column: Column) -> str:
    if column.kind == "choice":
        return "one of: " + ", ".join(column.choices)
    what = _EXPECTED[column.kind]
    return what if column.nullable else f"{what}; it must not be empty"


def _problems(path: Path, column: Column, cells: pd.Series, bad: pd.Series) -> list[DataProblem]:
    rows = bad[bad].index
    problems = [
        DataProblem(path, _expected(column), row=int(row), column=column.name, found=cells[row])
        for row in rows[:MAX_PROBLEMS_PER_COLUMN]
    ]
    if len(rows) > MAX_PROBLEMS_PER_COLUMN:
        problems.append(
            DataProblem(
                path,
                f"and {len(rows) - MAX_PROBLEMS_PER_COLUMN} more rows like these",
                column=column.name,
            )
        )
    return problems


def _duplicates(path: Path, keys: pd.Series, name: str) -> list[DataProblem]:
    repeated = keys[keys.duplicated(keep="first") & (keys != "")]
    first_row = keys.reset_index().drop_duplicates(name).set_index(name)["row"]
    return [
        DataProblem(
            path,
            f"a unique {name}; {key!r} is already used in row {int(first_row[key])}",
            row=int(row),
            column=name,
        )
        for row, key in list(repeated.items())[:MAX_PROBLEMS_PER_COLUMN]
    ]


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
