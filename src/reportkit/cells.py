"""Check a table's cells, a column at a time, on Arrow arrays.

:mod:`reportkit.tables` reads a table into one Arrow array of text per column; here each
column is typed by its kind (counts, money, dates, flags, choices, text) and every bad cell
is found. The masks of bad cells are computed over whole columns with ``pyarrow.compute``
and messages are built only for the bad rows, so a million good activities cost a few
passes in C++ and no Python object per cell. Work that a good column does not need is
skipped: no day/month/year parse when every date is ISO, no first-row map when no key is
repeated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .exceptions import DataProblem
from .i18n import N_, _

__all__ = ["MAX_PROBLEMS_PER_COLUMN", "column_problems", "duplicates", "parse"]

#: How many bad cells of one column are listed before the rest are counted.
MAX_PROBLEMS_PER_COLUMN = 20


class Column(Protocol):
    """What the checks read of a :class:`reportkit.tables.Column` (named here, not imported:
    tables imports this module)."""

    name: str
    kind: str
    nullable: bool
    choices: tuple[str, ...]


_EXPECTED = {
    "text": N_("text"),
    "count": N_("a whole number, 0 or more (like 12 or 1.000)"),
    "money": N_("a whole amount in đồng, 0 or more (like 300.000)"),
    "date": N_("a date like 2021-05-17 or 17/5/2021"),
    "flag": N_("true or false (also: có/không, x/empty, 1/0)"),
}
_TRUE = ("true", "1", "yes", "x", "có", "co", "y")
_FALSE = ("false", "0", "no", "không", "khong", "n")
#: A whole number as a cell may hold it: ``300000`` or grouped ``300.000``, maybe negative.
_INTEGER = r"^(?:-?(?:\d{1,3}(?:\.\d{3})+|\d+))$"
#: Excel's whole number as a float: ``300000.0``.
_POINT_ZERO = r"^(?:\d+\.0)$"
#: More digits than an int64 holds are no amount a campaign has.
_MAX_DIGITS = 18
_ISO = r"^(?:\d{4}-\d{2}-\d{2}( 00:00:00)?)$"


def parse(
    cells: pa.Array, column: Column
) -> tuple[pd.api.extensions.ExtensionArray | np.ndarray, np.ndarray]:
    """Typed values of a column of text cells, and a mask of those that are not what the
    column expects (an empty cell is bad unless the column is nullable).

    Counts and money come back as ``int64`` (0 where bad or empty), dates as
    ``datetime64[ns]`` (``NaT`` where bad or empty), flags as ``bool``, other kinds as the
    text itself.
    """
    empty = pc.equal(cells, "")
    bad = empty if not column.nullable else pa.array(np.zeros(len(cells), dtype=bool))
    if column.kind in ("count", "money"):
        values, wrong = _whole_numbers(cells, empty)
    elif column.kind == "date":
        values, wrong = _dates(cells, empty)
    elif column.kind == "flag":
        lowered = pc.utf8_lower(cells)
        wrong = pc.and_not(pc.invert(pc.is_in(lowered, pa.array(_TRUE + _FALSE))), empty)
        values = pc.is_in(lowered, pa.array(_TRUE)).to_numpy(zero_copy_only=False)
    else:
        wrong = None
        if column.kind == "choice":
            wrong = pc.and_not(pc.invert(pc.is_in(cells, pa.array(column.choices, cells.type))), empty)
        values = pd.array(cells.cast(pa.large_string()), dtype="str")  # pandas' own text type
    if wrong is not None:
        bad = pc.or_(bad, wrong)
    return values, bad.to_numpy(zero_copy_only=False)


def _whole_numbers(cells: pa.Array, empty: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Whole numbers written ``12``, ``1.000`` (Vietnamese grouping) or ``300000.0`` (Excel).

    A column of plain digits (most are) is cast at once, without a regular expression.
    """
    plain = pc.and_(pc.ascii_is_decimal(cells), pc.less_equal(pc.binary_length(cells), _MAX_DIGITS))
    if pc.all(pc.or_(plain, empty)).as_py():
        values = pc.cast(pc.if_else(plain, cells, "0"), pa.int64())
        return values.to_numpy(zero_copy_only=False), pa.array(np.zeros(len(cells), dtype=bool))
    values, wrong = _written_numbers(cells)
    return values.to_numpy(zero_copy_only=False), pc.and_not(wrong, empty)


