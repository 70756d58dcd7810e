"""The checks on Arrow find what the checks on pandas found: the same problems, in the same
order, with the same messages, and the same typed tables.

The reference below is the pandas implementation that reportkit used before its checks were
written on Arrow arrays (``reportkit.tables`` before issue 20), kept here only to compare
with: tables of random good and bad cells are written as CSV and read by both.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit.exceptions import DataError, DataProblem
from reportkit.i18n import _
from reportkit.tables import (
    ACTIVITIES,
    BUDGET,
    UNITS,
    Column,
    Schema,
    find_header,
    read_csv_text,
    read_table,
)
from reportkit.text import clean

# --- the reference: reportkit's checks on pandas, as they were ---------------------------------

_MAX = 20
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


def _clean_cells(cells: pd.Series) -> pd.Series:
    stripped = cells.str.strip()
    suspect = ~stripped.str.isascii() | stripped.str.contains("  ", regex=False)
    changes = {value: clean(value) for value in stripped[suspect].unique()}
    changes = {value: new for value, new in changes.items() if new != value}
    return stripped.replace(changes) if changes else stripped


def _restore_cells(cells: pd.Series) -> pd.Series:
    marked = cells.str.startswith("'")
    return cells.where(~marked, cells.str.slice(1)) if marked.any() else cells


def _parse_dates(cells: pd.Series) -> pd.Series:
    iso = pd.to_datetime(cells.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    dmy = pd.to_datetime(cells, format="%d/%m/%Y", errors="coerce")
    iso_shaped = cells.str.fullmatch(r"\d{4}-\d{2}-\d{2}( 00:00:00)?")
    return iso.where(iso_shaped, dmy).astype("datetime64[ns]")


def _parse(cells: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    empty = cells == ""
    bad = empty & (not column.nullable)
    if column.kind in ("count", "money"):
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


def _expected(column: Column) -> str:
    if column.kind == "choice":
        return _("one of: {choices}").format(choices=", ".join(column.choices))
    what = _(_EXPECTED[column.kind])
    return what if column.nullable else _("{expected}; it must not be empty").format(expected=what)


def _problems(path: Path, column: Column, cells: pd.Series, bad: pd.Series) -> list[DataProblem]:
    rows = bad[bad].index
    problems = [
        DataProblem(path, _expected(column), row=int(row), column=column.name, found=cells[row])
        for row in rows[:_MAX]
    ]
    if len(rows) > _MAX:
        more = _("and {count} more rows like these").format(count=len(rows) - _MAX)
        problems.append(DataProblem(path, more, column=column.name))
    return problems


def _duplicates(path: Path, keys: pd.Series, name: str) -> list[DataProblem]:
    repeated = keys[keys.duplicated(keep="first") & (keys != "")]
    first_row = keys.reset_index().drop_duplicates(name).set_index(name)["row"]
    return [
        DataProblem(
            path,
            _("a unique {column}; {key!r} is already used in row {row}").format(
                column=name, key=key, row=int(first_row[key])
            ),
            row=int(row),
            column=name,
        )
        for row, key in list(repeated.items())[:_MAX]
    ]


def reference_read_table(path: Path, schema: Schema) -> pd.DataFrame:
    """``read_table`` of a CSV as reportkit wrote it on pandas."""
    source = read_csv_text(path, schema)
    header = find_header(path, source.rows(10), schema)
    raw = pd.read_csv(
        io.StringIO(source.text),
        sep=source.delimiter,
        skiprows=header,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        skipinitialspace=True,
    )
    raw.columns = [
        schema.headers.get(n, n) for n in (" ".join(clean(str(c)).lower().split()) for c in raw.columns)
    ]
    raw = raw.loc[:, ~raw.columns.duplicated()]
    raw.index = pd.RangeIndex(header + 2, header + 2 + len(raw), name="row")
    raw = raw.fillna("").astype(str)
    for name in raw.columns:
        raw[name] = _restore_cells(_clean_cells(raw[name]))
    raw = raw[(raw != "").any(axis=1)]
    totals = pd.DataFrame()
    if schema.total_labels:
        is_total = (raw[schema.key] == "") & raw[schema.label].str.lower().str.strip(" :").isin(
            schema.total_labels
        )
        raw, totals = raw[~is_total], raw[is_total]
    problems: list[DataProblem] = []
    columns: dict[str, pd.Series] = {}
    for column in schema.columns:
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


# --- random tables ----------------------------------------------------------------------------

#: Letters as units type and paste them: decomposed tone marks, invisible and look-alike
#: spaces, the starts of formulas and the apostrophe that neutralises them, a line break.
_ODD = "aAđĐ\u0301\u0300\u0323ơưếờ \u00a0\u200b\u00ad\u202f\u3000=+-@'\n.,;\"/0123456789"
_text = st.text(alphabet=st.sampled_from(_ODD), max_size=8)
_whole = st.integers(min_value=-(10**7), max_value=10**13)
_numbers = st.one_of(
    _whole.map(str),
    _whole.map(lambda n: f"{n:,}".replace(",", ".")),  # 1.200.000
    _whole.map(lambda n: f"{n}.0"),  # Excel's float
    st.sampled_from(["", " 12 ", "1,5", "1.2.3", "1.00", "12a", "x", "00012", "-0", "1 000", "300.000đ"]),
    _text,
)
_day = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
_dates = st.one_of(
    _day.map(dt.date.isoformat),
    _day.map(lambda d: f"{d.isoformat()} 00:00:00"),
    _day.map(lambda d: f"{d.day}/{d.month}/{d.year}"),
    _day.map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"),
    st.sampled_from(["", "2021-02-30", "31/2/2021", "2021-13-01", "17-05-2021", "2021/05/17", "hôm nay"]),
    _text,
)
_keys = st.one_of(st.sampled_from(["", "A1", "A2", "a1", " A1", "A\u200b1", "=A1", "'A1"]), _text)
_LABELS = ["Tổng cộng", "TỔNG CỘNG:", " tổng ", "cộng", "Tong cong"]


def _cells(schema: Schema, column: Column) -> st.SearchStrategy[str]:
    if column.name == schema.key:
        return _keys
    if column.kind in ("count", "money"):
        return _numbers
    if column.kind == "date":
        return _dates
    if column.kind == "flag":
        return st.one_of(st.sampled_from(["", "true", "FALSE", "Có", "không", "x", "X", "2", "đúng"]), _text)
    if column.kind == "choice":
        return st.one_of(st.sampled_from(["", *column.choices, "Banner", "khác"]), _text)
    if column.name == schema.label:
        return st.one_of(st.sampled_from(_LABELS), _text)
    return _text


_amount = st.integers(0, 10**9)
#: Cells every check accepts, however they are typed: most tables of a campaign are good.
_GOOD = {
    "count": st.one_of(
        st.integers(0, 10**9).map(str), st.integers(0, 10**9).map(lambda n: f"{n:,}".replace(",", "."))
    ),
    "date": _day.map(dt.date.isoformat),
    "flag": st.sampled_from(["true", "false", "Có", "không", "x", "0"]),
}
_GOOD["money"] = _GOOD["count"]


def _good_cells(schema: Schema, column: Column) -> st.SearchStrategy[str]:
    if column.kind in _GOOD:
        return _GOOD[column.kind]
    if column.kind == "choice":
        return st.sampled_from(column.choices)
    return _text.filter(lambda cell: clean(cell) != "")


def _tables(schema: Schema, good: bool) -> st.SearchStrategy[list[list[str]]]:
    cells = _good_cells if good else _cells
    row = st.tuples(*(cells(schema, column) for column in schema.columns)).map(list)
    rows = st.lists(row, min_size=1, max_size=60)
    if good and schema.key:  # a key of its own for each row, odd characters and all
        at = schema.column_names.index(schema.key)
        rows = rows.map(lambda rows: [[*r[:at], f"K{i}\u200b", *r[at + 1 :]] for i, r in enumerate(rows)])
    return rows


def _outcome(read, path: Path, schema: Schema):
    try:
        table = read(path, schema)
    except DataError as error:
        return [(p.file, p.row, p.column, p.expected, p.found) for p in error.problems]
    return table


@pytest.mark.parametrize("schema", [ACTIVITIES, UNITS, BUDGET], ids=lambda s: s.name)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_arrow_checks_report_what_the_pandas_checks_reported(tmp_path, schema, data):
    rows = data.draw(_tables(schema, good=data.draw(st.booleans())))
    if data.draw(st.booleans()):  # a blank line: no record, but its row number counts
        rows.insert(data.draw(st.integers(0, len(rows))), [])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([schema.column_names, *rows])
    path = tmp_path / f"{schema.name}.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    new, old = _outcome(read_table, path, schema), _outcome(reference_read_table, path, schema)
    if isinstance(old, pd.DataFrame):
        assert isinstance(new, pd.DataFrame), new
        pd.testing.assert_frame_equal(new, old)
        assert new.attrs == old.attrs
    else:
        assert new == old
