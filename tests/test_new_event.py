"""A campaign of one's own: another event moved from an earlier one, or a blank skeleton.

``reportkit new SOURCE --event NAME --event-date DATE`` moves every date with the event and
lists whole every line still naming the earlier event, date, year or theme;
``reportkit new --blank`` writes a skeleton whose placeholders ``validate`` lists and that
nothing builds until they are written.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from reportkit.campaign import load_campaign

from .conftest import ROOT, SAMPLE, build_campaign

SAMPLES = ROOT / "data" / "campaigns"
CDS = "Ngày Chuyển đổi số quốc gia"


def reportkit(*args: str, lang: str = "en") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "--lang", lang, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def moved(tmp_path) -> tuple[Path, subprocess.CompletedProcess]:
    """The WTISD sample (17/5/2021) made a 10/10/2022 campaign with the real command."""
    source = tmp_path / "campaigns" / SAMPLE.name
    shutil.copytree(SAMPLE, source)
    result = reportkit(
        "new", str(source), "--id", "cds-2022-phu-yen", "--event", CDS, "--event-date", "2022-10-10"
    )
    assert result.returncode == 0, result.stderr
    return source.parent / "cds-2022-phu-yen", result


def test_every_date_moves_with_the_event(moved):
    folder, _ = moved
    config = yaml.safe_load((folder / "campaign.yaml").read_text(encoding="utf-8"))
    assert (config["event"], config["event_date"], config["year"]) == (CDS, dt.date(2022, 10, 10), 2022)
    days = (dt.date(2022, 10, 10) - dt.date(2021, 5, 17)).days  # the sample's dates, moved as far
    report = config["report"]
    assert report["window"] == {
        "start": dt.date(2021, 5, 1) + dt.timedelta(days=days),
        "end": dt.date(2021, 5, 31) + dt.timedelta(days=days),
    }
    assert report["deadline"] == dt.date(2021, 6, 4) + dt.timedelta(days=days)
    assert report["window"]["start"] <= config["event_date"] <= report["window"]["end"]
    # days of issue keep their month only, to be written when signed
    assert (config["plan"]["issued_on"], report["issued_on"]) == ("2022-09", "2022-10")
    assert config["plan"]["number"] is None


def test_every_line_naming_the_earlier_event_is_listed_whole(moved):
    _, result = moved
    listed = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
    config = (SAMPLE / "campaign.yaml").read_text(encoding="utf-8").splitlines()
    by_number = {f"campaign.yaml:{n}: {line.strip()}" for n, line in enumerate(config, 1)}

    def numbered(line: str) -> str:
        return next(entry for entry in by_number if entry.endswith(f": {line}"))

    # the theme kept from the earlier event, its date written out, its name in capitals
    assert numbered("theme: Tăng tốc chuyển đổi số trong giai đoạn khó khăn") in listed
    assert numbered('body: "Thời gian thực hiện: Ngày 17/5/{year}."') in listed
    assert numbered("title: NGÀY VIỄN THÔNG VÀ XÃ HỘI THÔNG TIN THẾ GIỚI-17/5") in listed
    assert any("Ngày 17 tháng 5 - Ngày Viễn thông" in line for line in listed)
    long = [line for line in listed if len(line) > 300]
    assert long and all(line in by_number for line in long if line.startswith("campaign.yaml"))
    assert any(line.startswith("budget.csv:2: ") and "(17/5) năm 2021" in line for line in listed)
    # lines naming nothing of the earlier campaign are not listed
    assert not any("{event} năm {year}" in line and "2021" not in line for line in listed)


def test_the_report_text_on_results_is_left_to_write_and_the_plan_builds(moved, tmp_path):
    folder, _ = moved
    validated = reportkit("validate", str(folder))
    assert validated.returncode == 2 and "Traceback" not in validated.stderr
    assert "[[Viết đánh giá kết quả của đợt này]]" in validated.stderr
    refused = reportkit("build", str(folder), "--doc", "report", "--out", str(tmp_path / "none"))
    assert refused.returncode == 2 and "report document needs text written" in refused.stderr
    assert not (tmp_path / "none").exists() or not any((tmp_path / "none").rglob("*.html"))


@pytest.mark.kernel
def test_the_moved_campaign_builds_its_plan(moved, tmp_path):
    folder, _ = moved
    out = build_campaign(folder, tmp_path / "out", "--doc", "plan", "--to", "html")
    html = (out / "plan.html").read_text(encoding="utf-8")
    assert f"{CDS} năm 2022" in html and "tháng 9 năm 2022" in html


def test_a_blank_campaign_lists_its_placeholders_and_builds_nothing(tmp_path):
    made = reportkit(
        "new", "--blank", "--id", "cds-2022-x", "--event", CDS, "--event-date", "2022-10-10",
        "--dest", str(tmp_path),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    folder = tmp_path / "cds-2022-x"
    placeholders = [line for line in made.stdout.splitlines() if "[[" in line]
    assert len(placeholders) >= 20
    campaign = load_campaign(folder)  # it loads: only the text is left to write
    assert campaign.config.event_date == dt.date(2022, 10, 10)
    window = campaign.config.report.window
    assert window.start < campaign.config.event_date < window.end
    assert len(campaign.unwritten) == len(placeholders)

    validated = reportkit("validate", str(folder), lang="vi")
    assert validated.returncode == 2 and "Traceback" not in validated.stderr
    assert validated.stderr.count("[[") == len(placeholders)
    assert "dòng" in validated.stderr  # Vietnamese, with the line of each
    for doc in ("plan", "report"):
        refused = reportkit("build", str(folder), "--doc", doc, "--out", str(tmp_path / "out"))
        assert refused.returncode == 2, refused.stderr
        assert f"the {doc} document needs text written in place of this placeholder" in refused.stderr
    assert not list((tmp_path / "out").rglob("*.ipynb"))


def test_a_blank_campaign_once_written_validates(tmp_path):
    assert (
        reportkit(
            "new",
            "--blank",
            "--id",
            "b",
            "--event",
            CDS,
            "--event-date",
            "2022-10-10",
            "--dest",
            str(tmp_path),
        ).returncode
        == 0
    )
    folder = tmp_path / "b"
    for name in ("campaign.yaml", "budget.csv"):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        import re

        path.write_text(re.sub(r"\[\[(.+?)\]\]", "Đã viết", text), encoding="utf-8")
    assert reportkit("validate", str(folder)).returncode == 0


def test_blank_needs_an_event_and_no_source(tmp_path):
    result = reportkit("new", "--blank", "--id", "b", "--event-date", "2022-10-10", "--dest", str(tmp_path))
    assert result.returncode == 2 and "--event" in result.stderr and "Traceback" not in result.stderr
    result = reportkit("new", str(SAMPLE), "--id", "x", "--year", "2023", "--event-date", "2022-10-10")
    assert result.returncode == 2 and "2023" in result.stderr
    assert not (SAMPLE.parent / "x").exists()


def test_an_event_outside_the_reports_window_is_refused(make_campaign):
    folder = make_campaign(
        SAMPLE,
        **{"campaign.yaml": lambda text: text.replace("event_date: 2021-05-17", "event_date: 2021-10-10")},
    )
    result = reportkit("validate", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "event_date 2021-10-10 is outside the report's window (2021-05-01 to 2021-05-31)" in result.stderr


def test_the_forms_give_the_events_own_date_as_example(moved, tmp_path):
    folder, _ = moved
    result = reportkit("forms", str(folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    form = next((tmp_path / "out").rglob("*.xlsx"))
    guide = " ".join(
        str(c) for row in load_workbook(form)["Hướng dẫn"].iter_rows(values_only=True) for c in row
    )
    assert "ví dụ 10/10/2022" in guide and "17/5" not in guide


@pytest.mark.kernel
def test_the_sample_for_national_digital_transformation_day_builds_its_plan(tmp_path):
    out = build_campaign(SAMPLES / "cds-2022-phu-yen", tmp_path / "out", "--doc", "plan", "--to", "html")
    html = (out / "plan.html").read_text(encoding="utf-8")
    assert "Tuyên truyền hưởng ứng Ngày Chuyển đổi số quốc gia năm 2022" in html
    assert "Khai thác dữ liệu số để tạo giá trị mới" in html
    assert "1.400.000" in html and "2.600.000" in html  # 4 × 350.000, and the total