def _written_numbers(cells: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The value of each cell (0 where it is bad or empty), and whether it is not a whole
    number of 0 or more."""
    text = cells
    if pc.any(pc.ends_with(cells, ".0")).as_py():
        point_zero = pc.match_substring_regex(cells, _POINT_ZERO)
        text = pc.if_else(point_zero, pc.utf8_slice_codeunits(cells, 0, -2), cells)
    well_formed = pc.match_substring_regex(text, _INTEGER)
    digits = pc.if_else(well_formed, text, "0")
    if pc.any(pc.match_substring(digits, ".")).as_py():
        digits = pc.replace_substring(digits, ".", "")
    ok = well_formed
    if (pc.max(pc.binary_length(digits)).as_py() or 0) > _MAX_DIGITS:  # with its sign, 18 digits at most
        ok = pc.and_not(ok, pc.greater(pc.binary_length(pc.utf8_ltrim(digits, "-")), _MAX_DIGITS))
        digits = pc.if_else(ok, digits, "0")
    values = pc.cast(digits, pa.int64())
    return values, pc.or_(pc.invert(ok), pc.less(values, 0))


def _dates(cells: pa.Array, empty: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Dates ISO (and Excel's ``2021-05-17 00:00:00``) or the Vietnamese day/month/year.

    A campaign has few distinct dates, so each is parsed once and the rows take theirs.
    """
    encoded = pc.dictionary_encode(cells)
    distinct = encoded.dictionary
    iso_shaped = pc.match_substring_regex(distinct, _ISO)
    parsed = pd.to_datetime(
        pd.Series(pc.utf8_slice_codeunits(distinct, 0, 10), dtype="str"), format="%Y-%m-%d", errors="coerce"
    )
    if not pc.all(pc.or_(iso_shaped, pc.equal(distinct, ""))).as_py():
        dmy = pd.to_datetime(pd.Series(distinct, dtype="str"), format="%d/%m/%Y", errors="coerce")
        parsed = parsed.where(iso_shaped.to_numpy(zero_copy_only=False), dmy)
    known = parsed.astype("datetime64[ns]").to_numpy()
    values = known[encoded.indices.to_numpy(zero_copy_only=False)]
    wrong = pc.and_not(pa.array(np.isnat(values)), empty)
    return values, wrong


def _expected(column: Column) -> str:
    """What a cell of ``column`` must hold, as the message says it."""
    if column.kind == "choice":
        return _("one of: {choices}").format(choices=", ".join(column.choices))
    what = _(_EXPECTED[column.kind])
    return what if column.nullable else _("{expected}; it must not be empty").format(expected=what)


def column_problems(
    path: Path, column: Column, cells: pa.Array, rows: pd.Index, bad: np.ndarray
) -> list[DataProblem]:
    """A problem for each of the first bad cells of a column, and a count of the others."""
    where = np.flatnonzero(bad)
    expected = _expected(column)
    problems = [
        DataProblem(path, expected, row=int(rows[i]), column=column.name, found=cells[int(i)].as_py())
        for i in where[:MAX_PROBLEMS_PER_COLUMN]
    ]
    if len(where) > MAX_PROBLEMS_PER_COLUMN:
        problems.append(
            DataProblem(
                path,
                _("and {count} more rows like these").format(count=len(where) - MAX_PROBLEMS_PER_COLUMN),
                column=column.name,
            )
        )
    return problems


def duplicates(path: Path, keys: pa.Array, rows: pd.Index, name: str) -> list[DataProblem]:
    """A problem at each of the first rows whose key an earlier row already has."""
    if _increasing(keys) or len(pc.unique(keys)) == len(keys):  # most tables: nothing to look at twice
        return []
    series = pd.Series(keys, index=rows, dtype="str")
    repeated = series[series.duplicated(keep="first") & (series != "")][:MAX_PROBLEMS_PER_COLUMN]
    first_row = {key: int(row) for row, key in series[series.isin(set(repeated))][::-1].items()}
    return [
        DataProblem(
            path,
            _("a unique {column}; {key!r} is already used in row {row}").format(
                column=name, key=key, row=first_row[key]
            ),
            row=int(row),
            column=name,
        )
        for row, key in repeated.items()
    ]


def _increasing(keys: pa.Array) -> bool:
    """Each key sorts after the one above it (numbered in order, as most tables are), so none
    repeats: a comparison of neighbours, cheaper than hashing every key."""
    return len(keys) < 2 or pc.all(pc.less(keys[:-1], keys[1:])).as_py()
