"""Tables as offices save them: separators, encodings, title lines, blank and total rows.

Each case is the budget of the sample (one line of 300.000 đồng) or a small variant, saved as
Excel or LibreOffice would save it; the rows in messages are the rows Excel shows.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from reportkit.campaign import load_campaign
from reportkit.exceptions import DataError
from reportkit.tables import ACTIVITIES, BUDGET, UNITS, read_csv_text, read_table

from .conftest import ROOT, SAMPLE, build_campaign, pdf_text
from .test_campaign import to_cp1258

HEADER = ["line_id", "content", "unit", "quantity", "unit_price", "note"]
VIETNAMESE = ["STT", "Nội dung", "ĐVT", "Số lượng", "Đơn giá", "Thành tiền", "Ghi chú"]
LINE = ["1", "Tuyên truyền Ngày Viễn thông (17/5) năm 2021", "Băng rôn", "01", "300.000", "Tạm tính"]
TITLE = "Dự trù kinh phí tuyên truyền Ngày Viễn thông và Xã hội thông tin thế giới năm 2021"


def csv_text(rows: list[list[str]], sep: str = ",", end: str = "\n") -> str:
    """Rows joined as a spreadsheet writes them (cells holding the separator or a line break quoted)."""
    quote = lambda cell: f'"{cell}"' if sep in cell or '"' in cell or "\n" in cell else cell  # noqa: E731
    return "".join(sep.join(quote(cell) for cell in row) + end for row in rows)


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "budget.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def padded(title: str, width: int = len(HEADER)) -> list[str]:
    """A title line as Excel saves it: the title in the first cell, the rest of the row empty."""
    return [title] + [""] * (width - 1)


@pytest.mark.parametrize("sep", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
@pytest.mark.parametrize(
    ("above", "first_row"),
    [
        ([], 2),
        ([[TITLE]], 3),
        ([padded(TITLE)], 3),
        ([padded("UBND TỈNH PHÚ YÊN"), padded(TITLE)], 4),
        ([[TITLE], []], 4),  # a title, then a blank row
    ],
    ids=["no-title", "title", "padded-title", "two-titles", "title-blank-row"],
)
def test_the_separator_is_detected_and_title_lines_are_skipped(tmp_path, sep, above, first_row):
    path = write(tmp_path, csv_text([*above, HEADER, LINE], sep))
    budget = read_table(path, BUDGET)
    assert budget[["line_id", "quantity", "unit_price"]].values.tolist() == [["1", 1, 300_000]]
    assert budget["content"].tolist() == [LINE[1]]
    assert budget.index.tolist() == [first_row]  # the row Excel shows


@pytest.mark.parametrize(
    ("encoding", "end"),
    [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("utf-8-sig", "\n"), ("cp1258", "\r\n"), ("utf-8", "\r\n")],
)
def test_a_semicolon_budget_with_a_title_in_every_encoding_excel_writes(tmp_path, encoding, end):
    path = write(tmp_path, csv_text([padded(TITLE), HEADER, LINE], ";", end), encoding)
    source = read_csv_text(path, BUDGET)
    assert (source.encoding, source.delimiter, source.line_end) == (encoding, ";", end)
    budget = read_table(path, BUDGET)
    assert budget["content"].tolist() == [LINE[1]] and budget["unit_price"].tolist() == [300_000]


def test_commas_inside_the_cells_of_a_semicolon_table(tmp_path):
    rows = [
        [TITLE],
        HEADER,
        ["1", "Băng rôn, pa-nô, áp phích", "Cái", "2", "300.000", "Tạm tính, chưa có VAT"],
        ["2", "Tin, bài", "Bài", "3", "1.005", ""],
    ]
    budget = read_table(write(tmp_path, csv_text(rows, ";")), BUDGET)
    assert budget["content"].tolist() == ["Băng rôn, pa-nô, áp phích", "Tin, bài"]
    assert budget["note"].tolist() == ["Tạm tính, chưa có VAT", ""]


def test_semicolons_inside_quoted_cells_of_a_comma_table(tmp_path):
    rows = [
        HEADER,
        ["1", "Băng rôn; pa-nô", "Cái", "2", "300.000", "a; b"],
        ["2", "Bài", "Bài", "1", "5", ""],
    ]
    budget = read_table(write(tmp_path, csv_text(rows, ",")), BUDGET)
    assert budget["content"].tolist() == ["Băng rôn; pa-nô", "Bài"]


def test_vietnamese_headers_title_total_row_and_blank_rows_at_the_end(tmp_path):
    rows = [
        padded(TITLE, 7),
        VIETNAMESE,
        ["1", "Băng rôn", "Cái", "2", "350.000", "700.000", ""],
        ["2", "Pa-nô", "Cái", "1", "1.200.000", "1.200.000", ""],
        ["", "Tổng cộng", "", "", "", "1.900.000", ""],
        [""] * 7,
        [""] * 7,
    ]
    path = write(tmp_path, csv_text(rows, ";") + "\n\n", "utf-8-sig")
    budget = read_table(path, BUDGET)
    assert budget["amount"].tolist() == [700_000, 1_200_000]
    assert budget.index.tolist() == [3, 4]
    assert list(budget.attrs["totals"]) == [5]  # the total row, by its row in Excel


@pytest.mark.parametrize("sep", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_a_bad_cell_below_a_title_is_named_by_the_row_excel_shows(tmp_path, sep):
    rows = [padded("UBND TỈNH PHÚ YÊN"), padded(TITLE), HEADER, LINE, ["2", "Pa-nô", "Cái", "hai", "5", ""]]
    with pytest.raises(DataError) as caught:
        read_table(write(tmp_path, csv_text(rows, sep)), BUDGET)
    problem = caught.value.problems[0]
    assert (problem.row, problem.column, problem.found) == (5, "quantity", "hai")
    assert str(caught.value).endswith(
        "budget.csv, row 5, column 'quantity': " + str(problem).split(": ", 1)[1]
    )


def test_units_and_activities_as_semicolon_tables_with_titles(tmp_path):
    units = write(
        tmp_path,
        csv_text(
            [
                ["Danh sách đơn vị năm 2022"],
                ["unit_id", "name", "kind", "district", "target", "reported_on"],
                ["so", "Phòng Bưu chính, Viễn thông", "department_division", "", "true", "30/5/2022"],
            ],
            ";",
        ),
        name="units.csv",
    )
    activities = write(
        tmp_path,
        csv_text(
            [
                ["Hoạt động"],
                [
                    "activity_id",
                    "unit_id",
                    "date",
                    "channel",
                    "quantity",
                    "reach",
                    "cost_vnd",
                    "budget_line_id",
                    "evidence",
                    "note",
                ],
                ["H1", "so", "16/5/2022", "banner", "2", "", "650.000", "1", "", "Treo tại trụ sở, cổng"],
            ],
            "\t",
        ),
        name="activities.csv",
    )
    assert read_table(units, UNITS)["reported_on"].tolist() == [pd.Timestamp("2022-05-30")]
    table = read_table(activities, ACTIVITIES)
    assert table.loc[3, ["cost_vnd", "note"]].tolist() == [650_000, "Treo tại trụ sở, cổng"]


def excel(path: Path, rows: list[list], start_row: int = 1) -> Path:
    """An .xlsx whose first sheet holds ``rows`` from ``start_row`` on (as openpyxl writes it)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row, start=1):
            if value not in ("", None):
                sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("rows", "start_row", "first_row"),
    [
        ([VIETNAMESE], 1, 2),
        ([[TITLE], VIETNAMESE], 1, 3),
        ([["UBND TỈNH PHÚ YÊN"], [TITLE], [], VIETNAMESE], 1, 5),
        ([[TITLE], VIETNAMESE], 3, 5),  # the table starts lower on the sheet
    ],
    ids=["header-first", "title", "two-titles-and-blank", "starts-on-row-3"],
)
def test_an_xlsx_with_title_rows_above_the_header(tmp_path, rows, start_row, first_row):
    records = [[1, "Băng rôn", "Cái", 2, 350000, 700000, None], [2, "Pa-nô", "Cái", 1, 1200000, None, None]]
    total = [None, "Tổng cộng", None, None, None, 1900000, None]
    path = excel(tmp_path / "budget.xlsx", [*rows, *records, total, [], []], start_row)
    budget = read_table(path, BUDGET)
    assert budget["unit_price"].tolist() == [350_000, 1_200_000]
    assert budget.index.tolist() == [first_row, first_row + 1]
    assert list(budget.attrs["totals"]) == [first_row + 2]


