"""``reportkit forms``: one Vietnamese form per target unit, as a unit opens and prints it."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reportkit.forms import HEADERS, OWN_FUNDS
from reportkit.tables import CHANNELS

from .conftest import ROOT, SAMPLE

REPORTKIT = [sys.executable, "-m", "reportkit.cli"]


def reportkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*REPORTKIT, *args], capture_output=True, text=True, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """A copy of the sample with its forms issued by the real command."""
    root = tmp_path_factory.mktemp("forms")
    campaign = root / "campaign"
    shutil.copytree(SAMPLE, campaign, ignore=shutil.ignore_patterns("returns", "forms.csv"))
    result = reportkit("forms", str(campaign), "--out", str(root / "out"))
    assert result.returncode == 0, result.stderr
    return campaign, root / "out" / "wtisd-2021-phu-yen" / "forms", result


def _register(campaign: Path) -> dict[str, str]:
    with (campaign / "forms.csv").open(encoding="utf-8", newline="") as handle:
        return {row["unit_id"]: row["token"] for row in csv.DictReader(handle)}


def test_one_form_per_target_unit_and_a_token_each_in_the_register(issued):
    campaign, forms, result = issued
    with (campaign / "units.csv").open(encoding="utf-8", newline="") as handle:
        targets = {row["unit_id"] for row in csv.DictReader(handle) if row["target"] == "true"}
    assert len(targets) == 34
    assert {p.name for p in forms.iterdir()} == {f"{unit}.xlsx" for unit in targets}
    tokens = _register(campaign)
    assert set(tokens) == targets
    assert len(set(tokens.values())) == 34 and all(len(t) >= 20 for t in tokens.values())
    assert "34 forms" in result.stdout


def test_the_activities_sheet_is_as_the_issue_lists(issued):
    _, forms, _ = issued
    book = load_workbook(forms / "dtth-tuy-an.xlsx")
    assert book.sheetnames == ["Hướng dẫn", "Hoạt động", "Danh mục", "reportkit"]
    sheet = book["Hoạt động"]
    assert book.active.title == "Hoạt động"
    assert sheet["A2"].value == "Đơn vị: Đài Truyền thanh - Truyền hình huyện Tuy An"
    assert sheet["A3"].value == "Ngày báo cáo"
    assert [c.value for c in sheet[5]] == list(HEADERS)
    assert HEADERS == (
        "Ngày",
        "Hình thức",
        "Số lượng",
        "Lượt người tiếp cận",
        "Kinh phí (đồng)",
        "Nguồn kinh phí",
        "Minh chứng",
        "Ghi chú",
    )
    assert sheet["A6"].number_format == "dd/mm/yyyy" and sheet["B3"].number_format == "dd/mm/yyyy"
    assert sheet["A305"].number_format == "dd/mm/yyyy" and sheet["A305"].border.left.style == "thin"
    for column in "CDE":
        assert "#\\.##0" in sheet[f"{column}6"].number_format
    assert sheet.freeze_panes == "A6"
    assert sheet.print_title_rows == "$5:$5"
    assert (
        sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    )


def test_drop_downs_offer_the_channels_and_the_budget_lines(issued):
    _, forms, _ = issued
    book = load_workbook(forms / "so-vp.xlsx")
    sheet = book["Hoạt động"]
    rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    channel = rules["B6:B305"]
    assert channel.type == "list" and channel.formula1 == "'Danh mục'!$A$2:$A$14"
    lists = book["Danh mục"]
    assert [lists.cell(r, 1).value for r in range(2, 15)] == list(CHANNELS.values())
    funding = rules["F6:F305"]
    assert funding.type == "list" and funding.formula1 == "'Danh mục'!$B$2:$B$3"
    assert [lists["B2"].value, lists["B3"].value] == [
        "Tuyên truyền Ngày Viễn thông và Xã hội thông tin thế giới (17/5) năm 2021",
        OWN_FUNDS,
    ]
    numbers = rules["C6:E305"]
    assert (numbers.type, numbers.operator, numbers.formula1) == ("whole", "greaterThanOrEqual", "0")
    dates = next(r for key, r in rules.items() if key.startswith("A6:A305"))
    assert dates.type == "date" and "B3" in str(dates.sqref)


def test_the_lists_the_drop_downs_read_are_protected_like_the_identity_sheet(issued):
    """A choice edited in 'Danh mục' would change what every drop-down offers."""
    _, forms, _ = issued
    book = load_workbook(forms / "so-vp.xlsx")
    lists, meta = book["Danh mục"].protection, book["reportkit"].protection
    assert lists.sheet and vars(lists) == vars(meta)


def test_the_identity_sheet_is_very_hidden_protected_and_holds_the_token(issued):
    campaign, forms, _ = issued
    book = load_workbook(forms / "pvhtt-tuy-an.xlsx")
    meta = book["reportkit"]
    assert meta.sheet_state == "veryHidden" and meta.protection.sheet
    assert book.security.lockStructure
    values = {row[0]: row[1] for row in meta.iter_rows(values_only=True)}
    assert values["campaign"] == "wtisd-2021-phu-yen" and values["unit"] == "pvhtt-tuy-an"
    assert values["token"] == _register(campaign)["pvhtt-tuy-an"]


def test_the_guide_says_by_when_and_where(issued):
    _, forms, _ = issued
    guide = load_workbook(forms / "so-vp.xlsx")["Hướng dẫn"]
    text = "\n".join(str(c.value) for c in guide["A"] if c.value)
    assert "Đơn vị: Văn phòng Sở" in text
    assert "chậm nhất ngày 04/6/2021 về Sở Thông tin và Truyền thông tỉnh Phú Yên" in text
    assert ".jpg" in text and ".mp4" in text


def test_issuing_again_keeps_the_tokens(issued, tmp_path):
    campaign, _, _ = issued
    before = _register(campaign)
    result = reportkit("forms", str(campaign), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert _register(campaign) == before
    assert "0 new" in result.stdout


def test_a_campaign_without_a_report_has_no_forms(tmp_path):
    from .conftest import MINIMAL

    result = reportkit("forms", str(MINIMAL), "--out", str(tmp_path))
    assert result.returncode == 2
    assert "report" in result.stderr and "Traceback" not in result.stderr
    assert not (MINIMAL / "forms.csv").exists()


@pytest.mark.office
def test_libreoffice_prints_the_form_on_a4_landscape_with_its_headers(issued, tmp_path):
    _, forms, _ = issued
    shutil.copy(forms / "dtth-tuy-an.xlsx", tmp_path / "form.xlsx")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "form.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    from pypdf import PdfReader

    pdf = PdfReader(tmp_path / "form.pdf")
    guide, table = pdf.pages[0], pdf.pages[1]
    assert round(float(table.mediabox.width)) == 842 and round(float(table.mediabox.height)) == 595
    text = " ".join(table.extract_text().split())
    assert "Đơn vị: Đài Truyền thanh - Truyền hình huyện Tuy An" in text
    assert "Ngày báo cáo" in text
    for header in ("Hình thức", "Số lượng", "Kinh phí (đồng)", "Nguồn kinh phí", "Minh chứng", "Ghi chú"):
        assert header in text
    # The header row is printed again on the next page of the table.
    assert "Nguồn kinh phí" in pdf.pages[2].extract_text()
    assert "Thời hạn và nơi gửi" in guide.extract_text()
