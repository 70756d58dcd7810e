"""The full list of a report's activities as an Excel workbook, written beside the report.

The report's appendix lists at most a few hundred activities so that it stays readable;
``activities.xlsx`` holds all of them, with the columns the appendix shows. It is written
with XlsxWriter in its constant-memory mode, row by row (a million activities take seconds,
not the minutes openpyxl needs, and little memory). A list longer than one sheet holds
(1,048,576 rows, the header included) continues on further sheets, "Hoạt động (2)" and on,
each with the header and the running number STT: the file stays whole and opens in Excel and
LibreOffice as it is, which a CSV of more rows than a sheet would not.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .tables import CHANNELS

__all__ = ["SHEET_ROWS", "write_activities"]

#: Activities on one sheet: Excel's 1,048,576 rows less the header.
SHEET_ROWS = 1_048_575
SHEET = "Hoạt động"

#: (header, width in characters, kind) of each column, as the appendix shows them.
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
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _listed(activities: pd.DataFrame, units: pd.DataFrame) -> list[list]:
    """The columns of :data:`COLUMNS` as Python lists; ``None`` is an empty cell."""
    names = units.set_index("unit_id")
    listed = activities.sort_values(["date", "activity_id"], kind="stable")
    unit = listed["unit_id"]

    def text(series: pd.Series) -> list:
        values = series.astype(object)
        return values.where(values.notna() & (values != ""), None).tolist()

    def number(series: pd.Series) -> list:
        values = pd.to_numeric(series).astype(object)
        return values.where(values.notna(), None).tolist()

    # Excel keeps a day as the number of days since 1899-12-30; shown with a date format.
    days = (listed["date"].dt.normalize() - _EXCEL_EPOCH).dt.days
    return [
        list(range(1, len(listed) + 1)),
        text(listed["activity_id"]),
        number(days),
        text(unit.map(names["name"])),
        text(unit.map(names["district"])),
        text(listed["channel"].map(CHANNELS)),
        number(listed["quantity"]),
        number(listed["reach"]),
        number(listed["cost_vnd"]),
        text(listed["budget_line_id"]),
        text(listed["evidence"]),
        text(listed["note"]),
    ]


def write_activities(
    activities: pd.DataFrame, units: pd.DataFrame, path: Path, *, sheet_rows: int = SHEET_ROWS
) -> Path:
    """Write ``activities`` (checked, possibly scoped) to ``path`` with Vietnamese headers.

    ``sheet_rows`` activities go on each sheet (Excel's limit; smaller in tests).
    """
    import xlsxwriter

    columns = _listed(activities, units)
    total = len(columns[0])
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    try:
        header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        formats = {
            "number": None,
            "text": None,
            "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
            "money": workbook.add_format({"num_format": "#,##0"}),
        }
        kinds = [kind for _, _, kind in COLUMNS]
        for first in range(0, max(total, 1), sheet_rows):
            number = first // sheet_rows + 1
            sheet = workbook.add_worksheet(SHEET if number == 1 else f"{SHEET} ({number})")
            sheet.freeze_panes(1, 0)
            for index, (title, width, kind) in enumerate(COLUMNS):
                sheet.set_column(index, index, width, formats[kind])
                sheet.write_string(0, index, title, header)
            _write_rows(sheet, columns, kinds, formats, first, min(first + sheet_rows, total))
    finally:
        workbook.close()
    return path


def _write_rows(sheet, columns: list[list], kinds: list[str], formats: dict, start: int, stop: int) -> None:
    """Rows ``start``..``stop`` of ``columns`` from the sheet's second row, row by row as
    constant-memory mode requires; empty cells are not written at all."""
    write_number, write_string = sheet.write_number, sheet.write_string
    cells = [
        (index, write_string if kind == "text" else write_number, formats[kind])
        for index, kind in enumerate(kinds)
    ]
    for row, values in enumerate(zip(*(c[start:stop] for c in columns), strict=True), start=1):
        for (index, write, cell_format), value in zip(cells, values, strict=True):
            if value is not None:
                write(row, index, value, cell_format)
