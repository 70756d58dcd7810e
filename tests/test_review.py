"""Figures for review written as the documents write them (reportkit.review)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from reportkit import vn
from reportkit.review import format_value, review_table


@pytest.mark.parametrize(
    ("value", "name", "shown"),
    [
        (315232, "reach_total", "315.232"),
        (11900000.0, "spent", "11.900.000"),  # a float that holds a whole number: no ".0"
        (34.0, "units_target", "34"),
        (-300000, "variance", "-300.000"),
        (88.2, "coverage_pct", "88,2%"),
        (100.0, "pct_used", "100%"),
        (2.25, "", "2,2"),  # a true fraction keeps one decimal, with the decimal comma
        (dt.date(2021, 5, 17), "date", "17/5/2021"),
        (pd.Timestamp("2021-05-07"), "date", "07/5/2021"),
        ("2021-06-15", "deadline", "15/6/2021"),
        ("Huyện Tuy An", "district", "Huyện Tuy An"),
        (None, "issued_on", ""),
        (math.nan, "reach", ""),
        (True, "evidence", "Có"),
    ],
)
def test_a_value_is_written_as_in_the_documents(value, name, shown):
    assert format_value(value, name) == shown


def test_a_table_has_vietnamese_headers_and_figures():
    frame = pd.DataFrame({"district": ["Huyện Tuy An"], "reach": [45680], "spent": [1500000.0]})
    html = review_table(frame).to_html()
    assert ">Huyện, thị xã, thành phố</th>" in html and ">Kinh phí (đồng)</th>" in html
    assert f">{vn.format_vnd(45680)}</td>" in html and ">1.500.000</td>" in html
    assert "district" not in html and "1500000" not in html


def test_figures_become_two_columns_and_lists_are_left_to_their_tables():
    shown = review_table({"coverage_pct": 88.2, "reach_total": 315232, "by_district": [{}]}).data
    assert list(shown.columns) == ["Chỉ số", "Giá trị"]
    assert shown.values.tolist() == [["Tỷ lệ đơn vị triển khai", "88,2%"], ["Lượt người tiếp cận", "315.232"]]


def test_rows_as_mappings_and_a_list_of_names():
    rows = review_table([{"agency": "Sở A", "activities": 3}, {"agency": "Sở B", "activities": 12}]).data
    assert rows["activities"].tolist() == [3, 12]
    missing = review_table({"missing": ("Sở C", "Sở D")}).to_html()
    assert ">Cơ quan chưa báo cáo</th>" in missing and ">Sở D</td>" in missing
