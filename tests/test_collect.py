"""``reportkit collect``: returned forms, filled as people fill them, merged into the campaign.

Forms are issued with the real code, filled with openpyxl (or resaved by LibreOffice), and
collected with the real ``reportkit`` command in a subprocess. Refused returns must leave
the campaign folder byte for byte as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reportkit.campaign import load_campaign
from reportkit.forms import issue_forms
from reportkit.locking import LOCK_FILE

from .conftest import ROOT, SAMPLE

REPORTKIT = [sys.executable, "-m", "reportkit.cli"]
FIRST = 6  # the first activity row of a form


def reportkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*REPORTKIT, *args], capture_output=True, text=True, cwd=ROOT, timeout=600)


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(LOCK_FILE)  # the folder's lock is not its content
    }


def activities(folder: Path) -> list[dict[str, str]]:
    with (folder / "activities.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def reported_on(folder: Path) -> dict[str, str]:
    with (folder / "units.csv").open(encoding="utf-8", newline="") as handle:
        return {row["unit_id"]: row["reported_on"] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def blank_forms(tmp_path_factory) -> Path:
    """The sample's forms, issued once with the tokens of its forms.csv."""
    root = tmp_path_factory.mktemp("blank")
    shutil.copytree(SAMPLE, root / "campaign", ignore=shutil.ignore_patterns("returns"))
    return issue_forms(root / "campaign", root / "out").folder


@pytest.fixture
def campaign(tmp_path) -> Path:
    """A copy of the sample campaign (with its forms.csv), without its returns."""
    folder = tmp_path / "campaign"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("returns"))
    return folder


