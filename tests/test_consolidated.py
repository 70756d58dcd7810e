"""The ministry's consolidated report: agencies' output folders checked like data, added up."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLE, build_sample, pdf_text

MINISTRY = ROOT / "data" / "campaigns" / "wtisd-2021-bo-tttt"
SOURCES = MINISTRY / "sources"  # Phú Yên's outputs and two illustrative agencies


def reportkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=600
    )


def consolidate(sources: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    return reportkit(
        "build",
        str(MINISTRY),
        "--doc",
        "consolidated",
        "-p",
        f"sources={sources}",
        "--out",
        str(out),
        *options,
    )


def _edit(path: Path, change: Callable[[dict], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _another_year(folder: Path) -> None:
    _edit(folder / "figures.json", lambda f: f["campaign"].update(year=2022))


def _another_event(folder: Path) -> None:
    _edit(folder / "figures.json", lambda f: f["campaign"].update(event="Ngày Chuyển đổi số quốc gia"))


def _same_agency_twice(folder: Path) -> None:
    shutil.copytree(folder, folder.parent / "zz-phu-yen-again")


def _another_schema(folder: Path) -> None:
    _edit(folder / "figures.json", lambda f: f.update(schema_version=2))


def _no_report(folder: Path) -> None:
    _edit(folder / "figures.json", lambda f: f.pop("report"))


def _damaged(folder: Path) -> None:
    text = (folder / "figures.json").read_text(encoding="utf-8")
    (folder / "figures.json").write_text(text[: len(text) // 2], encoding="utf-8")


def _no_manifest(folder: Path) -> None:
    (folder / "manifest.json").unlink()


def _a_bad_number(folder: Path) -> None:
    _edit(folder / "figures.json", lambda f: f["report"].update(reach_total="nhiều"))


BAD_SOURCES = {
    "another-year": (_another_year, "a report of Ngày Viễn thông và Xã hội thông tin thế giới 2021"),
    "another-event": (_another_event, "(found 'Ngày Chuyển đổi số quốc gia 2021')"),
    "same-agency-twice": (
        _same_agency_twice,
        "one folder per agency; Sở Thông tin và Truyền thông (Phú Yên)",
    ),
    "another-schema": (_another_schema, "figures.json: schema_version 1; rebuild the folder"),
    "no-report": (_no_report, "an agency's report: figures.json and manifest.json with 'report'"),
    "damaged": (_damaged, "figures.json: a JSON file as reportkit writes it"),
    "no-manifest": (_no_manifest, "an agency's output folder with manifest.json"),
    "bad-number": (_a_bad_number, "figures.json: whole numbers, 0 or more, for report.reach_total"),
}


@pytest.mark.parametrize("case", BAD_SOURCES, ids=list(BAD_SOURCES))
def test_bad_sources_are_one_message_naming_the_folder_and_nothing_is_written(case, tmp_path):
    spoil, expected = BAD_SOURCES[case]
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    spoil(sources / "wtisd-2021-phu-yen")
    out = tmp_path / "out"
    result = consolidate(sources, out)
    assert result.returncode == 2, result.stderr
    message = result.stderr.strip()
    assert message.count("\n") == 0 and message.startswith("reportkit: error: ")
    named = "zz-phu-yen-again" if case == "same-agency-twice" else "wtisd-2021-phu-yen"
    assert str(sources / named) in message
    assert expected in message
    assert "Traceback" not in message
    assert not out.exists()  # checked before the lock, the staging folder or a kernel


def test_sources_that_are_not_a_folder_or_hold_no_agency(tmp_path):
    missing = consolidate(tmp_path / "nowhere", tmp_path / "out")
    assert missing.returncode == 2 and "a folder of the agencies' output folders" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = consolidate(tmp_path / "empty", tmp_path / "out")
    assert empty.returncode == 2 and "one output folder per agency that reported" in empty.stderr
    assert not (tmp_path / "out").exists()


def test_figures_add_up_and_say_who_is_late_and_who_did_not_report():
    from reportkit.campaign import load_campaign
    from reportkit.consolidate import consolidated_figures, load_sources

    ministry = load_campaign(MINISTRY)
    settings = ministry.config.consolidated
    sources = load_sources(SOURCES, year=2021, event=ministry.config.event)
    figures = consolidated_figures(sources, settings.asked, deadline=dt.date(2021, 6, 4))
    reports = [
        json.loads((folder / "figures.json").read_text(encoding="utf-8"))["report"]
        for folder in sorted(SOURCES.iterdir())
    ]
    assert figures.agencies_reported == 3 and figures.agencies_asked == 5
    assert figures.agencies_asked_reported == 3
    unasked = consolidated_figures(sources, settings.asked[3:], deadline=dt.date(2021, 6, 4))
    assert (unasked.agencies_reported, unasked.agencies_asked_reported, unasked.agencies_asked) == (3, 0, 2)
    assert figures.activities_total == sum(r["activities_total"] for r in reports)
    assert figures.reach_total == sum(r["reach_total"] for r in reports)
    assert figures.spent_total_vnd == sum(r["spent_total_vnd"] for r in reports)
    assert [row["agency"] for row in figures.by_agency] == [
        "Sở TTTT Phú Yên",
        "Sở TTTT Bình Định",
        "Sở TTTT Khánh Hòa",
    ]
    # Phú Yên issued on 2 June, Bình Định on 3 June, Khánh Hòa on 8 June; the deadline is 4 June
    assert [row["standing"] for row in figures.by_agency] == ["Đúng hạn", "Đúng hạn", "Chậm"]
    assert (figures.agencies_on_time, figures.agencies_late) == (2, 1)
    assert figures.missing == ("Sở TTTT Gia Lai", "Sở TTTT Đắk Lắk")
    on_the_day = consolidated_figures(sources, settings.asked, deadline=dt.date(2021, 6, 3))
    assert [row["standing"] for row in on_the_day.by_agency] == ["Đúng hạn", "Đúng hạn", "Chậm"]
    day_before = consolidated_figures(sources, settings.asked, deadline=dt.date(2021, 6, 2))
    assert [row["standing"] for row in day_before.by_agency] == ["Đúng hạn", "Chậm", "Chậm"]


def test_an_agency_is_the_same_however_its_name_is_typed(tmp_path):
    from reportkit.consolidate import load_sources
    from reportkit.exceptions import DataError

    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    again = sources / "phu-yen-typed-again"
    shutil.copytree(sources / "wtisd-2021-phu-yen", again)
    _edit(
        again / "figures.json",
        lambda f: f["campaign"]["agency"].update(
            superior="UBND  tỉnh Phú Yên", name="SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
        ),
    )
    with pytest.raises(DataError, match="one folder per agency"):
        load_sources(sources, year=2021, event="Ngày Viễn thông và Xã hội thông tin thế giới")


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_ministry_consolidates_phu_yens_fresh_outputs_and_two_more(tmp_path):
    """Done when: the sample ministry campaign builds from three agencies' outputs, its
    figures add up to theirs, and a changed source rebuilds it."""
    import docx

    province = build_sample(tmp_path / "phu-yen", "--doc", "report", "--to", "html")
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources, ignore=shutil.ignore_patterns("wtisd-2021-phu-yen"))
    shutil.copytree(province, sources / "wtisd-2021-phu-yen")  # the whole folder, as an agency sends it
    out = tmp_path / "out"
    result = consolidate(sources, out, "--to", "pdf,docx")
    assert result.returncode == 0, result.stderr
    folder = out / "wtisd-2021-bo-tttt"
    reports = [
        json.loads((sources / name / "figures.json").read_text(encoding="utf-8"))["report"]
        for name in ("wtisd-2021-phu-yen", "wtisd-2021-binh-dinh", "wtisd-2021-khanh-hoa")
    ]
    figures = json.loads((folder / "figures.json").read_text(encoding="utf-8"))
    national = figures["consolidated"]
    assert national["agencies_reported"] == 3
    for key in ("activities_total", "reach_total", "spent_total_vnd"):
        assert national[key] == sum(r[key] for r in reports), key
    assert figures["schema_version"] == 1 and figures["campaign"]["id"] == "wtisd-2021-bo-tttt"

    text = pdf_text(folder / "consolidated.pdf")
    reach = f"{national['reach_total']:,}".replace(",", ".")
    for expected in (
        "BỘ THÔNG TIN VÀ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM TRUYỀN THÔNG",  # two columns, read across
        "Số: /BC-BTTTT",
        "Kính gửi: Liên minh Viễn thông Quốc tế (ITU).",
        "Văn bản minh họa",
        "3 đơn vị đã gửi báo cáo, trong đó 3/5 đơn vị được đề nghị (60%)",
        f"tiếp cận khoảng {reach} lượt người",
        "Sở TTTT Khánh Hòa 22/30 38 204.150 7.250.000 Chậm",
        f"Tổng cộng 93/109 177 {reach} 37.650.000",  # then "2 đúng hạn", wrapped in its cell
        "- Sở TTTT Gia Lai; - Sở TTTT Đắk Lắk.",
        "Nguyễn Văn A",
    ):
        assert expected in text, expected
    word = " ".join(p.text for p in docx.Document(folder / "consolidated.docx").paragraphs)
    assert "CÁC ĐƠN VỊ CHƯA GỬI BÁO CÁO" in word and "Sở TTTT Gia Lai;" in word
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert str(sources / "wtisd-2021-khanh-hoa" / "figures.json") in manifest["consolidated"]["inputs"]

    assert "consolidated (unchanged, reused)" in consolidate(sources, out, "--to", "pdf,docx").stdout
    _edit(sources / "wtisd-2021-khanh-hoa" / "figures.json", lambda f: f["report"].update(reach_total=4_150))
    rebuilt = consolidate(sources, out, "--to", "pdf,docx")
    assert "consolidated (built)" in rebuilt.stdout, rebuilt.stderr
    after = json.loads((folder / "figures.json").read_text(encoding="utf-8"))["consolidated"]
    assert after["reach_total"] == national["reach_total"] - 200_000


def test_the_sample_sources_are_what_reportkit_builds_for_phu_yen():
    """The committed Phú Yên source is the sample's report as reportkit builds it now."""
    committed = json.loads((SOURCES / "wtisd-2021-phu-yen" / "figures.json").read_text(encoding="utf-8"))
    from reportkit.budget import budget_estimate
    from reportkit.campaign import load_campaign
    from reportkit.coverage import report_figures, scope

    campaign = load_campaign(SAMPLE)
    settings = campaign.config.report
    units, activities = scope(campaign.units, campaign.activities)
    figures = report_figures(
        units,
        activities,
        budget_estimate(campaign.budget),
        window=(settings.window.start, settings.window.end),
        deadline=settings.deadline,
    ).to_dict()
    assert committed["report"] == figures | {"issued_on": "2021-06-02"}