def test_a_bad_xlsx_cell_below_a_title_is_named_by_the_row_excel_shows(tmp_path):
    path = excel(tmp_path / "budget.xlsx", [[TITLE], VIETNAMESE, [1, "Băng rôn", "Cái", "hai", 350000]])
    with pytest.raises(DataError) as caught:
        read_table(path, BUDGET)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "quantity")]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("line_id|content|unit|quantity|unit_price\n1|Băng rôn|Cái|1|300.000\n", "row 1: 'line_id|content"),
        (
            "".join(f"Dòng tiêu đề {n}\n" for n in range(12)) + "line_id,content,unit,quantity,unit_price\n",
            "row 1: 'Dòng tiêu đề 0'; row 2: 'Dòng tiêu đề 1'",
        ),
        ("Mã,Tên hàng,Giá\nA,Băng rôn,300.000\n", "row 1: 'Mã | Tên hàng | Giá'"),
        ("", "no rows at all"),
    ],
    ids=["pipe-separated", "header-too-low", "other-columns", "empty"],
)
def test_a_table_that_cannot_be_read_gets_one_message_saying_what_was_found(tmp_path, text, found):
    with pytest.raises(DataError) as caught:
        read_table(write(tmp_path, text), BUDGET)
    assert len(caught.value.problems) == 1
    message = str(caught.value)
    assert "a header row with the columns line_id, content, unit, quantity, unit_price" in message
    assert "in the first 10 rows" in message and found in message
    assert "(or their Vietnamese headers, such as STT, Nội dung, ĐVT, Số lượng, Đơn giá)" in message
    assert (
        "Save the table as .xlsx or as CSV separated by ',', ';' or tab, with one row of column names"
        in message
    )
    assert "a column 'line_id'" not in message


