"""Stream the rows of an OpenDocument spreadsheet (.ods), as LibreOffice saves a form.

pandas reads .ods through odfpy, which builds the whole document in memory as Python
objects (about a kilobyte per cell) and expands LibreOffice's repeated rows and columns
(a sheet's last empty row is often "repeated" a million times). A returned form is
untrusted, so this reads ``content.xml`` as a stream instead: ``defusedxml`` refuses
entity declarations, each row is dropped as soon as it is read, repeated empty rows only
move the row counter, and at most ``max_columns`` cells of a row are kept.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["iter_rows"]

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_T = f"{{{TABLE}}}"
_O = f"{{{OFFICE}}}"
_X = f"{{{TEXT}}}"
CELLS = (f"{_T}table-cell", f"{_T}covered-table-cell")


def iter_rows(
    path: Path, sheets: Iterable[str], max_columns: int, max_rows: int
) -> Iterator[tuple[str, int, tuple[Any, ...]]]:
    """(sheet, row as a spreadsheet counts, values) of the rows holding a value in ``sheets``.

    Values are ``str``, ``float``, ``bool``, ``datetime.datetime`` or ``None``. Once a row
    past ``max_rows`` holds a value, that row is yielded and reading stops: the caller
    refuses the file.
    """
    from defusedxml.ElementTree import iterparse

    wanted = set(sheets)
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
        stack: list[Any] = []
        sheet: str | None = None
        row_number = 0
        cells: list[Any] = []
        for event, element in iterparse(stream, events=("start", "end")):
            if event == "start":
                stack.append(element)
                if element.tag == f"{_T}table":
                    sheet, row_number = element.get(f"{_T}name"), 0
                elif element.tag == f"{_T}table-row":
                    cells = []
                continue
            stack.pop()
            tag = element.tag
            if tag in CELLS and sheet in wanted:
                repeat = int(element.get(f"{_T}number-columns-repeated", "1"))
                value = _value(element)
                cells.extend([value] * min(repeat, max(max_columns - len(cells), 0)))
            elif tag == f"{_T}table-row":
                repeat = int(element.get(f"{_T}number-rows-repeated", "1"))
                if sheet in wanted and any(v is not None for v in cells):
                    values = tuple(cells[:max_columns])
                    for _ in range(repeat):
                        row_number += 1
                        yield sheet, row_number, values
                        if row_number > max_rows:
                            return
                else:
                    row_number += repeat
            if tag in (*CELLS, f"{_T}table-row", f"{_T}table") and stack:
                stack[-1].remove(element)  # keep nothing of what was read


def _value(cell: Any) -> Any:
    kind = cell.get(f"{_O}value-type")
    if kind is None:
        return None
    if kind in ("float", "currency", "percentage"):
        return float(cell.get(f"{_O}value"))
    if kind == "date":
        return dt.datetime.fromisoformat(cell.get(f"{_O}date-value"))
    if kind == "boolean":
        return cell.get(f"{_O}boolean-value") == "true"
    return "\n".join(_text(p) for p in cell.iter(f"{_X}p")) or None


def _text(element: Any) -> str:
    """The text of a paragraph, with ``<text:s c="3"/>`` as three spaces."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{_X}s":
            parts.append(" " * int(child.get(f"{_X}c", "1")))
        elif child.tag == f"{_X}tab":
            parts.append("\t")
        elif child.tag == f"{_X}line-break":
            parts.append("\n")
        else:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
