"""The full list of a report's activities as an Excel workbook, written beside the report.

The report's appendix lists at most a few hundred activities so that it stays readable;
``activities.xlsx`` holds all of them, with the columns the appendix shows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .tables import CHANNELS

__all__ = ["write_activities"]

#: Excel's limit; a larger list is cut there and the last row says so.
EXCEL_ROWS = 1_048_575


def write_activities(activities: pd.DataFrame, units: pd.DataFrame, path: Path) -> Path:
    """Write ``activities`` (checked, possibly scoped) to ``path`` with Vietnamese headers."""
    names = units.set_index("unit_id")
    listed = activities.sort_values(["date", "activity_id"], kind="stable")
    table = pd.DataFrame(
        {
            "STT": range(1, len(listed) + 1),
            "Mã hoạt động": listed["activity_id"].to_numpy(),
            "Ngày": listed["date"].dt.date.to_numpy(),
            "Đơn vị": listed["unit_id"].map(names["name"]).to_numpy(),
            "Địa bàn": listed["unit_id"].map(names["district"]).to_numpy(),
            "Hình thức": listed["channel"].map(CHANNELS).to_numpy(),
            "Số lượng": listed["quantity"].to_numpy(),
            "Lượt người": listed["reach"].to_numpy(),
            "Kinh phí (đồng)": listed["cost_vnd"].to_numpy(),
            "Dòng dự trù": listed["budget_line_id"].to_numpy(),
            "Minh chứng": listed["evidence"].to_numpy(),
            "Ghi chú": listed["note"].to_numpy(),
        }
    ).head(EXCEL_ROWS)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="Hoạt động", index=False)
        sheet = writer.sheets["Hoạt động"]
        sheet.freeze_panes = "A2"
        for column, width in zip("ABCDEFGHIJKL", (6, 12, 11, 40, 20, 30, 9, 11, 15, 11, 30, 30), strict=True):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=2, min_col=9, max_col=9):
            for cell in row:
                cell.number_format = "#,##0"
    return path