def fill(blank: Path, target: Path, reported: object, rows: list[list | None]) -> Path:
    """Fill a blank form: ``reported`` in Ngày báo cáo, one list of 8 cells per row (None: empty row)."""
    book = load_workbook(blank)
    sheet = book["Hoạt động"]
    sheet["B3"] = reported
    for offset, row in enumerate(rows):
        for column, value in enumerate(row or [], start=1):
            cell = sheet.cell(FIRST + offset, column, value)
            if isinstance(value, str) and value.startswith("'"):  # typed as text, as Excel's leading '
                cell.value, cell.data_type = value[1:], "s"
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def soffice(path: Path, to: str, outdir: Path) -> Path:
    """``path`` converted (recalculated and resaved) by LibreOffice headless."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{outdir}/.profile",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return outdir / f"{path.stem}.{to}"


def test_the_sample_returns_rebuild_the_sample_activities(campaign):
    result = reportkit("collect", str(campaign), str(SAMPLE / "returns"))
    assert result.returncode == 0, result.stderr
    before, after = load_campaign(SAMPLE), load_campaign(campaign)
    columns = [
        "activity_id",
        "unit_id",
        "date",
        "channel",
        "quantity",
        "reach",
        "cost_vnd",
        "budget_line_id",
        "note",
    ]
    assert after.activities[columns].equals(before.activities[columns])
    assert list(after.activities["evidence"].map(lambda e: Path(e).name)) == list(
        before.activities["evidence"].map(lambda e: Path(e).name)
    )
    assert after.units.equals(before.units)
    assert "30 forms taken in (2 late: after 04/6/2021)" in result.stdout
    assert "4 target units have not reported yet" in result.stdout
    assert "MobiFone Phú Yên (dn-mobifone)" in result.stdout


def test_what_people_type_is_read_as_they_mean_it(campaign, blank_forms, tmp_path):
    rows = [
        [
            dt.datetime(2021, 5, 14),
            "Băng rôn",
            2,
            1200,
            300000,
            "Tuyên truyền Ngày Viễn thông và Xã hội thông tin thế giới (17/5) năm 2021",
            None,
            None,
        ],
        None,  # an empty row between activities
        [
            "17/5/2021",
            "BĂNG RÔN",
            "2",
            "1.200",
            "300.000",
            "TUYÊN TRUYỀN NGÀY VIỄN THÔNG VÀ XÃ HỘI THÔNG TIN THẾ GIỚI (17/5) NĂM 2021",
            None,
            "x",
        ],
        ["17/05/2021", "  băng   rôn ", "2", "1 200", "300 000", "kinh phí của đơn vị", None, None],
        [
            "2021-05-17",
            "Tin, bài trên trang thông tin điện tử",
            2.0,
            1200.0,
            None,
            None,
            "https://stttt.phuyen.gov.vn/tin-bai",
            None,
        ],
    ]
    fill(blank_forms / "so-vp.xlsx", tmp_path / "mail" / "so-vp.xlsx", "28/5/2021", rows)
    result = reportkit("collect", str(campaign), str(tmp_path / "mail"))
    assert result.returncode == 0, result.stderr
    mine = [a for a in activities(campaign) if a["unit_id"] == "so-vp"]
    assert [
        (a["date"], a["channel"], a["quantity"], a["reach"], a["cost_vnd"], a["budget_line_id"]) for a in mine
    ] == [
        ("2021-05-14", "banner", "2", "1.200", "300.000", "1"),
        ("2021-05-17", "banner", "2", "1.200", "300.000", "1"),
        ("2021-05-17", "banner", "2", "1.200", "300.000", ""),
        ("2021-05-17", "web_article", "2", "1.200", "", ""),
    ]
    assert mine[3]["evidence"] == "https://stttt.phuyen.gov.vn/tin-bai"
    assert reported_on(campaign)["so-vp"] == "2021-05-28"
    assert reportkit("validate", str(campaign)).returncode == 0


def test_every_problem_of_every_form_is_listed_and_nothing_is_written(campaign, blank_forms, tmp_path):
    fill(
        blank_forms / "so-vp.xlsx",
        tmp_path / "mail" / "a.xlsx",
        "28/5/2021",
        [
            ["32/5/2021", "Băng rôn", 1, None, None, None, None, None],
            ["17/5/2021", "Loa phường", "mười", "1,5", -3, "Quỹ khác", "anh-khong-gui.jpg", None],
        ],
    )
    fill(
        blank_forms / "dn-vnpt.xlsx",
        tmp_path / "mail" / "b.xlsx",
        None,
        [["17/5/2021", "Tin nhắn SMS", None, None, None, None, None, "'=1+1"]],
    )
    before = digest(campaign)
    result = reportkit("collect", str(campaign), str(tmp_path / "mail"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "2 of 2 returned forms have problems; nothing was written" in result.stderr
    a, b = tmp_path / "mail" / "a.xlsx", tmp_path / "mail" / "b.xlsx"
    for where in [
        f"{a}, sheet 'Hoạt động', row 6, column 'Ngày': a date like 17/5/2021 or 2021-05-17 "
        "(found '32/5/2021')",
        f"{a}, sheet 'Hoạt động', row 7, column 'Hình thức'",
        f"{a}, sheet 'Hoạt động', row 7, column 'Số lượng': a whole number, 0 or more",
        f"{a}, sheet 'Hoạt động', row 7, column 'Lượt người tiếp cận'",
        f"{a}, sheet 'Hoạt động', row 7, column 'Kinh phí (đồng)'",
        f"{a}, sheet 'Hoạt động', row 7, column 'Nguồn kinh phí'",
        f"{a}, sheet 'Hoạt động', row 7, column 'Minh chứng'",
        f"{b}, sheet 'Hoạt động', row 3, column 'Ngày báo cáo'",
        f"{b}, sheet 'Hoạt động', row 6, column 'Số lượng'",
        f"{b}, sheet 'Hoạt động', row 6, column 'Ghi chú'",
    ]:
        assert where in result.stderr
    assert digest(campaign) == before


def test_partial_takes_in_the_good_forms_and_lists_the_others(campaign, blank_forms, tmp_path):
    fill(
        blank_forms / "so-vp.xlsx",
        tmp_path / "mail" / "good.xlsx",
        "29/5/2021",
        [["17/5/2021", "Pa-nô", 1, None, None, None, None, None]],
    )
    fill(
        blank_forms / "dn-vnpt.xlsx",
        tmp_path / "mail" / "bad.xlsx",
        "29/5/2021",
        [["17/5/2021", "Pa-nô", "nhiều", None, None, None, None, None]],
    )
    vnpt = [a for a in activities(campaign) if a["unit_id"] == "dn-vnpt"]
    result = reportkit("collect", str(campaign), str(tmp_path / "mail"), "--partial")
    assert result.returncode == 1
    assert "1 form was refused" in result.stdout and "bad.xlsx, sheet 'Hoạt động', row 6" in result.stdout
    assert [(a["activity_id"], a["channel"]) for a in activities(campaign) if a["unit_id"] == "so-vp"] == [
        ("HD001", "pano")
    ]
    assert [a for a in activities(campaign) if a["unit_id"] == "dn-vnpt"] == vnpt
    assert reported_on(campaign)["so-vp"] == "2021-05-29" and reported_on(campaign)["dn-vnpt"] == "2021-05-31"


def test_a_unit_sending_again_replaces_its_rows_and_keeps_its_ids(campaign, blank_forms, tmp_path):
    others = [a for a in activities(campaign) if a["unit_id"] != "dtth-tuy-an"]
    row = ["18/5/2021", "Phát thanh", 1, 100, None, None, None, None]
    for sent, count in (("first", 4), ("again", 4), ("fewer", 2)):
        fill(blank_forms / "dtth-tuy-an.xlsx", tmp_path / sent / "form.xlsx", "30/5/2021", [row] * count)
        result = reportkit("collect", str(campaign), str(tmp_path / sent))
        assert result.returncode == 0, result.stderr
        ids = [a["activity_id"] for a in activities(campaign) if a["unit_id"] == "dtth-tuy-an"]
        assert ids == ["HD031", "HD032", "HD033", "HD053"][:count]
        assert [a for a in activities(campaign) if a["unit_id"] != "dtth-tuy-an"] == others


def test_of_two_copies_a_unit_sent_the_later_report_is_taken(campaign, blank_forms, tmp_path):
    fill(
        blank_forms / "so-vp.xlsx",
        tmp_path / "mail" / "1.xlsx",
        "20/5/2021",
        [["17/5/2021", "Pa-nô", 1, None, None, None, None, None]],
    )
    fill(
        blank_forms / "so-vp.xlsx",
        tmp_path / "mail" / "2.xlsx",
        "25/5/2021",
        [["17/5/2021", "Áp phích", 3, None, None, None, None, None]],
    )
    result = reportkit("collect", str(campaign), str(tmp_path / "mail"))
    assert result.returncode == 0, result.stderr
    assert [(a["channel"], a["quantity"]) for a in activities(campaign) if a["unit_id"] == "so-vp"] == [
        ("poster", "3")
    ]
    assert (
        f"another copy, not used (reported earlier or older): {tmp_path / 'mail' / '1.xlsx'}" in result.stdout
    )


def test_evidence_sent_beside_a_form_is_copied_and_referenced(campaign, blank_forms, tmp_path):
    mail = tmp_path / "mail"
    fill(
        blank_forms / "dn-viettel.xlsx",
        mail / "bao-cao.xlsx",
        "01/6/2021",
        [["18/5/2021", "Băng rôn", 2, None, 700000, None, "Bang-Ron.JPG", None]],
    )
    (mail / "bang-ron.jpg").write_bytes((SAMPLE / "evidence" / "bang-ron-viettel.jpg").read_bytes())
    result = reportkit("collect", str(campaign), str(mail))
    assert result.returncode == 0, result.stderr
    [mine] = [a for a in activities(campaign) if a["unit_id"] == "dn-viettel"]
    assert mine["evidence"] == "evidence/dn-viettel/bang-ron.jpg"
    assert (campaign / mine["evidence"]).read_bytes() == (mail / "bang-ron.jpg").read_bytes()
    assert "activities: 1, evidence files: 1;" in result.stdout
    assert reportkit("validate", str(campaign)).returncode == 0


# --- untrusted returns ------------------------------------------------------------------


def _rezip(source: Path, target: Path, change) -> Path:
    """Copy the zip ``source`` to ``target``, letting ``change(name, data)`` alter or add parts."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
        extra = change(None, None)
        for name, data in (extra or {}).items():
            new.writestr(name, data)
    return target


