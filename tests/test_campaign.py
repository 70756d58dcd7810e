"""Loading and checking a campaign folder: every bad input names its file, row and column."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from reportkit.campaign import load_campaign
from reportkit.exceptions import CampaignError, DataError

from .conftest import MINIMAL, RESULTS, SAMPLE


def test_the_sample_campaign_loads_with_the_seed_budget():
    campaign = load_campaign(SAMPLE)
    assert campaign.id == "wtisd-2021-phu-yen"
    assert campaign.config.signer.name == "Trần Thanh Hưng"
    assert campaign.budget[["quantity", "unit_price", "amount"]].values.tolist() == [[1, 300_000, 300_000]]


def test_budget_values_are_integer_dong():
    budget = load_campaign(MINIMAL).budget
    assert budget["unit_price"].dtype == "int64"
    assert budget["amount"].tolist() == [700_000, 3_015]


def test_vietnamese_headers_and_a_pasted_total_row_are_accepted(make_campaign):
    folder = make_campaign(
        **{
            "budget.csv": "STT,Nội dung,ĐVT,Số lượng,Đơn giá,Thành tiền,Ghi chú\n"
            "1,Băng rôn,Cái,02,350.000,700.000,\n"
            ",Tổng cộng,,,,700.000,\n"
        }
    )
    budget = load_campaign(folder).budget
    assert budget["amount"].tolist() == [700_000]
    assert budget.index.tolist() == [2]  # the spreadsheet row


def test_the_same_budget_as_xlsx(make_campaign):
    folder = make_campaign(**{"budget.csv": None})
    pd.DataFrame(
        {
            "STT": [1, 2],
            "Nội dung": ["Băng rôn", "Pa-nô"],
            "ĐVT": ["Cái", "Cái"],
            "Số lượng": [2, 1],
            "Đơn giá": [350000, 1200000],
            "Thành tiền": [700000, 1200000],
        }
    ).to_excel(folder / "budget.xlsx", index=False)
    budget = load_campaign(folder).budget
    assert budget["amount"].tolist() == [700_000, 1_200_000]


def test_a_csv_saved_by_excel_with_a_byte_order_mark(make_campaign):
    folder = make_campaign()
    text = (folder / "budget.csv").read_text(encoding="utf-8")
    (folder / "budget.csv").write_bytes("\ufeff".encode() + text.encode("utf-8"))
    assert load_campaign(folder).budget["line_id"].tolist() == ["1", "2"]


BUDGET_HEADER = "line_id,content,unit,quantity,unit_price,note\n"


@pytest.mark.parametrize(
    ("budget", "row", "column", "expected"),
    [
        (BUDGET_HEADER + "1,Băng rôn,Cái,hai,350.000,\n", 2, "quantity", "a whole number"),
        (
            BUDGET_HEADER + "1,Băng rôn,Cái,2,350.000,\n2,Pa-nô,Cái,1,abc,\n",
            3,
            "unit_price",
            "a whole amount",
        ),
        (BUDGET_HEADER + '1,Băng rôn,Cái,2,"350,5",\n', 2, "unit_price", "a whole amount"),
        (BUDGET_HEADER + "1,Băng rôn,Cái,2,-350.000,\n", 2, "unit_price", "0 or more"),
        (BUDGET_HEADER + "1,Băng rôn,Cái,-2,350.000,\n", 2, "quantity", "0 or more"),
        (BUDGET_HEADER + "1,Băng rôn,Cái,,350.000,\n", 2, "quantity", "must not be empty"),
        (
            BUDGET_HEADER + "1,Băng rôn,Cái,2,350.000,\n1,Pa-nô,Cái,1,100.000,\n",
            3,
            "line_id",
            "already used in row 2",
        ),
        (
            "line_id,content,unit,quantity,unit_price,amount\n1,Băng rôn,Cái,2,350.000,600.000\n",
            2,
            "amount",
            "quantity × unit price",
        ),
    ],
    ids=[
        "text-quantity",
        "text-price",
        "decimal-price",
        "negative-price",
        "negative-quantity",
        "empty",
        "duplicate-id",
        "wrong-amount",
    ],
)
def test_a_bad_budget_cell_is_named_by_file_row_and_column(make_campaign, budget, row, column, expected):
    folder = make_campaign(**{"budget.csv": budget})
    with pytest.raises(DataError) as caught:
        load_campaign(folder)
    error = caught.value
    assert (error.file, error.row, error.column) == (folder / "budget.csv", row, column)
    assert expected in str(error)
    assert f"row {row}" in str(error) and f"column '{column}'" in str(error)


def test_a_missing_column_names_it_and_lists_the_columns(make_campaign):
    folder = make_campaign(**{"budget.csv": "line_id,content,unit,quantity,note\n1,Băng rôn,Cái,2,\n"})
    with pytest.raises(
        DataError, match=r"budget\.csv, row 1: a column 'unit_price' \(the budget table has columns"
    ):
        load_campaign(folder)


def test_every_bad_cell_is_listed_at_once(make_campaign):
    folder = make_campaign(**{"budget.csv": BUDGET_HEADER + "1,A,Cái,x,1,\n2,B,Cái,1,y,\n3,C,Cái,z,1,\n"})
    with pytest.raises(DataError) as caught:
        load_campaign(folder)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "quantity"),
        (4, "quantity"),
        (3, "unit_price"),
    ]
    assert str(caught.value).startswith("3 problems")


def test_a_missing_folder(tmp_path):
    with pytest.raises(CampaignError, match="a campaign folder"):
        load_campaign(tmp_path / "nowhere")


def test_a_missing_budget_file(make_campaign):
    folder = make_campaign(**{"budget.csv": None})
    with pytest.raises(
        DataError, match=r"budget\.csv: a table of the budget estimate: budget\.csv or budget\.xlsx"
    ):
        load_campaign(folder)


def test_a_missing_campaign_yaml(make_campaign):
    folder = make_campaign(**{"campaign.yaml": None})
    with pytest.raises(CampaignError, match=r"campaign\.yaml: a campaign\.yaml file"):
        load_campaign(folder)


def test_malformed_yaml_names_the_line(make_campaign):
    folder = make_campaign(**{"campaign.yaml": lambda text: text.replace("year: 2022", "year: [2022")})
    with pytest.raises(CampaignError) as caught:
        load_campaign(folder)
    assert caught.value.file == folder / "campaign.yaml"
    assert "valid YAML" in str(caught.value) and caught.value.row is not None


def test_a_required_key_missing(make_campaign):
    folder = make_campaign(**{"campaign.yaml": lambda text: re.sub(r"  name: Nguyễn Văn An\n", "", text)})
    with pytest.raises(CampaignError, match=r"campaign\.yaml: a key 'signer\.name'"):
        load_campaign(folder)


def test_a_misspelt_key_is_not_ignored(make_campaign):
    folder = make_campaign(**{"campaign.yaml": lambda text: text.replace("  summary:", "  sumary:")})
    with pytest.raises(CampaignError) as caught:
        load_campaign(folder)
    message = str(caught.value)
    assert "no key 'plan.sumary'" in message and "a key 'plan.summary'" in message


def test_a_bad_value_names_its_key(make_campaign):
    folder = make_campaign(
        **{"campaign.yaml": lambda text: text.replace("issued_on: 2022-01-05", "issued_on: 5/1")}
    )
    with pytest.raises(CampaignError, match=r"key 'plan\.issued_on': not a date: '5/1'"):
        load_campaign(folder)


def test_a_campaign_id_that_is_not_a_folder_name(make_campaign):
    folder = make_campaign(
        **{"campaign.yaml": lambda text: text.replace("id: minimal-2022", "id: ../elsewhere")}
    )
    with pytest.raises(CampaignError, match=r"key 'id'"):
        load_campaign(folder)


def test_an_error_is_one_line_per_problem_with_the_path(make_campaign):
    folder = make_campaign(**{"budget.csv": BUDGET_HEADER + "1,A,Cái,x,1,\n"})
    with pytest.raises(DataError) as caught:
        load_campaign(folder)
    assert str(caught.value) == (
        f"{Path(folder) / 'budget.csv'}, row 2, column 'quantity': "
        "a whole number, 0 or more (like 12 or 1.000); it must not be empty (found 'x')"
    )


def test_a_pasted_total_row_that_does_not_add_up(make_campaign):
    folder = make_campaign(
        **{"budget.csv": "STT,Nội dung,ĐVT,Số lượng,Đơn giá\n1,Băng rôn,Cái,2,350.000\n,Tổng cộng,,,\n"}
    )
    assert load_campaign(folder).budget["amount"].sum() == 700_000  # an empty total is fine
    folder.joinpath("budget.csv").write_text(
        "STT,Nội dung,ĐVT,Số lượng,Đơn giá,Thành tiền\n"
        "1,Băng rôn,Cái,2,350.000,700.000\n"
        ",Tổng cộng,,,,800.000\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"row 3, column 'amount': a total of 700000"):
        load_campaign(folder)


ACTIVITIES_HEADER = "activity_id,unit_id,date,channel,quantity,reach,cost_vnd,budget_line_id,evidence,note\n"


def test_a_campaign_with_results_loads_its_units_and_activities():
    campaign = load_campaign(RESULTS)
    assert campaign.has_results
    assert campaign.units["target"].tolist() == [True, True, True, True, False]
    assert (
        campaign.activities["date"].dt.strftime("%Y-%m-%d").tolist()[2] == "2022-05-17"
    )  # written 17/5/2022
    assert campaign.activities["reach"].tolist() == [0, 1_200, 3_400, 80, 150]  # empty reach is 0


def test_a_campaign_without_a_report_section_has_no_results():
    assert not load_campaign(MINIMAL).has_results


@pytest.mark.parametrize(
    ("line", "row", "column", "expected"),
    [
        ("H9,nobody,2022-05-17,banner,1,,,,,", 2, "unit_id", "a unit_id listed in the units table"),
        ("H9,so,2022-05-17,banner,1,,,7,,", 2, "budget_line_id", "empty, or a line_id of the budget table"),
        ("H9,so,2022-05-32,banner,1,,,,,", 2, "date", "a date like 2021-05-17 or 17/5/2021"),
        ("H9,so,17.5.2022,banner,1,,,,,", 2, "date", "a date like"),
        ("H9,so,2022-05-17,banner,1,-5,,,,", 2, "reach", "0 or more"),
        ("H9,so,2022-05-17,banner,1,,-100.000,,,", 2, "cost_vnd", "0 or more"),
        ("H9,so,2022-05-17,banner,-1,,,,,", 2, "quantity", "0 or more"),
        ("H9,so,2022-05-17,billboard,1,,,,,", 2, "channel", "one of: banner, pano"),
        (
            "H9,so,2022-05-17,banner,1,,,,evidence/missing.jpg,",
            2,
            "evidence",
            "a file inside the campaign folder",
        ),
        ("H9,so,2022-05-17,banner,1,,,,../budget.csv,", 2, "evidence", "a file inside the campaign folder"),
        (
            "H9,so,2022-05-17,banner,1,,,,,\nH9,so,2022-05-18,pano,1,,,,,",
            3,
            "activity_id",
            "a unique activity_id",
        ),
    ],
    ids=[
        "unknown-unit",
        "unknown-budget-line",
        "impossible-date",
        "dotted-date",
        "negative-reach",
        "negative-cost",
        "negative-quantity",
        "unknown-channel",
        "missing-evidence",
        "evidence-outside",
        "duplicate-id",
    ],
)
def test_a_bad_activity_is_named_by_file_row_and_column(make_campaign, line, row, column, expected):
    folder = make_campaign(RESULTS, **{"activities.csv": ACTIVITIES_HEADER + line + "\n"})
    with pytest.raises(DataError) as caught:
        load_campaign(folder)
    error = caught.value
    assert (error.file, error.row, error.column) == (folder / "activities.csv", row, column)
    assert expected in str(error)


@pytest.mark.parametrize(
    ("line", "column", "expected"),
    [
        ("x,Đơn vị,ministry,,true,", "kind", "one of: department_division"),
        ("x,Đơn vị,other,,maybe,", "target", "true or false"),
        ("x,Đơn vị,other,,true,04/6", "reported_on", "a date like"),
    ],
)
def test_a_bad_unit_is_named_by_file_row_and_column(make_campaign, line, column, expected):
    units = (RESULTS / "units.csv").read_text(encoding="utf-8")
    folder = make_campaign(RESULTS, **{"units.csv": units + line + "\n"})
    with pytest.raises(DataError) as caught:
        load_campaign(folder)
    assert (caught.value.row, caught.value.column) == (7, column)
    assert expected in str(caught.value)


def test_a_report_without_its_activities_table(make_campaign):
    folder = make_campaign(RESULTS, **{"activities.csv": None})
    with pytest.raises(DataError, match=r"activities\.csv: a table of the activities carried out"):
        load_campaign(folder)


def test_a_window_that_ends_before_it_starts(make_campaign):
    folder = make_campaign(
        RESULTS, **{"campaign.yaml": lambda t: t.replace("end: 2022-05-31", "end: 2022-04-30")}
    )
    with pytest.raises(CampaignError, match=r"key 'report\.window\.end': the window ends"):
        load_campaign(folder)


def test_every_problem_of_every_table_at_once(make_campaign):
    folder = make_campaign(
        RESULTS,
        **{
            "budget.csv": BUDGET_HEADER + "1,A,Cái,x,1,\n",
            "units.csv": lambda t: t.replace("department_division", "ministry"),
            "activities.csv": ACTIVITIES_HEADER + "H1,so,2022-05-40,banner,1,,,,,\n",
        },
    )
    with pytest.raises(DataError) as caught:
        load_campaign(folder)
    assert {(p.file.name, p.row, p.column) for p in caught.value.problems} == {
        ("budget.csv", 2, "quantity"),
        ("units.csv", 2, "kind"),
        ("activities.csv", 2, "date"),
    }


def to_cp1258(text: str) -> bytes:
    """Encode as Excel on a Vietnamese Windows does: vowels with ă, â, ê, ô, ơ, ư precomposed,
    tone marks as combining characters after them."""
    import unicodedata

    tones = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
            tone = "".join(c for c in decomposed if c in tones)
            out += base.encode("cp1258") + tone.encode("cp1258")
    return out


def test_a_csv_saved_in_the_vietnamese_windows_code_page(make_campaign):
    folder = make_campaign()
    text = "line_id,content,unit,quantity,unit_price\n1,Băng rôn tuyên truyền,Cái,2,350.000\n"
    (folder / "budget.csv").write_bytes(to_cp1258(text))
    budget = load_campaign(folder).budget
    assert budget["content"].tolist() == ["Băng rôn tuyên truyền"]


def test_a_csv_in_neither_utf8_nor_windows_1258_says_which_encoding_to_use(make_campaign):
    folder = make_campaign()
    (folder / "budget.csv").write_bytes(b"line_id,content,unit,quantity,unit_price\n1,\x81\x8a,C,1,1\n")
    with pytest.raises(
        DataError, match=r"budget\.csv, row 2, column 'content': a CSV file in UTF-8 \(in Excel: Save As"
    ):
        load_campaign(folder)


@pytest.mark.parametrize(
    ("bom", "end"), [(True, "\n"), (False, "\r\n"), (True, "\r\n")], ids=["bom", "crlf", "bom-crlf"]
)
def test_campaign_yaml_saved_with_a_byte_order_mark_or_windows_line_ends(make_campaign, bom, end):
    folder = make_campaign(RESULTS)
    text = (folder / "campaign.yaml").read_text(encoding="utf-8")
    (folder / "campaign.yaml").write_bytes(
        ("\ufeff" if bom else "").encode() + text.replace("\n", end).encode()
    )
    config = load_campaign(folder).config
    assert config.id == "results-2022" and config.report.window.end.isoformat() == "2022-05-31"


def test_malformed_yaml_with_windows_line_ends_still_names_the_line(make_campaign):
    folder = make_campaign()
    text = (folder / "campaign.yaml").read_text(encoding="utf-8").replace("plan:\n", "plan: x: y\n")
    (folder / "campaign.yaml").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    line = text.splitlines().index("plan: x: y") + 1
    with pytest.raises(CampaignError, match=rf"campaign\.yaml, row {line}: valid YAML"):
        load_campaign(folder)


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        ("a,b\n1,x\n", True),
        ('a,b\r\n1,"x, y"\r\n2,"two\nlines"\r\n', True),
        ("a,b\n1,x\n\n2,y\n", True),  # a blank line: a record of empty cells, its row number counts
        ('a,b\n1, "x, y"\n', False),  # a space before a quote
        ("a,a\n1,2\n", False),  # a repeated header
        ("a,b\n1\n", False),  # a row with fewer cells
    ],
)
def test_arrow_reads_a_csv_as_pandas_does_or_leaves_it_to_pandas(tmp_path, text, fast):
    import pandas as pd

    from reportkit import tables

    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    arrow = tables._read_csv_arrow(path.read_bytes())
    arrow = arrow if arrow is None else arrow.to_pandas()
    assert (arrow is not None) == fast
    if fast:
        pandas = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
        pd.testing.assert_frame_equal(arrow, pandas, check_dtype=False)


@pytest.mark.kernel
@pytest.mark.pdf
def test_a_campaign_typed_in_decomposed_letters_gives_a_pdf_searchable_in_nfc(tmp_path):
    """campaign.yaml and the tables saved in NFD (a Mac keyboard): the PDF's text is NFC."""
    import shutil
    import unicodedata

    from .conftest import build_campaign, pdf_text

    folder = tmp_path / "campaign"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("returns"))
    for name in ("campaign.yaml", "units.csv", "activities.csv", "budget.csv"):
        path = folder / name
        path.write_text(unicodedata.normalize("NFD", path.read_text(encoding="utf-8")), encoding="utf-8")
    out = build_campaign(folder, tmp_path / "out", "--doc", "report", "--to", "pdf")
    text = pdf_text(out / "report.pdf")
    assert unicodedata.is_normalized("NFC", text)
    assert "UBND TỈNH PHÚ YÊN" in text and "Thành phố Tuy Hòa" in text