def test_a_header_lacking_columns_below_a_title_is_one_message_on_the_header_row(tmp_path):
    text = csv_text([[TITLE], ["line_id", "content", "unit", "note"], ["1", "Băng rôn", "Cái", ""]], ";")
    with pytest.raises(DataError) as caught:
        read_table(write(tmp_path, text), BUDGET)
    assert len(caught.value.problems) == 1
    assert "budget.csv, row 2: the columns 'quantity', 'unit_price' (the budget table has columns" in str(
        caught.value
    )
    assert caught.value.problems[0].found == "line_id | content | unit | note"


def reportkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def sample_with_budget(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    """The sample campaign with its budget.csv replaced by ``text``."""
    import shutil

    folder = tmp_path / "campaigns" / SAMPLE.name
    shutil.copytree(SAMPLE, folder)
    (folder / "budget.csv").write_bytes(text.encode(encoding))
    return folder


def test_validate_says_one_thing_about_a_misread_budget(tmp_path):
    folder = sample_with_budget(tmp_path, "STT|Nội dung|ĐVT|Số lượng|Đơn giá\n1|Băng rôn|Cái|1|300.000\n")
    result = reportkit("validate", str(folder))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "budget.csv: a header row with the columns" in lines[0]
    assert "Traceback" not in result.stderr


def test_validate_names_the_row_excel_shows_in_a_semicolon_budget_with_a_title(tmp_path):
    seed = (SAMPLE / "budget.csv").read_text(encoding="utf-8").splitlines()
    rows = [[TITLE], *[line.split(",") for line in seed]]
    rows[2][3] = "một"
    folder = sample_with_budget(tmp_path, csv_text(rows, ";", "\r\n"), "utf-8-sig")
    result = reportkit("validate", str(folder))
    assert result.returncode == 2
    assert "budget.csv, row 3, column 'quantity': a whole number" in result.stderr


@pytest.mark.kernel
@pytest.mark.pdf
def test_a_semicolon_budget_with_a_title_line_builds_the_samples_plan(tmp_path):
    seed = (SAMPLE / "budget.csv").read_text(encoding="utf-8").splitlines()
    rows = [padded("Dự trù kinh phí tuyên truyền năm 2021"), *[line.split(",") for line in seed], [""] * 6]
    text = csv_text(rows, ";", "\r\n")
    assert text.startswith("Dự trù kinh phí tuyên truyền năm 2021;;;;;\r\nline_id;content;unit;")
    folder = sample_with_budget(tmp_path, text, "utf-8-sig")
    assert load_campaign(folder).budget["amount"].tolist() == [300_000]
    out = build_campaign(folder, tmp_path / "out", "--doc", "plan", "--to", "pdf")
    text = pdf_text(out / "plan.pdf")
    assert "Tổng kinh phí: 300.000đ" in text and "Ba trăm nghìn đồng chẵn" in text
    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))["plan"]
    seed = load_campaign(SAMPLE).budget  # the same figures as the sample's comma-separated budget
    assert figures["budget_total_vnd"] == int(seed["amount"].sum()) == 300_000
    lines = [
        (line["content"], line["quantity"], line["unit_price"], line["amount"])
        for line in figures["budget_lines"]
    ]
    assert lines == list(
        seed[["content", "quantity", "unit_price", "amount"]].itertuples(index=False, name=None)
    )