def _with_macros(form: Path, target: Path) -> None:
    def change(name, data):
        if name is None:
            return {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(512)}
        if name == "[Content_Types].xml":
            return data.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        return data

    _rezip(form, target, change)


def _zip_bomb(form: Path, target: Path) -> None:
    def change(name, data):
        if name is None:
            return {"xl/media/image1.png": bytes(200 * 2**20)}  # 200 MB of zeros, 200 kB packed
        return data

    _rezip(form, target, change)


def _hundred_megabytes(form: Path, target: Path) -> None:
    shutil.copy(form, target)
    with (
        zipfile.ZipFile(target, "a", zipfile.ZIP_STORED) as archive,
        archive.open("xl/media/video.bin", "w") as out,
    ):
        for _ in range(100):
            out.write(os.urandom(2**20))


def _million_rows(form: Path, target: Path) -> None:
    import random

    rows = "".join(
        f'<row r="{n}"><c r="C{n}"><v>{random.randrange(10**9)}</v></c></row>' for n in range(1, 1_000_001)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><dimension ref="C1:C1000000"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()
    _rezip(
        form,
        target,
        lambda name, data: None if name is None else (sheet if name == "xl/worksheets/sheet2.xml" else data),
    )


def _unsized(form: Path, target: Path) -> None:
    def change(name, data):
        if name == "xl/worksheets/sheet2.xml":
            return re.sub(rb"<dimension [^>]*/>", b"", data)
        return data if name else None

    _rezip(form, target, change)


def _entities(form: Path, target: Path) -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1"/><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    _rezip(
        form,
        target,
        lambda name, data: None if name is None else (laughs if name == "xl/worksheets/sheet2.xml" else data),
    )


