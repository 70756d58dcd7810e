"""The after-action report end to end: its PDF says what figures.json says."""

from __future__ import annotations

import json
import re

import pytest

from reportkit import vn

from .conftest import RESULTS, build_campaign, pdf_text


@pytest.fixture(scope="module")
def results_build(tmp_path_factory):
    folder = build_campaign(RESULTS, tmp_path_factory.mktemp("outputs"), "--doc", "report")
    return folder, json.loads((folder / "figures.json").read_text(encoding="utf-8"))["report"]


@pytest.mark.kernel
def test_the_figures_of_the_tiny_campaign_by_hand(results_build):
    _, figures = results_build
    # units.csv: four target units (so, a-office, a-radio, b-office), two of them active;
    # activities.csv: five rows, H4 after the window; reach 1.200 + 3.400 + 80 + 150.
    assert {
        k: figures[k]
        for k in (
            "units_target",
            "units_active",
            "coverage_pct",
            "districts_total",
            "districts_covered",
            "activities_total",
            "in_window",
            "reach_total",
            "spent_total_vnd",
            "on_time_units",
            "evidence_pct",
        )
    } == {
        "units_target": 4,
        "units_active": 2,
        "coverage_pct": 50.0,
        "districts_total": 2,
        "districts_covered": 1,
        "activities_total": 5,
        "in_window": 4,
        "reach_total": 4_830,
        "spent_total_vnd": 652_500,
        "on_time_units": 2,
        "evidence_pct": 40.0,
    }
    assert [(r["line_id"], r["planned"], r["spent"], r["pct_used"]) for r in figures["budget_execution"]] == [
        ("1", 700_000, 650_000, 92.9),
        ("2", 3_015, 2_500, 82.9),
    ]


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_pdf_says_what_figures_json_says(results_build):
    folder, f = results_build
    text = pdf_text(folder / "report.pdf")
    expected = [
        "BÁO CÁO",
        "Kính gửi: Bộ Thông tin và Truyền thông (Vụ Hợp tác quốc tế).",
        "Số: /BC-STTTT",
        "Thử Nghiệm, ngày 03 tháng 6 năm 2022",
        f"{f['units_active']}/{f['units_target']} đơn vị ({vn.format_percent(f['coverage_pct'])})",
        f"{f['districts_covered']}/{f['districts_total']} huyện, thị xã, thành phố (50%)",
        f"Tổng số {f['activities_total']} hoạt động, trong đó {f['in_window']} hoạt động",
        f"tiếp cận khoảng {vn.format_vnd(f['reach_total'])} lượt người",
        f"{vn.format_percent(f['evidence_pct'])} hoạt động có hình ảnh",
        f"{f['on_time_units']}/{f['units_target']} đơn vị gửi báo cáo kết quả đúng thời hạn",
        "(đến ngày 04/6/2022)",
        "III. KINH PHÍ THỰC HIỆN",
        "Kinh phí dự trù theo Kế hoạch: 703.015 đồng; đã sử dụng 652.500 đồng",
        f"({vn.amount_in_words(652_500)})",
        "92,9%",
        "IV. ĐÁNH GIÁ",
        "V. ĐỀ XUẤT, KIẾN NGHỊ",
        "DANH SÁCH HOẠT ĐỘNG TUYÊN TRUYỀN",
        "HÌNH ẢNH MINH CHỨNG",
    ]
    for phrase in expected:
        assert phrase in text, phrase


@pytest.mark.kernel
def test_the_report_html_embeds_its_charts_and_photos(results_build):
    folder, _ = results_build
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<figure class="rk-chart">\s*<svg role="img"', html)) == 4  # drawn in the page
    assert html.count('src="data:image/jpeg;base64,') == 1  # the one local photo; the URL is only listed
    assert "https://example.invalid/video" in html and 'src="https://' not in html


@pytest.mark.kernel
@pytest.mark.pdf
def test_a_district_only_report(tmp_path):
    folder = build_campaign(RESULTS, tmp_path, "--doc", "report", "--to", "pdf", "-p", "district=Huyện A")
    figures = json.loads((folder / "figures.json").read_text(encoding="utf-8"))["report"]
    assert (figures["units_target"], figures["units_active"], figures["activities_total"]) == (2, 1, 2)
    assert [row["district"] for row in figures["by_district"]] == ["Huyện A"]
    text = pdf_text(folder / "report.pdf")
    assert "trên địa bàn Huyện A" in text and "1/2 đơn vị (50%)" in text
    assert "Huyện B" not in text


@pytest.mark.kernel
def test_an_interim_report_as_of_a_day(tmp_path):
    folder = build_campaign(RESULTS, tmp_path, "--doc", "report", "--to", "html", "-p", "as_of=2022-05-16")
    figures = json.loads((folder / "figures.json").read_text(encoding="utf-8"))["report"]
    assert (figures["activities_total"], figures["units_active"], figures["on_time_units"]) == (1, 1, 0)
    assert "số liệu đến ngày 16/5/2022" in (folder / "report.html").read_text(encoding="utf-8")


@pytest.mark.kernel
def test_a_long_list_is_cut_in_the_appendix_and_whole_in_activities_xlsx(tmp_path):
    import pandas as pd

    folder = build_campaign(RESULTS, tmp_path, "--doc", "report", "--to", "html", "-p", "appendix_rows=2")
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Danh sách dưới đây gồm 2 trên tổng số 5 hoạt động" in html and "activities.xlsx" in html
    workbook = pd.read_excel(folder / "activities.xlsx")
    assert workbook["Mã hoạt động"].tolist() == ["H1", "H2", "H3", "H5", "H4"]  # by date
    assert workbook["Kinh phí (đồng)"].sum() == 652_500


def test_nfd_text_is_read_as_nfc(tmp_path):
    import shutil
    import unicodedata

    from reportkit.campaign import load_campaign

    folder = tmp_path / "results"
    shutil.copytree(RESULTS, folder)
    units = (folder / "units.csv").read_text(encoding="utf-8")
    (folder / "units.csv").write_text(unicodedata.normalize("NFD", units), encoding="utf-8")
    campaign = load_campaign(folder)
    assert "Huyện A" in set(campaign.units["district"])  # NFC, as typed in campaign.yaml and -p
