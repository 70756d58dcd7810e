"""Text from outside is text: cleaned where it is read, neutralised where a CSV is written.

Units type names and notes on many keyboards and paste them from mail and web pages, so the
same district arrives decomposed (NFD), with a zero-width space, a no-break space or two
spaces. :func:`clean` makes one spelling of each before anything is compared or grouped.

A CSV that reportkit writes is opened by people in Excel, where a cell beginning with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is a formula (OWASP's "CSV injection"). Every
CSV writer passes its text cells through :func:`neutralise`, which puts a leading apostrophe
before them, as Excel's own mark for "this is text"; :func:`restore` takes it off again when
reportkit reads the table back, so a note round-trips as the person typed it. A cell that
begins with an apostrophe is neutralised too, so that restoring is exact.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas and Arrow only for the annotations: forms and CSV writers need none
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "FORMULA_STARTS",
    "clean",
    "clean_array",
    "clean_cells",
    "csv_text",
    "neutralise",
    "plain",
    "restore",
    "restore_array",
    "restore_cells",
]

#: What makes a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MARK = "'"

#: Characters that show nothing but make two names differ: zero-width space, non-joiner and
#: joiner, word joiner, byte-order mark (also zero-width no-break space), soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
#: Spaces that look like a space: no-break, narrow no-break, figure, thin, ideographic.
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u3000"), " ")
_TRANSLATION = _INVISIBLE | _SPACES
_RUN_OF_SPACES = re.compile(" {2,}")


def clean(value: str) -> str:
    """``value`` as one spelling: NFC, invisible characters removed, look-alike spaces made
    spaces, runs of spaces folded to one and the ends stripped. Line breaks stay.

    >>> clean("Tuy\\u200b Hoa\\u0300  ") == "Tuy Hoà"
    True
    """
    value = unicodedata.normalize("NFC", value.translate(_TRANSLATION))
    return _RUN_OF_SPACES.sub(" ", value).strip()


def plain(value: str) -> str:
    """``value`` in NFC without invisible characters, its spaces as they are: for a whole
    text such as campaign.yaml, where a no-break space may be meant."""
    return unicodedata.normalize("NFC", value.translate(_INVISIBLE))


def clean_cells(cells: pd.Series) -> pd.Series:
    """:func:`clean` of every cell of a column of text (see :func:`clean_array`)."""
    import pandas as pd
    import pyarrow as pa

    return pd.Series(clean_array(pa.array(cells, pa.large_string())), index=cells.index, dtype="str")


def clean_array(cells: pa.Array) -> pa.Array:
    """:func:`clean` of every cell of an Arrow array of text, with its ends trimmed of
    whitespace; each distinct value is cleaned once, and plain ASCII without double spaces
    (most cells) is not looked at."""
    import pyarrow as pa
    import pyarrow.compute as pc

    stripped = pc.utf8_trim_whitespace(cells)
    suspect = pc.or_(pc.invert(pc.string_is_ascii(stripped)), pc.match_substring(stripped, "  "))
    if not pc.any(suspect).as_py():
        return stripped
    encoded = pc.dictionary_encode(stripped.filter(suspect))
    distinct = encoded.dictionary.to_pylist()
    cleaned = [clean(value) for value in distinct]
    if cleaned == distinct:  # text typed well: nothing to replace
        return stripped
    cleaned = pa.array(cleaned, stripped.type)
    return pc.replace_with_mask(stripped, suspect, cleaned.take(encoded.indices))


def neutralise(cell: str) -> str:
    """``cell`` as a CSV must hold it for a spreadsheet to show it as text, never run it.

    >>> neutralise("=HYPERLINK(1)"), neutralise("Tuy Hòa"), neutralise("'quoted")
    ("'=HYPERLINK(1)", 'Tuy Hòa', "''quoted")
    """
    return _MARK + cell if cell.startswith((*FORMULA_STARTS, _MARK)) else cell


def restore(cell: str) -> str:
    """The text a :func:`neutralise`\\ d cell holds (one leading apostrophe off)."""
    return cell[1:] if cell.startswith(_MARK) else cell


def restore_cells(cells: pd.Series) -> pd.Series:
    """:func:`restore` of every cell of a column (see :func:`restore_array`)."""
    import pandas as pd
    import pyarrow as pa

    return pd.Series(restore_array(pa.array(cells, pa.large_string())), index=cells.index, dtype="str")


def restore_array(cells: pa.Array) -> pa.Array:
    """:func:`restore` of every cell of an Arrow array of text."""
    import pyarrow.compute as pc

    marked = pc.starts_with(cells, _MARK)
    return pc.if_else(marked, pc.utf8_slice_codeunits(cells, 1), cells) if pc.any(marked).as_py() else cells


def csv_text(
    rows: Iterable[Sequence[object]],
    *,
    numbers: Iterable[int] = (),
    delimiter: str = ",",
    line_end: str = "\r\n",
) -> str:
    """``rows`` as CSV text for people to open, every cell :func:`neutralise`\\ d but those in
    the columns at the indexes ``numbers`` (counts, amounts, sizes: never text).

    Cells are quoted only when they must be, as Excel writes them; the line end is CRLF unless
    ``line_end`` says otherwise.
    """
    numeric = frozenset(numbers)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    for row in rows:
        writer.writerow(
            [str(cell) if index in numeric else neutralise(str(cell)) for index, cell in enumerate(row)]
        )
    return buffer.getvalue()