def test_a_title_cell_with_a_line_break_is_one_row(tmp_path):
    rows = [
        ["Dự trù kinh phí\nnăm 2021", "", "", "", "", ""],
        HEADER,
        LINE,
        ["2", "Pa-nô", "Cái", "x", "1", ""],
    ]
    with pytest.raises(DataError) as caught:
        read_table(write(tmp_path, csv_text(rows, ";")), BUDGET)
    assert [(p.row, p.column) for p in caught.value.problems] == [(4, "quantity")]  # Excel: title 1, header 2


def test_a_batch_finds_the_districts_of_a_units_table_saved_with_semicolons_and_a_title(tmp_path):
    """`batch --each district` reads units.csv as the build does (issue 10: tables as offices save them)."""
    import shutil

    from reportkit.batch import district_runs

    from .conftest import SAMPLE

    folder = tmp_path / "campaign"
    shutil.copytree(SAMPLE, folder)
    units = folder / "units.csv"
    rows = list(csv.reader(units.read_text(encoding="utf-8").splitlines()))
    expected = district_runs(SAMPLE, "report")
    text = "Danh sách đơn vị tham gia\n" + "\n".join(";".join(row) for row in rows) + "\n"
    units.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert district_runs(folder, "report") == expected and len(expected) == 9


LOOK_ALIKES = {  # one unit of each district typed another way: every one the same district
    "Huyện Tuy An": "Huyện Tuy\u200b An",  # zero-width space
    "Thị xã Sông Cầu": "Thị xã  Sông Cầu",  # two spaces
    "Huyện Đồng Xuân": unicodedata.normalize("NFD", "Huyện Đồng Xuân"),  # a Mac keyboard
    "Thành phố Tuy Hòa": "Thành phố\u00a0Tuy Hòa ",  # no-break space, pasted from a web page
    "Huyện Sơn Hòa": "\ufeffHuyện Sơn \u00adHòa",  # a byte-order mark and a soft hyphen
}


def _look_alike_units(folder: Path) -> None:
    units = folder / "units.csv"
    rows = list(csv.reader(units.read_text(encoding="utf-8").splitlines()))
    changed = set()
    for row in rows:
        if row[3] in LOOK_ALIKES and row[3] not in changed:
            changed.add(row[3])
            row[3] = LOOK_ALIKES[row[3]]
    assert changed == set(LOOK_ALIKES)
    with units.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_a_district_typed_with_look_alike_characters_is_the_same_district(tmp_path):
    import shutil

    from reportkit.batch import district_runs

    folder = tmp_path / "campaign"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("returns"))
    _look_alike_units(folder)
    assert load_campaign(folder).units["district"].nunique() == 10  # 9 and the empty one
    assert district_runs(folder, "report") == district_runs(SAMPLE, "report")


@pytest.mark.kernel
def test_the_report_of_a_campaign_with_look_alike_districts_counts_nine(tmp_path):
    import shutil

    folder = tmp_path / "campaign"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("returns"))
    _look_alike_units(folder)
    out = build_campaign(folder, tmp_path / "out", "--doc", "report", "--to", "html")
    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))["report"]
    assert figures["districts_total"] == 9
    assert sorted(row["district"] for row in figures["by_district"]) == sorted(
        {d for d in load_campaign(SAMPLE).units["district"] if d}
    )