def _identity(key: str, value: str):
    def make(form: Path, target: Path) -> None:
        book = load_workbook(form)
        meta = book["reportkit"]
        for row in meta.iter_rows():
            if row[0].value == key:
                row[1].value = value
        book.save(target)

    return make


def _old_excel(form: Path, target: Path) -> None:
    target.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))


UNTRUSTED = {
    "macros": ("form.xlsx", _with_macros, "a workbook without macros"),
    "macro-suffix": ("form.xlsm", lambda f, t: shutil.copy(f, t), "a workbook without macros"),
    "zip-bomb": ("form.xlsx", _zip_bomb, "zip bomb"),
    "100-MB": ("form.xlsx", _hundred_megabytes, "a form under 20 MB"),
    "million-rows": ("form.xlsx", _million_rows, "a form of at most 5.000 rows"),
    "no-dimension": ("form.xlsx", _unsized, "a workbook as Excel or LibreOffice saves it"),
    "xml-entities": ("form.xlsx", _entities, "a readable .xlsx workbook"),
    "other-campaign": (
        "form.xlsx",
        _identity("campaign", "wtisd-2022-phu-yen"),
        "a form of campaign 'wtisd-2021-phu-yen'",
    ),
    "edited-unit": ("form.xlsx", _identity("unit", "dn-vnpt"), "its hidden identity does not match"),
    "old-xls": ("form.xls", _old_excel, "an .xlsx or .ods workbook"),
}


@pytest.mark.parametrize("case", UNTRUSTED)
def test_an_untrusted_return_is_refused_with_one_message_and_the_campaign_unchanged(
    case, campaign, blank_forms, tmp_path
):
    name, make, expected = UNTRUSTED[case]
    filled = fill(
        blank_forms / "so-vp.xlsx",
        tmp_path / "filled.xlsx",
        "28/5/2021",
        [["17/5/2021", "Pa-nô", 1, None, None, None, None, None]],
    )
    (tmp_path / "mail").mkdir()
    make(filled, tmp_path / "mail" / name)
    before = digest(campaign)
    result = reportkit("collect", str(campaign), str(tmp_path / "mail" / name))
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert (
        lines[0] == "reportkit: error: 1 of 1 returned form has problems; nothing was written "
        "(correct it, or use --partial to take in the others):"
    )
    assert len(lines) == 2 and lines[1].startswith(str(tmp_path / "mail" / name)), result.stderr
    assert expected in lines[1]
    assert digest(campaign) == before


def test_a_form_of_a_unit_whose_token_is_right_is_taken_whatever_its_name(campaign, blank_forms, tmp_path):
    fill(
        blank_forms / "so-vp.xlsx",
        tmp_path / "mail" / "Báo cáo của Văn phòng (bản cuối).xlsx",
        "28/5/2021",
        [["17/5/2021", "Pa-nô", 1, None, None, None, None, None]],
    )
    result = reportkit("collect", str(campaign), str(tmp_path / "mail"))
    assert result.returncode == 0, result.stderr
    assert [a["channel"] for a in activities(campaign) if a["unit_id"] == "so-vp"] == ["pano"]


