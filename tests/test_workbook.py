"""activities.xlsx: every activity, in order, readable; past one sheet's rows on further sheets."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from reportkit.campaign import load_campaign
from reportkit.workbook import COLUMNS, write_activities

from .conftest import RESULTS, SAMPLE


def read_back(path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=None, engine="openpyxl")


def test_every_activity_by_date_with_its_unit_money_and_day(tmp_path):
    campaign = load_campaign(SAMPLE)
    sheets = read_back(write_activities(campaign.activities, campaign.units, tmp_path / "a.xlsx"))
    assert list(sheets) == ["Hoạt động"]
    sheet = sheets["Hoạt động"]
    assert list(sheet.columns) == [title for title, _, _ in COLUMNS]
    assert sheet["STT"].tolist() == list(range(1, len(campaign.activities) + 1))
    assert sorted(sheet["Mã hoạt động"]) == sorted(campaign.activities["activity_id"])
    assert sheet["Ngày"].is_monotonic_increasing
    assert sheet["Kinh phí (đồng)"].sum() == campaign.activities["cost_vnd"].sum()
    assert sheet["Lượt người"].sum() == campaign.activities["reach"].sum()
    first = campaign.activities.sort_values(["date", "activity_id"]).iloc[0]
    row = sheet.iloc[0]
    assert row["Ngày"] == first["date"] and row["Mã hoạt động"] == first["activity_id"]
    name = campaign.units.set_index("unit_id").loc[first["unit_id"], "name"]
    assert row["Đơn vị"] == name


def test_a_list_longer_than_a_sheet_continues_on_the_next_sheets(tmp_path):
    campaign = load_campaign(SAMPLE)
    total = len(campaign.activities)
    sheets = read_back(
        write_activities(campaign.activities, campaign.units, tmp_path / "a.xlsx", sheet_rows=20)
    )
    assert list(sheets) == ["Hoạt động", "Hoạt động (2)", "Hoạt động (3)"]
    assert [len(s) for s in sheets.values()] == [20, 20, total - 40]
    whole = pd.concat(sheets.values())
    assert whole["STT"].tolist() == list(range(1, total + 1))
    assert sorted(whole["Mã hoạt động"]) == sorted(campaign.activities["activity_id"])


def test_text_that_is_markup_or_control_characters_stays_text(tmp_path):
    campaign = load_campaign(RESULTS)
    activities = campaign.activities.copy()
    activities["note"] = ["<b>Tom & Jerry</b>", "a\x01b", "", "x > y", "Hội nghị"][: len(activities)]
    sheet = read_back(write_activities(activities, campaign.units, tmp_path / "a.xlsx"))["Hoạt động"]
    by_id = dict(zip(sheet["Mã hoạt động"], sheet["Ghi chú"], strict=True))
    expected = dict(zip(activities["activity_id"], activities["note"], strict=True))
    for key, note in expected.items():
        shown = by_id[key]
        assert (note.replace("\x01", "") or None) == (None if pd.isna(shown) else shown)


def test_an_empty_list_is_a_sheet_with_its_header(tmp_path):
    campaign = load_campaign(RESULTS)
    path = write_activities(campaign.activities.iloc[:0], campaign.units, tmp_path / "a.xlsx")
    sheet = read_back(path)["Hoạt động"]
    assert len(sheet) == 0 and list(sheet.columns) == [title for title, _, _ in COLUMNS]
    assert zipfile.ZipFile(path).testzip() is None


@pytest.mark.office
def test_libreoffice_reads_every_row(tmp_path):
    import subprocess

    campaign = load_campaign(SAMPLE)
    write_activities(campaign.activities, campaign.units, tmp_path / "a.xlsx")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "a.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    table = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False)
    assert len(table) == len(campaign.activities)
    assert (
        table.columns[0] == "STT"
        and table["Kinh phí (đồng)"].iloc[0].replace(",", "").replace(".", "").isdigit()
    )
