"""Figures for review in a notebook, written as the documents write them.

The notebooks show their figures before the document, for an analyst to check. Raw pandas
shows ``11900000.0`` under ``spent``; :func:`review_table` shows ``11.900.000`` under
"Kinh phí (đồng)": thousands grouped with ``.``, percentages as ``88,2%``, dates as
``17/5/2021``, counts as whole numbers and Vietnamese headers, through the formatting of
:mod:`reportkit.vn`. Every notebook and :mod:`reportkit.explore` use it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from babel.numbers import format_decimal

from . import vn

__all__ = ["LABELS", "format_value", "review_table"]

#: Vietnamese headers of the figures' keys and columns; an unknown name is shown as it is.
LABELS: dict[str, str] = {
    # the report's headline figures (reportkit.coverage.ReportFigures)
    "units_target": "Đơn vị được giao",
    "units_active": "Đơn vị đã triển khai",
    "coverage_pct": "Tỷ lệ đơn vị triển khai",
    "districts_total": "Số huyện, thị xã, thành phố",
    "districts_covered": "Huyện, thị xã, thành phố có hoạt động",
    "activities_total": "Số hoạt động",
    "in_window": "Hoạt động trong thời gian triển khai",
    "reach_total": "Lượt người tiếp cận",
    "spent_total_vnd": "Kinh phí đã chi (đồng)",
    "on_time_units": "Đơn vị báo cáo đúng hạn",
    "evidence_pct": "Hoạt động có minh chứng",
    "photo_activities": "Hoạt động có hình ảnh",
    "video_activities": "Hoạt động có video",
    "budget_planned_vnd": "Kinh phí dự toán (đồng)",
    "budget_spent_vnd": "Kinh phí đã chi theo dự toán (đồng)",
    "unbudgeted_vnd": "Kinh phí ngoài dự toán (đồng)",
    "budget_total_vnd": "Tổng dự toán (đồng)",
    # the consolidated report's (reportkit.consolidate.ConsolidatedFigures)
    "agencies_asked": "Cơ quan được đề nghị báo cáo",
    "agencies_reported": "Cơ quan đã báo cáo",
    "agencies_asked_reported": "Cơ quan được đề nghị đã báo cáo",
    "agencies_on_time": "Báo cáo đúng hạn",
    "agencies_late": "Báo cáo muộn",
    "agencies_undated": "Báo cáo chưa ghi ngày",
    "deadline": "Hạn báo cáo",
    # columns of the tables
    "district": "Huyện, thị xã, thành phố",
    "activities": "Số hoạt động",
    "reach": "Lượt người tiếp cận",
    "spent": "Kinh phí (đồng)",
    "channel": "Hình thức",
    "label": "Hình thức",
    "quantity": "Số lượng",
    "line_id": "STT",
    "content": "Nội dung",
    "unit": "Đơn vị tính",
    "unit_price": "Đơn giá (đồng)",
    "amount": "Thành tiền (đồng)",
    "note": "Ghi chú",
    "planned": "Dự toán (đồng)",
    "variance": "Chênh lệch (đồng)",
    "pct_used": "Tỷ lệ sử dụng",
    "agency": "Cơ quan",
    "campaign_id": "Mã chiến dịch",
    "issued_on": "Ngày ban hành",
    "standing": "Thời hạn",
    "activity_id": "Mã hoạt động",
    "unit_name": "Đơn vị",
    "date": "Ngày",
    "cost_vnd": "Kinh phí (đồng)",
    "evidence": "Minh chứng",
    "missing": "Cơ quan chưa báo cáo",
}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_percent(name: str) -> bool:
    return name.endswith("_pct") or name.startswith("pct_")


def format_value(value: Any, name: str = "") -> str:
    """``value`` as a document writes it; ``name`` (a key or a column) marks percentages.

    >>> format_value(315232), format_value(88.2, "coverage_pct"), format_value(34.0)
    ('315.232', '88,2%', '34')
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, dt.date | pd.Timestamp):
        return vn.format_date(value)
    if isinstance(value, str):
        return vn.format_date(dt.date.fromisoformat(value)) if _ISO_DATE.fullmatch(value) else value
    if isinstance(value, int | float) or pd.api.types.is_number(value):
        if _is_percent(name):
            return vn.format_percent(float(value))
        if float(value).is_integer():
            return vn.format_vnd(int(value))
        return format_decimal(float(value), format="#,##0.0", locale="vi_VN")
    return str(value)


def _frame(data: Any) -> pd.DataFrame:
    """``data`` as a table: a frame as it is, figures (a mapping of scalars) as two columns."""
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "to_dict") and not isinstance(data, pd.Series):
        data = data.to_dict()  # a figures dataclass: its scalar figures
    if isinstance(data, pd.Series):
        data = data.to_dict()
    if isinstance(data, Mapping) and data and all(isinstance(v, list | tuple) for v in data.values()):
        return pd.DataFrame({k: list(v) for k, v in data.items()})  # columns: {"missing": [...]}
    if isinstance(data, Mapping):
        shown = {k: v for k, v in data.items() if not isinstance(v, list | tuple | dict)}
        return pd.DataFrame(
            {
                "Chỉ số": [LABELS.get(str(k), str(k)) for k in shown],
                "Giá trị": [format_value(v, str(k)) for k, v in shown.items()],
            }
        )
    if isinstance(data, Sequence) and data and all(isinstance(v, Mapping) for v in data):
        return pd.DataFrame(list(data))
    return pd.DataFrame({"": list(data)})


def review_table(data: Any, *, drop: Sequence[str] = (), rows: int | None = None):
    """A table of figures for review, with Vietnamese headers and Vietnamese numbers.

    Parameters
    ----------
    data
        A DataFrame (``figures.by_district``), a mapping of figures or a figures object with
        ``to_dict()`` (its scalar figures become "Chỉ số" and "Giá trị"), a list of rows (the
        consolidated ``by_agency``) or a list of names.
    drop
        Columns not to show (a key already shown by its label).
    rows
        Show at most this many rows.

    Returns
    -------
    pandas.io.formats.style.Styler
        The table, without pandas' index; numbers right-aligned. Its ``to_html()`` gives the
        HTML a notebook shows.
    """
    frame = _frame(data).drop(columns=list(drop))
    if rows is not None:
        frame = frame.head(rows)
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    styler = frame.style.format({c: (lambda v, c=c: format_value(v, str(c))) for c in frame.columns})
    styler = styler.format_index(lambda c: LABELS.get(str(c), str(c)), axis="columns")
    if "Giá trị" in frame.columns and "Chỉ số" in frame.columns:
        numeric = ["Giá trị"]
    # figures to the right, words to the left, headers above them alike (JupyterLab
    # right-aligns every cell of an output table)
    align = [
        {"selector": f"{cell}.col{index}", "props": f"text-align: {'right' if c in numeric else 'left'}"}
        for index, c in enumerate(frame.columns)
        for cell in ("th", "td")
    ]
    return styler.hide(axis="index").set_table_styles(align)