# --- LibreOffice and the whole way to the report -----------------------------------------


@pytest.mark.office
def test_a_form_resaved_by_libreoffice_collects_the_same_and_formulas_give_their_values(
    blank_forms, tmp_path
):
    rows = [
        ["17/5/2021", "Phát thanh", 3, "=600*2", "1.500.000", "Kinh phí của đơn vị", None, "Ghi chú"],
        None,
        [dt.datetime(2021, 5, 18), "truyền   hình", "1 200", 25000, None, None, None, None],
    ]
    filled = fill(
        blank_forms / "dtth-tuy-an.xlsx", tmp_path / "filled" / "dtth-tuy-an.xlsx", "31/5/2021", rows
    )
    results = {}
    for to in ("xlsx", "ods"):
        resaved = soffice(filled, to, tmp_path / f"resaved-{to}")
        folder = tmp_path / f"campaign-{to}"
        shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("returns"))
        result = reportkit("collect", str(folder), str(resaved))
        assert result.returncode == 0, result.stderr
        results[to] = [a for a in activities(folder) if a["unit_id"] == "dtth-tuy-an"]
    assert results["xlsx"] == results["ods"]
    assert [
        (a["date"], a["channel"], a["quantity"], a["reach"], a["cost_vnd"], a["note"]) for a in results["ods"]
    ] == [
        ("2021-05-17", "radio", "3", "1.200", "1.500.000", "Ghi chú"),
        ("2021-05-18", "tv", "1.200", "25.000", "", ""),
    ]


def _figures(folder: Path) -> dict:
    return json.loads((folder / "figures.json").read_text(encoding="utf-8"))["report"]


@pytest.mark.kernel
def test_the_report_built_from_the_sample_returns_has_the_sample_figures(campaign, tmp_path):
    assert reportkit("collect", str(campaign), str(SAMPLE / "returns")).returncode == 0
    built = {}
    for name, folder in (("sample", SAMPLE), ("collected", campaign)):
        result = reportkit(
            "build", str(folder), "--doc", "report", "--to", "html", "--out", str(tmp_path / name)
        )
        assert result.returncode == 0, result.stderr
        built[name] = _figures(tmp_path / name / "wtisd-2021-phu-yen")
    assert built["collected"] == built["sample"]
    assert built["collected"]["activities_total"] == 52


@pytest.mark.kernel
def test_forms_filled_then_collected_make_the_report_figures(tmp_path):
    folder = tmp_path / "campaign"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("returns", "forms.csv"))
    (folder / "activities.csv").write_text(
        "activity_id,unit_id,date,channel,quantity,reach,cost_vnd,budget_line_id,evidence,note\r\n",
        encoding="utf-8",
    )
    units = (folder / "units.csv").read_text(encoding="utf-8").splitlines()
    (folder / "units.csv").write_text(
        "\r\n".join([units[0], *(",".join(u.split(",")[:5]) + "," for u in units[1:])]) + "\r\n",
        encoding="utf-8",
    )
    assert reportkit("forms", str(folder), "--out", str(tmp_path / "out")).returncode == 0
    forms = tmp_path / "out" / "wtisd-2021-phu-yen" / "forms"
    fill(
        forms / "dtth-tuy-an.xlsx",
        tmp_path / "mail" / "1" / "a.xlsx",
        "31/5/2021",
        [
            ["17/5/2021", "Phát thanh", 5, "25.000", None, None, None, None],
            ["18/5/2021", "Loa truyền thanh cơ sở", 18, "5 500", None, None, None, None],
        ],
    )
    fill(
        forms / "so-vp.xlsx",
        tmp_path / "mail" / "2" / "b.xlsx",
        "10/6/2021",
        [
            [
                "14/5/2021",
                "băng rôn",
                1,
                None,
                "300.000",
                "Tuyên truyền Ngày Viễn thông và Xã hội thông tin thế giới (17/5) năm 2021",
                None,
                None,
            ],
        ],
    )
    result = reportkit("collect", str(folder), str(tmp_path / "mail"))
    assert result.returncode == 0, result.stderr
    build = reportkit(
        "build", str(folder), "--doc", "report", "--to", "html", "--out", str(tmp_path / "built")
    )
    assert build.returncode == 0, build.stderr
    figures = _figures(tmp_path / "built" / "wtisd-2021-phu-yen")
    assert figures["activities_total"] == 3
    assert figures["reach_total"] == 25_000 + 5_500
    assert figures["spent_total_vnd"] == 300_000 and figures["budget_spent_vnd"] == 300_000
    assert figures["units_active"] == 2 and figures["units_target"] == 34
    assert figures["on_time_units"] == 1  # so-vp reported on 10/6, after the deadline of 04/6


# --- .ods as LibreOffice writes it, made by hand so that its extremes can be tried ------------


def _ods(target: Path, rows: list[list], repeat: int = 1, extra: dict[str, bytes] | None = None) -> Path:
    """An .ods form of the sample's so-vp: identity, ``Ngày báo cáo`` and ``rows``, the last row
    repeated ``repeat`` times, then LibreOffice's usual million empty rows of 16.384 cells."""
    from xml.sax.saxutils import escape

    from reportkit.forms import HEADERS, read_register

    def cell(value) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, int):
            kind = f'office:value-type="float" office:value="{value}"'
        else:
            kind = 'office:value-type="string"'
        return f"<table:table-cell {kind}><text:p>{escape(str(value))}</text:p></table:table-cell>"

    def row(values, times: int = 1) -> str:
        cells = "".join(map(cell, values))
        return f'<table:table-row table:number-rows-repeated="{times}">{cells}</table:table-row>'

    identity = {"campaign": "wtisd-2021-phu-yen", "unit": "so-vp", "token": read_register(SAMPLE)["so-vp"]}
    body = [row([None], 2), row(["Ngày báo cáo", "28/5/2021"]), row([None]), row(list(HEADERS))]
    body += [row(r) for r in rows[:-1]] + [row(rows[-1], repeat)]
    body.append(
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    meta = "".join(row([k, v]) for k, v in identity.items())
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        f'<table:table table:name="Hoạt động">{"".join(body)}</table:table>'
        f'<table:table table:name="reportkit">{meta}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return target


def test_an_ods_form_is_read_row_by_row_whatever_libreoffice_repeats(campaign, tmp_path):
    rows = [
        ["17/5/2021", "Pa-nô", 1, None, 1500000, "Kinh phí của đơn vị", None, "a"],
        [None],
        ["18/5/2021", "Áp phích", 4, 80, None, None, None, None],
    ]
    form = _ods(tmp_path / "mail" / "so-vp.ods", rows, repeat=2)
    result = reportkit("collect", str(campaign), str(form))
    assert result.returncode == 0, result.stderr
    assert [
        (a["date"], a["channel"], a["quantity"], a["cost_vnd"])
        for a in activities(campaign)
        if a["unit_id"] == "so-vp"
    ] == [
        ("2021-05-17", "pano", "1", "1.500.000"),
        ("2021-05-18", "poster", "4", ""),
        ("2021-05-18", "poster", "4", ""),
    ]


@pytest.mark.parametrize(
    ("case", "repeat", "extra", "expected"),
    [
        ("a million repeated rows", 1_000_000, None, "a form of at most 5.000 rows"),
        ("macros", 1, {"Basic/Standard/Module1.xml": b"<module/>"}, "a workbook without macros"),
        ("entities", 1, None, "a readable .ods workbook"),
    ],
)
def test_an_untrusted_ods_is_refused_with_one_message(campaign, tmp_path, case, repeat, extra, expected):
    form = _ods(
        tmp_path / "mail" / "so-vp.ods",
        [["17/5/2021", "Pa-nô", 1, None, None, None, None, None]],
        repeat,
        extra,
    )
    if case == "entities":
        with zipfile.ZipFile(form) as archive:
            content = archive.read("content.xml").replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
        with zipfile.ZipFile(form, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            archive.writestr("content.xml", content)
    assert form.stat().st_size < 50_000
    before = digest(campaign)
    result = reportkit("collect", str(campaign), str(form))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and expected in lines[1], result.stderr
    assert digest(campaign) == before
